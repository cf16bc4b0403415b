//! Admission control: the policy settings, and `AdmissionRequest` → object → findings →
//! Kubewarden `ValidationResponse`, Gatekeeper violations or an OPA admission response.
//!
//! Every admission build (the Kubewarden waPC module, the Kubewarden WASI command, the two
//! OPA-ABI modules) calls the functions here and only converts bytes; the behaviour lives
//! in one place. No I/O, no panics: a malformed request, an object that is not a
//! Kubernetes resource or bad settings give a clear message, never a trap.
//!
//! # What is checked
//!
//! - `CREATE` and `UPDATE` (and any other operation that carries an object): the new
//!   `request.object`, with the Pod Security Standards at the configured `level` and
//!   `pssVersion`, plus any hardening `rules` asked for. Every workload kind the core knows
//!   is checked (Pod, Deployment, CronJob, ..., and resources with a pod template by shape).
//! - `DELETE` and `CONNECT` are accepted.
//! - Subresources, as Pod Security Admission does: for `pods`, the subresources PSA
//!   ignores ([`IGNORED_POD_SUBRESOURCES`]: `exec`, `attach`, `binding`, `eviction`,
//!   `log`, `portforward`, `proxy`, `status`) are accepted and every other one
//!   (`ephemeralcontainers`, `resize`, one added in a later Kubernetes) is checked; for
//!   every other resource (`deployments/scale`, `replicasets/status`, ...) a subresource
//!   request is accepted.
//! - `UPDATE`s that cannot make a pre-existing violation worse are accepted, so that
//!   objects admitted before the policy (or a stricter setting) keep working:
//!   - a Pod `UPDATE` that changes nothing PSA considers significant (its
//!     `isSignificantPodUpdate`: the set of containers, an image, an added ephemeral
//!     container, the pod or per-container seccomp annotations), e.g. a relabel;
//!   - a workload `UPDATE` (Deployment, ReplicaSet, CronJob, ... any kind with a pod
//!     template) whose pod templates (`metadata` and `spec`, compared as JSON values) are
//!     unchanged: scaling (the deployment controller scales ReplicaSets by `UPDATE`),
//!     pausing, relabelling the workload, finalizer removal during a foreground delete.
//!     Any change to a template is checked in full.
//! - The `kube-secctx.io/ignore` annotation works as in the CLI, unless the setting
//!   `honorIgnoreAnnotation` is `false`. What it suppresses is never silent: each
//!   suppressed violation is returned as a warning (`kube-secctx.io/ignore suppressed:
//!   ...`) and recorded in the audit annotation `kube-secctx-suppressed`.
//! - Exemptions (`namespaces`, `usernames`, `runtimeClassNames`) are those of Pod Security
//!   Admission's configuration.
//!
//! # Order and audit annotations
//!
//! Violations are listed in PSA's order: the checks as PSA runs them (baseline check IDs
//! sorted, then restricted check IDs sorted), then hardening rules; within a check the
//! pod-level fields first, then the containers in PSA's visiting order (init, regular,
//! ephemeral; by index). Every verdict with violations or suppressed violations carries
//! audit annotations: `kube-secctx-violations` and `kube-secctx-suppressed`, compact
//! summaries (`check field, ...`). The keys have no `/`: the API server prefixes a
//! webhook's audit annotation keys with the webhook name and a `/`, and drops a key that
//! then has two.
//!
//! # Positions
//!
//! The decoded `request.object` is turned into the core's document tree directly
//! ([`document_from_json`]), without going through text, so findings have no meaningful
//! line/column (every span is empty). Each violation names its field by path instead
//! (`spec.containers[0].securityContext.privileged`) and by JSON pointer.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use crate::engine;
use crate::report::{Finding, Level, LineIndex};
use crate::rules::{self, Category};
use crate::workload::extract;
use crate::yaml::{
    Document, Entry, Node, NodeId, Resolved, Scalar, Span, Stream, Style, Value as YValue,
};
use crate::{Options, PssVersion};

/// The setting names, in the order the messages list them.
pub const SETTING_NAMES: [&str; 7] = [
    "level",
    "pssVersion",
    "rules",
    "ignore",
    "mode",
    "exemptions",
    "honorIgnoreAnnotation",
];

/// The pod subresources Pod Security Admission never evaluates (its
/// `ignoredPodSubresources`); any other pod subresource is checked.
pub const IGNORED_POD_SUBRESOURCES: [&str; 8] = [
    "exec",
    "attach",
    "binding",
    "eviction",
    "log",
    "portforward",
    "proxy",
    "status",
];

/// The rule that can never fire at admission, so `rules` refuses it: the request object
/// is decoded JSON, which has no duplicate keys left to find.
const NEVER_AT_ADMISSION: &str = "duplicate-key";

/// The audit annotation that summarises the violations (see [`Verdict::audit_annotations`]).
pub const AUDIT_VIOLATIONS: &str = "kube-secctx-violations";
/// The audit annotation that summarises what the `kube-secctx.io/ignore` annotation
/// suppressed.
pub const AUDIT_SUPPRESSED: &str = "kube-secctx-suppressed";

/// What to do with a request that has violations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Reject it, listing every violation (the default).
    #[default]
    Deny,
    /// Accept it and return every violation as a warning.
    Warn,
}

/// Pod Security Admission's exemptions: requests that match are not checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exemptions {
    /// Namespaces whose requests are accepted (`request.namespace`).
    pub namespaces: Vec<String>,
    /// Authenticated user names whose requests are accepted (`request.userInfo.username`).
    pub usernames: Vec<String>,
    /// Runtime class names: a pod (or pod template) with one of these
    /// `spec.runtimeClassName` values is accepted.
    pub runtime_class_names: Vec<String>,
}

/// The policy settings, shared by every admission build. All optional.
///
/// Read with [`Settings::from_value`], which validates each setting and names it in
/// its error message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// The Pod Security Standards level: `baseline` or `restricted` (default).
    pub level: Level,
    /// The PSS policy version as written: `latest` (default) or `v1.N`.
    pub pss_version: String,
    /// Hardening rules to run in addition to the PSS checks (none by default).
    pub rules: Vec<String>,
    /// Rule IDs never to report (PSS or hardening).
    pub ignore: Vec<String>,
    /// `deny` (default) or `warn`.
    pub mode: Mode,
    /// Requests that are not checked.
    pub exemptions: Exemptions,
    /// Whether the `kube-secctx.io/ignore` annotation of the checked object suppresses
    /// rules (default `true`, as in the CLI). Suppressed violations are always reported
    /// as warnings and in the audit annotations. `false`: only `ignore` applies, so pod
    /// authors cannot opt out of rules.
    pub honor_ignore_annotation: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            level: Level::Restricted,
            pss_version: "latest".to_string(),
            rules: Vec::new(),
            ignore: Vec::new(),
            mode: Mode::Deny,
            exemptions: Exemptions::default(),
            honor_ignore_annotation: true,
        }
    }
}

