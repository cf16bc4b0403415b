//! The SARIF 2.1.0 objects the log is made of, as they are serialized: fields in the
//! order of the specification's examples; optional fields are skipped, never `null`.
//! Built by the parent module (`log`, `finding_result`, `error_result`, `region`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::rules::Descriptor;
use crate::report::MatchedBy;

#[derive(Serialize)]
pub(super) struct Log<'a> {
    #[serde(rename = "$schema")]
    pub(super) schema: &'static str,
    pub(super) version: &'static str,
    pub(super) runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Run<'a> {
    pub(super) tool: Tool,
    pub(super) invocations: [Invocation; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) original_uri_base_ids: Option<BTreeMap<&'static str, Uri>>,
    pub(super) column_kind: &'static str,
    pub(super) results: Vec<SarifResult<'a>>,
    pub(super) properties: RunProperties,
}

#[derive(Serialize)]
pub(super) struct Tool {
    pub(super) driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Driver {
    pub(super) name: &'static str,
    pub(super) version: &'static str,
    pub(super) semantic_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) information_uri: Option<&'static str>,
    pub(super) rules: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Invocation {
    pub(super) execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) tool_execution_notifications: Vec<Notification>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) working_directory: Option<Uri>,
}

/// §3.58: a note about the run (a namespace the cluster does not enforce, ...).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Notification {
    pub(super) level: &'static str,
    pub(super) message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(super) locations: Vec<Location>,
}

#[derive(Serialize)]
pub(super) struct Uri {
    pub(super) uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RunProperties {
    /// `baseline`, `restricted`, or `default` (the default profile).
    pub(super) level: &'static str,
    pub(super) pss_version: String,
    /// The Kubernetes version checked, when one was asked for (as the JSON report's
    /// `options.kubeVersion`; omitted otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) kube_version: Option<String>,
}

#[derive(Serialize)]
pub(super) struct Text {
    pub(super) text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SarifResult<'a> {
    pub(super) rule_id: &'a str,
    pub(super) rule_index: usize,
    pub(super) level: &'static str,
    pub(super) message: Text,
    pub(super) locations: [Location; 1],
    pub(super) partial_fingerprints: BTreeMap<&'static str, String>,
    /// `new` when compared with a baseline ([`SarifOptions::baseline`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) baseline_state: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) fixes: Option<Vec<SarifFix>>,
    pub(super) properties: ResultProperties<'a>,
}

/// A fix (SARIF 2.1.0 §3.55): its description and the changes of one artifact.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct SarifFix {
    pub(super) description: Text,
    pub(super) artifact_changes: Vec<ArtifactChange>,
}

/// §3.56: the file and its replacements.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ArtifactChange {
    pub(super) artifact_location: ArtifactLocation,
    pub(super) replacements: Vec<Replacement>,
}

/// §3.57: the region deleted (empty for an insertion) and the text inserted.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Replacement {
    pub(super) deleted_region: Region,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) inserted_content: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Location {
    pub(super) physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PhysicalLocation {
    pub(super) artifact_location: ArtifactLocation,
    pub(super) region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ArtifactLocation {
    pub(super) uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) uri_base_id: Option<&'static str>,
}

/// 1-based lines and columns in UTF-16 code units, `end_column` exclusive; or, without
/// the file's text, bytes.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
#[serde(untagged)]
pub(super) enum Region {
    #[serde(rename_all = "camelCase")]
    Lines {
        start_line: usize,
        start_column: usize,
        end_line: usize,
        end_column: usize,
    },
    #[serde(rename_all = "camelCase")]
    Bytes {
        byte_offset: usize,
        byte_length: usize,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ResultProperties<'a> {
    /// The YAML document index in the file, 0-based.
    pub(super) document: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) pss: Option<PssProperty>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) resource: Option<ResourceProperty<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) container: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) json_pointer: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) fix: Option<&'static str>,
    /// What Pod Security Admission would do (resources judged as the cluster would).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) admission: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct PssProperty {
    pub(super) level: &'static str,
    pub(super) check: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ResourceProperty<'a> {
    pub(super) api_version: &'a str,
    pub(super) kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) namespace: Option<&'a str>,
    pub(super) matched_by: MatchedBy,
}
