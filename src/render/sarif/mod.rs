//! SARIF 2.1.0 output, as GitHub code scanning accepts it.
//!
//! One run. `tool.driver.rules` lists every rule (ID, PascalCase name, title, the
//! "What it checks" summary, the full docs as `help.text` and `help.markdown`, the default
//! level and properties: tags, precision, `security-severity` for security rules, the PSS
//! level and PSA check), followed by one extra descriptor, [`INPUT_ERROR_RULE`], for
//! documents that could not be checked.
//!
//! Each finding is a result with `ruleId`, `ruleIndex`, `level` (`error`/`warning`),
//! `message.text`, one location and `partialFingerprints`. Each error entry of the report
//! is a result of [`INPUT_ERROR_RULE`] (level `error`): code scanning shows results, not
//! tool notifications, and an unparseable manifest is a problem in the repository.
//!
//! Regions are **1-based**; their columns count **UTF-16 code units**
//! (`run.columnKind` is `utf16CodeUnits`), computed from the file's text with
//! [`LineIndex`]. `endColumn` is exclusive. When [`Sources`] cannot give a file's text, a
//! region is given in bytes instead (`byteOffset`, `byteLength`), as SARIF allows.
//!
//! Artifact URIs are the report's paths with forward slashes, without a leading `./`,
//! percent-encoded; an absolute path becomes a `file://` URI. Relative URIs carry
//! `uriBaseId` `%SRCROOT%` when [`SarifOptions::src_root`] is set.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

mod model;
mod rendered;
mod rules;
mod uri;

pub use rendered::RenderedResults;
pub use uri::{path_bytes_to_uri, path_to_uri};

use super::fixes::FixTable;
use super::{display_end, index_for, write_pretty, EntryWriter, KeptErrors, Sources};
use crate::fix::Offer;
use crate::position::{LineIndex, Unit};
use crate::report::{ErrorEntry, Finding, Report, ReportOptions, Severity};
use crate::rules::RULES;
use crate::yaml::Span;
use model::{
    ArtifactChange, ArtifactLocation, Driver, Invocation, Location, Log, Notification,
    PhysicalLocation, PssProperty, Region, Replacement, ResourceProperty, ResultProperties, Run,
    RunProperties, SarifFix, SarifResult, Text, Tool, Uri,
};
use rules::{descriptor, information_uri, input_error_descriptor, Descriptor};

/// The `$schema` URI written in the log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The rule ID given to error entries (documents that could not be checked: invalid YAML,
/// a parser limit, a missing `kind`, a file that is not UTF-8). It is not a rule of the
/// registry and cannot be selected or ignored.
pub const INPUT_ERROR_RULE: &str = "input-error";

/// The key of our fingerprint in `partialFingerprints`. GitHub's upload action adds its
/// own `primaryLocationLineHash` beside it.
pub const FINGERPRINT_KEY: &str = "kubeSecctx/v1";

/// Options for the SARIF log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SarifOptions {
    /// The directory relative paths are relative to, as an absolute `file://` URI ending
    /// in `/` (see [`path_to_uri`]). When set, it is written as
    /// `originalUriBaseIds["%SRCROOT%"]` and as the invocation's working directory, and
    /// relative artifact URIs refer to it with `uriBaseId`.
    pub src_root: Option<String>,
    /// Artifact URIs for report names that are not the file's path as text: a name the
    /// CLI shows with escaped bytes (`a\xFE.yaml`, a file name that is not UTF-8) maps to
    /// the URI of its real bytes (`a%FE.yaml`, see [`path_bytes_to_uri`]). Other names go
    /// through [`path_to_uri`].
    pub uris: std::collections::BTreeMap<String, String>,
    /// Whether the run was compared with a baseline (`check --baseline`): every result
    /// then has `"baselineState": "new"` (SARIF 2.1.0 §3.27.24; the baseline's accepted
    /// findings are not results). Without it, results have no `baselineState`.
    pub baseline: bool,
    /// The report's notes ([`crate::Report::notes`]), written as the invocation's
    /// `toolExecutionNotifications` (level `note`); omitted when empty. [`write`] adds the
    /// report's own; a streaming front end gives them here, before [`SarifWriter::begin`].
    pub notes: Vec<SarifNote>,
}

/// A note placed for SARIF: its message, and its file and region when it has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SarifNote {
    message: String,
    at: Option<(String, (usize, usize))>,
}