/// Settings that do not validate: one message per bad setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.join("; "))]
pub struct SettingsError(pub Vec<String>);

/// What a JSON value is, for messages: `a string`, `a number`, ...
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A list of strings from a setting, or an error naming it.
fn string_list(name: &str, v: &Value, errors: &mut Vec<String>) -> Vec<String> {
    match v {
        Value::Null => Vec::new(),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => out.push(s.clone()),
                    other => errors.push(format!(
                        "setting `{name}`: item {i} must be a string, got {}",
                        json_type(other)
                    )),
                }
            }
            out
        }
        other => {
            errors.push(format!(
                "setting `{name}` must be a list of strings, got {}",
                json_type(other)
            ));
            Vec::new()
        }
    }
}

/// A string setting, or an error naming it and the allowed values.
fn string_setting<'v>(
    name: &str,
    v: &'v Value,
    allowed: &str,
    errors: &mut Vec<String>,
) -> Option<&'v str> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => {
            errors.push(format!(
                "setting `{name}` must be a string, {allowed}; got {}",
                json_type(other)
            ));
            None
        }
    }
}

impl Settings {
    /// Reads and validates settings from a JSON value. `null` and `{}` give the defaults.
    ///
    /// # Errors
    /// A [`SettingsError`] with one message per bad setting, each naming the setting and
    /// its allowed values; unknown settings are errors too (a typo must not silently
    /// weaken the policy).
    pub fn from_value(v: &Value) -> Result<Settings, SettingsError> {
        let mut s = Settings::default();
        let map = match v {
            Value::Null => return Ok(s),
            Value::Object(m) => m,
            other => {
                return Err(SettingsError(vec![format!(
                    "settings must be an object with the keys {}, got {}",
                    SETTING_NAMES.join(", "),
                    json_type(other)
                )]))
            }
        };
        let mut errors = Vec::new();
        for (key, value) in map {
            match key.as_str() {
                "level" => {
                    if let Some(l) = string_setting(
                        "level",
                        value,
                        "\"baseline\" or \"restricted\"",
                        &mut errors,
                    ) {
                        match l.parse::<Level>() {
                            Ok(level) => s.level = level,
                            Err(_) => errors.push(format!(
                                "setting `level`: expected \"baseline\" or \"restricted\", got {l:?}"
                            )),
                        }
                    }
                }
                "pssVersion" => {
                    let allowed = format!(
                        "\"latest\" or \"v1.N\" (v1.0 to v1.{}; later versions evaluate as latest)",
                        crate::LATEST_MINOR
                    );
                    if let Some(p) = string_setting("pssVersion", value, &allowed, &mut errors) {
                        match p.parse::<PssVersion>() {
                            Ok(_) => s.pss_version = p.to_string(),
                            Err(_) => errors.push(format!(
                                "setting `pssVersion`: expected {allowed}, got {p:?}"
                            )),
                        }
                    }
                }
                "rules" => {
                    for id in string_list("rules", value, &mut errors) {
                        match rules::rule(&id) {
                            None => errors.push(format!(
                                "setting `rules`: unknown rule {id:?} (hardening rules: {})",
                                hardening_rule_ids().join(", ")
                            )),
                            Some(r) if r.category == Category::Pss => errors.push(format!(
                                "setting `rules`: {id:?} is a Pod Security Standards check, \
                                 chosen by `level`; `rules` adds hardening rules ({})",
                                hardening_rule_ids().join(", ")
                            )),
                            Some(r) if r.id == NEVER_AT_ADMISSION => errors.push(format!(
                                "setting `rules`: {id:?} can never fire at admission: the \
                                 request object is decoded JSON, which has no duplicate keys \
                                 left to find (the API server decoded it); remove it \
                                 (hardening rules: {})",
                                hardening_rule_ids().join(", ")
                            )),
                            Some(_) => s.rules.push(id),
                        }
                    }
                }
                "ignore" => {
                    for id in string_list("ignore", value, &mut errors) {
                        if rules::rule(&id).is_some() {
                            s.ignore.push(id);
                        } else {
                            errors.push(format!(
                                "setting `ignore`: unknown rule {id:?} (run `kube-secctx rules` for the list)"
                            ));
                        }
                    }
                }
                "mode" => {
                    if let Some(m) =
                        string_setting("mode", value, "\"deny\" or \"warn\"", &mut errors)
                    {
                        match m {
                            "deny" => s.mode = Mode::Deny,
                            "warn" => s.mode = Mode::Warn,
                            other => errors.push(format!(
                                "setting `mode`: expected \"deny\" or \"warn\", got {other:?}"
                            )),
                        }
                    }
                }
                "exemptions" => s.exemptions = exemptions(value, &mut errors),
                "honorIgnoreAnnotation" => match value {
                    Value::Null => {}
                    Value::Bool(b) => s.honor_ignore_annotation = *b,
                    other => errors.push(format!(
                        "setting `honorIgnoreAnnotation` must be a boolean, true (the \
                         `kube-secctx.io/ignore` annotation suppresses rules, as in the CLI) \
                         or false (only the `ignore` setting does); got {}",
                        json_type(other)
                    )),
                },
                other => errors.push(format!(
                    "unknown setting {other:?}: the settings are {}",
                    SETTING_NAMES.join(", ")
                )),
            }
        }
        if errors.is_empty() {
            Ok(s)
        } else {
            Err(SettingsError(errors))
        }
    }

    /// Reads and validates settings from JSON text (empty text gives the defaults).
    ///
    /// # Errors
    /// A [`SettingsError`] when the text is not JSON or a setting is bad.
    pub fn from_json(text: &[u8]) -> Result<Settings, SettingsError> {
        if text.iter().all(u8::is_ascii_whitespace) {
            return Ok(Settings::default());
        }
        let v: Value = serde_json::from_slice(text)
            .map_err(|e| SettingsError(vec![format!("settings are not valid JSON: {e}")]))?;
        Settings::from_value(&v)
    }

    /// The PSS version to evaluate at.
    pub fn version(&self) -> PssVersion {
        self.pss_version.parse().unwrap_or_default()
    }

    /// PSA's name for the policy: `restricted:latest`, `baseline:v1.30`.
    pub fn policy_label(&self) -> String {
        format!("{}:{}", self.level.as_str(), self.pss_version)
    }
}

