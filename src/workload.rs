//! From a YAML document to the pod specs it carries.
//!
//! Built-in kinds are matched by API group and kind, as Pod Security Admission's
//! `DefaultPodSpecExtractor` does (`admission/admission.go`): Pod (`spec`), PodTemplate
//! (`template`), ReplicationController, ReplicaSet, Deployment, DaemonSet, StatefulSet,
//! Job (`spec.template`) and CronJob (`spec.jobTemplate.spec.template`), legacy groups
//! (`extensions/v1beta1`, `apps/v1beta1`, `apps/v1beta2`, `batch/v1beta1`, ...) included.
//! The items of a `kind: List` are resources of their own. Any other resource with a
//! pod template at `spec.template.spec.containers` (Argo Rollout, Knative Service) is
//! matched by shape.

use crate::report::{MatchedBy, ResourceRef};
use crate::yaml::{escape_pointer, Document, NodeId, Span, Value};

/// Which list of the pod spec a container comes from, in PSA's order (init, regular,
/// ephemeral: the order of [`Workload::containers`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ContainerKind {
    /// `spec.initContainers[*]`.
    Init,
    /// `spec.containers[*]`.
    Regular,
    /// `spec.ephemeralContainers[*]`.
    Ephemeral,
}

impl ContainerKind {
    /// The pod spec field holding this kind of container.
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Init => "initContainers",
            ContainerKind::Regular => "containers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }
}

/// One container of a pod spec.
#[derive(Debug, Clone)]
pub struct Container {
    /// Position in [`Workload::containers`].
    pub index: usize,
    /// The container's mapping node.
    pub node: NodeId,
    /// `name`, if it is a string.
    pub name: Option<String>,
    /// Which list it is in.
    pub kind: ContainerKind,
    /// Position in that list.
    pub position: usize,
    /// Its `securityContext` node, unless absent or `null` (looked up once: most rules
    /// read it).
    pub security_context: Option<NodeId>,
}

impl Workload {
    /// The container whose item holds the field at the absolute JSON `pointer`, if any:
    /// `<spec>/<containers|initContainers|ephemeralContainers>/<N>[/...]`. A binary search
    /// ([`Workload::containers`] is ordered by kind, then position).
    pub fn container_at(&self, pointer: &str) -> Option<&Container> {
        let rest = pointer
            .strip_prefix(self.spec_pointer.as_str())?
            .strip_prefix('/')?;
        let (field, rest) = rest.split_once('/')?;
        let position = rest.split('/').next()?.parse::<usize>().ok()?;
        let kind = [
            ContainerKind::Init,
            ContainerKind::Regular,
            ContainerKind::Ephemeral,
        ]
        .into_iter()
        .find(|k| k.field() == field)?;
        let at = self
            .containers
            .binary_search_by(|c| (c.kind, c.position).cmp(&(kind, position)))
            .ok()?;
        self.containers.get(at)
    }
}

impl Container {
    /// JSON pointer of the container, e.g. `/spec/template/spec/containers/0`, under the
    /// pod spec at `spec_pointer` ([`Workload::spec_pointer`]). Built when asked for: a
    /// pod with many containers holds no string per container for it.
    pub fn pointer(&self, spec_pointer: &str) -> String {
        let field = self.kind.field();
        let mut out = String::with_capacity(spec_pointer.len() + field.len() + 8);
        self.push_pointer(spec_pointer, &mut out);
        out
    }

    /// Appends [`Container::pointer`] to `out`.
    pub(crate) fn push_pointer(&self, spec_pointer: &str, out: &mut String) {
        out.push_str(spec_pointer);
        out.push('/');
        out.push_str(self.kind.field());
        out.push('/');
        push_decimal(out, self.position);
    }
}

/// Appends `n` in decimal (a pointer's index) without the formatting machinery
/// (`itoa`): every container finding's pointer has one.
pub(crate) fn push_decimal(out: &mut String, n: usize) {
    out.push_str(itoa::Buffer::new().format(n));
}

