//! A `PodSecurityConfiguration`'s fields: `defaults` with PSA's
//! `SetDefaults_PodSecurityDefaults` (`admission/api/v1/defaults.go`), `exemptions`, and
//! PSA's `ValidatePodSecurityConfiguration` (`admission/api/validation/validation.go`),
//! every problem named by its field.

use super::config::{span_of, ConfigError, ConfigProblem, PsaConfig, POD_SECURITY_API_VERSIONS};
use super::labels::{LevelVersion, PsaLevel};
use crate::options::PssVersion;
use crate::yaml::{Document, NodeId};

const DEFAULT_KEYS: [&str; 6] = [
    "enforce",
    "enforce-version",
    "audit",
    "audit-version",
    "warn",
    "warn-version",
];

/// A `PodSecurityConfiguration` mapping at `root`, fields named with `prefix`.
pub(super) fn pod_security(
    doc: &Document<'_>,
    root: NodeId,
    prefix: &str,
) -> Result<PsaConfig, ConfigError> {
    let mut problems = Vec::new();
    let mut config = PsaConfig::default();
    let api_version = doc.get(root, "apiVersion").and_then(|k| doc.str(k));
    if !api_version.is_some_and(|v| POD_SECURITY_API_VERSIONS.contains(&v)) {
        problems.push(ConfigProblem {
            field: format!("{prefix}apiVersion"),
            message: format!(
                "expected one of {}, got {}",
                POD_SECURITY_API_VERSIONS.join(", "),
                super::config::shown(api_version)
            ),
            span: span_of(doc, doc.get(root, "apiVersion")),
        });
    }
    for e in doc.map(root).unwrap_or_default() {
        if !matches!(
            e.key.as_ref(),
            "apiVersion" | "kind" | "defaults" | "exemptions"
        ) {
            config.warnings.push(format!(
                "{prefix}{}: unknown field, ignored by Pod Security Admission",
                e.key
            ));
        }
    }
    // defaults: SetDefaults_PodSecurityDefaults, then ValidatePodSecurityConfiguration.
    let defaults = doc.get_set(root, "defaults");
    if let Some(d) = defaults.filter(|&d| doc.map(d).is_none()) {
        problems.push(ConfigProblem {
            field: format!("{prefix}defaults"),
            message: "must be a mapping".to_string(),
            span: span_of(doc, Some(d)),
        });
    }
    let defaults = defaults.filter(|&d| doc.map(d).is_some());
    for e in defaults.and_then(|d| doc.map(d)).unwrap_or_default() {
        if !DEFAULT_KEYS.contains(&e.key.as_ref()) {
            config.warnings.push(format!(
                "{prefix}defaults.{}: unknown field, ignored by Pod Security Admission (the \
                 fields are {})",
                e.key,
                DEFAULT_KEYS.join(", ")
            ));
        }
    }
    for (mode, key) in [
        (crate::Mode::Enforce, "enforce"),
        (crate::Mode::Audit, "audit"),
        (crate::Mode::Warn, "warn"),
    ] {
        let mut lv = LevelVersion::default();
        let field = |k: &str| format!("{prefix}defaults.{k}");
        let level_node = defaults.and_then(|d| doc.get_set(d, key));
        let level_text = level_node.and_then(|n| doc.str(n)).unwrap_or("");
        if !level_text.is_empty() {
            match PsaLevel::parse(level_text) {
                Some(l) => lv.level = l,
                None => problems.push(ConfigProblem {
                    field: field(key),
                    message: format!(
                        "Invalid value: {level_text:?}: must be one of privileged, baseline, restricted"
                    ),
                    span: span_of(doc, level_node),
                }),
            }
        }
        let version_key = format!("{key}-version");
        let version_node = defaults.and_then(|d| doc.get_set(d, &version_key));
        let version_text = version_node.and_then(|n| doc.str(n)).unwrap_or("");
        if !version_text.is_empty() {
            match version_text.parse::<PssVersion>() {
                Ok(v) => lv.version = v,
                Err(_) => problems.push(ConfigProblem {
                    field: field(&version_key),
                    message: format!(
                        "Invalid value: {version_text:?}: must be \"latest\" or \"v1.x\""
                    ),
                    span: span_of(doc, version_node),
                }),
            }
        }
        match mode {
            crate::Mode::Enforce => config.defaults.enforce = lv,
            crate::Mode::Audit => config.defaults.audit = lv,
            crate::Mode::Warn => config.defaults.warn = lv,
        }
    }
    // exemptions
    let exemptions = doc.get_set(root, "exemptions");
    if let Some(x) = exemptions.filter(|&x| doc.map(x).is_none()) {
        problems.push(ConfigProblem {
            field: format!("{prefix}exemptions"),
            message: "must be a mapping".to_string(),
            span: span_of(doc, Some(x)),
        });
    }
    let exemptions = exemptions.filter(|&x| doc.map(x).is_some());
    for e in exemptions.and_then(|x| doc.map(x)).unwrap_or_default() {
        if !matches!(
            e.key.as_ref(),
            "usernames" | "namespaces" | "runtimeClasses"
        ) {
            config.warnings.push(format!(
                "{prefix}exemptions.{}: unknown field, ignored by Pod Security Admission (the \
                 fields are usernames, namespaces, runtimeClasses)",
                e.key
            ));
        }
    }
    let list =
        |key: &str, problems: &mut Vec<ConfigProblem>, valid: &dyn Fn(&str) -> Option<String>| {
            let mut out: Vec<String> = Vec::new();
            let Some(node) = exemptions.and_then(|x| doc.get_set(x, key)) else {
                return out;
            };
            let Some(items) = doc.seq(node) else {
                problems.push(ConfigProblem {
                    field: format!("{prefix}exemptions.{key}"),
                    message: "must be a list of strings".to_string(),
                    span: span_of(doc, Some(node)),
                });
                return out;
            };
            for (i, &item) in items.iter().enumerate() {
                let field = format!("{prefix}exemptions.{key}[{i}]");
                let span = span_of(doc, Some(item));
                let Some(value) = doc.scalar(item).map(|_| doc.str(item).unwrap_or("")) else {
                    problems.push(ConfigProblem {
                        field,
                        message: "must be a string".to_string(),
                        span,
                    });
                    continue;
                };
                if let Some(why) = valid(value) {
                    problems.push(ConfigProblem {
                        field,
                        message: format!("Invalid value: {value:?}: {why}"),
                        span,
                    });
                } else if out.iter().any(|v| v == value) {
                    problems.push(ConfigProblem {
                        field,
                        message: format!("Duplicate value: {value:?}"),
                        span,
                    });
                } else {
                    out.push(value.to_string());
                }
            }
            out
        };
    config.exemptions.namespaces = list("namespaces", &mut problems, &|v| dns1123_label(v));
    config.exemptions.runtime_classes =
        list("runtimeClasses", &mut problems, &|v| dns1123_subdomain(v));
    config.usernames = list("usernames", &mut problems, &|v| {
        v.is_empty()
            .then(|| "username must not be empty".to_string())
    });
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(ConfigError { problems })
    }
}

fn label_chars_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && b.first().is_some_and(alnum)
        && b.last().is_some_and(alnum)
        && b.iter().all(|c| alnum(c) || *c == b'-')
}

/// Why `s` is not a DNS-1123 label (a namespace name, `ValidateNamespaceName`), or
/// `None`.
pub fn dns1123_label(s: &str) -> Option<String> {
    if s.len() > 63 {
        Some("must be no more than 63 characters".to_string())
    } else if !label_chars_ok(s) {
        Some(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \
             '-', and must start and end with an alphanumeric character"
                .to_string(),
        )
    } else {
        None
    }
}

/// Why `s` is not a DNS-1123 subdomain (a RuntimeClass name, `NameIsDNSSubdomain`), or
/// `None`.
pub fn dns1123_subdomain(s: &str) -> Option<String> {
    if s.len() > 253 {
        Some("must be no more than 253 characters".to_string())
    } else if !s.split('.').all(label_chars_ok) {
        Some(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric \
             characters, '-' or '.', and must start and end with an alphanumeric character"
                .to_string(),
        )
    } else {
        None
    }
}