impl SarifNote {
    /// The note, placed in its file's text `li` (1-based line, UTF-16 column).
    pub fn new(note: &crate::psa::Note, li: Option<&LineIndex<'_>>) -> SarifNote {
        let at = match (&note.file, note.span, li) {
            (Some(file), Some(span), Some(li)) => {
                let lc = li.line_col(span.start, Unit::Utf16);
                Some((file.clone(), (lc.line + 1, lc.column + 1)))
            }
            (Some(file), _, _) => Some((file.clone(), (1, 1))),
            _ => None,
        };
        SarifNote {
            message: note.message.clone(),
            at,
        }
    }
}

/// Renders the report as a pretty SARIF 2.1.0 log.
///
/// Never panics. `sources` gives each file's text (for UTF-16 columns).
pub fn render(report: &Report, sources: &Sources<'_>, opts: &SarifOptions) -> String {
    let mut out = Vec::new();
    // Writing to a Vec cannot fail; the JSON is UTF-8.
    let _ = write(&mut out, report, sources, opts);
    String::from_utf8(out).unwrap_or_else(|_| "{}".to_string())
}

/// [`render`], written to `out` result by result with a [`SarifWriter`] (the CLI streams
/// it to standard output).
///
/// # Errors
/// The first error `out` returns.
pub fn write<W: std::io::Write>(
    out: W,
    report: &Report,
    sources: &Sources<'_>,
    opts: &SarifOptions,
) -> std::io::Result<()> {
    let mut indexes: HashMap<&str, Option<LineIndex<'_>>> = HashMap::new();
    let mut opts = opts.clone();
    for n in &report.notes {
        let li = n
            .file
            .as_deref()
            .and_then(|f| index_for(&mut indexes, sources, f).as_ref());
        opts.notes.push(SarifNote::new(n, li));
    }
    let opts = &opts;
    let mut w = SarifWriter::begin(out, &report.options, opts)?;
    for f in &report.findings {
        let li = index_for(&mut indexes, sources, &f.file);
        w.finding(f, li.as_ref())?;
    }
    for e in &report.errors {
        let li = index_for(&mut indexes, sources, &e.file);
        w.error(e, li.as_ref());
    }
    w.finish().map(drop)
}

/// The SARIF log as a JSON value (see [`render`]).
pub fn to_value(report: &Report, sources: &Sources<'_>, opts: &SarifOptions) -> Value {
    serde_json::from_str(&render(report, sources, opts)).unwrap_or(Value::Null)
}

/// The pretty SARIF log written as the checker produces it (see [`crate::Batch`]):
/// [`SarifWriter::begin`] writes the run up to its `results`, each finding is a result
/// as it comes ([`SarifWriter::batch`]), and [`SarifWriter::finish`] adds the error
/// entries' results (the log lists them after the findings, so they are kept until
/// then) and closes the log. Byte for byte what [`write`] prints for the same report.
pub struct SarifWriter<W: std::io::Write> {
    out: W,
    opts: SarifOptions,
    /// The log after its `results` array.
    tail: String,
    /// The indentation of the `results` key, in spaces.
    indent: usize,
    results: usize,
    /// Occurrences of each identity's hash, for the fingerprints.
    seen: HashMap<u64, usize>,
    /// The error entries and their regions, for [`SarifWriter::finish`].
    errors: KeptErrors<Region>,
    /// The fixes of the file being written, when the log shows them.
    fixes: Option<FixTable>,
}

impl<W: std::io::Write> SarifWriter<W> {
    /// Writes the log up to the run's `results` (the rule descriptors included).
    ///
    /// # Errors
    /// The first error `out` returns.
    pub fn begin(
        mut out: W,
        options: &ReportOptions,
        opts: &SarifOptions,
    ) -> std::io::Result<Self> {
        let head =
            serde_json::to_string_pretty(&log(options, opts)).map_err(std::io::Error::from)?;
        const RESULTS: &str = "\"results\": []";
        // The key is written once, by `Run`: rule texts are JSON strings, whose quotes
        // are escaped.
        let at = head.find(RESULTS).unwrap_or(head.len());
        let (before, after) = head.split_at(at);
        let indent = before.len() - before.rfind('\n').map_or(0, |i| i + 1);
        out.write_all(before.as_bytes())?;
        out.write_all(b"\"results\": [")?;
        Ok(SarifWriter {
            out,
            opts: opts.clone(),
            tail: after.get(RESULTS.len()..).unwrap_or("").to_string(),
            indent,
            results: 0,
            seen: HashMap::new(),
            fixes: None,
            errors: KeptErrors::new(),
        })
    }

