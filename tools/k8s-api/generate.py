#!/usr/bin/env python3
"""Generates src/schema/table.rs: the Kubernetes API's field names of every workload kind
that carries a pod template, from the official Python client's wheels (PyPI package
`kubernetes`; client major N is Kubernetes 1.N).

    generate.py tools/k8s-api/wheels.txt WHEEL_DIR > src/schema/table.rs

wheels.txt pins the wheels ("file sha256" per line); WHEEL_DIR holds them
(scripts/setup-k8s-api.sh downloads them from PyPI; this script checks each hash again
and reads nothing else, so it runs offline). Each model class of `kubernetes/client/models/` names its
fields in two class-level dict literals: `attribute_map` (Python name -> API field name)
and `openapi_types` (Python name -> type: `int`, `list[V1Container]`, `dict(str, str)`,
`V1PodSpec`, ...). They are read with `ast` (nothing is imported or run). A field's
versions are the wheels whose model has it; its type is the newest wheel's. A field whose
model was renamed between versions (`Lifecycle.preStop`: `V1Handler` to 1.22, then
`V1LifecycleHandler`) is typed with the newest model, which also gets the older model's
fields in the versions the field had it. Standard
library only; the output is deterministic (the regeneration test compares it byte for
byte with the committed file).
"""

import ast
import hashlib
import os
import re
import sys
import zipfile

# The kinds checked as whole objects, by (apiVersion, kind): the root model of each, the
# first that exists in a wheel (CronJob is batch/v1 from Kubernetes 1.21; before, the
# client has only V1beta1CronJob).
ROOTS = [
    ("v1", "Pod", ["V1Pod"]),
    ("v1", "PodTemplate", ["V1PodTemplate"]),
    ("v1", "ReplicationController", ["V1ReplicationController"]),
    ("apps/v1", "ReplicaSet", ["V1ReplicaSet"]),
    ("apps/v1", "Deployment", ["V1Deployment"]),
    ("apps/v1", "DaemonSet", ["V1DaemonSet"]),
    ("apps/v1", "StatefulSet", ["V1StatefulSet"]),
    ("batch/v1", "Job", ["V1Job"]),
    ("batch/v1", "CronJob", ["V1CronJob", "V1beta1CronJob"]),
]
# The pod template alone: for resources matched by shape (an Argo Rollout) and kinds
# under API versions the table does not describe (extensions/v1beta1, apps/v1beta2).
TEMPLATE_ROOT = "V1PodTemplateSpec"

MODELS_DIR = "kubernetes/client/models/"
WHEEL = re.compile(r"^kubernetes-(\d+)\.(\d+)\.(\d+)-.*\.whl$")


def dict_literal(cls, name):
    """The dict literal assigned to `name` in class `cls` (plain or annotated)."""
    for node in cls.body:
        target = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        elif isinstance(node, ast.AnnAssign):
            target = node.target
        if isinstance(target, ast.Name) and target.id == name:
            return ast.literal_eval(node.value)
    return None


def read_wheel(path):
    """{model name: {api field name: type string}} of one wheel."""
    models = {}
    with zipfile.ZipFile(path) as z:
        for entry in z.namelist():
            if not entry.startswith(MODELS_DIR) or not entry.endswith(".py"):
                continue
            if entry.count("/") != MODELS_DIR.count("/"):
                continue
            tree = ast.parse(z.read(entry).decode("utf-8"), entry)
            for cls in tree.body:
                if not isinstance(cls, ast.ClassDef):
                    continue
                types = dict_literal(cls, "openapi_types")
                names = dict_literal(cls, "attribute_map")
                if types is None or names is None:
                    continue
                models[cls.name] = {names[k]: types[k] for k in names}
    return models


def parse_type(t):
    """A type string as a tree: ("list", inner), ("map", inner), ("model", name) or a
    scalar name (bool, int, number, str, any)."""
    t = t.strip()
    m = re.fullmatch(r"(?:list|List)\[(.*)\]", t)
    if m:
        return ("list", parse_type(m.group(1)))
    m = re.fullmatch(r"dict\(str, (.*)\)", t) or re.fullmatch(r"[Dd]ict\[str, (.*)\]", t)
    if m:
        return ("map", parse_type(m.group(1)))
    scalars = {
        "bool": "bool",
        "int": "int",
        "float": "number",
        "str": "str",
        "datetime": "str",
        "date": "str",
        "bytearray": "str",
        "object": "any",
    }
    if t in scalars:
        return scalars[t]
    if re.fullmatch(r"V\d+(?:alpha|beta)?\d*[A-Za-z0-9]+|[A-Z][A-Za-z0-9]+", t):
        return ("model", t)
    raise SystemExit(f"unknown type {t!r}")


def unversioned(model):
    """`V1beta1CronJobSpec` -> `CronJobSpec`: a model's name in the table."""
    return re.sub(r"^V\d+(?:alpha\d*|beta\d*)?", "", model)


def reachable(models, roots):
    """Model names reachable from `roots` in one wheel, as {table name: model name}."""
    seen = {}
    stack = [r for r in roots if r in models]
    while stack:
        name = stack.pop()
        key = unversioned(name)
        if key in seen:
            continue
        seen[key] = name
        for t in models[name].values():
            tree = parse_type(t)
            while isinstance(tree, tuple) and tree[0] in ("list", "map"):
                tree = tree[1]
            if isinstance(tree, tuple) and tree[0] == "model" and tree[1] in models:
                stack.append(tree[1])
    return seen


def model_of(tree):
    """The model name of a type tree, through lists and maps; None for a scalar."""
    while isinstance(tree, tuple) and tree[0] in ("list", "map"):
        tree = tree[1]
    if isinstance(tree, tuple) and tree[0] == "model":
        return tree[1]
    return None


