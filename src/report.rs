//! The report: findings, error entries and the summary.
//!
//! Every finding and error entry carries a **byte span** into the text it came from and
//! a JSON pointer; no line or column. Front ends convert spans once, at their edge, with
//! [`crate::position::LineIndex`]: the JSON report of the CLI and of the JS API
//! (`crate::render::json`), text with code frames, SARIF, the language server.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

pub use crate::options::Level;
use crate::options::Modes;
use crate::yaml::Span;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Should be fixed, but Pod Security Admission would not reject it (hardening rules).
    Warning,
    /// Pod Security Admission rejects it at the level checked, the API server rejects the
    /// manifest (`invalid-field-type`; `duplicate-key` under strict field validation), or
    /// kube-secctx's own annotation is wrong (`unknown-ignored-rule`).
    Error,
}

impl Severity {
    /// `"warning"` or `"error"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The Pod Security Standards part of a finding: the level of the PSA check and its ID.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PssRef {
    /// The check's own level.
    pub level: Level,
    /// The PSA check ID, e.g. `privileged`, `capabilities_restricted`.
    pub check: &'static str,
}

/// The resource a finding belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRef {
    /// `apiVersion` as written.
    pub api_version: String,
    /// `kind` as written.
    pub kind: String,
    /// `metadata.name`, if any.
    pub name: Option<String>,
    /// `metadata.namespace`, if any.
    pub namespace: Option<String>,
    /// `"kind"` for the built-in workload kinds Pod Security Admission knows, `"shape"` for
    /// other resources that carry a pod template at `spec.template.spec.containers`,
    /// `"none"` for a resource without a pod template (a Service, a ConfigMap, a `List`'s
    /// own keys, a document that is not a Kubernetes object), which only the per-document
    /// input diagnostic `duplicate-key` names.
    pub matched_by: MatchedBy,
}

/// How a resource was recognised as carrying a pod spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchedBy {
    /// By API group and kind (Pod, Deployment, CronJob, ...).
    Kind,
    /// By shape: `spec.template.spec.containers` (Argo Rollout, Knative Service, ...).
    Shape,
    /// Not a resource with a pod spec: any other document or `List` item (a Service, a
    /// ConfigMap, a `List` itself, a document without `kind`). Only findings of the
    /// per-document input diagnostic `duplicate-key` have such a resource; its
    /// `apiVersion` and `kind` are `""` when the document does not set them as strings.
    None,
}

/// One violation.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// The file, as given (or `"<stdin>"`); shared by the file's findings.
    pub file: Arc<str>,
    /// Document index in the YAML stream, 0-based.
    pub document: usize,
    /// The resource; shared by the resource's findings.
    pub resource: Arc<ResourceRef>,
    /// The container's `name`, or `None` for a pod-level finding.
    pub container: Option<String>,
    /// The rule ID, e.g. `privileged-container`.
    pub rule: &'static str,
    /// Level and PSA check for Pod Security Standards rules; `None` otherwise.
    pub pss: Option<PssRef>,
    /// The Pod Security Admission modes whose policy this finding fails: `enforce` for
    /// resources judged by [`crate::Options::level`], the modes of the namespace's policies
    /// for those in [`crate::Options::namespaces`]; empty for rules outside the Pod
    /// Security Standards.
    pub modes: Modes,
    /// `error` or `warning`: the rule's, or for a PSS finding of a resource judged as the
    /// cluster would judge it, what Pod Security Admission does (see
    /// [`Finding::admission`]).
    pub severity: Severity,
    /// For a PSS finding of a resource judged by its namespace's Pod Security labels or
    /// the admission configuration's defaults: what Pod Security Admission would do, e.g.
    /// `rejected (enforce baseline:v1.24)`, `the Deployment is accepted; its Pods would be
    /// rejected (FailedCreate) (enforce restricted:latest)`, `kubectl apply would warn
    /// (warn restricted:latest)`, `recorded in the audit log (audit restricted:latest)`.
    /// `None` otherwise (and omitted from the JSON report).
    pub admission: Option<String>,
    /// What is wrong.
    pub message: String,
    /// JSON pointer of the field the finding is about (even when that field is missing).
    pub path: String,
    /// Where the finding points, in bytes of the file's text (end exclusive): the field's
    /// value (its key when the value is a mapping or a sequence), or for a missing field
    /// the nearest node that exists (see the README). Empty (`0..0`) for objects checked
    /// without text (`Checker::check_object`).
    pub span: Span,
    /// How to fix it.
    pub fix: &'static str,
    /// For a check that gives one finding per offending entry of a list (`unsafe-sysctl`,
    /// `host-port`, `non-default-capabilities`, `unrestricted-capabilities`): the one
    /// violation Pod Security Admission answers with for all of them, shared by the
    /// findings of one pod (sysctls) or one container. `None` for every other finding.
    pub group: Option<Arc<Group>>,
}

