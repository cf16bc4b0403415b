//! One document's analysis: whether its text holds Kubernetes objects, its findings and
//! error entries with related information, and (when a code action asks) its fixes.

use std::collections::HashMap;
use std::sync::Arc;

use crate::detect::{is_template_by_name, object_keys, skip_by_name, verdict};
use crate::engine::{near_miss, Checker, INHERITED, NEAR_MISS_MARK};
use crate::fix::{fix_text, ignore_fix, Fix, FixSelection, Fixed};
use crate::options::Options;
use crate::position::Lines;
use crate::report::{ErrorEntry, Finding};
use crate::yaml::{escape_pointer, for_each_document, Document, Parsed, Span, Value};

/// A place the client can show beside a diagnostic (`relatedInformation`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// Where, in bytes of the text.
    pub span: Span,
    /// What it is.
    pub message: String,
}

/// The analysis of one text under one set of options.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Whether the text is checked at all: it holds a Kubernetes object (a document with
    /// `apiVersion` and `kind`), is not a Helm template, and its file is not named as a
    /// chart's or kustomize's configuration (`Chart.yaml`, `values*.yaml`,
    /// `kustomization.yaml`): see [`crate::detect`].
    /// When `false`, `findings` and `errors` are empty.
    pub kubernetes: bool,
    /// The findings, in report order (by document, then position).
    pub findings: Vec<Finding>,
    /// For each finding (same index), the places worth showing beside it: the pod-level
    /// setting a container inherits, the duplicate keys a key hides, the misspelled key
    /// a finding about a missing field names ([`crate::engine::NearMiss`]).
    pub related: Vec<Vec<Related>>,
    /// The error entries of the Kubernetes documents (invalid YAML, limits, a document
    /// with `apiVersion` but no `kind`); none for documents that are not Kubernetes
    /// objects.
    pub errors: Vec<ErrorEntry>,
    /// The fixes (safe ones applied, every finding described), when asked.
    fixes: Option<Fixed>,
    /// "Ignore RULE for this resource" of each finding asked about (index into
    /// `findings`), or why there is none.
    ignores: HashMap<usize, Result<Fix, String>>,
}

impl Analysis {
    /// Checks `text` (the document `uri`, in language `language`) under `opts`. Never
    /// fails: options were validated when the settings were read, and a text that cannot
    /// be checked gives error entries.
    pub fn new(uri: &str, language: &str, text: &str, opts: &Options) -> Analysis {
        let mut out = Analysis::default();
        // Helm charts' metadata, values and templates, kustomize's configuration: not
        // manifests, as the CLI's directory walk decides (crate::detect).
        if skip_by_name(uri).is_some() || is_template_by_name(uri, language, text) {
            return out;
        }
        let Ok(mut checker) = Checker::new(opts) else {
            return out;
        };
        let file: Arc<str> = Arc::from(uri);
        let lines = Lines::new(text);
        let mut syntax_errors: Vec<ErrorEntry> = Vec::new();
        let mut kubernetes = false;
        for_each_document(text, &opts.limits, &[], |parsed| match parsed {
            Parsed::Error(e) => syntax_errors.push(ErrorEntry {
                file: uri.to_string(),
                document: e.document,
                message: e.message,
                span: e.span,
            }),
            Parsed::Document(doc) => {
                let (api_version, kind) = object_keys(&doc);
                if !api_version && !kind {
                    return;
                }
                kubernetes |= api_version && kind;
                let batch = checker.check_parsed(&file, &doc, Some(&lines));
                let mut workloads = None;
                for f in &batch.findings {
                    let mut r = related(&doc, f);
                    // The misspelled key a finding's message names (crate::engine::NearMiss).
                    if f.message.contains(NEAR_MISS_MARK) {
                        let ws = workloads
                            .get_or_insert_with(|| crate::workload::extract(&doc).workloads);
                        let near = crate::fix::plan::workload_of(ws, &f.path)
                            .and_then(|w| near_miss(&doc, w, &f.path, opts.kube_version.minor()));
                        r.extend(near.map(|m| Related {
                            span: m.span,
                            message: m.related_message(),
                        }));
                    }
                    out.related.push(r);
                }
                out.findings.extend(batch.findings);
                out.errors.extend(batch.errors);
            }
        });
        // The core's decision (crate::detect, shared with the CLI's directory walk): a
        // Helm template when text with `{{` does not parse; a document that does not
        // parse may be the Kubernetes object being typed.
        if verdict(text, kubernetes, !syntax_errors.is_empty()).is_some() {
            return Analysis::default();
        }
        if !syntax_errors.is_empty() {
            out.errors.extend(syntax_errors);
            out.errors.sort_by_key(|e| (e.document, e.span.start));
        }
        out.kubernetes = true;
        out
    }