fn exemptions(v: &Value, errors: &mut Vec<String>) -> Exemptions {
    let mut out = Exemptions::default();
    let map = match v {
        Value::Null => return out,
        Value::Object(m) => m,
        other => {
            errors.push(format!(
                "setting `exemptions` must be an object with the keys namespaces, usernames, \
                 runtimeClassNames (lists of strings), got {}",
                json_type(other)
            ));
            return out;
        }
    };
    for (key, value) in map {
        match key.as_str() {
            "namespaces" => out.namespaces = string_list("exemptions.namespaces", value, errors),
            "usernames" => out.usernames = string_list("exemptions.usernames", value, errors),
            "runtimeClassNames" => {
                out.runtime_class_names =
                    string_list("exemptions.runtimeClassNames", value, errors);
            }
            other => errors.push(format!(
                "unknown setting `exemptions.{other}`: the exemptions are namespaces, usernames, runtimeClassNames"
            )),
        }
    }
    out
}

/// The IDs of the rules `rules` may add (hardening rules and the input diagnostic
/// `invalid-field-type`; not `duplicate-key`, which cannot fire on decoded JSON).
pub fn hardening_rule_ids() -> Vec<&'static str> {
    rules::RULES
        .iter()
        .filter(|r| r.category != Category::Pss && r.id != NEVER_AT_ADMISSION)
        .map(|r| r.id)
        .collect()
}

/// One violation of the policy, in Gatekeeper's shape (`{"msg", "details"}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    /// The violation in Pod Security Admission's style:
    /// `privileged (container "app" must not set securityContext.privileged=true; check:
    /// privileged; field: spec.containers[0].securityContext.privileged)`.
    pub msg: String,
    /// The same, as data.
    pub details: ViolationDetails,
}

/// The data of a [`Violation`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ViolationDetails {
    /// The rule ID (`privileged-container`), or `invalid-request` / `invalid-settings` /
    /// `insufficient-memory` (the OPA builds, when the host caps memory too low).
    pub rule: String,
    /// The PSA check ID (`privileged`), for Pod Security Standards violations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<&'static str>,
    /// The policy evaluated, PSA-style (`restricted:latest`), for PSS violations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// The container's name, for container violations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// The field, as a path (`spec.containers[0].securityContext.privileged`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The field as a JSON pointer into the object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The resource (`kind`, `apiVersion`, `name`, `namespace`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<ResourceId>,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<&'static str>,
}

/// The resource a violation is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceId {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name` (or `metadata.generateName`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The namespace of the request (or `metadata.namespace`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// The outcome of one admission request, before it is shaped for a host.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// `request.uid` (empty when missing).
    pub uid: String,
    /// Whether the request is admitted.
    pub accepted: bool,
    /// Why it was rejected (PSA's style), when it was.
    pub message: Option<String>,
    /// The HTTP code of a rejection: 403 for violations, 400 for a malformed request,
    /// 500 for bad settings (and, in the OPA builds, for a request the host's memory cap
    /// does not leave room to evaluate). Gatekeeper's contract has no codes.
    pub code: Option<u16>,
    /// Warnings for the client: in `warn` mode one per violation; in both modes one per
    /// violation the `kube-secctx.io/ignore` annotation suppressed.
    pub warnings: Vec<String>,
    /// The violations (for a rejected malformed request or bad settings: one entry that
    /// says so). Empty in `warn` mode.
    pub violations: Vec<Violation>,
    /// Audit annotations, in both modes: [`AUDIT_VIOLATIONS`] when there are violations
    /// and [`AUDIT_SUPPRESSED`] when the annotation suppressed some, each a compact
    /// summary (`check field, check field`).
    pub audit_annotations: BTreeMap<String, String>,
}

impl Verdict {
    fn accept(uid: String) -> Verdict {
        Verdict {
            uid,
            accepted: true,
            message: None,
            code: None,
            warnings: Vec::new(),
            violations: Vec::new(),
            audit_annotations: BTreeMap::new(),
        }
    }

    fn error(uid: String, rule: &str, code: u16, message: String) -> Verdict {
        Verdict {
            uid,
            accepted: false,
            message: Some(message.clone()),
            code: Some(code),
            warnings: Vec::new(),
            violations: vec![Violation {
                msg: message,
                details: ViolationDetails {
                    rule: rule.to_string(),
                    check: None,
                    policy: None,
                    container: None,
                    field: None,
                    path: None,
                    resource: None,
                    fix: None,
                },
            }],
            audit_annotations: BTreeMap::new(),
        }
    }

    fn bad_request(uid: String, message: String) -> Verdict {
        Verdict::error(uid, "invalid-request", 400, message)
    }

    /// The module cannot evaluate the request within the memory its host allows (the OPA
    /// builds check this before parsing; see `crate::opa`).
    pub fn out_of_memory(message: String) -> Verdict {
        Verdict::error(String::new(), "insufficient-memory", 500, message)
    }

    fn bad_settings(uid: String, e: &SettingsError) -> Verdict {
        Verdict::error(
            uid,
            "invalid-settings",
            500,
            format!("invalid settings: {e}"),
        )
    }
}

/// `/spec/containers/0/securityContext` → `spec.containers[0].securityContext`; keys that
/// are not identifiers are quoted: `metadata.annotations["a.b/c"]`.
pub fn field_path(pointer: &str) -> String {
    let mut out = String::new();
    for raw in pointer.split('/').skip(1) {
        let token = raw.replace("~1", "/").replace("~0", "~");
        let is_index = !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit());
        let is_ident = token
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
            && token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if is_index {
            let _ = write!(out, "[{token}]");
        } else if is_ident {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        } else {
            let _ = write!(out, "[{token:?}]");
        }
    }
    out
}

/// The PSA-style text of one finding: `reason (detail; check: id; field: path)`.
fn violation_text(f: &Finding) -> String {
    let field = field_path(&f.path);
    match &f.pss {
        Some(pss) => {
            let (reason, detail) = f
                .message
                .split_once(": ")
                .unwrap_or((pss.check, f.message.as_str()));
            format!("{reason} ({detail}; check: {}; field: {field})", pss.check)
        }
        None => format!("{} ({}; field: {field})", f.rule, f.message),
    }
}

/// A parsed `AdmissionRequest`: the fields the policy reads.
struct Request<'v> {
    uid: String,
    operation: Option<&'v str>,
    sub_resource: Option<&'v str>,
    /// `request.resource.resource` (`pods`, `deployments`, ...).
    resource: Option<&'v str>,
    namespace: Option<&'v str>,
    username: Option<&'v str>,
    object: Option<&'v Value>,
    old_object: Option<&'v Value>,
}

