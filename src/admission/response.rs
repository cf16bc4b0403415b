//! The shapes each host wants, and the entry points the thin ABI shims call: Kubewarden's
//! `validate` and `validate_settings` (`ValidationResponse`, `SettingsValidationResponse`),
//! and the OPA entrypoints (Gatekeeper's violations, an admission response).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::settings::{json_type, Settings, SettingsError};
use super::verdict::Verdict;
use super::{review, str_at};

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
    /// The object to admit instead of the request's, when the fixes of the setting
    /// `mutate` make it pass; absent otherwise (a validating answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mutated_object: Option<Value>,
}

impl From<Verdict> for ValidationResponse {
    fn from(v: Verdict) -> Self {
        ValidationResponse {
            accepted: v.accepted,
            message: v.message,
            code: v.code,
            warnings: (!v.warnings.is_empty()).then_some(v.warnings),
            audit_annotations: (!v.audit_annotations.is_empty()).then_some(v.audit_annotations),
            mutated_object: v.mutated_object,
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

/// The `ValidationResponse` JSON when a request cannot be evaluated within the memory the
/// module can have (see [`super::memory::reserve_for_evaluation`]): a rejection with code
/// 500 whose message is `message`.
pub fn kubewarden_insufficient_memory(message: String) -> String {
    to_json(&ValidationResponse::from(Verdict::out_of_memory(message)))
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
        Ok(
            match settings_at(&input, "parameters").and_then(validating_only) {
                Ok(s) => review(review_req, &s),
                Err(e) => Verdict::bad_settings(uid_of(review_req), &e),
            },
        )
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
        Ok(request) => match opa_settings(data).and_then(validating_only) {
            Ok(s) => review(request, &s),
            Err(e) => Verdict::bad_settings(uid_of(request), &e),
        },
    }
}

/// The settings of a build that cannot mutate (the OPA builds: neither Gatekeeper's
/// contract nor an OPA admission response has a mutated object): `mutate` is an error
/// there, so that an admin who lists fixes learns at once that they are not applied.
fn validating_only(s: Settings) -> Result<Settings, SettingsError> {
    if s.mutate.is_empty() {
        return Ok(s);
    }
    Err(SettingsError(vec![
        "setting `mutate`: this build cannot mutate (neither Gatekeeper's contract nor an \
         OPA admission response carries a mutated object); use kube-secctx.kubewarden.wasm \
         (waPC) or kube-secctx.kubewarden-wasi.wasm, or remove `mutate`"
            .to_string(),
    ]))
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