/// The one Pod Security Admission violation that several findings stand for: a check that
/// fails for several entries of a list gives a finding per entry (each at its entry, as a
/// fix needs), while admission answers with PSA's one message per check, per pod or
/// container (`forbidden sysctls: pod must not set "a", "b"`, at the first entry). The
/// findings of one group share it (`Arc`); admission merges them into one violation with
/// this message and pointer (`crate::admission`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// PSA's message for the whole check, in the findings' `reason: detail` form.
    pub message: String,
    /// The JSON pointer the violation names (the first offending entry's field, or for
    /// `unrestricted-capabilities` the `capabilities.drop` list when `ALL` is missing).
    pub pointer: String,
}

/// A document that could not be checked: invalid YAML, a limit, a missing `kind`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorEntry {
    /// The file.
    pub file: String,
    /// Document index in the YAML stream, 0-based.
    pub document: usize,
    /// What went wrong.
    pub message: String,
    /// Where, in bytes of the file's text (often empty: `start == end`).
    pub span: Span,
}

/// Counts over the whole report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Files checked.
    pub files: usize,
    /// YAML documents read (empty ones included).
    pub documents: usize,
    /// Resources with a pod spec that were checked.
    pub resources: usize,
    /// Findings reported.
    pub findings: usize,
    /// Error entries.
    pub errors: usize,
    /// Findings dropped by a `kube-secctx.io/ignore` annotation.
    pub suppressed: usize,
    /// Findings a baseline accepted (`check --baseline`, or every finding recorded by
    /// `--write-baseline`; see [`crate::baseline`]): not in `findings`, `by_rule` or
    /// `by_severity`, and they never fail a run. Omitted from the JSON when zero, so a
    /// report made without a baseline keeps its shape.
    #[serde(skip_serializing_if = "is_zero")]
    pub baselined: usize,
    /// Findings per rule ID.
    pub by_rule: BTreeMap<String, usize>,
    /// Findings per severity.
    pub by_severity: BTreeMap<String, usize>,
    /// Files found by walking a directory and skipped as not Kubernetes manifests (Helm
    /// charts' `Chart.yaml`, values and templates, `kustomization.yaml`, files without a
    /// Kubernetes object: see [`crate::detect`]); they are not in `files`. Omitted from
    /// the JSON when 0, so reports without skipped files keep their shape.
    #[serde(skip_serializing_if = "is_zero")]
    pub skipped: usize,
    /// Notes ([`Report::notes`]); omitted from the JSON report when 0.
    #[serde(skip_serializing_if = "is_zero")]
    pub notes: usize,
}

/// Whether `n` is 0 (for `skip_serializing_if`).
fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The options a report was produced with, echoed in the JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportOptions {
    /// `"baseline"`, `"restricted"`, or `null` for the default profile (every rule).
    pub level: Option<Level>,
    /// The Pod Security Standards version used, `"v1.N"` (`latest` resolved).
    pub pss_version: String,
    /// The Kubernetes version whose API fields were checked (`unknown-field`), `"v1.N"`
    /// (a later version than the field table's newest resolved to it), when one other than
    /// `latest` was asked for (`--kube-version`, `kubernetesVersion`, the JS API's and the
    /// language server's `kubeVersion`). `None` for the default, `latest`: omitted from the
    /// JSON report, so reports made without it keep their shape.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kube_version: Option<String>,
    /// Rule IDs selected (empty = all).
    pub select: Vec<String>,
    /// Rule IDs ignored.
    pub ignore: Vec<String>,
}

/// The full report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The tool version.
    pub version: &'static str,
    /// The options used.
    pub options: ReportOptions,
    /// Paths checked, in order.
    pub files: Vec<String>,
    /// Findings, by file, then document, then position, then rule.
    pub findings: Vec<Finding>,
    /// The findings a `kube-secctx.io/ignore` annotation suppressed, in the same order
    /// (counted in `summary.suppressed`; never in `findings`).
    pub suppressed: Vec<Finding>,
    /// Error entries, by file, then position.
    pub errors: Vec<ErrorEntry>,
    /// Notes: what is worth saying about the cluster that is not a problem of the files
    /// (a namespace without an `enforce` label that the cluster therefore does not
    /// enforce, exemptions that cannot apply). Notes never fail a run. Added by the front
    /// end with [`crate::Checker::note`].
    pub notes: Vec<crate::psa::Note>,
    /// Counts.
    pub summary: Summary,
}

impl Report {
    /// Whether anything was found (findings or errors): what the CLI's default exit
    /// rule, `--fail-on warning`, fails on ([`crate::fail_on::FailOn::fails`]). Read from
    /// the summary, so it also holds for the report of a streamed check (whose findings
    /// went to a sink).
    pub fn has_problems(&self) -> bool {
        self.summary.findings > 0 || self.summary.errors > 0
    }
}