/// A resource that carries a pod spec.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Identity for findings.
    pub resource: ResourceRef,
    /// The resource's own root node (the document root, or the `List` item).
    pub root: NodeId,
    /// JSON pointer of `root` (`""`, or `/items/N`).
    pub root_pointer: String,
    /// The resource's `metadata` node.
    pub metadata: Option<NodeId>,
    /// The pod template's `metadata` (for Pods, the Pod's own); annotations come from here.
    pub pod_metadata: Option<NodeId>,
    /// JSON pointer of the pod template's `metadata`.
    pub pod_metadata_pointer: String,
    /// The pod spec node, or `None` when the resource has no pod template (then it is
    /// not checked, as PSA skips a nil template).
    pub spec: Option<NodeId>,
    /// JSON pointer of the pod spec.
    pub spec_pointer: String,
    /// Span of the pod spec's key (`spec:`), where findings about missing pod fields point.
    pub spec_key: Span,
    /// Containers in PSA order: init, regular, ephemeral.
    pub containers: Vec<Container>,
    /// The pod spec's `securityContext` node, unless absent or `null` (looked up once).
    pub pod_security_context: Option<NodeId>,
}

/// What a document holds: the resources with pod specs (one, or the items of a List),
/// and the problems that kept parts of it from being checked (`(message, span)`): a
/// document or `List` item that is not a Kubernetes object, or a pod spec that is not a
/// mapping. A bad `List` item does not stop the other items from being checked.
#[derive(Debug, Default)]
pub struct Extracted {
    /// Resources with pod specs.
    pub workloads: Vec<Workload>,
    /// Problems, each with where to report it.
    pub errors: Vec<(String, Span)>,
}

/// The API group of an `apiVersion` (`apps/v1` → `apps`, `v1` → ``).
fn group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// Whether `apiVersion`/`kind` name the core `List` (`v1`, any version of the core
/// group), whose `items` are resources of their own, as kubectl reads it.
pub(crate) fn is_list(api_version: &str, kind: &str) -> bool {
    kind == "List" && group(api_version).is_empty()
}

/// The pod-template path for a built-in kind, as PSA's extractor reads it.
fn builtin_template(api_version: &str, kind: &str) -> Option<&'static [&'static str]> {
    let g = group(api_version);
    match (g, kind) {
        ("", "Pod") => Some(&[]),
        ("", "PodTemplate") => Some(&["template"]),
        ("", "ReplicationController") => Some(&["spec", "template"]),
        ("apps" | "extensions", "ReplicaSet" | "Deployment" | "DaemonSet") => {
            Some(&["spec", "template"])
        }
        ("apps", "StatefulSet") => Some(&["spec", "template"]),
        ("batch", "Job") => Some(&["spec", "template"]),
        ("batch", "CronJob") => Some(&["spec", "jobTemplate", "spec", "template"]),
        _ => None,
    }
}

/// Whether a resource of this `apiVersion` and `kind` is one of Kubernetes' own kinds
/// that cannot hold a pod template (a CustomResourceDefinition, a ConfigMap, RBAC, ...):
/// the checker's reading skims the values of its root keys other than `apiVersion`,
/// `kind` and `metadata` (`yaml::Split::parse_skimming`), which no check reads. Only a
/// speed choice: a `spec.template` written into one anyway (matched by shape, see
/// [`extract`]) makes the reading build the document in full. Custom resources are
/// never skimmed (any of them may carry a pod template), nor `List`s.
pub fn skimmable(api_version: &str, kind: &str) -> bool {
    matches!(
        (group(api_version), kind),
        (
            "",
            "ConfigMap"
                | "Secret"
                | "Service"
                | "ServiceAccount"
                | "Namespace"
                | "Endpoints"
                | "PersistentVolume"
                | "PersistentVolumeClaim"
                | "LimitRange"
                | "ResourceQuota"
        ) | ("apiextensions.k8s.io", "CustomResourceDefinition")
            | (
                "rbac.authorization.k8s.io",
                "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding"
            )
            | (
                "networking.k8s.io",
                "NetworkPolicy" | "Ingress" | "IngressClass"
            )
            | (
                "admissionregistration.k8s.io",
                "ValidatingWebhookConfiguration"
                    | "MutatingWebhookConfiguration"
                    | "ValidatingAdmissionPolicy"
                    | "ValidatingAdmissionPolicyBinding"
                    | "MutatingAdmissionPolicy"
                    | "MutatingAdmissionPolicyBinding"
            )
            | ("apiregistration.k8s.io", "APIService")
            | (
                "storage.k8s.io",
                "StorageClass" | "CSIDriver" | "VolumeAttachment"
            )
            | ("policy", "PodDisruptionBudget")
            | ("autoscaling", "HorizontalPodAutoscaler")
            | ("scheduling.k8s.io", "PriorityClass")
            | ("discovery.k8s.io", "EndpointSlice")
            | ("coordination.k8s.io", "Lease")
    )
}

