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
//! - As Pod Security Admission does: requests for a subresource other than
//!   `ephemeralcontainers` are accepted, and an `UPDATE` of a Pod that changes nothing
//!   PSA considers significant (container images, the per-container seccomp annotations,
//!   the set of containers) is accepted, so that label or annotation updates of pods
//!   admitted before a policy change keep working.
//! - The `kube-secctx.io/ignore` annotation works as in the CLI.
//! - Exemptions (`namespaces`, `usernames`, `runtimeClassNames`) are those of Pod Security
//!   Admission's configuration.
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
use serde_json::{Map, Value};

use crate::engine;
use crate::report::{Finding, Level, LineIndex};
use crate::rules::{self, Category};
use crate::workload::extract;
use crate::yaml::{
    Document, Entry, Node, NodeId, Resolved, Scalar, Span, Stream, Style, Value as YValue,
};
use crate::{Options, PssVersion};

/// The setting names, in the order the messages list them.
pub const SETTING_NAMES: [&str; 6] = [
    "level",
    "pssVersion",
    "rules",
    "ignore",
    "mode",
    "exemptions",
];

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

/// The IDs of the rules `rules` may add (hardening rules and input diagnostics).
pub fn hardening_rule_ids() -> Vec<&'static str> {
    rules::RULES
        .iter()
        .filter(|r| r.category != Category::Pss)
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
    /// The rule ID (`privileged-container`), or `invalid-request` / `invalid-settings`.
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
    /// 500 for bad settings.
    pub code: Option<u16>,
    /// Warnings for the client (`warn` mode: one per violation).
    pub warnings: Vec<String>,
    /// The violations (for a rejected malformed request or bad settings: one entry that
    /// says so).
    pub violations: Vec<Violation>,
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
        }
    }

    fn bad_request(uid: String, message: String) -> Verdict {
        Verdict::error(uid, "invalid-request", 400, message)
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
        namespace: str_at(v, "namespace"),
        username: v.get("userInfo").and_then(|u| str_at(u, "username")),
        object: present("object"),
        old_object: present("oldObject"),
    })
}

