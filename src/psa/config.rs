//! Pod Security Admission's own configuration, as the API server reads it: an
//! `AdmissionConfiguration` (`apiserver.config.k8s.io/v1` or `v1alpha1`) whose `plugins`
//! entry named `PodSecurity` holds an inline `configuration` or a `path`, or a bare
//! `PodSecurityConfiguration` (`pod-security.admission.config.k8s.io/v1`, `v1beta1`,
//! `v1alpha1`: the versions PSA's scheme registers).
//!
//! Sources (`k8s.io/pod-security-admission`, commit `8f84a87`):
//! `admission/api/v1/defaults.go` (`SetDefaults_PodSecurityDefaults`: an empty level is
//! `privileged`, an empty version `latest`), `admission/api/validation/validation.go`
//! (`ValidatePodSecurityConfiguration`: levels and versions as `ParseLevel` and
//! `ParseVersion`; exempt namespaces are DNS-1123 labels, runtime classes DNS-1123
//! subdomains, usernames non-empty; no duplicates), `admission/api/load/load.go` (the
//! decoder is not strict: unknown fields are ignored, which we report as warnings).

use super::labels::PsaPolicy;
use super::pod_security::pod_security;
use crate::options::Exemptions;
use crate::yaml::{parse_stream, Document, Limits, NodeId, Span};

/// The API versions of `PodSecurityConfiguration` PSA's scheme decodes.
pub const POD_SECURITY_API_VERSIONS: [&str; 3] = [
    "pod-security.admission.config.k8s.io/v1",
    "pod-security.admission.config.k8s.io/v1beta1",
    "pod-security.admission.config.k8s.io/v1alpha1",
];

/// The API versions of `AdmissionConfiguration` the API server reads.
pub const ADMISSION_API_VERSIONS: [&str; 3] = [
    "apiserver.config.k8s.io/v1",
    "apiserver.config.k8s.io/v1alpha1",
    "apiserver.k8s.io/v1alpha1",
];

/// A validated `PodSecurityConfiguration`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PsaConfig {
    /// `defaults`, with `SetDefaults_PodSecurityDefaults` applied.
    pub defaults: PsaPolicy,
    /// `exemptions.namespaces` and `exemptions.runtimeClasses`.
    pub exemptions: Exemptions,
    /// `exemptions.usernames`: they exempt requests by user, which files do not have.
    pub usernames: Vec<String>,
    /// Fields PSA's decoder ignores (unknown keys), as `field: message`.
    pub warnings: Vec<String>,
}

/// What an admission configuration file gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdmissionConfig {
    /// The Pod Security configuration itself (inline, or a bare
    /// `PodSecurityConfiguration`, or PSA's defaults when the `PodSecurity` plugin has
    /// neither `configuration` nor `path`, or is not listed).
    Config(PsaConfig),
    /// The `PodSecurity` plugin's `path`: a file (relative to the configuration file's
    /// directory) holding a `PodSecurityConfiguration`, to read with
    /// [`read_pod_security_configuration`].
    Path {
        /// The path as written.
        path: String,
        /// Its span, for an error about the file.
        span: Span,
    },
}

/// One problem of a configuration: the field (`defaults.enforce`,
/// `exemptions.namespaces[1]`, `plugins[0].configuration`), what is wrong, and where
/// (bytes of the text; `None` when the field is missing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The field's path, in the API's field names.
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// The value's span.
    pub span: Option<Span>,
}

/// An invalid configuration: every problem found (PSA's validation reports them all).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .problems.iter().map(|p| format!("{}: {}", p.field, p.message)).collect::<Vec<_>>().join("; "))]
pub struct ConfigError {
    /// The problems, in field order.
    pub problems: Vec<ConfigProblem>,
}

impl ConfigError {
    fn one(field: &str, message: impl Into<String>, span: Option<Span>) -> ConfigError {
        ConfigError {
            problems: vec![ConfigProblem {
                field: field.to_string(),
                message: message.into(),
                span,
            }],
        }
    }
}