fn str_at<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// Reads the fields of an `AdmissionRequest`, or says why it is not one.
fn parse_request(v: &Value) -> Result<Request<'_>, String> {
    let Value::Object(map) = v else {
        return Err(format!(
            "the request is not an AdmissionRequest: expected an object, got {}",
            json_type(v)
        ));
    };
    let present = |key: &str| map.get(key).filter(|v| !v.is_null());
    Ok(Request {
        uid: str_at(v, "uid").unwrap_or_default().to_string(),
        operation: str_at(v, "operation"),
        sub_resource: str_at(v, "subResource"),
        resource: v.get("resource").and_then(|r| str_at(r, "resource")),
        namespace: str_at(v, "namespace"),
        username: v.get("userInfo").and_then(|u| str_at(u, "username")),
        object: present("object"),
        old_object: present("oldObject"),
    })
}

/// Whether a Pod UPDATE changes anything Pod Security Admission looks at (PSA's
/// `isSignificantPodUpdate`): the pod seccomp annotation, the number of containers or
/// init containers, an image, an added ephemeral container, or a per-container seccomp
/// annotation.
fn is_significant_pod_update(new: &Value, old: &Value) -> bool {
    fn list<'p>(pod: &'p Value, field: &str) -> &'p [Value] {
        pod.get("spec")
            .and_then(|s| s.get(field))
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }
    fn annotation<'p>(pod: &'p Value, key: &str) -> Option<&'p str> {
        pod.get("metadata")?.get("annotations")?.get(key)?.as_str()
    }
    let seccomp = |pod: &Value, container: &Value| -> Option<String> {
        let name = container.get("name")?.as_str()?;
        annotation(
            pod,
            &format!("container.seccomp.security.alpha.kubernetes.io/{name}"),
        )
        .map(str::to_string)
    };
    const POD_SECCOMP: &str = "seccomp.security.alpha.kubernetes.io/pod";
    if annotation(new, POD_SECCOMP) != annotation(old, POD_SECCOMP) {
        return true;
    }
    let container_changed = |c: &Value, o: &Value| {
        c.get("image") != o.get("image") || seccomp(new, c) != seccomp(old, o)
    };
    for field in ["containers", "initContainers"] {
        let (n, o) = (list(new, field), list(old, field));
        if n.len() != o.len() || n.iter().zip(o).any(|(c, oc)| container_changed(c, oc)) {
            return true;
        }
    }
    let old_ephemeral = list(old, "ephemeralContainers");
    list(new, "ephemeralContainers").iter().any(|c| {
        let name = c.get("name");
        match old_ephemeral.iter().find(|o| o.get("name") == name) {
            Some(o) => container_changed(c, o),
            None => true,
        }
    })
}

/// Whether a workload UPDATE leaves every pod template as it was: for each resource with
/// a pod spec in the new object, its template's `spec` and `metadata` are equal (as JSON
/// values) to the old object's at the same place. Then the UPDATE cannot create a pod
/// that differs from the ones the workload already has (scaling, pausing, relabelling,
/// finalizers, status). `false` when the new object has no pod template.
fn pod_templates_unchanged(doc: &Document<'_>, new: &Value, old: &Value) -> bool {
    let workloads = extract(doc).workloads;
    let mut any = false;
    for w in workloads.iter().filter(|w| w.spec.is_some()) {
        any = true;
        for pointer in [&w.spec_pointer, &w.pod_metadata_pointer] {
            if new.pointer(pointer) != old.pointer(pointer) {
                return false;
            }
        }
    }
    any
}

fn is_core_pod(object: &Value) -> bool {
    object.get("kind").and_then(Value::as_str) == Some("Pod")
        && object.get("apiVersion").and_then(Value::as_str) == Some("v1")
}

/// Whether a subresource request is accepted unchecked, as PSA does: a `pods`
/// subresource in [`IGNORED_POD_SUBRESOURCES`], or any subresource of another resource
/// (PSA's `ValidatePodController` skips them all). Without `request.resource`, the
/// object's kind decides whether it is a pod request.
fn is_unchecked_subresource(req: &Request<'_>) -> bool {
    let Some(sub) = req.sub_resource else {
        return false;
    };
    let pod_request = match req.resource {
        Some(resource) => resource == "pods",
        None => req.object.is_some_and(is_core_pod),
    };
    !pod_request || IGNORED_POD_SUBRESOURCES.contains(&sub)
}

/// Evaluates one `AdmissionRequest` with validated settings.
pub fn review(request: &Value, settings: &Settings) -> Verdict {
    let req = match parse_request(request) {
        Ok(r) => r,
        Err(e) => return Verdict::bad_request(String::new(), e),
    };
    let uid = req.uid.clone();
    let operation = req.operation.unwrap_or("");
    if matches!(operation, "DELETE" | "CONNECT") || is_unchecked_subresource(&req) {
        return Verdict::accept(uid);
    }
    let Some(object) = req.object else {
        let op = if operation.is_empty() {
            String::new()
        } else {
            format!(" ({operation})")
        };
        return Verdict::bad_request(
            uid,
            format!("the request{op} has no object to check: request.object is missing or null"),
        );
    };
    let Value::Object(obj) = object else {
        return Verdict::bad_request(
            uid,
            format!(
                "request.object is not a Kubernetes resource: expected an object with \
                 apiVersion and kind, got {}",
                json_type(object)
            ),
        );
    };
    let api_version = obj.get("apiVersion").and_then(Value::as_str);
    let kind = obj.get("kind").and_then(Value::as_str);
    let (Some(api_version), Some(kind)) = (api_version, kind) else {
        let missing = match (api_version, kind) {
            (None, None) => "apiVersion and kind",
            (None, _) => "apiVersion",
            _ => "kind",
        };
        return Verdict::bad_request(
            uid,
            format!("request.object is not a Kubernetes resource: it has no {missing} (strings)"),
        );
    };
    let metadata = obj.get("metadata");
    let meta_str = |key: &str| metadata.and_then(|m| str_at(m, key));
    let namespace = req.namespace.or_else(|| meta_str("namespace"));
    let ex = &settings.exemptions;
    if namespace.is_some_and(|n| ex.namespaces.iter().any(|e| e == n))
        || req
            .username
            .is_some_and(|u| ex.usernames.iter().any(|e| e == u))
    {
        return Verdict::accept(uid);
    }
    let stream = Stream {
        documents: vec![document_from_json(object)],
        errors: Vec::new(),
        document_count: 1,
    };
    if operation == "UPDATE" {
        if let (Some(old), Some(doc)) = (req.old_object, stream.documents.first()) {
            let unchanged = if is_core_pod(object) {
                !is_significant_pod_update(object, old)
            } else {
                pod_templates_unchanged(doc, object, old)
            };
            if unchanged {
                return Verdict::accept(uid);
            }
        }
    }
    let resource = ResourceId {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        name: meta_str("name")
            .map(str::to_string)
            .or_else(|| meta_str("generateName").map(|g| format!("{g}*"))),
        namespace: namespace.map(str::to_string),
    };
    let (mut findings, mut suppressed) = match check_stream(&stream, settings) {
        Ok(f) => f,
        Err(e) => {
            return Verdict::bad_request(uid, format!("request.object could not be read: {e}"))
        }
    };
    if !settings.honor_ignore_annotation {
        findings.append(&mut suppressed);
    }
    if findings.is_empty() && suppressed.is_empty() {
        return Verdict::accept(uid);
    }
    findings.sort_by(psa_order);
    suppressed.sort_by(psa_order);
    verdict(uid, settings, &resource, &findings, &suppressed)
}