    /// Computes the fixes of this text (`text` and `opts` must be those of
    /// [`Analysis::new`]) unless they are known: every finding's offer, and the safe fixes
    /// applied together (their edits make "fix all"). See [`Analysis::fixed`].
    pub fn compute_fixes(&mut self, uri: &str, text: &str, opts: &Options) {
        if self.fixes.is_none() {
            self.fixes =
                Some(fix_text(opts, uri, text, &FixSelection::default(), true).unwrap_or_default());
        }
    }

    /// The fixes, once [`Analysis::compute_fixes`] has run.
    pub fn fixed(&self) -> Option<&Fixed> {
        self.fixes.as_ref()
    }

    /// Computes "Ignore RULE for this resource" for the findings `indices` (into
    /// `findings`; `text` and `opts` as for [`Analysis::new`]) unless known. Each is a
    /// parse and a check of the text: an editor asks for code actions on every move of the
    /// cursor, so they are kept for the version of the text. See [`Analysis::ignore`].
    pub fn compute_ignores(&mut self, uri: &str, text: &str, opts: &Options, indices: &[usize]) {
        for &i in indices {
            if self.ignores.contains_key(&i) {
                continue;
            }
            let Some(f) = self.findings.get(i) else {
                continue;
            };
            self.ignores.insert(i, ignore_fix(opts, uri, text, f));
        }
    }

    /// The "Ignore RULE for this resource" fix of finding `i`, once
    /// [`Analysis::compute_ignores`] has run for it.
    pub fn ignore(&self, i: usize) -> Option<&Fix> {
        self.ignores.get(&i).and_then(|r| r.as_ref().ok())
    }
}

/// The related information of finding `f` of `doc`.
fn related(doc: &Document<'_>, f: &Finding) -> Vec<Related> {
    let mut out = Vec::new();
    if f.rule == "duplicate-key" {
        for d in doc.duplicates.iter().filter(|d| d.winner == f.span) {
            out.push(Related {
                span: d.hidden,
                message: format!(
                    "the earlier `{}` this key hides: its value is ignored",
                    d.key
                ),
            });
        }
        return out;
    }
    if let Some(r) = inherited(doc, f) {
        out.push(r);
    }
    out
}