/// Reads an admission configuration file: an `AdmissionConfiguration` or a bare
/// `PodSecurityConfiguration`.
///
/// # Errors
/// [`ConfigError`] naming each bad field: YAML that does not parse, another kind, a
/// `PodSecurity` plugin with both `path` and `configuration`, or a configuration that
/// PSA's `ValidatePodSecurityConfiguration` rejects.
pub fn read_admission_config(text: &str) -> Result<AdmissionConfig, ConfigError> {
    let stream = parse_stream(text, &Limits::default());
    let doc = single_document(&stream)?;
    let Some(root) = doc.root.filter(|&r| doc.map(r).is_some()) else {
        return Err(ConfigError::one(
            "(root)",
            "expected an AdmissionConfiguration or a PodSecurityConfiguration object",
            None,
        ));
    };
    let kind = doc.get(root, "kind").and_then(|k| doc.str(k)).unwrap_or("");
    if kind == "PodSecurityConfiguration" {
        return pod_security(doc, root, "").map(AdmissionConfig::Config);
    }
    let api_version = doc
        .get(root, "apiVersion")
        .and_then(|k| doc.str(k))
        .unwrap_or("");
    if kind != "AdmissionConfiguration" || !ADMISSION_API_VERSIONS.contains(&api_version) {
        return Err(ConfigError::one(
            "kind",
            format!(
                "expected kind AdmissionConfiguration (apiVersion {}) or \
                 PodSecurityConfiguration, got kind {kind:?} (apiVersion {api_version:?})",
                ADMISSION_API_VERSIONS.join(", ")
            ),
            span_of(doc, doc.get(root, "kind")),
        ));
    }
    let plugins = doc.get_set(root, "plugins");
    let items = match plugins {
        None => &[][..],
        Some(p) => doc
            .seq(p)
            .ok_or_else(|| ConfigError::one("plugins", "must be a list", span_of(doc, Some(p))))?,
    };
    for (i, &plugin) in items.iter().enumerate() {
        if doc.get(plugin, "name").and_then(|n| doc.str(n)) != Some("PodSecurity") {
            continue;
        }
        let field = format!("plugins[{i}]");
        let path = doc.get_set(plugin, "path");
        let configuration = doc.get_set(plugin, "configuration");
        return match (path, configuration) {
            (Some(_), Some(c)) => Err(ConfigError::one(
                &field,
                "the PodSecurity plugin has both path and configuration: give one",
                span_of(doc, Some(c)),
            )),
            (Some(p), None) => match doc.str(p).filter(|s| !s.is_empty()) {
                Some(path) => Ok(AdmissionConfig::Path {
                    path: path.to_string(),
                    span: span_of(doc, Some(p)).unwrap_or_default(),
                }),
                None => Err(ConfigError::one(
                    &format!("{field}.path"),
                    "must be a file name",
                    span_of(doc, Some(p)),
                )),
            },
            (None, Some(c)) => {
                let kind = doc.get(c, "kind").and_then(|k| doc.str(k));
                if kind != Some("PodSecurityConfiguration") {
                    return Err(ConfigError::one(
                        &format!("{field}.configuration.kind"),
                        format!("expected PodSecurityConfiguration, got {}", shown(kind)),
                        span_of(doc, doc.get(c, "kind")).or(span_of(doc, Some(c))),
                    ));
                }
                pod_security(doc, c, &format!("{field}.configuration."))
                    .map(AdmissionConfig::Config)
            }
            // No configuration: PSA loads its defaults (LoadFromData(nil)).
            (None, None) => Ok(AdmissionConfig::Config(PsaConfig::default())),
        };
    }
    // The plugin is not configured: the API server runs it with its defaults.
    Ok(AdmissionConfig::Config(PsaConfig {
        warnings: vec![
            "plugins: no PodSecurity plugin is configured: the API server's built-in \
             defaults apply (every mode privileged, no exemptions)"
                .to_string(),
        ],
        ..PsaConfig::default()
    }))
}

/// Reads the file a `PodSecurity` plugin's `path` names: a `PodSecurityConfiguration`.
///
/// # Errors
/// As [`read_admission_config`].
pub fn read_pod_security_configuration(text: &str) -> Result<PsaConfig, ConfigError> {
    let stream = parse_stream(text, &Limits::default());
    let doc = single_document(&stream)?;
    let root = doc.root.filter(|&r| doc.map(r).is_some());
    let kind = root
        .and_then(|r| doc.get(r, "kind"))
        .and_then(|k| doc.str(k));
    match (root, kind) {
        (Some(root), Some("PodSecurityConfiguration")) => pod_security(doc, root, ""),
        _ => Err(ConfigError::one(
            "kind",
            format!("expected PodSecurityConfiguration, got {}", shown(kind)),
            root.and_then(|r| span_of(doc, doc.get(r, "kind"))),
        )),
    }
}

fn single_document<'s, 'a>(
    stream: &'s crate::yaml::Stream<'a>,
) -> Result<&'s Document<'a>, ConfigError> {
    if let Some(e) = stream.errors.first() {
        return Err(ConfigError::one("(YAML)", e.message.clone(), Some(e.span)));
    }
    let mut docs = stream.documents.iter().filter(|d| d.root.is_some());
    match (docs.next(), docs.next()) {
        (Some(doc), None) => Ok(doc),
        (None, _) => Err(ConfigError::one("(root)", "the file is empty", None)),
        (Some(_), Some(second)) => Err(ConfigError::one(
            "(root)",
            "the file holds more than one YAML document: give one configuration",
            Some(Span::new(second.span.start, second.span.start)),
        )),
    }
}

pub(super) fn span_of(doc: &Document<'_>, node: Option<NodeId>) -> Option<Span> {
    node.and_then(|n| doc.node(n)).map(|n| n.span())
}

/// A string field's value for a message: `"value"` quoted, or `no value` when it is
/// missing or not a string.
pub(super) fn shown(value: Option<&str>) -> String {
    value.map_or_else(|| "no value".to_string(), |v| format!("{v:?}"))
}