/// The work a document may give the rules beyond the nodes it writes: resources with a
/// pod spec plus their containers, counted after alias expansion, may exceed the number
/// of nodes of the document by this much. A document without aliases never does (each
/// resource and container is a node of its own); one whose aliases multiply resources (a
/// `List` of aliases of `List`s) or containers stops there.
pub const EXPANSION_SLACK: usize = 1_000;

/// Finds the workloads of a parsed document. Other Kubernetes objects give an empty list.
///
/// Work is bounded: when the resources and containers found, counted with every alias
/// expanded, pass the document's node count plus [`EXPANSION_SLACK`], extraction stops
/// with an error entry at the resource where it did; the resources before it are kept.
pub fn extract(doc: &Document<'_>) -> Extracted {
    let mut out = Extracted::default();
    if let Some(root) = doc.root {
        let mut walk = Walk {
            doc,
            out: &mut out,
            left: Some(budget(doc)),
        };
        if let Err(e) = object(&mut walk, root, String::new()) {
            walk.out.errors.push(e);
        }
    }
    out
}

/// The work a document may give: its nodes plus [`EXPANSION_SLACK`].
fn budget(doc: &Document<'_>) -> usize {
    doc.nodes.len().saturating_add(EXPANSION_SLACK)
}

/// An extraction in progress: where the workloads go and how much work is left.
struct Walk<'w, 'd, 'a> {
    doc: &'d Document<'a>,
    out: &'w mut Extracted,
    /// Work left: `List` items, resources and containers still allowed; `None` once the
    /// budget was passed (and the error recorded).
    left: Option<usize>,
}

impl Walk<'_, '_, '_> {
    /// Takes `cost` units of work; `false` (after recording the error, once) when the
    /// budget is spent: the caller stops.
    fn spend(&mut self, cost: usize, at: NodeId, pointer: &str) -> bool {
        let Some(left) = self.left else {
            return false;
        };
        if cost <= left {
            self.left = Some(left - cost);
            return true;
        }
        let span = self.doc.node(at).map_or(Span::default(), |n| n.span());
        let where_ = if pointer.is_empty() {
            "the document".to_string()
        } else {
            format!("item {pointer}")
        };
        self.out.errors.push((
            format!(
                "{where_}: this document's aliases expand it to more than {} resources, \
                 List items and containers (its {} nodes plus {EXPANSION_SLACK}); it was \
                 not checked from here on",
                budget(self.doc),
                self.doc.nodes.len()
            ),
            span,
        ));
        self.left = None;
        false
    }
}