    /// Writes the error entries' results and the rest of the log; returns the output.
    ///
    /// # Errors
    /// The first error the output returns.
    pub fn finish(mut self) -> std::io::Result<W> {
        for e in std::mem::replace(&mut self.errors, KeptErrors::new()).into_iter() {
            let document = e.document.to_string();
            let identity = [INPUT_ERROR_RULE, &*e.file, &document, &*e.message];
            let fp = fingerprint(&mut self.seen, &identity);
            let result = error_result(&e.file, e.document, &e.message, e.at, fp, &self.opts);
            self.result(&result)?;
        }
        if self.results > 0 {
            write!(self.out, "\n{:indent$}]", "", indent = self.indent)?;
        } else {
            self.out.write_all(b"]")?;
        }
        self.out.write_all(self.tail.as_bytes())?;
        Ok(self.out)
    }

    /// Shows the fixes of `table` (a file's offers) with the results written next, as
    /// SARIF `fixes` (§3.55), or none (`None`).
    pub fn set_fixes(&mut self, table: Option<FixTable>) {
        self.fixes = table;
    }

    fn result(&mut self, result: &SarifResult<'_>) -> std::io::Result<()> {
        self.next_result()?;
        write_pretty(&mut self.out, result, self.indent / 2 + 1)
    }

    /// Counts a result and writes what comes before it in `results` (a comma after the
    /// one before, a line break and the indentation): for [`SarifWriter::result`] and
    /// [`SarifWriter::rendered`] alike.
    fn next_result(&mut self) -> std::io::Result<()> {
        let separator = if self.results == 0 { "" } else { "," };
        self.results += 1;
        write!(
            self.out,
            "{separator}\n{:indent$}",
            "",
            indent = self.indent + 2
        )
    }
}

impl<W: std::io::Write> EntryWriter for SarifWriter<W> {
    /// Writes one finding's result.
    ///
    /// # Errors
    /// The first error the output returns.
    fn finding(&mut self, f: &Finding, li: Option<&LineIndex<'_>>) -> std::io::Result<()> {
        let fp = fingerprint(&mut self.seen, &finding_identity(f));
        let mut result = finding_result(f, region(li, f.span), fp, &self.opts);
        if let (Some(Offer::Fix(fix)), Some(li)) = (self.fixes.as_ref().and_then(|t| t.get(f)), li)
        {
            let artifact_location = location(
                &f.file,
                Region::Bytes {
                    byte_offset: 0,
                    byte_length: 0,
                },
                &self.opts,
            )
            .into_iter()
            .next()
            .map(|l| l.physical_location.artifact_location);
            if let Some(artifact_location) = artifact_location {
                result.fixes = Some(vec![SarifFix {
                    description: Text {
                        text: format!("{} ({})", fix.title, fix.applicability.as_str()),
                    },
                    artifact_changes: vec![ArtifactChange {
                        artifact_location,
                        replacements: fix
                            .edits
                            .iter()
                            .map(|e| Replacement {
                                deleted_region: exact_region(li, e.span),
                                inserted_content: (!e.new_text.is_empty()).then(|| Text {
                                    text: e.new_text.clone(),
                                }),
                            })
                            .collect(),
                    }],
                }]);
            }
        }
        self.result(&result)
    }

    /// Keeps one error entry (and its region) for [`SarifWriter::finish`].
    fn error(&mut self, e: &ErrorEntry, li: Option<&LineIndex<'_>>) {
        self.errors.keep(e, region(li, e.span));
    }
}

fn log(options: &ReportOptions, opts: &SarifOptions) -> Log<'static> {
    let mut rules: Vec<Descriptor> = RULES.iter().map(|r| descriptor(r)).collect();
    rules.push(input_error_descriptor());
    let results = Vec::new();
    Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "kube-secctx",
                    version: crate::VERSION,
                    semantic_version: crate::VERSION,
                    information_uri: information_uri(),
                    rules,
                },
            },
            invocations: [Invocation {
                execution_successful: true,
                tool_execution_notifications: opts
                    .notes
                    .iter()
                    .map(|n| Notification {
                        level: "note",
                        message: Text {
                            text: n.message.clone(),
                        },
                        locations: n
                            .at
                            .iter()
                            .flat_map(|(file, (line, column))| {
                                location(
                                    file,
                                    Region::Lines {
                                        start_line: *line,
                                        start_column: *column,
                                        end_line: *line,
                                        end_column: *column,
                                    },
                                    opts,
                                )
                            })
                            .collect(),
                    })
                    .collect(),
                working_directory: opts.src_root.clone().map(|uri| Uri { uri }),
            }],
            original_uri_base_ids: opts
                .src_root
                .clone()
                .map(|uri| BTreeMap::from([("%SRCROOT%", Uri { uri })])),
            column_kind: "utf16CodeUnits",
            results,
            properties: RunProperties {
                level: options.level.map_or("default", |l| l.as_str()),
                pss_version: options.pss_version.clone(),
                kube_version: options.kube_version.clone(),
            },
        }],
    }
}