/// For a container finding about a field the container does not set, the pod-level
/// setting it inherits.
fn inherited(doc: &Document<'_>, f: &Finding) -> Option<Related> {
    f.container.as_ref()?;
    let root = doc.root?;
    let (pod, rest) = ["/containers/", "/initContainers/", "/ephemeralContainers/"]
        .iter()
        .find_map(|list| {
            let at = f.path.rfind(list)?;
            let tail = f.path.get(at + list.len()..)?;
            let (_index, rest) = tail.split_once("/securityContext/")?;
            Some((f.path.get(..at)?, rest))
        })?;
    let first = rest.split('/').next()?;
    if !INHERITED.contains(&first) {
        return None;
    }
    let container = f.path.get(..f.path.len() - rest.len())?;
    // The container sets its own: the pod's does not apply.
    if doc
        .pointer(root, &format!("{container}{}", escape_pointer(first)))
        .is_some()
    {
        return None;
    }
    let pod_sc = format!("{pod}/securityContext/");
    let (node, shown) = match doc.pointer(root, &format!("{pod_sc}{rest}")) {
        Some(n) => (n, rest),
        None => (doc.pointer(root, &format!("{pod_sc}{first}"))?, first),
    };
    let span = doc.node(node)?.span();
    let value = match doc.node(node).map(|n| &n.value) {
        Some(Value::Scalar(s)) => format!(" ({})", s.text),
        _ => String::new(),
    };
    Some(Related {
        span,
        message: format!(
            "the pod's securityContext.{}{value} applies to this container, which does not set its own",
            shown.replace('/', ".")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    runAsNonRoot: false\n  containers:\n  - name: a\n    image: x\n";

    #[test]
    fn kubernetes_or_not() {
        let o = Options::default();
        assert!(Analysis::new("file:///p.yaml", "yaml", POD, &o).kubernetes);
        let ci = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n";
        let a = Analysis::new("file:///ci.yaml", "yaml", ci, &o);
        assert!(!a.kubernetes && a.errors.is_empty());
        // kustomize's configuration is an object, but not a manifest to check.
        let k = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";
        assert!(!Analysis::new("file:///k/kustomization.yaml", "yaml", k, &o).kubernetes);
        assert!(Analysis::new("file:///k/other.yaml", "yaml", k, &o).kubernetes);
        let compose = "services:\n  web:\n    image: nginx\n    privileged: true\n";
        assert!(!Analysis::new("file:///compose.yaml", "yaml", compose, &o).kubernetes);
        // Broken YAML in a manifest is reported; in other YAML it is not.
        let broken = "apiVersion: v1\nkind: Pod\nspec: [\n";
        let a = Analysis::new("file:///b.yaml", "yaml", broken, &o);
        assert!(a.kubernetes && a.errors.len() == 1, "{a:?}");
        assert!(!Analysis::new("file:///b.yaml", "yaml", "a: [\n", &o).kubernetes);
        // Helm templates: in templates/, or not parsing with {{ }}.
        let tpl = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n";
        assert!(!Analysis::new("file:///c/templates/pod.yaml", "yaml", tpl, &o).kubernetes);
        assert!(!Analysis::new("file:///pod.yaml", "helm", POD, &o).kubernetes);
        let tpl2 = "{{- if .Values.x }}\napiVersion: v1\nkind: Pod\n{{- end }}\n";
        assert!(!Analysis::new("file:///pod.yaml", "yaml", tpl2, &o).kubernetes);
    }

    #[test]
    fn a_misspelled_key_is_related_and_its_fix_offered() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    runAsNonroot: true\n  containers:\n  - name: a\n    image: x\n";
        let o = Options::default();
        let mut a = Analysis::new("file:///p.yaml", "yaml", text, &o);
        let i = a
            .findings
            .iter()
            .position(|f| f.rule == "may-run-as-root")
            .unwrap();
        assert!(a.findings[i].message.ends_with(
            " (`runAsNonroot` at line 6 is not read: a misspelling of `runAsNonRoot`?)"
        ));
        let r = &a.related[i];
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(&text[r[0].span.start..r[0].span.end], "runAsNonroot");
        assert_eq!(
            r[0].message,
            "`runAsNonroot` is not read: a misspelling of `runAsNonRoot`?"
        );
        // Its fix is offered as any other (a quickfix).
        a.compute_fixes("file:///p.yaml", text, &o);
        let fixed = a.fixed().unwrap();
        let u = fixed
            .findings
            .iter()
            .position(|f| f.rule == "unknown-field")
            .unwrap();
        match &fixed.offers[u] {
            crate::fix::Offer::Fix(f) => {
                assert_eq!(f.title, "rename `runAsNonroot` to `runAsNonRoot`");
                assert_eq!(f.edits.len(), 1);
                assert_eq!(f.edits[0].new_text, "runAsNonRoot");
            }
            crate::fix::Offer::None(why) => panic!("{why}"),
        }
    }

    #[test]
    fn inherited_pod_setting_is_related() {
        let a = Analysis::new("file:///p.yaml", "yaml", POD, &Options::default());
        let i = a
            .findings
            .iter()
            .position(|f| f.rule == "may-run-as-root" && f.container.is_some())
            .unwrap();
        let r = &a.related[i];
        assert_eq!(r.len(), 1);
        assert_eq!(&POD[r[0].span.start..r[0].span.end], "false");
        assert_eq!(
            r[0].message,
            "the pod's securityContext.runAsNonRoot (false) applies to this container, which does not set its own"
        );
    }

    #[test]
    fn duplicate_key_names_the_hidden_one() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: true\n  hostNetwork: false\n  containers: []\n";
        let a = Analysis::new("file:///p.yaml", "yaml", text, &Options::default());
        let i = a
            .findings
            .iter()
            .position(|f| f.rule == "duplicate-key")
            .unwrap();
        let r = &a.related[i];
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].span.start, text.find("hostNetwork: true").unwrap());
    }

    #[test]
    fn duplicate_key_in_a_service_names_the_hidden_one_and_can_be_ignored() {
        let text = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: NodePort\n  type: ClusterIP\n";
        let mut a = Analysis::new("file:///s.yaml", "yaml", text, &Options::default());
        let i = a
            .findings
            .iter()
            .position(|f| f.rule == "duplicate-key")
            .unwrap();
        let r = &a.related[i];
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].span.start, text.find("type: NodePort").unwrap());
        assert_eq!(
            r[0].message,
            "the earlier `type` this key hides: its value is ignored"
        );
        a.compute_ignores("file:///s.yaml", text, &Options::default(), &[i]);
        assert_eq!(
            a.ignore(i).map(|f| f.title.as_str()),
            Some("ignore duplicate-key for this resource")
        );
    }
}