fn object(
    walk: &mut Walk<'_, '_, '_>,
    root: NodeId,
    pointer: String,
) -> Result<(), (String, Span)> {
    let doc = walk.doc;
    let span = doc.node(root).map_or(Span::default(), |n| n.span());
    // The resource in an error message (made only for one).
    let where_ = || {
        if pointer.is_empty() {
            "document".to_string()
        } else {
            format!("item {pointer}")
        }
    };
    if doc.map(root).is_none() {
        return Err((
            format!(
                "{} is not a Kubernetes object (a mapping with `apiVersion` and `kind`)",
                where_()
            ),
            span,
        ));
    }
    // `apiVersion` and `kind` must be strings: a mapping or a list is reported as such,
    // not as missing.
    let string_field = |key: &str| -> Result<Option<&str>, (String, Span)> {
        match doc.get_set(root, key) {
            None => Ok(None),
            Some(v) => match doc.scalar(v) {
                Some(_) => Ok(doc.str(v)),
                None => Err((
                    format!("{}: `{key}` must be a string", where_()),
                    doc.node(v).map_or(span, |n| n.span()),
                )),
            },
        }
    };
    let api_version = string_field("apiVersion")?;
    let kind = string_field("kind")?;
    let (api_version, kind) = match (api_version, kind) {
        (Some(a), Some(k)) => (a, k),
        (a, k) => {
            let missing = match (a, k) {
                (None, None) => "`apiVersion` and `kind`",
                (None, _) => "`apiVersion`",
                _ => "`kind`",
            };
            return Err((format!("{} has no {missing}", where_()), span));
        }
    };
    if is_list(api_version, kind) {
        if let Some(items) = doc.get(root, "items").and_then(|i| doc.seq(i)) {
            for (i, &item) in items.iter().enumerate() {
                let item_pointer = format!("{pointer}/items/{i}");
                if !walk.spend(1, item, &item_pointer) {
                    break;
                }
                // A bad item is reported; the other items are still checked.
                if let Err(e) = object(walk, item, item_pointer) {
                    walk.out.errors.push(e);
                }
            }
        }
        return Ok(());
    }
    let (template_path, matched_by) = match builtin_template(api_version, kind) {
        Some(p) => (p, MatchedBy::Kind),
        None => {
            let has_shape = doc
                .pointer(root, "/spec/template/spec/containers")
                .and_then(|c| doc.seq(c))
                .is_some();
            if !has_shape {
                return Ok(());
            }
            (&["spec", "template"][..], MatchedBy::Shape)
        }
    };
    let metadata = doc.get_set(root, "metadata");
    let meta_str = |key: &str| {
        metadata
            .and_then(|m| doc.get(m, key))
            .and_then(|v| doc.str(v))
            .map(str::to_string)
    };
    let resource = ResourceRef {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        name: meta_str("name"),
        namespace: meta_str("namespace"),
        matched_by,
    };
    // Walk to the pod template (for Pod: the object itself).
    let mut template = Some(root);
    let mut template_pointer = pointer.clone();
    for key in template_path {
        template = template.and_then(|t| doc.get_set(t, key));
        template_pointer.push('/');
        template_pointer.push_str(key);
    }
    let spec_entry = template.and_then(|t| doc.entry(t, "spec"));
    let spec = spec_entry
        .map(|e| e.value)
        .filter(|&s| doc.map(s).is_some());
    if let Some(e) = spec_entry {
        if spec.is_none() && !doc.is_null(e.value) {
            let at = doc.node(e.value).map_or(e.key_span(), |n| n.span());
            let name = metadata
                .and_then(|m| doc.get(m, "name"))
                .and_then(|n| doc.str(n));
            walk.out.errors.push((
                format!(
                    "{}: the pod spec `{template_pointer}/spec` must be a mapping; the API server rejects this object, so it was not checked",
                    resource_label(kind, name)
                ),
                at,
            ));
        }
    }
    let spec_key = spec_entry.map_or(span, |e| e.key_span());
    let pod_metadata = template.and_then(|t| doc.get_set(t, "metadata"));
    let spec_pointer = format!("{template_pointer}/spec");
    let pod_metadata_pointer = format!("{template_pointer}/metadata");
    let mut containers = Vec::new();
    if let Some(spec) = spec {
        for kind in [
            ContainerKind::Init,
            ContainerKind::Regular,
            ContainerKind::Ephemeral,
        ] {
            let Some(list) = doc.get(spec, kind.field()).and_then(|l| doc.seq(l)) else {
                continue;
            };
            for (i, &c) in list.iter().enumerate() {
                if !matches!(doc.node(c).map(|n| &n.value), Some(Value::Map(_))) {
                    continue;
                }
                containers.push(Container {
                    index: containers.len(),
                    node: c,
                    name: doc
                        .get(c, "name")
                        .and_then(|n| doc.str(n))
                        .map(str::to_string),
                    kind,
                    position: i,
                    security_context: doc.get_set(c, "securityContext"),
                });
            }
        }
    }
    containers.shrink_to_fit();
    if !walk.spend(1 + containers.len(), root, &pointer) {
        return Ok(());
    }
    walk.out.workloads.push(Workload {
        resource,
        root,
        root_pointer: pointer,
        metadata,
        pod_metadata,
        pod_metadata_pointer,
        spec,
        spec_pointer,
        spec_key,
        containers,
        pod_security_context: spec.and_then(|s| doc.get_set(s, "securityContext")),
    });
    Ok(())
}

