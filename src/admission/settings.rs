//! The policy settings, shared by every admission build: validated, every bad setting
//! named with its allowed values.

use serde::Serialize;
use serde_json::Value;

use crate::options::{Inactive, Level, Options, PssVersion};
use crate::rules::{self, Category};

/// The setting names, in the order the messages list them.
pub const SETTING_NAMES: [&str; 8] = [
    "level",
    "pssVersion",
    "rules",
    "ignore",
    "mode",
    "exemptions",
    "honorIgnoreAnnotation",
    "mutate",
];

/// The rule that can never fire at admission, so `rules` refuses it: the request object
/// is decoded JSON, which has no duplicate keys left to find.
const NEVER_AT_ADMISSION: &str = "duplicate-key";

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
    /// Hardening rules to run in addition to the PSS checks, and input diagnostics to make
    /// violations (none by default). The input diagnostics run without it, as warnings
    /// that never reject (see the module `diagnostics.rs` of [`crate::admission`]).
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
    /// Rule IDs whose automatic fixes the policy applies to the object (Kubewarden waPC
    /// and WASI builds only): a request with violations is accepted with a mutated
    /// object when these fixes remove every violation. Empty (the default): validating
    /// only.
    pub mutate: Vec<String>,
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
            mutate: Vec::new(),
        }
    }
}

/// Settings that do not validate: one message per bad setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.join("; "))]
pub struct SettingsError(pub Vec<String>);

/// What a JSON value is, for messages: `a string`, `a number`, ...
pub(super) fn json_type(v: &Value) -> &'static str {
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
                "mutate" => {
                    for id in string_list("mutate", value, &mut errors) {
                        match rules::rule(&id) {
                            None => errors.push(format!(
                                "setting `mutate`: unknown rule {id:?} (rules with an automatic \
                                 fix: {})",
                                fixable_rule_ids().join(", ")
                            )),
                            Some(r) if !has_fix(r.id) => errors.push(format!(
                                "setting `mutate`: {id:?} has no automatic fix ({}); rules \
                                 with one: {}",
                                crate::fix::describe(r.id)
                                    .trim_start_matches("None: ")
                                    .trim_end_matches('.'),
                                fixable_rule_ids().join(", ")
                            )),
                            Some(_) if s.mutate.contains(&id) => {}
                            Some(_) => s.mutate.push(id),
                        }
                    }
                }
                other => errors.push(format!(
                    "unknown setting {other:?}: the settings are {}",
                    SETTING_NAMES.join(", ")
                )),
            }
        }
        // A rule listed in `mutate` that these settings never report would never be
        // fixed either: say so (the other settings are known only now).
        if errors.is_empty() {
            errors.extend(s.mutate_not_checked());
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

    /// One message per rule of `mutate` that these settings never report as a violation
    /// (so never fix): a hardening rule or an input diagnostic not in `rules` (an input
    /// diagnostic runs without it, but as a warning), a rule in `ignore`, a PSS check
    /// above `level` or not part of `pssVersion`.
    fn mutate_not_checked(&self) -> Vec<String> {
        let opts = Options {
            level: Some(self.level),
            pss_version: self.version(),
            select: self.mutate.clone(),
            ignore: self.ignore.clone(),
            also: self.rules.clone(),
            ..Options::default()
        };
        let label = self.policy_label();
        let warned_only = self.mutate.iter().filter_map(|id| {
            rules::rule(id).filter(|r| {
                r.category == Category::Diagnostic
                    && !self.rules.contains(id)
                    && !self.ignore.contains(id)
            })
        });
        let mut inactive = opts.inactive_selected();
        inactive.extend(warned_only.map(|r| (r, Inactive::NotPss)));
        // In `mutate`'s order, as the messages list them.
        inactive.sort_by_key(|(r, _)| self.mutate.iter().position(|id| id == r.id));
        inactive
            .into_iter()
            .map(|(rule, why)| {
                let id = rule.id;
                let reason = match why {
                    Inactive::AlsoIgnored => "it is in `ignore` too".to_string(),
                    Inactive::NotPss if rule.category == Category::Diagnostic => {
                        "it is an input diagnostic, which is a warning at admission, not a \
                         violation: add it to `rules` too"
                            .to_string()
                    }
                    Inactive::NotPss => "it is not checked: add it to `rules` too".to_string(),
                    Inactive::AboveLevel { check_level, .. } => format!(
                        "it is a {} check, and `level` is {}",
                        check_level.as_str(),
                        self.level.as_str()
                    ),
                    Inactive::NotYet { check, since, .. } => format!(
                        "its check {check} is part of the Pod Security Standards from v1.{since}, \
                         not of {label}"
                    ),
                    Inactive::Replaced { check, since } => format!(
                        "at the restricted level a stricter check replaces {check} from \
                         v1.{since}: list the rule of that check instead"
                    ),
                };
                format!("setting `mutate`: {id:?} would never be fixed: {reason}")
            })
            .collect()
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

/// Whether the rule has an automatic fix for some findings (its fix description does not
/// start with "None").
fn has_fix(id: &str) -> bool {
    !crate::fix::describe(id).starts_with("None")
}

/// The IDs of the rules with an automatic fix, which `mutate` may list.
pub fn fixable_rule_ids() -> Vec<&'static str> {
    rules::RULES
        .iter()
        .map(|r| r.id)
        .filter(|id| has_fix(id))
        .collect()
}

/// The IDs of the rules `rules` may add (hardening rules, and the input diagnostics, which
/// `rules` makes violations: `invalid-field-type`, `unknown-ignored-rule`, ...; not
/// `duplicate-key`, which cannot fire on decoded JSON).
pub fn hardening_rule_ids() -> Vec<&'static str> {
    rules::RULES
        .iter()
        .filter(|r| r.category != Category::Pss && r.id != NEVER_AT_ADMISSION)
        .map(|r| r.id)
        .collect()
}