/// The verdict for the (sorted) findings and the findings the annotation suppressed.
fn verdict(
    uid: String,
    settings: &Settings,
    resource: &ResourceId,
    findings: &[Finding],
    suppressed: &[Finding],
) -> Verdict {
    let policy = settings.policy_label();
    let violations: Vec<Violation> = findings
        .iter()
        .map(|f| Violation {
            msg: violation_text(f),
            details: ViolationDetails {
                rule: f.rule.to_string(),
                check: f.pss.as_ref().map(|p| p.check),
                policy: f.pss.as_ref().map(|_| policy.clone()),
                container: f.container.clone(),
                field: Some(field_path(&f.path)),
                path: Some(f.path.clone()),
                resource: Some(resource.clone()),
                fix: Some(f.fix),
            },
        })
        .collect();
    let mut audit_annotations = BTreeMap::new();
    if !findings.is_empty() {
        audit_annotations.insert(
            AUDIT_VIOLATIONS.to_string(),
            audit_summary(&policy, findings),
        );
    }
    if !suppressed.is_empty() {
        audit_annotations.insert(
            AUDIT_SUPPRESSED.to_string(),
            audit_summary(&policy, suppressed),
        );
    }
    let suppressed_warnings = suppressed.iter().map(|f| {
        format!(
            "{} suppressed: {}",
            crate::engine::IGNORE_ANNOTATION,
            violation_text(f)
        )
    });
    if findings.is_empty() {
        return Verdict {
            warnings: suppressed_warnings.collect(),
            audit_annotations,
            ..Verdict::accept(uid)
        };
    }
    match settings.mode {
        Mode::Warn => {
            let warnings = findings
                .iter()
                .zip(&violations)
                .map(|(f, v)| match f.pss {
                    Some(_) => format!("would violate PodSecurity {policy:?}: {}", v.msg),
                    None => format!("would violate kube-secctx rule {}", v.msg),
                })
                .chain(suppressed_warnings)
                .collect();
            Verdict {
                warnings,
                audit_annotations,
                ..Verdict::accept(uid)
            }
        }
        Mode::Deny => Verdict {
            uid,
            accepted: false,
            message: Some(rejection_message(resource, &policy, findings, &violations)),
            code: Some(403),
            warnings: suppressed_warnings.collect(),
            violations,
            audit_annotations,
        },
    }
}

/// At most this many entries in an audit annotation; the rest are counted.
const AUDIT_MAX_ENTRIES: usize = 50;

/// `PodSecurity "restricted:latest": privileged spec.containers[0].securityContext.privileged,
/// ...; kube-secctx rules: writable-root-filesystem spec.containers[0]...`.
fn audit_summary(policy: &str, findings: &[Finding]) -> String {
    let entry = |f: &Finding| {
        let name = f.pss.as_ref().map_or(f.rule, |p| p.check);
        format!("{name} {}", field_path(&f.path))
    };
    let part = |pss: bool| -> Option<String> {
        let list: Vec<&Finding> = findings.iter().filter(|f| f.pss.is_some() == pss).collect();
        if list.is_empty() {
            return None;
        }
        let mut out: Vec<String> = list
            .iter()
            .take(AUDIT_MAX_ENTRIES)
            .map(|f| entry(f))
            .collect();
        if list.len() > AUDIT_MAX_ENTRIES {
            out.push(format!("and {} more", list.len() - AUDIT_MAX_ENTRIES));
        }
        let head = if pss {
            format!("PodSecurity {policy:?}")
        } else {
            "kube-secctx rules".to_string()
        };
        Some(format!("{head}: {}", out.join(", ")))
    };
    [part(true), part(false)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("; ")
}

/// PSA's order of findings: per `List` item; then by check as PSA runs them (baseline
/// check IDs sorted, then restricted check IDs sorted; hardening rules after, in the
/// registry's order); within a check, pod-level fields first, then containers in PSA's
/// visiting order (init, regular, ephemeral) by index; then by field, indexes compared
/// as numbers.
fn psa_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    let item = |f: &Finding| -> Option<u64> {
        f.path
            .strip_prefix("/items/")?
            .split('/')
            .next()?
            .parse()
            .ok()
    };
    let check = |f: &Finding| match &f.pss {
        Some(p) => (0, p.level, p.check, 0),
        None => (
            1,
            Level::Baseline,
            "",
            rules::RULES
                .iter()
                .position(|r| r.id == f.rule)
                .unwrap_or(usize::MAX),
        ),
    };
    item(a)
        .cmp(&item(b))
        .then_with(|| check(a).cmp(&check(b)))
        .then_with(|| container_position(&a.path).cmp(&container_position(&b.path)))
        .then_with(|| natural_pointer_cmp(&a.path, &b.path))
}

/// Where a field's container is in PSA's visiting order: `None` for pod-level fields
/// (they sort first), else (init 0 / regular 1 / ephemeral 2, index).
fn container_position(pointer: &str) -> Option<(u8, u64)> {
    let mut tokens = pointer.split('/').peekable();
    while let Some(token) = tokens.next() {
        let list = match token {
            "initContainers" => 0,
            "containers" => 1,
            "ephemeralContainers" => 2,
            _ => continue,
        };
        if let Some(index) = tokens.peek().and_then(|t| t.parse::<u64>().ok()) {
            return Some((list, index));
        }
    }
    None
}

/// JSON pointers compared token by token, numeric tokens as numbers (`/10` after `/2`).
fn natural_pointer_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let mut ta = a.split('/');
    let mut tb = b.split('/');
    loop {
        match (ta.next(), tb.next()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, Some(_)) => return std::cmp::Ordering::Less,
            (Some(_), None) => return std::cmp::Ordering::Greater,
            (Some(x), Some(y)) => {
                let ord = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    _ => x.cmp(y),
                };
                if ord.is_ne() {
                    return ord;
                }
            }
        }
    }
}

