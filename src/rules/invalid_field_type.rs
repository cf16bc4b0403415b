//! `invalid-field-type` — input diagnostic.
use super::Ctx;
use crate::yaml::{NodeId, Resolved, Style, Value};

declare_rule! {
    /// ## What it checks
    /// A security-relevant field that the API expects as a boolean or an integer holds a
    /// string (`runAsUser: "0"`, `privileged: "true"`), or another wrong type.
    ///
    /// ## Why it matters
    /// The API server rejects the whole manifest (`cannot unmarshal string into Go struct
    /// field`), so the deploy fails late — and a checker that quietly read `"true"` as
    /// `false` would have passed an insecure setting. kube-secctx reports the type error
    /// and still judges the value the author meant.
    ///
    /// ## Pod Security Standards
    /// Not a PSS check (severity `error`, `pss` is `null`): an input diagnostic, which runs
    /// under every level too (`--level restricted` does not pass a manifest the API
    /// server rejects). Fields checked: `spec.hostNetwork`, `hostPID`, `hostIPC`, `hostUsers`,
    /// `shareProcessNamespace`, `automountServiceAccountToken`; pod `securityContext`
    /// `runAsUser`, `runAsGroup`, `fsGroup`, `runAsNonRoot`, `supplementalGroups[*]`,
    /// `windowsOptions.hostProcess`; container `securityContext` `privileged`,
    /// `allowPrivilegeEscalation`, `runAsNonRoot`, `readOnlyRootFilesystem`, `runAsUser`,
    /// `runAsGroup`, `windowsOptions.hostProcess`; `ports[*].containerPort`, `hostPort`.
    /// Objects and lists the rules look into must have that shape: the pod's
    /// `securityContext`, `os`, container lists and their items, `volumes`; the
    /// `securityContext` objects `seccompProfile`, `appArmorProfile`, `seLinuxOptions`,
    /// `windowsOptions`, `capabilities` (with lists `add`, `drop`), `sysctls`,
    /// `supplementalGroups`; a container's `securityContext` and `ports`.
    /// Plain YAML 1.1 values are the right types (`yes` is a boolean, `0644` an octal
    /// integer), and so is a float without a fractional part (`1e3`), which reaches the
    /// API as the JSON number `1000`.
    ///
    /// ## Example
    /// ```yaml fail
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: example}
    /// spec:
    ///   securityContext:
    ///     runAsUser: "1000"
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.0
    /// ```
    /// ```yaml pass
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: example}
    /// spec:
    ///   securityContext:
    ///     runAsUser: 1000
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.0
    /// ```
    ///
    /// ## Fix
    /// Remove the quotes: write `true`/`false` and numbers unquoted. Write objects and
    /// lists in the shape the API reference gives (`drop: ["ALL"]`, not `drop: ALL`).
    ///
    /// ## References
    /// - API types `PodSpec`, `PodSecurityContext`, `SecurityContext`, `ContainerPort`
    INVALID_FIELD_TYPE {
        id: "invalid-field-type",
        title: "Field has the wrong type",
        severity: Error,
        category: Diagnostic,
        pss: None,
        fix: "write the field as the API expects it: booleans and numbers unquoted (true, 1000), objects and lists in their own shape",
        check: check,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Ty {
    Bool,
    Int,
    /// An object (`securityContext`, `capabilities`, ...).
    Map,
    /// An array (`containers`, `capabilities.drop`, ...).
    List,
}

/// Objects and arrays of the pod spec whose shape the rules rely on: written as another
/// type (`drop: ALL`, `containers:` as a mapping), the API server rejects the manifest and
/// the rules would not see what is inside.
const POD_SHAPE: &[(&[&str], Ty)] = &[
    (&["securityContext"], Ty::Map),
    (&["initContainers"], Ty::List),
    (&["containers"], Ty::List),
    (&["ephemeralContainers"], Ty::List),
    (&["volumes"], Ty::List),
    (&["os"], Ty::Map),
];
const POD_SC_SHAPE: &[(&[&str], Ty)] = &[
    (&["seccompProfile"], Ty::Map),
    (&["appArmorProfile"], Ty::Map),
    (&["seLinuxOptions"], Ty::Map),
    (&["windowsOptions"], Ty::Map),
    (&["sysctls"], Ty::List),
    (&["supplementalGroups"], Ty::List),
];
const CONTAINER_SHAPE: &[(&[&str], Ty)] =
    &[(&["securityContext"], Ty::Map), (&["ports"], Ty::List)];
const CONTAINER_SC_SHAPE: &[(&[&str], Ty)] = &[
    (&["capabilities"], Ty::Map),
    (&["capabilities", "add"], Ty::List),
    (&["capabilities", "drop"], Ty::List),
    (&["seccompProfile"], Ty::Map),
    (&["appArmorProfile"], Ty::Map),
    (&["seLinuxOptions"], Ty::Map),
    (&["windowsOptions"], Ty::Map),
];

const POD: &[(&[&str], Ty)] = &[
    (&["hostNetwork"], Ty::Bool),
    (&["hostPID"], Ty::Bool),
    (&["hostIPC"], Ty::Bool),
    (&["hostUsers"], Ty::Bool),
    (&["shareProcessNamespace"], Ty::Bool),
    (&["automountServiceAccountToken"], Ty::Bool),
];
const POD_SC: &[(&[&str], Ty)] = &[
    (&["runAsUser"], Ty::Int),
    (&["runAsGroup"], Ty::Int),
    (&["fsGroup"], Ty::Int),
    (&["runAsNonRoot"], Ty::Bool),
    (&["windowsOptions", "hostProcess"], Ty::Bool),
];
const CONTAINER_SC: &[(&[&str], Ty)] = &[
    (&["privileged"], Ty::Bool),
    (&["allowPrivilegeEscalation"], Ty::Bool),
    (&["runAsNonRoot"], Ty::Bool),
    (&["readOnlyRootFilesystem"], Ty::Bool),
    (&["runAsUser"], Ty::Int),
    (&["runAsGroup"], Ty::Int),
    (&["windowsOptions", "hostProcess"], Ty::Bool),
];
const PORT: &[(&[&str], Ty)] = &[(&["containerPort"], Ty::Int), (&["hostPort"], Ty::Int)];

/// The problem with a value, if its type is wrong.
fn problem(ctx: &Ctx<'_, '_, '_>, node: NodeId, ty: Ty) -> Option<String> {
    let what = match &ctx.doc.node(node)?.value {
        Value::Map(_) if ty == Ty::Map => return None,
        Value::Seq(_) if ty == Ty::List => return None,
        Value::Map(_) => "a mapping".to_string(),
        Value::Seq(_) => "a list".to_string(),
        Value::Scalar(s) => match (s.resolved(), ty) {
            (Resolved::Null, _) | (Resolved::Bool(_), Ty::Bool) | (Resolved::Int(_), Ty::Int) => {
                return None
            }
            // `0.0` or `1e3` reaches the API as the JSON number 0 or 1000: an integer.
            (Resolved::Float(f), Ty::Int) if super::integral(f).is_some() => return None,
            (Resolved::Str, _) if s.style() != Style::Plain => format!("the string {:?}", s.text),
            (Resolved::Bool(_), _) => format!("the boolean {}", s.text),
            (Resolved::Int(_), _) | (Resolved::Float(_), _) => format!("the number {}", s.text),
            _ => format!("the string {:?}", s.text),
        },
    };
    let want = match ty {
        Ty::Bool => "a boolean (true or false)",
        Ty::Int => "an integer",
        Ty::Map => "a mapping",
        Ty::List => "a list",
    };
    Some(format!(
        "must be {want}, but it is {what}; the API server rejects this manifest"
    ))
}

/// Checks the fields of `list` under `base`, whose pointer `base_pointer` gives (made
/// only for a finding).
fn fields(
    ctx: &mut Ctx<'_, '_, '_>,
    base: Option<NodeId>,
    base_pointer: &dyn Fn() -> String,
    list: &[(&[&str], Ty)],
    container: Option<&crate::workload::Container>,
) {
    let Some(base) = base else { return };
    for &(keys, ty) in list {
        // Keys without escapes or indexes: a walk of mappings.
        let Some(node) = keys.iter().try_fold(base, |at, key| ctx.doc.get(at, key)) else {
            continue;
        };
        if let Some(p) = problem(ctx, node, ty) {
            let field = keys.join(".");
            let path = keys.join("/");
            let pointer = format!("{}/{path}", base_pointer());
            let msg = format!("{field} {p}");
            match container {
                Some(c) => ctx.report_container(
                    c,
                    pointer.trim_start_matches(&format!("{}/", ctx.container_pointer(c))),
                    msg,
                ),
                None => ctx.report_at(pointer, None, msg),
            }
        }
    }
}

fn check(ctx: &mut Ctx<'_, '_, '_>) {
    // Pointers are made only for a finding.
    let w = ctx.workload;
    let spec_pointer = w.spec_pointer.as_str();
    let spec = || spec_pointer.to_string();
    fields(ctx, Some(ctx.spec), &spec, POD, None);
    fields(ctx, Some(ctx.spec), &spec, POD_SHAPE, None);
    let sc_pointer = || format!("{spec_pointer}/securityContext");
    let pod_sc = ctx.pod_sc();
    fields(ctx, pod_sc, &sc_pointer, POD_SC, None);
    fields(ctx, pod_sc, &sc_pointer, POD_SC_SHAPE, None);
    // Container items that are not objects (the workload's container list skips them).
    for kind in ["initContainers", "containers", "ephemeralContainers"] {
        let items = ctx
            .get(Some(ctx.spec), kind)
            .and_then(|l| ctx.doc.seq(l))
            .unwrap_or(&[]);
        for (i, &item) in items.iter().enumerate() {
            if let Some(p) = problem(ctx, item, Ty::Map) {
                ctx.report_at(
                    format!("{spec_pointer}/{kind}/{i}"),
                    None,
                    format!("{kind}[{i}] {p}"),
                );
            }
        }
    }
    if let Some(groups) = ctx
        .get(ctx.pod_sc(), "supplementalGroups")
        .and_then(|g| ctx.doc.seq(g))
    {
        for (i, &g) in groups.iter().enumerate() {
            if let Some(p) = problem(ctx, g, Ty::Int) {
                ctx.report_at(
                    format!("{}/supplementalGroups/{i}", sc_pointer()),
                    None,
                    format!("supplementalGroups[{i}] {p}"),
                );
            }
        }
    }
    for c in ctx.containers() {
        let pointer = || c.pointer(spec_pointer);
        fields(ctx, Some(c.node), &pointer, CONTAINER_SHAPE, Some(c));
        let sc = || format!("{}/securityContext", pointer());
        let sc_node = ctx.sc(c);
        fields(ctx, sc_node, &sc, CONTAINER_SC, Some(c));
        fields(ctx, sc_node, &sc, CONTAINER_SC_SHAPE, Some(c));
        let ports = ctx
            .get(Some(c.node), "ports")
            .and_then(|p| ctx.doc.seq(p))
            .unwrap_or(&[]);
        for (i, &port) in ports.iter().enumerate() {
            fields(
                ctx,
                Some(port),
                &|| format!("{}/ports/{i}", pointer()),
                PORT,
                Some(c),
            );
        }
    }
}