/// Whether a Pod UPDATE changes anything Pod Security Admission looks at: the number of
/// containers or init containers, an image, an ephemeral container, or a per-container
/// seccomp annotation (PSA's `isSignificantPodUpdate`).
fn is_significant_pod_update(new: &Value, old: &Value) -> bool {
    fn list<'p>(pod: &'p Value, field: &str) -> &'p [Value] {
        pod.get("spec")
            .and_then(|s| s.get(field))
            .and_then(Value::as_array)
            .map_or(&[], Vec::as_slice)
    }
    let annotation = |pod: &Value, container: &Value| -> Option<String> {
        let name = container.get("name")?.as_str()?;
        pod.get("metadata")?
            .get("annotations")?
            .get(format!(
                "container.seccomp.security.alpha.kubernetes.io/{name}"
            ))?
            .as_str()
            .map(str::to_string)
    };
    let container_changed = |c: &Value, o: &Value| {
        c.get("image") != o.get("image") || annotation(new, c) != annotation(old, o)
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

fn is_core_pod(object: &Value) -> bool {
    object.get("kind").and_then(Value::as_str) == Some("Pod")
        && object.get("apiVersion").and_then(Value::as_str) == Some("v1")
}

/// Evaluates one `AdmissionRequest` with validated settings.
pub fn review(request: &Value, settings: &Settings) -> Verdict {
    let req = match parse_request(request) {
        Ok(r) => r,
        Err(e) => return Verdict::bad_request(String::new(), e),
    };
    let uid = req.uid.clone();
    let operation = req.operation.unwrap_or("");
    if matches!(operation, "DELETE" | "CONNECT") {
        return Verdict::accept(uid);
    }
    // PSA checks pods and their `ephemeralcontainers` subresource; any other subresource
    // (status, binding, exec, ...) is not about the pod spec.
    if req.sub_resource.is_some_and(|s| s != "ephemeralcontainers") {
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
    if operation == "UPDATE" && is_core_pod(object) {
        if let Some(old) = req.old_object {
            if !is_significant_pod_update(object, old) {
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
    let mut findings = match check_object(object, settings) {
        Ok(f) => f,
        Err(e) => {
            return Verdict::bad_request(uid, format!("request.object could not be read: {e}"))
        }
    };
    if findings.is_empty() {
        return Verdict::accept(uid);
    }
    // PSA's order: by check (the registry lists PSS rules in PSA's order), then field.
    let rank = |f: &Finding| {
        rules::RULES
            .iter()
            .position(|r| r.id == f.rule)
            .unwrap_or(usize::MAX)
    };
    findings.sort_by(|a, b| (rank(a), &a.path).cmp(&(rank(b), &b.path)));
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
    match settings.mode {
        Mode::Warn => {
            let warnings = findings
                .iter()
                .zip(&violations)
                .map(|(f, v)| match f.pss {
                    Some(_) => format!("would violate PodSecurity {policy:?}: {}", v.msg),
                    None => format!("would violate kube-secctx rule {}", v.msg),
                })
                .collect();
            Verdict {
                warnings,
                violations: Vec::new(),
                ..Verdict::accept(uid)
            }
        }
        Mode::Deny => Verdict {
            uid,
            accepted: false,
            message: Some(rejection_message(
                &resource,
                &policy,
                &findings,
                &violations,
            )),
            code: Some(403),
            warnings: Vec::new(),
            violations,
        },
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
/// types. Every span is empty (positions are not meaningful; JSON pointers are).
pub fn document_from_json(v: &Value) -> Document<'_> {
    let mut nodes = Vec::new();
    let root = push_node(&mut nodes, v);
    Document {
        index: 0,
        span: Span::default(),
        nodes,
        root: Some(root),
        duplicates: Vec::new(),
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

/// Runs the core on the object: the PSS checks at the settings' level and version, then
/// the hardening `rules`, minus runtime-class exemptions.
fn check_object(object: &Value, settings: &Settings) -> Result<Vec<Finding>, String> {
    let pss = Options {
        level: Some(settings.level),
        pss_version: settings.version(),
        ignore: settings.ignore.clone(),
        ..Options::default()
    };
    let stream = Stream {
        documents: vec![document_from_json(object)],
        errors: Vec::new(),
        document_count: 1,
    };
    let lines = LineIndex::new("");
    let mut report = engine::new_report(&pss);
    engine::check_stream_into(&mut report, FILE, &stream, &lines, &pss);
    if !settings.rules.is_empty() {
        let hardening = Options {
            level: None,
            select: settings.rules.clone(),
            ..pss
        };
        engine::check_stream_into(&mut report, FILE, &stream, &lines, &hardening);
    }
    if let Some(e) = report.errors.first() {
        return Err(e.message.clone());
    }
    let mut findings = report.findings;
    let exempt = &settings.exemptions.runtime_class_names;
    if !exempt.is_empty() && !findings.is_empty() {
        if let Some(doc) = stream.documents.first() {
            let roots = exempt_roots(doc, exempt);
            findings.retain(|f| !roots.iter().any(|root| f.path.starts_with(root.as_str())));
        }
    }
    Ok(findings)
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
    /// Audit annotations (none are set).
    pub audit_annotations: Option<BTreeMap<String, String>>,
}

impl From<Verdict> for ValidationResponse {
    fn from(v: Verdict) -> Self {
        ValidationResponse {
            accepted: v.accepted,
            message: v.message,
            code: v.code,
            warnings: (!v.warnings.is_empty()).then_some(v.warnings),
            audit_annotations: None,
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
    let result = match entrypoint {
        Entrypoint::Violation => gatekeeper_violations(input),
        Entrypoint::Response => opa_response(input, data),
    };
    let mut set = Map::new();
    set.insert("result".to_string(), result);
    to_json(&Value::Array(vec![Value::Object(set)]))
}

fn gatekeeper_violations(input: &[u8]) -> Value {
    const WHAT: &str = "Gatekeeper input";
    let verdict = parse_payload(input, WHAT).and_then(|input| {
        let review_req = request_at(&input, "review", WHAT)?;
        Ok(match settings_at(&input, "parameters") {
            Ok(s) => review(review_req, &s),
            Err(e) => Verdict::bad_settings(uid_of(review_req), &e),
        })
    });
    let violations = match verdict {
        Ok(v) => v.violations,
        Err(e) => Verdict::bad_request(String::new(), e).violations,
    };
    serde_json::to_value(violations).unwrap_or_else(|_| Value::Array(Vec::new()))
}

fn opa_response(input: &[u8], data: &[u8]) -> Value {
    const WHAT: &str = "OPA input";
    let verdict =
        match parse_payload(input, WHAT).and_then(|i| request_at(&i, "request", WHAT).cloned()) {
            Err(e) => Verdict::bad_request(String::new(), e),
            Ok(request) => match opa_settings(data) {
                Ok(s) => review(&request, &s),
                Err(e) => Verdict::bad_settings(uid_of(&request), &e),
            },
        };
    let mut response = Map::new();
    response.insert("uid".to_string(), Value::String(verdict.uid));
    response.insert("allowed".to_string(), Value::Bool(verdict.accepted));
    if !verdict.accepted {
        let mut status = Map::new();
        if let Some(m) = verdict.message {
            status.insert("message".to_string(), Value::String(m));
        }
        if let Some(c) = verdict.code {
            status.insert("code".to_string(), Value::from(c));
        }
        response.insert("status".to_string(), Value::Object(status));
    }
    if !verdict.warnings.is_empty() {
        response.insert(
            "warnings".to_string(),
            Value::Array(verdict.warnings.into_iter().map(Value::String).collect()),
        );
    }
    let mut out = Map::new();
    out.insert("response".to_string(), Value::Object(response));
    Value::Object(out)
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