/// `Deployment "web" in namespace "prod" violates PodSecurity "restricted:latest": a, b;
/// and kube-secctx rules: c`.
fn rejection_message(
    resource: &ResourceId,
    policy: &str,
    findings: &[Finding],
    violations: &[Violation],
) -> String {
    let mut out = resource.kind.clone();
    if let Some(name) = &resource.name {
        let _ = write!(out, " {name:?}");
    }
    if let Some(ns) = &resource.namespace {
        let _ = write!(out, " in namespace {ns:?}");
    }
    let list = |pss: bool| -> Vec<&str> {
        findings
            .iter()
            .zip(violations)
            .filter(|(f, _)| f.pss.is_some() == pss)
            .map(|(_, v)| v.msg.as_str())
            .collect()
    };
    let (pss, other) = (list(true), list(false));
    if !pss.is_empty() {
        let _ = write!(out, " violates PodSecurity {policy:?}: {}", pss.join(", "));
    }
    if !other.is_empty() {
        let and = if pss.is_empty() { "" } else { ";" };
        let _ = write!(
            out,
            "{and} violates kube-secctx rules: {}",
            other.join(", ")
        );
    }
    out
}

/// The core's document tree for a decoded JSON value, without going through text: JSON
/// strings are quoted scalars, numbers, booleans and `null` plain ones with their JSON
/// types. Every span is empty (positions are not meaningful; JSON pointers are). Strings
/// and keys are borrowed from `v`, not copied.
pub fn document_from_json(v: &Value) -> Document<'_> {
    // Sized up front: in the OPA builds' bump allocator a growing Vec that is not the
    // last allocation is copied and the old block is not reused.
    let mut nodes = Vec::with_capacity(count_values(v));
    let root = push_node(&mut nodes, v);
    Document {
        index: 0,
        span: Span::default(),
        nodes,
        root: Some(root),
        duplicates: Vec::new(),
    }
}

/// The number of JSON values in `v` (itself included).
fn count_values(v: &Value) -> usize {
    1 + match v {
        Value::Array(items) => items.iter().map(count_values).sum(),
        Value::Object(map) => map.values().map(count_values).sum(),
        _ => 0,
    }
}

fn push_node<'v>(nodes: &mut Vec<Node<'v>>, v: &'v Value) -> NodeId {
    let scalar = |text: Cow<'v, str>, style: Style, resolved: Resolved| {
        YValue::Scalar(Scalar {
            text,
            style,
            resolved,
        })
    };
    let value = match v {
        Value::Null => scalar(Cow::Borrowed("null"), Style::Plain, Resolved::Null),
        Value::Bool(b) => scalar(
            Cow::Borrowed(if *b { "true" } else { "false" }),
            Style::Plain,
            Resolved::Bool(*b),
        ),
        Value::Number(n) => {
            let resolved = match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Resolved::Int(i),
                (None, Some(f)) => Resolved::Float(f),
                (None, None) => Resolved::Str,
            };
            scalar(Cow::Owned(n.to_string()), Style::Plain, resolved)
        }
        Value::String(s) => scalar(Cow::Borrowed(s), Style::Quoted, Resolved::Str),
        Value::Array(items) => YValue::Seq(items.iter().map(|i| push_node(nodes, i)).collect()),
        Value::Object(map) => YValue::Map(
            map.iter()
                .map(|(k, v)| Entry {
                    key: Cow::Borrowed(k),
                    key_span: Span::default(),
                    value: push_node(nodes, v),
                })
                .collect(),
        ),
    };
    let id = NodeId::try_from(nodes.len()).unwrap_or(NodeId::MAX);
    nodes.push(Node {
        value,
        span: Span::default(),
    });
    id
}

/// Runs the core on the document: the PSS checks at the settings' level and version,
/// then the hardening `rules`, minus runtime-class exemptions. Returns the findings and,
/// separately, those the `kube-secctx.io/ignore` annotation suppressed.
fn check_stream(
    stream: &Stream<'_>,
    settings: &Settings,
) -> Result<(Vec<Finding>, Vec<Finding>), String> {
    let pss = Options {
        level: Some(settings.level),
        pss_version: settings.version(),
        ignore: settings.ignore.clone(),
        ..Options::default()
    };
    let lines = LineIndex::new("");
    let mut report = engine::new_report(&pss);
    let mut suppressed = Vec::new();
    engine::check_stream_keeping_suppressed(
        &mut report,
        FILE,
        stream,
        &lines,
        &pss,
        Some(&mut suppressed),
    );
    if !settings.rules.is_empty() {
        let hardening = Options {
            level: None,
            select: settings.rules.clone(),
            ..pss
        };
        engine::check_stream_keeping_suppressed(
            &mut report,
            FILE,
            stream,
            &lines,
            &hardening,
            Some(&mut suppressed),
        );
    }
    if let Some(e) = report.errors.first() {
        return Err(e.message.clone());
    }
    let mut findings = report.findings;
    let exempt = &settings.exemptions.runtime_class_names;
    let anything = !findings.is_empty() || !suppressed.is_empty();
    if anything && !exempt.is_empty() {
        if let Some(doc) = stream.documents.first() {
            let roots = exempt_roots(doc, exempt);
            let kept = |f: &Finding| !roots.iter().any(|root| pointer_within(&f.path, root));
            findings.retain(kept);
            suppressed.retain(kept);
        }
    }
    Ok((findings, suppressed))
}

/// Whether JSON pointer `pointer` is `root` or inside it: `/items/1/spec` is inside
/// `/items/1`, `/items/10/spec` is not.
fn pointer_within(pointer: &str, root: &str) -> bool {
    pointer
        .strip_prefix(root)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The file name findings carry.
const FILE: &str = "request.object";

/// The JSON pointers of the workloads (the object itself, or `List` items) whose pod
/// spec has an exempt `runtimeClassName`.
fn exempt_roots(doc: &Document<'_>, names: &[String]) -> Vec<String> {
    extract(doc)
        .workloads
        .into_iter()
        .filter(|w| {
            w.spec
                .and_then(|s| doc.get_set(s, "runtimeClassName"))
                .and_then(|n| doc.str(n))
                .is_some_and(|c| names.iter().any(|n| n == c))
        })
        .map(|w| w.root_pointer)
        .collect()
}

// ---------------------------------------------------------------------------------------
// The shapes each host wants. Front ends pass bytes in and write the string out.
// ---------------------------------------------------------------------------------------

/// Kubewarden's `ValidationResponse`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationResponse {
    /// Whether the request is admitted.
    pub accepted: bool,
    /// Why not.
    pub message: Option<String>,
    /// HTTP code of a rejection.
    pub code: Option<u16>,
    /// Warnings for the client.
    pub warnings: Option<Vec<String>>,
    /// Audit annotations: `kube-secctx-violations` and `kube-secctx-suppressed` (see
    /// [`Verdict::audit_annotations`]), on acceptance and on rejection alike (Kubewarden's
    /// SDK sets them on both).
    pub audit_annotations: Option<BTreeMap<String, String>>,
}

