//! `duplicate-key` — input diagnostic, reported per document by the engine.
use super::Ctx;

declare_rule! {
    /// ## What it checks
    /// A mapping has the same key twice, in any document of the input: a workload, a
    /// Service, a ConfigMap, a `kind: List`'s own keys (`items:` or `kind:` twice) or its
    /// items, a document that is not a Kubernetes object at all, YAML or JSON
    /// (`{"a": 1, "a": 2}`). One finding per key that wins (the last), at that key; its
    /// message gives the line of every earlier one, which is ignored, and the language
    /// server links each of them ("the duplicate key hidden"). The finding belongs to the
    /// innermost resource that holds the key: the workload (and its container, for a key
    /// in a container's item), else the `List` item, else the document (its
    /// `resource.matchedBy` is `"none"` when it has no pod template).
    ///
    /// ## Why it matters
    /// Kubernetes reads YAML with go-yaml v2 (`sigs.k8s.io/yaml`), which keeps the last of
    /// two equal keys and drops the earlier one without a word: an earlier
    /// `privileged: false` is overridden by a later `privileged: true`, or the reverse
    /// hides a setting a reviewer relied on. Whether anything refuses such a manifest
    /// depends on the way it takes to the cluster:
    ///
    /// - **Rejected** by the API server's field validation in `Strict` mode
    ///   (`fieldValidation=Strict`, KEP-2885, GA in Kubernetes 1.27) when the request
    ///   body it receives repeats a field: 400 Bad Request, `duplicate field "x"` for a
    ///   JSON body, `key "x" already set in map` for a YAML body. That is the case for a
    ///   client that sends the file's text as it is (`curl --data-binary @pod.yaml -H
    ///   'Content-Type: application/yaml'`, a client library posting the bytes).
    /// - **Rejected** by kustomize (`kubectl apply -k`, `kubectl kustomize`, Flux), whose
    ///   YAML reader refuses a repeated key (`mapping key "x" already defined`).
    /// - **The last one silently wins** everywhere else: with `fieldValidation=Warn` (the
    ///   API server's default for a client that does not ask: a warning header) or
    ///   `Ignore`; with clients that decode the YAML themselves and send the JSON of what
    ///   they decoded — which `kubectl apply -f`, `create -f` and `apply --server-side`
    ///   do: kubectl sends `fieldValidation=Strict` (its default, `--validate=strict`, for
    ///   API servers from 1.27), but its YAML decoding has already kept only the last key,
    ///   so the server never sees the duplicate (kubernetes/kubernetes#125885); and with
    ///   kubectl's older client-side validation (before 1.25, or against an API server
    ///   without field validation), which let a repeated `envFrom` through with the first
    ///   one lost (kubernetes/kubernetes#99286, kubectl 1.20).
    ///
    /// So the same file fails one pipeline and silently changes the object in another,
    /// and the text does not say which value the author meant: kube-secctx reports it as
    /// an error, as it reports a field the API server would reject.
    ///
    /// ## Pod Security Standards
    /// Not a PSS check (severity `error`, `pss` is `null`): an input diagnostic. The PSS
    /// rules see the value that wins, as the API server does when the object is accepted.
    /// `kube-secctx.io/ignore: duplicate-key` on the metadata of the resource that holds
    /// the key suppresses it (for a workload, also on its pod template's metadata); a
    /// document without `metadata` cannot suppress it by annotation (use `--ignore` or a
    /// configuration file's per-file ignores). A duplicate inside the value that another
    /// duplicate hides is not reported: that value is dropped whole. Admission never
    /// reports it: the request's object is decoded JSON, with no duplicates left.
    ///
    /// ## Example
    /// ```yaml fail
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: example}
    /// spec:
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:1.0
    ///     image: registry.example/app:2.0
    /// ```
    /// ```yaml pass
    /// apiVersion: v1
    /// kind: Pod
    /// metadata: {name: example}
    /// spec:
    ///   containers:
    ///   - name: app
    ///     image: registry.example/app:2.0
    /// ```
    ///
    /// ## Fix
    /// Delete the duplicate, keeping the value you mean.
    ///
    /// ## References
    /// - YAML 1.2 §3.2.1.1 (mapping keys are unique); go-yaml v2 decoding (the last wins)
    /// - Kubernetes API concepts, "Field validation" (`Strict`, `Warn`, `Ignore`); KEP-2885
    ///   "Server Side Unknown Field Validation"; kubectl `--validate`
    /// - kubernetes/kubernetes#125885 (kubectl sends only the last of duplicated keys),
    ///   #99286 (kubectl 1.20 accepts a repeated `envFrom`)
    DUPLICATE_KEY {
        id: "duplicate-key",
        title: "Duplicate mapping key",
        severity: Error,
        category: Diagnostic,
        pss: None,
        fix: "delete one of the duplicated keys, keeping the value you mean",
        check: check,
    }
}

/// Nothing per workload: the engine reports duplicated keys once per document, in every
/// resource (`crate::engine`'s per-document pass), so that a Service, a ConfigMap or a
/// `List`'s own keys are covered too and a key shared by two resources is reported once.
/// The rule is declared here for its ID, metadata and docs (`--select`, `--ignore`,
/// `kube-secctx.io/ignore`, `explain`).
fn check(_: &mut Ctx<'_, '_, '_>) {}
