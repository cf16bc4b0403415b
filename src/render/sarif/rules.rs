//! The SARIF rule descriptors (`tool.driver.rules`): one per rule of the registry, and
//! one for [`INPUT_ERROR_RULE`].

use serde::Serialize;

use super::{level_of, Text, INPUT_ERROR_RULE};
use crate::render::{explain_markdown, rule_summary};
use crate::rules::{Category, Rule};

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct LevelConfig {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Descriptor {
    id: &'static str,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: LevelConfig,
    properties: DescriptorProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DescriptorProperties {
    tags: Vec<String>,
    precision: &'static str,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
    #[serde(rename = "problem.severity", skip_serializing_if = "Option::is_none")]
    problem_severity: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pss_level: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    psa_check: Option<String>,
    /// First policy version the check applies to, `v1.N`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pss_since: Option<String>,
}

/// The project's URI from `Cargo.toml` (`homepage`, else `repository`), if set.
pub(super) fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|u| !u.is_empty())
}

/// `privileged-container` → `PrivilegedContainer`.
pub(super) fn pascal_case(id: &str) -> String {
    id.split(['-', '_'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// At most `max` characters (GitHub's limit for descriptions is 1024).
pub(super) fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s.get(..i).unwrap_or(s).to_string(),
        None => s.to_string(),
    }
}

/// The `reportingDescriptor` of a rule.
///
/// `security-severity` (which makes GitHub treat results as security alerts): 8.0 (high)
/// for PSS baseline checks, 6.0 (medium) for restricted ones, 3.0 (low) for hardening
/// rules; input diagnostics are not security rules and carry `problem.severity` instead.
pub(super) fn descriptor(rule: &Rule) -> Descriptor {
    let level = level_of(rule.severity);
    let (tags, precision, security_severity): (Vec<String>, &str, Option<&str>) =
        match (rule.category, rule.pss) {
            (Category::Pss, Some(pss)) => (
                vec![
                    "security".into(),
                    "kubernetes".into(),
                    "pod-security-standards".into(),
                    format!("pss-{}", pss.level.as_str()),
                ],
                "very-high",
                Some(match pss.level {
                    crate::Level::Baseline => "8.0",
                    crate::Level::Restricted => "6.0",
                }),
            ),
            (Category::Pss, None) => (
                vec!["security".into(), "kubernetes".into()],
                "very-high",
                Some("6.0"),
            ),
            (Category::Hardening, _) => (
                vec!["security".into(), "kubernetes".into(), "hardening".into()],
                "high",
                Some("3.0"),
            ),
            (Category::Diagnostic, _) => (
                vec!["kubernetes".into(), "correctness".into()],
                "very-high",
                None,
            ),
        };
    let markdown = explain_markdown(rule);
    Descriptor {
        id: rule.id,
        name: pascal_case(rule.id),
        short_description: Text {
            text: truncate(rule.title, 1024),
        },
        full_description: Text {
            text: truncate(&rule_summary(rule), 1024),
        },
        help: Help {
            text: markdown.clone(),
            markdown,
        },
        default_configuration: LevelConfig { level },
        properties: DescriptorProperties {
            tags,
            precision,
            security_severity,
            problem_severity: security_severity.is_none().then_some(level),
            pss_level: rule.pss.map(|p| p.level.as_str()),
            psa_check: rule.pss.map(|_| crate::render::checks_label(rule, "")),
            pss_since: rule.pss.map(|p| format!("v1.{}", p.since)),
        },
    }
}

/// The descriptor of [`INPUT_ERROR_RULE`].
pub(super) fn input_error_descriptor() -> Descriptor {
    let text = "A YAML document could not be checked, or not in full: it is not valid YAML or \
                not UTF-8, it goes past a parser limit (input size, nesting depth, alias \
                expansions), it has no `kind` or `apiVersion`, or a resource in it goes past \
                a budget (resources and containers after alias expansion, findings, bytes of \
                pointers and messages) and was checked only up to it. The other documents \
                of the file are still checked.";
    let markdown = format!(
        "# {INPUT_ERROR_RULE}\n\n**Document could not be checked.** {text}\n\n## Fix\n\
         Fix the YAML at the position shown, or remove the document if it is not a \
         Kubernetes object.\n"
    );
    Descriptor {
        id: INPUT_ERROR_RULE,
        name: pascal_case(INPUT_ERROR_RULE),
        short_description: Text {
            text: "Document could not be checked".into(),
        },
        full_description: Text { text: text.into() },
        help: Help {
            text: markdown.clone(),
            markdown,
        },
        default_configuration: LevelConfig { level: "error" },
        properties: DescriptorProperties {
            tags: vec!["kubernetes".into(), "correctness".into()],
            precision: "very-high",
            security_severity: None,
            problem_severity: Some("error"),
            pss_level: None,
            psa_check: None,
            pss_since: None,
        },
    }
}