pub(super) fn level_of(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The SARIF region of `span`: 1-based lines, columns in UTF-16 code units; a span that
/// runs on over blank lines ends at its last line with text (see [`display_end`]).
/// Without the file's text, the region is the span's bytes.
fn region(li: Option<&LineIndex<'_>>, span: Span) -> Region {
    let Some(li) = li else {
        return Region::Bytes {
            byte_offset: span.start,
            byte_length: span.end.saturating_sub(span.start),
        };
    };
    let start = li.line_col(span.start, Unit::Utf16);
    let end = li.line_col(display_end(li, span), Unit::Utf16);
    Region::Lines {
        start_line: start.line + 1,
        start_column: start.column + 1,
        end_line: end.line.max(start.line) + 1,
        end_column: end.column + 1,
    }
}

/// The exact region of `span` (a replacement's, unlike a result's, is not trimmed):
/// 1-based lines, columns in UTF-16 code units, end exclusive.
fn exact_region(li: &LineIndex<'_>, span: Span) -> Region {
    let start = li.line_col(span.start, Unit::Utf16);
    let end = li.line_col(span.end.max(span.start), Unit::Utf16);
    Region::Lines {
        start_line: start.line + 1,
        start_column: start.column + 1,
        end_line: end.line + 1,
        end_column: end.column + 1,
    }
}

/// What identifies a finding across runs: rule, file, resource and JSON pointer (not its
/// line, so an edit above it does not make a new alert).
fn finding_identity(f: &Finding) -> [&str; 7] {
    [
        f.rule,
        &f.file,
        &f.resource.api_version,
        &f.resource.kind,
        f.resource.namespace.as_deref().unwrap_or(""),
        f.resource.name.as_deref().unwrap_or(""),
        &f.path,
    ]
}

/// `<16 hex digits of FNV-1a 64 over the identity>:<occurrence>`: stable across runs,
/// builds and platforms; the occurrence (from 1) tells apart identical identities in one
/// run.
fn fingerprint(seen: &mut HashMap<u64, usize>, identity: &[&str]) -> String {
    let h = identity_hash(identity);
    format!("{h:016x}:{}", occurrence(seen, h))
}

/// The identity's occurrence in this run so far, from 1 (counted in `seen`).
fn occurrence(seen: &mut HashMap<u64, usize>, hash: u64) -> usize {
    let n = seen.entry(hash).or_insert(0);
    *n += 1;
    *n
}

/// FNV-1a 64 over the identity's parts, each separated by a byte that cannot occur in
/// UTF-8.
fn identity_hash(identity: &[&str]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, part) in identity.iter().enumerate() {
        if i > 0 {
            // A separator byte that cannot occur in the parts' UTF-8.
            h ^= 0xff;
            h = h.wrapping_mul(PRIME);
        }
        for b in part.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(PRIME);
        }
    }
    h
}

fn location(file: &str, region: Region, opts: &SarifOptions) -> [Location; 1] {
    let uri = opts
        .uris
        .get(file)
        .cloned()
        .unwrap_or_else(|| path_to_uri(file));
    let uri_base_id = (opts.src_root.is_some() && !uri.starts_with("file:")).then_some("%SRCROOT%");
    [Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri, uri_base_id },
            region,
        },
    }]
}

fn finding_result<'a>(
    f: &'a Finding,
    region: Region,
    fp: String,
    opts: &SarifOptions,
) -> SarifResult<'a> {
    SarifResult {
        rule_id: f.rule,
        // Every finding's rule is in RULES; the fallback is the input-error descriptor,
        // so the index is always valid.
        rule_index: RULES
            .iter()
            .position(|r| r.id == f.rule)
            .unwrap_or(RULES.len()),
        level: level_of(f.severity),
        // A resource judged as the cluster would: what Pod Security Admission does, after
        // the rule's message (code scanning shows only the message).
        message: Text {
            text: match &f.admission {
                Some(admission) => format!("{} [{admission}]", f.message),
                None => f.message.clone(),
            },
        },
        locations: location(&f.file, region, opts),
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fp)]),
        baseline_state: opts.baseline.then_some("new"),
        fixes: None,
        properties: ResultProperties {
            document: f.document,
            pss: f.pss.as_ref().map(|p| PssProperty {
                level: p.level.as_str(),
                check: p.check,
            }),
            resource: Some(ResourceProperty {
                api_version: &f.resource.api_version,
                kind: &f.resource.kind,
                name: f.resource.name.as_deref(),
                namespace: f.resource.namespace.as_deref(),
                matched_by: f.resource.matched_by,
            }),
            container: f.container.as_deref(),
            json_pointer: Some(&f.path),
            fix: Some(f.fix),
            admission: f.admission.as_deref(),
        },
    }
}