/// `Kind "name"` (or just `Kind`) for messages.
fn resource_label(kind: &str, name: Option<&str>) -> String {
    match name {
        Some(n) => format!("{kind} {n:?}"),
        None => kind.to_string(),
    }
}

/// The annotations of a metadata node as `(key, value)` pairs; a `null` value is `""` (as
/// the API decodes it), mappings and lists are skipped.
pub fn annotations<'d>(doc: &'d Document<'_>, metadata: Option<NodeId>) -> Vec<(&'d str, &'d str)> {
    metadata
        .and_then(|m| doc.get(m, "annotations"))
        .and_then(|a| doc.map(a))
        .map(|entries| {
            entries
                .iter()
                // A null value decodes to "" in the API's map[string]string.
                .filter_map(|e| {
                    let value = if doc.is_null(e.value) {
                        ""
                    } else {
                        doc.str(e.value)?
                    };
                    Some((e.key.as_ref(), value))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A JSON pointer `base/key` with `key` escaped.
pub fn child_pointer(base: &str, key: &str) -> String {
    format!("{base}/{}", escape_pointer(key))
}

/// JSON pointer of a resource's pod spec relative to the resource's own root (its
/// document, or its `List` item), from what [`extract`] matched it by: `/spec` for a Pod,
/// `/template/spec` for a PodTemplate, `/spec/jobTemplate/spec/template/spec` for a
/// CronJob, `/spec/template/spec` for the other built-in kinds and for resources matched
/// by shape (and for [`MatchedBy::None`], which has no pod spec). What [`Workload::spec_pointer`] is below [`Workload::root_pointer`], for a
/// front end that has only a finding's [`ResourceRef`] (the baseline's fingerprints).
pub fn pod_spec_pointer(resource: &ResourceRef) -> String {
    let path = match resource.matched_by {
        MatchedBy::Kind => builtin_template(&resource.api_version, &resource.kind),
        // A resource without a pod spec has none: the shape's path is as good as any.
        MatchedBy::Shape | MatchedBy::None => None,
    }
    .unwrap_or(&["spec", "template"]);
    let mut out = String::new();
    for key in path.iter().chain(&["spec"]) {
        out.push('/');
        out.push_str(key);
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn push_decimal_writes_what_display_writes() {
        let mut n = 0usize;
        let mut cases = vec![usize::MAX, usize::MAX / 10, 1_000_000_007];
        while n < 2_000 {
            cases.push(n);
            n += 1;
        }
        for n in cases {
            let mut out = String::from("/x/");
            push_decimal(&mut out, n);
            assert_eq!(out, format!("/x/{n}"));
        }
    }

    #[test]
    fn containers_know_their_security_context() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsNonRoot: true}\n  containers:\n  - name: a\n    securityContext: {privileged: true}\n  - name: b\n    securityContext: null\n  - name: c\n";
        let parsed = crate::yaml::parse_stream(text, &crate::Limits::default());
        let doc = &parsed.documents[0];
        let w = &extract(doc).workloads[0];
        let sc = |c: &Container| doc.get_set(c.node, "securityContext");
        assert!(w.containers[0].security_context.is_some());
        for c in &w.containers {
            assert_eq!(c.security_context, sc(c));
        }
        let spec = w.spec.unwrap();
        assert_eq!(w.pod_security_context, doc.get_set(spec, "securityContext"));
        assert!(w.pod_security_context.is_some());
    }
}