def rust_type(tree):
    if isinstance(tree, str):
        return {
            "bool": "Ty::Bool",
            "int": "Ty::Int",
            "number": "Ty::Number",
            "str": "Ty::Str",
            "any": "Ty::Any",
        }[tree]
    kind, inner = tree
    if kind == "list":
        return f"Ty::List(&{rust_type(inner)})"
    if kind == "map":
        return f"Ty::Map(&{rust_type(inner)})"
    return f"Ty::Model({unversioned(inner)})"


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    list_file, wheel_dir = sys.argv[1], sys.argv[2]
    wheels = []
    with open(list_file, encoding="utf-8") as pins:
        for line in pins:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            f, want = line.split()
            m = WHEEL.match(f)
            if not m:
                raise SystemExit(f"{list_file}: not a kubernetes wheel: {f}")
            path = os.path.join(wheel_dir, f)
            try:
                with open(path, "rb") as w:
                    got = hashlib.sha256(w.read()).hexdigest()
            except OSError as e:
                raise SystemExit(f"{path}: {e.strerror} (scripts/setup-k8s-api.sh downloads it)")
            if got != want:
                raise SystemExit(f"{path}: SHA-256 {got}, pinned {want}")
            wheels.append((int(m.group(1)), f))
    wheels.sort()
    if not wheels:
        raise SystemExit(f"no wheels in {list_file}")
    minors = [n for n, _ in wheels]
    if minors != list(range(minors[0], minors[-1] + 1)):
        raise SystemExit(f"want one wheel per minor version, got {minors}")

    # Every wheel's models and the names reachable from the kinds, and the type each
    # reachable model's field has in each version: (table name, field) -> {minor: table
    # name of the field's model}.
    per_wheel = []
    field_models = {}
    for minor, f in wheels:
        models = read_wheel(os.path.join(wheel_dir, f))
        roots = [next(r for r in names if r in models) for _, _, names in ROOTS
                 if any(r in models for r in names)]
        reach = reachable(models, roots + [TEMPLATE_ROOT])
        per_wheel.append((minor, models, reach))
        for key, name in reach.items():
            for field, t in models[name].items():
                inner = model_of(parse_type(t))
                if inner is not None:
                    field_models.setdefault((key, field), {})[minor] = unversioned(inner)

    # A field whose model was renamed (Lifecycle.preStop: `Handler` to v1.22, then
    # `LifecycleHandler`): the table types the field with its newest model, so that model
    # also gets, in each older version, the fields of the model the field had then.
    # (old table name, minor) -> the newest names it stands for.
    renamed = {}
    for by_minor in field_models.values():
        newest = by_minor[max(by_minor)]
        for minor, key in by_minor.items():
            if key != newest:
                renamed.setdefault((key, minor), set()).add(newest)

    # table name -> {"minors": set, "fields": {field: {"minors": set, "type": (minor, tree)}}}
    table = {}
    for minor, models, reach in per_wheel:
        for key, name in reach.items():
            for target in [key] + sorted(renamed.get((key, minor), ())):
                entry = table.setdefault(target, {"minors": set(), "fields": {}})
                entry["minors"].add(minor)
                for field, t in models[name].items():
                    fe = entry["fields"].setdefault(field, {"minors": set(), "type": None})
                    fe["minors"].add(minor)
                    fe["type"] = (minor, parse_type(t))

    def mask(ms):
        return "0x%x" % sum(1 << m for m in ms)

    names = sorted(table)
    out = []
    w = out.append
    first, last = minors[0], minors[-1]
    w("// @generated by tools/k8s-api/generate.py: do not edit (see tools/k8s-api/README.md).")
    w("//")
    w("// Source: the `kubernetes` Python client wheels (PyPI), one per Kubernetes minor")
    w(f"// version, v1.{first} to v1.{last}:")
    for minor, f in wheels:
        w(f"//   {f}")
    w("")
    w("use super::{Field, Model, ModelId, Root, Ty};")
    w("")
    w(f"/// The oldest Kubernetes minor version the table describes (`v1.{first}`).")
    w(f"pub const FIRST_MINOR: u32 = {first};")
    w(f"/// The newest Kubernetes minor version the table describes (`v1.{last}`).")
    w(f"pub const LAST_MINOR: u32 = {last};")
    w("")
    for i, n in enumerate(names):
        w(f"const {n}: ModelId = ModelId({i});")
    w("")
    w("/// Every model, indexed by [`ModelId`]; fields sorted by name. `minors`: bit N is set")
    w("/// when the model or field exists in Kubernetes v1.N.")
    w("pub static MODELS: &[Model] = &[")
    for n in names:
        e = table[n]
        w(f"    Model {{ name: {n!r}, minors: {mask(e['minors'])}, fields: &[".replace("'", '"'))
        for field in sorted(e["fields"]):
            fe = e["fields"][field]
            w(f"        Field {{ name: \"{field}\", ty: {rust_type(fe['type'][1])}, minors: {mask(fe['minors'])} }},")
        w("    ] },")
    w("];")
    w("")
    w("/// The kinds whose whole object the table describes, by `apiVersion` and `kind`.")
    w("pub static ROOTS: &[Root] = &[")
    for api, kind, _ in ROOTS:
        w(f"    Root {{ api_version: \"{api}\", kind: \"{kind}\", model: {kind} }},")
    w("];")
    w("")
    w(f"/// The pod template (`{unversioned(TEMPLATE_ROOT)}`): what resources matched by shape get.")
    w(f"pub const POD_TEMPLATE: ModelId = {unversioned(TEMPLATE_ROOT)};")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