impl From<Verdict> for ValidationResponse {
    fn from(v: Verdict) -> Self {
        ValidationResponse {
            accepted: v.accepted,
            message: v.message,
            code: v.code,
            warnings: (!v.warnings.is_empty()).then_some(v.warnings),
            audit_annotations: (!v.audit_annotations.is_empty()).then_some(v.audit_annotations),
        }
    }
}

/// Kubewarden's `SettingsValidationResponse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingsValidationResponse {
    /// Whether the settings are valid.
    pub valid: bool,
    /// Why not.
    pub message: Option<String>,
}

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|e| {
        let msg = Value::String(format!("kube-secctx could not serialize its answer: {e}"));
        format!("{{\"accepted\":false,\"valid\":false,\"message\":{msg},\"code\":500}}")
    })
}

/// Parses a host's JSON payload; the error names `what` it should have been.
fn parse_payload(bytes: &[u8], what: &str) -> Result<Value, String> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(format!("the {what} is empty: expected a JSON object"));
    }
    serde_json::from_slice(bytes).map_err(|e| format!("the {what} is not valid JSON: {e}"))
}

/// The settings under `key` of a payload object, validated.
fn settings_at(payload: &Value, key: &str) -> Result<Settings, SettingsError> {
    Settings::from_value(payload.get(key).unwrap_or(&Value::Null))
}

/// The request under `key` of a payload object, or a message.
fn request_at<'v>(payload: &'v Value, key: &str, what: &str) -> Result<&'v Value, String> {
    match payload {
        Value::Object(m) => m.get(key).filter(|v| !v.is_null()).ok_or_else(|| {
            format!("the {what} has no `{key}`: expected {{\"{key}\": <AdmissionRequest>, ...}}")
        }),
        other => Err(format!(
            "the {what} must be a JSON object with `{key}`, got {}",
            json_type(other)
        )),
    }
}

/// Kubewarden `validate`: `{"request": <AdmissionRequest>, "settings": {...}}` →
/// `ValidationResponse` JSON.
pub fn kubewarden_validate(payload: &[u8]) -> String {
    to_json(&ValidationResponse::from(kubewarden_verdict(payload)))
}

fn kubewarden_verdict(payload: &[u8]) -> Verdict {
    const WHAT: &str = "validate payload";
    let payload = match parse_payload(payload, WHAT) {
        Ok(p) => p,
        Err(e) => return Verdict::bad_request(String::new(), e),
    };
    let request = match request_at(&payload, "request", WHAT) {
        Ok(r) => r,
        Err(e) => return Verdict::bad_request(String::new(), e),
    };
    match settings_at(&payload, "settings") {
        Ok(s) => review(request, &s),
        Err(e) => Verdict::bad_settings(uid_of(request), &e),
    }
}

fn uid_of(request: &Value) -> String {
    str_at(request, "uid").unwrap_or_default().to_string()
}

/// Kubewarden `validate_settings`: the settings object → `SettingsValidationResponse`
/// JSON (`{"valid": bool, "message": ...}`).
pub fn kubewarden_validate_settings(payload: &[u8]) -> String {
    let response = match Settings::from_json(payload) {
        Ok(_) => SettingsValidationResponse {
            valid: true,
            message: None,
        },
        Err(e) => SettingsValidationResponse {
            valid: false,
            message: Some(e.to_string()),
        },
    };
    to_json(&response)
}

/// The entrypoints of the OPA builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entrypoint {
    /// `kube_secctx/violation`: Gatekeeper's contract. Input `{"review": <AdmissionRequest>,
    /// "parameters": <settings>}`; result the set of violations `[{"msg", "details"}]`,
    /// empty when allowed.
    Violation,
    /// `kube_secctx/response`: input `{"request": <AdmissionRequest>}`, data = settings;
    /// result `{"response": {"uid", "allowed", "status": {"message", "code"}, "warnings"}}`.
    Response,
}

impl Entrypoint {
    /// The entrypoint's name, as `entrypoints()` lists it.
    pub fn name(self) -> &'static str {
        match self {
            Entrypoint::Violation => "kube_secctx/violation",
            Entrypoint::Response => "kube_secctx/response",
        }
    }
}

/// Evaluates an OPA entrypoint and returns the result set as OPA does:
/// `[{"result": ...}]`. `input` and `data` are JSON text (empty = none). Never fails:
/// a malformed input or bad settings is a violation (`violation`) or a rejection
/// (`response`) that says so.
pub fn opa_evaluate(entrypoint: Entrypoint, input: &[u8], data: &[u8]) -> String {
    let verdict = match entrypoint {
        Entrypoint::Violation => gatekeeper_verdict(input),
        Entrypoint::Response => opa_response_verdict(input, data),
    };
    opa_result_set(entrypoint, verdict)
}

/// The result set of an entrypoint when the module cannot evaluate the input within the
/// memory its host allows (see [`evaluation_memory_estimate`]): a violation
/// (`violation`) or a rejection with code 500 (`response`) whose message is `message`.
pub fn opa_insufficient_memory(entrypoint: Entrypoint, message: String) -> String {
    opa_result_set(entrypoint, Verdict::out_of_memory(message))
}

/// OPA's result set, `[{"result": ...}]`, serialized straight from the verdict (no
/// intermediate `Value` tree: the result can be as large as the violations).
fn opa_result_set(entrypoint: Entrypoint, verdict: Verdict) -> String {
    #[derive(Serialize)]
    struct ResultSet<T> {
        result: T,
    }
    match entrypoint {
        Entrypoint::Violation => to_json(&[ResultSet {
            result: verdict.violations,
        }]),
        Entrypoint::Response => to_json(&[ResultSet {
            result: OpaResult {
                response: OpaResponse::from(verdict),
            },
        }]),
    }
}

fn gatekeeper_verdict(input: &[u8]) -> Verdict {
    const WHAT: &str = "Gatekeeper input";
    let verdict = parse_payload(input, WHAT).and_then(|input| {
        let review_req = request_at(&input, "review", WHAT)?;
        Ok(match settings_at(&input, "parameters") {
            Ok(s) => review(review_req, &s),
            Err(e) => Verdict::bad_settings(uid_of(review_req), &e),
        })
    });
    verdict.unwrap_or_else(|e| Verdict::bad_request(String::new(), e))
}