fn error_result(
    file: &str,
    document: usize,
    message: &str,
    region: Region,
    fp: String,
    opts: &SarifOptions,
) -> SarifResult<'static> {
    SarifResult {
        rule_id: INPUT_ERROR_RULE,
        rule_index: RULES.len(),
        level: "error",
        message: Text {
            text: message.to_string(),
        },
        locations: location(file, region, opts),
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fp)]),
        baseline_state: opts.baseline.then_some("new"),
        fixes: None,
        properties: ResultProperties {
            document,
            pss: None,
            resource: None,
            container: None,
            json_pointer: None,
            fix: None,
            admission: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::rules::{pascal_case, truncate};
    use super::*;
    use crate::{check, Options};

    #[test]
    fn uris() {
        assert_eq!(path_to_uri("deploy/web.yaml"), "deploy/web.yaml");
        assert_eq!(path_to_uri("./deploy/web.yaml"), "deploy/web.yaml");
        assert_eq!(path_to_uri("deploy\\web app.yaml"), "deploy/web%20app.yaml");
        assert_eq!(path_to_uri("/tmp/x.yaml"), "file:///tmp/x.yaml");
        assert_eq!(path_to_uri("C:\\work\\x.yaml"), "file:///C:/work/x.yaml");
        assert_eq!(
            path_to_uri("\\\\srv\\share\\x.yaml"),
            "file://srv/share/x.yaml"
        );
        assert_eq!(path_to_uri("<stdin>"), "%3Cstdin%3E");
        assert_eq!(path_to_uri("a:b/é#?.yaml"), "a%3Ab/%C3%A9%23%3F.yaml");
        assert_eq!(path_to_uri("/work/main/"), "file:///work/main/");
        assert_eq!(path_bytes_to_uri(b"./a\xfe b.yaml"), "a%FE%20b.yaml");
        assert_eq!(path_bytes_to_uri(b"/tmp/\xff.yaml"), "file:///tmp/%FF.yaml");
    }

    #[test]
    fn names_and_fingerprints() {
        assert_eq!(pascal_case("privileged-container"), "PrivilegedContainer");
        let mut seen = HashMap::new();
        let a = fingerprint(&mut seen, &["r", "f"]);
        let b = fingerprint(&mut seen, &["r", "f"]);
        let c = fingerprint(&mut seen, &["rf", ""]);
        assert!(a.ends_with(":1") && b.ends_with(":2"));
        assert_eq!(a.split(':').next(), b.split(':').next());
        assert_ne!(a.split(':').next(), c.split(':').next());
        assert_eq!(truncate("héllo", 2), "hé");
    }

    /// The result of the privileged-container finding in a log.
    fn privileged(log: &Value) -> &Value {
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["ruleId"] == "privileged-container")
            .unwrap()
    }

    #[test]
    fn utf16_region() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: \"😀日本\"}\nspec:\n  containers:\n  - {name: \"😀\", image: x, securityContext: {privileged: true}}\n";
        let report = check("p.yaml", text, &Options::default()).unwrap();
        let v = to_value(&report, &|_| Some(text), &SarifOptions::default());
        let run = &v["runs"][0];
        assert_eq!(run["columnKind"], "utf16CodeUnits");
        let r = privileged(&v);
        let region = &r["locations"][0]["physicalLocation"]["region"];
        // Bytes before `true` on its line; the line has one 😀 (4 bytes, 2 UTF-16 units).
        let col = text.lines().nth(5).unwrap().find("true").unwrap();
        assert_eq!(region["startLine"], 6);
        assert_eq!(region["startColumn"], col - 4 + 2 + 1);
        assert_eq!(region["endColumn"], col - 4 + 2 + 1 + 4);
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            run["tool"]["driver"]["rules"][i]["id"],
            "privileged-container"
        );
        // Without the text: the region in bytes.
        let bytes = to_value(&report, &|_| None, &SarifOptions::default());
        let region = &privileged(&bytes)["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["byteOffset"], text.find("true").unwrap());
        assert_eq!(region["byteLength"], 4);
    }
}