fn opa_response_verdict(input: &[u8], data: &[u8]) -> Verdict {
    const WHAT: &str = "OPA input";
    let parsed = parse_payload(input, WHAT);
    match parsed
        .as_ref()
        .map_err(String::clone)
        .and_then(|i| request_at(i, "request", WHAT))
    {
        Err(e) => Verdict::bad_request(String::new(), e),
        Ok(request) => match opa_settings(data) {
            Ok(s) => review(request, &s),
            Err(e) => Verdict::bad_settings(uid_of(request), &e),
        },
    }
}

/// The `kube_secctx/response` result: `{"response": AdmissionResponse}`.
#[derive(Serialize)]
struct OpaResult {
    response: OpaResponse,
}

/// An `AdmissionResponse` as the `kube_secctx/response` entrypoint returns it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OpaResponse {
    uid: String,
    allowed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<OpaStatus>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    audit_annotations: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct OpaStatus {
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<u16>,
}

impl From<Verdict> for OpaResponse {
    fn from(v: Verdict) -> Self {
        OpaResponse {
            uid: v.uid,
            allowed: v.accepted,
            status: (!v.accepted).then_some(OpaStatus {
                message: v.message,
                code: v.code,
            }),
            warnings: v.warnings,
            audit_annotations: v.audit_annotations,
        }
    }
}

/// OPA data = the settings. Kubewarden puts context-aware data under `kubernetes`, which
/// is not a setting.
fn opa_settings(data: &[u8]) -> Result<Settings, SettingsError> {
    if data.iter().all(u8::is_ascii_whitespace) {
        return Ok(Settings::default());
    }
    let mut v: Value = serde_json::from_slice(data).map_err(|e| {
        SettingsError(vec![format!(
            "OPA data (the settings) is not valid JSON: {e}"
        )])
    })?;
    if let Value::Object(m) = &mut v {
        m.remove("kubernetes");
    }
    Settings::from_value(&v)
}

/// Memory evaluating a request takes, per byte of input and data (the text itself, the
/// decoded strings, the response quoting them).
const MEMORY_PER_BYTE: usize = 4;
/// ... per JSON value or key (a decoded value, a map slot, a document node, and a
/// finding when the value is one of a list a check reports item by item: capabilities,
/// annotations).
const MEMORY_PER_VALUE: usize = 1 << 10;
/// ... per JSON object (a volume, a port, a sysctl: each can be a violation, i.e. a
/// finding, a violation, its message and its serialized form).
const MEMORY_PER_OBJECT: usize = 6 << 10;
/// ... per container (an object with an `image` key): one violation per check.
const MEMORY_PER_CONTAINER: usize = 40 << 10;
/// ... per AppArmor or seccomp annotation key (a check reports each one).
const MEMORY_PER_ANNOTATION: usize = 8 << 10;

/// Annotation keys a check reports one by one (prefixes).
const CHECKED_ANNOTATIONS: [&[u8]; 3] = [
    b"container.apparmor.security.beta.kubernetes.io/",
    b"container.seccomp.security.alpha.kubernetes.io/",
    b"seccomp.security.alpha.kubernetes.io/pod",
];
/// ... for any request (settings, rule tables, the response).
const MEMORY_BASE: usize = 128 << 10;

/// An estimate, from above for the requests measured, of the heap memory (bytes) that
/// evaluating `input` with `data` takes in the OPA builds: a cheap scan that counts
/// bytes, JSON values, objects and containers, without parsing (so without allocating).
/// The OPA front end grows memory by this much before it parses, and answers with a
/// clean error when the host's maximum does not allow it (`crate::opa`).
///
/// Measured against the builds (heap used beyond the input, per byte of input): about
/// 1× for a request that is mostly one large string, 10× for many small labels, 12× for
/// a typical Deployment, 40× for long arrays of numbers, and up to 800× for pods made
/// of thousands of tiny violating containers (each violation is a structured object
/// many times the size of the container that caused it). The estimate is larger than
/// each of these; it is a heuristic, not a proof (see `notes/readme-policy.md`, Memory).
pub fn evaluation_memory_estimate(input: &[u8], data: &[u8]) -> usize {
    let a = json_shape(input);
    let b = json_shape(data);
    let sum = |x: usize, y: usize, per: usize| x.saturating_add(y).saturating_mul(per);
    MEMORY_BASE
        .saturating_add(sum(a.bytes, b.bytes, MEMORY_PER_BYTE))
        .saturating_add(sum(a.values, b.values, MEMORY_PER_VALUE))
        .saturating_add(sum(a.objects, b.objects, MEMORY_PER_OBJECT))
        .saturating_add(sum(a.containers, b.containers, MEMORY_PER_CONTAINER))
        .saturating_add(sum(a.annotations, b.annotations, MEMORY_PER_ANNOTATION))
}

/// What [`json_shape`] counts.
#[derive(Debug, Clone, Copy, Default)]
struct JsonShape {
    bytes: usize,
    /// `,`, `:`, `[` and `{` outside strings, plus one: one per value or key, roughly.
    values: usize,
    /// `{` outside strings.
    objects: usize,
    /// `"image":` keys.
    containers: usize,
    /// AppArmor and seccomp annotation keys ([`CHECKED_ANNOTATIONS`]).
    annotations: usize,
}

/// Counts the shape of JSON text in one pass, without allocating (and without checking
/// that it is JSON).
fn json_shape(text: &[u8]) -> JsonShape {
    let mut shape = JsonShape {
        bytes: text.len(),
        values: 1,
        ..JsonShape::default()
    };
    let (mut in_string, mut escaped, mut start) = (false, false, 0);
    // What the last token was, when it was a string that a `:` makes a key we count.
    #[derive(PartialEq)]
    enum Key {
        Other,
        Image,
        Annotation,
    }
    let mut key = Key::Other;
    for (i, &b) in text.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
                let s = text.get(start..i).unwrap_or_default();
                key = if s == b"image" {
                    Key::Image
                } else if CHECKED_ANNOTATIONS.iter().any(|p| s.starts_with(p)) {
                    Key::Annotation
                } else {
                    Key::Other
                };
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                start = i + 1;
                continue;
            }
            b':' => {
                shape.values += 1;
                match key {
                    Key::Image => shape.containers += 1,
                    Key::Annotation => shape.annotations += 1,
                    Key::Other => {}
                }
            }
            b',' | b'[' => shape.values += 1,
            b'{' => {
                shape.values += 1;
                shape.objects += 1;
            }
            b' ' | b'\t' | b'\n' | b'\r' => continue,
            _ => {}
        }
        key = Key::Other;
    }
    shape
}
