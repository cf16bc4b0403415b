//! The engine: parse, extract workloads, run the rules, resolve spans, build the report.

use std::collections::HashSet;

use crate::report::{
    ErrorEntry, Finding, Level, LineIndex, PssRef, Report, ReportOptions, Summary,
};
use crate::rules::{Category, Ctx, Hit, Rule, RULES};
use crate::workload::{annotations, extract, Container, Extracted, Workload};
use crate::yaml::{parse_stream, Document, Limits, NodeId, Span, Stream, Value};
use crate::{Options, LATEST_MINOR};

/// The annotation that suppresses rules for one resource: a comma-separated list of rule
/// IDs, on the resource's `metadata` or on its pod template's `metadata`.
pub const IGNORE_ANNOTATION: &str = "kube-secctx.io/ignore";

/// Which rules run, and as which PSA check.
struct Plan {
    rules: Vec<(&'static Rule, Option<&'static str>)>,
    level: Level,
    version: u32,
}

fn plan(opts: &Options) -> Plan {
    let level = opts.level.unwrap_or(Level::Restricted);
    let version = opts.pss_version.minor();
    let selected = |r: &Rule| {
        (opts.select.is_empty() || opts.select.iter().any(|s| s == r.id))
            && !opts.ignore.iter().any(|s| s == r.id)
    };
    let rules = RULES
        .iter()
        .copied()
        .filter(|r| selected(r))
        .filter_map(|r| match r.category {
            Category::Pss => r.pss_check_at(level, version).map(|c| (r, Some(c))),
            // Hardening rules and input diagnostics run in the default profile only.
            _ if opts.level.is_none() => Some((r, None)),
            _ => None,
        })
        .collect();
    Plan {
        rules,
        level,
        version,
    }
}

/// Why each rule named in `opts.select` will not run with these options (it is also
/// ignored; it is not a PSS check and `level` is set; its PSA check does not apply at this
/// level or version, or a restricted check replaces it). One sentence per rule, for front
/// ends to show as warnings; empty when every selected rule runs.
pub fn inactive_selected(opts: &Options) -> Vec<String> {
    let level = opts.level.unwrap_or(Level::Restricted);
    let version = opts.pss_version.minor();
    let mut out = Vec::new();
    for id in &opts.select {
        let Some(rule) = crate::rules::rule(id) else {
            continue;
        };
        let why = if opts.ignore.iter().any(|i| i == id) {
            "it is also in --ignore".to_string()
        } else if rule.category != Category::Pss {
            if opts.level.is_some() {
                "it is not a Pod Security Standards check, so it does not run with --level"
                    .to_string()
            } else {
                continue;
            }
        } else if rule.pss_check_at(level, version).is_some() {
            continue;
        } else if let Some(pss) = rule.pss {
            if pss.level > level {
                format!(
                    "it is a {} check and the level is {}",
                    pss.level.as_str(),
                    level.as_str()
                )
            } else if version < pss.since {
                format!(
                    "its PSA check `{}` applies from v1.{}, and the PSS version is v1.{version}",
                    pss.check, pss.since
                )
            } else {
                format!(
                    "at the restricted level from v1.{} a stricter restricted check replaces `{}`",
                    pss.replaced_in_restricted_since.unwrap_or(0),
                    pss.check
                )
            }
        } else {
            continue;
        };
        out.push(format!("rule `{id}` will not run: {why}"));
    }
    out
}

/// Starts an empty report for `opts`.
pub fn new_report(opts: &Options) -> Report {
    Report {
        version: crate::VERSION,
        options: ReportOptions {
            level: opts.level,
            pss_version: format!("v1.{}", opts.pss_version.minor().min(LATEST_MINOR)),
            select: opts.select.clone(),
            ignore: opts.ignore.clone(),
        },
        files: Vec::new(),
        findings: Vec::new(),
        errors: Vec::new(),
        summary: Summary::default(),
    }
}

/// Checks one file's text and appends its findings and errors to `report`.
pub fn check_into(report: &mut Report, file: &str, text: &str, opts: &Options) {
    let lines = LineIndex::new(text);
    let stream = parse_stream(text, &opts.limits);
    check_stream_into(report, file, &stream, &lines, opts);
}

/// Checks an already-built document stream and appends its findings and errors to
/// `report`; `lines` indexes the text the stream's spans point into. For front ends that
/// build documents from data rather than text (the admission builds convert a decoded
/// JSON object, see `crate::admission`): there every span is empty and `lines` is
/// `LineIndex::new("")`, so positions are 1:1 and only the JSON pointers are meaningful.
pub fn check_stream_into(
    report: &mut Report,
    file: &str,
    stream: &Stream<'_>,
    lines: &LineIndex<'_>,
    opts: &Options,
) {
    check_stream_keeping_suppressed(report, file, stream, lines, opts, None);
}

/// As [`check_stream_into`], and when `suppressed` is given, the findings that the
/// [`IGNORE_ANNOTATION`] suppressed are pushed there instead of being dropped (they are
/// still counted in `summary.suppressed`, and never added to the report's findings).
/// The admission builds use it to report what a pod author's annotation suppressed,
/// or to disregard the annotation.
pub fn check_stream_keeping_suppressed(
    report: &mut Report,
    file: &str,
    stream: &Stream<'_>,
    lines: &LineIndex<'_>,
    opts: &Options,
    mut suppressed: Option<&mut Vec<Finding>>,
) {
    let plan = plan(opts);
    report.files.push(file.to_string());
    report.summary.documents += stream.document_count;
    let mut findings = Vec::new();
    let mut errors: Vec<ErrorEntry> = stream
        .errors
        .iter()
        .map(|e| {
            // An error at the very end ("unexpected end of input") points at the end of
            // the last line, not at a line after it that editors and SARIF do not have.
            let eof = lines.text().trim_end_matches(['\n', '\r']).len();
            let span = if e.span.start > eof {
                Span::new(eof, eof)
            } else {
                e.span
            };
            ErrorEntry {
                file: file.to_string(),
                document: e.document,
                message: e.message.clone(),
                range: lines.range(span),
                span,
            }
        })
        .collect();
    for doc in &stream.documents {
        let Extracted {
            workloads,
            errors: problems,
        } = extract(doc);
        for (message, span) in problems {
            let span = Span::new(span.start, span.start);
            errors.push(ErrorEntry {
                file: file.to_string(),
                document: doc.index,
                message,
                range: lines.range(span),
                span,
            });
        }
        for w in &workloads {
            let Some(spec) = w.spec else { continue };
            report.summary.resources += 1;
            let ignored = ignored_rules(doc, w);
            for &(rule, check) in &plan.rules {
                let mut ctx = Ctx {
                    doc,
                    workload: w,
                    spec,
                    level: plan.level,
                    version: plan.version,
                    lines,
                    hits: Vec::new(),
                };
                (rule.check)(&mut ctx);
                for hit in ctx.hits {
                    if ignored.contains(rule.id) {
                        report.summary.suppressed += 1;
                        if let Some(sink) = suppressed.as_deref_mut() {
                            sink.push(finding(file, doc, w, rule, check, hit, lines));
                        }
                        continue;
                    }
                    findings.push(finding(file, doc, w, rule, check, hit, lines));
                }
            }
        }
    }
    findings.sort_by(|a, b| {
        (a.document, a.span.start, a.span.end, a.rule, &a.message).cmp(&(
            b.document,
            b.span.start,
            b.span.end,
            b.rule,
            &b.message,
        ))
    });
    errors.sort_by_key(|e| (e.document, e.span.start));
    report.summary.files += 1;
    report.summary.errors += errors.len();
    report.summary.findings += findings.len();
    for f in &findings {
        *report
            .summary
            .by_rule
            .entry(f.rule.to_string())
            .or_default() += 1;
        *report
            .summary
            .by_severity
            .entry(f.severity.as_str().to_string())
            .or_default() += 1;
    }
    report.findings.extend(findings);
    report.errors.extend(errors);
}

/// Checks one file given as bytes, as the CLI reads it, and returns its text (for code
/// frames).
///
/// UTF-8 text is checked by [`check_into`]. A file that is not UTF-8 is not checked: it is
/// recorded as one error entry at its first invalid byte (a UTF-16 byte order mark is named
/// as such), and the text returned has the invalid bytes replaced by U+FFFD.
pub fn check_bytes_into(report: &mut Report, file: &str, bytes: Vec<u8>, opts: &Options) -> String {
    match String::from_utf8(bytes) {
        Ok(text) => {
            check_into(report, file, &text, opts);
            text
        }
        Err(e) => add_encoding_error(report, file, e.as_bytes()),
    }
}

/// Records a file that is not UTF-8 as an input error at its first invalid byte, and
/// returns its text (invalid bytes replaced) for code frames. The file is not checked.
fn add_encoding_error(report: &mut Report, name: &str, bytes: &[u8]) -> String {
    let valid = match std::str::from_utf8(bytes) {
        Ok(_) => bytes.len(),
        Err(e) => e.valid_up_to(),
    };
    let text = String::from_utf8_lossy(bytes).into_owned();
    let message = if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        "the file is UTF-16 (it starts with a UTF-16 byte order mark): convert it to UTF-8"
            .to_string()
    } else {
        let byte = bytes.get(valid).copied().unwrap_or(0);
        format!("the file is not valid UTF-8 (byte 0x{byte:02X}): manifests must be UTF-8")
    };
    let span = Span::new(valid, valid);
    let range = LineIndex::new(&text).range(span);
    report.files.push(name.to_string());
    report.errors.push(ErrorEntry {
        file: name.to_string(),
        document: 0,
        message,
        range,
        span,
    });
    report.summary.files += 1;
    report.summary.errors += 1;
    text
}

/// Rule IDs named in the `kube-secctx.io/ignore` annotation of the resource or its pod
/// template.
fn ignored_rules<'d>(doc: &'d Document<'_>, w: &Workload) -> HashSet<&'d str> {
    let mut out = HashSet::new();
    for meta in [w.metadata, w.pod_metadata] {
        for (k, v) in annotations(doc, meta) {
            if k == IGNORE_ANNOTATION {
                out.extend(v.split(',').map(str::trim).filter(|s| !s.is_empty()));
            }
        }
    }
    out
}

fn finding(
    file: &str,
    doc: &Document<'_>,
    w: &Workload,
    rule: &'static Rule,
    check: Option<&'static str>,
    hit: Hit,
    lines: &LineIndex<'_>,
) -> Finding {
    // The container a finding is in: the one the rule named, else the one whose item
    // holds the field (diagnostics report absolute pointers).
    let container = hit
        .container_index
        .and_then(|i| w.containers.get(i))
        .or_else(|| {
            w.containers.iter().find(|c| {
                hit.pointer
                    .strip_prefix(c.pointer.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            })
        });
    let span = hit
        .span
        .unwrap_or_else(|| resolve_span(doc, w, container, &hit.pointer));
    let pss = match (hit.check, rule.pss, check) {
        (Some((level, check)), _, _) => Some(PssRef { level, check }),
        (None, Some(info), Some(check)) => Some(PssRef {
            level: info.level,
            check,
        }),
        _ => None,
    };
    Finding {
        file: file.to_string(),
        document: doc.index,
        resource: w.resource.clone(),
        container: container.and_then(|c| c.name.clone()).or(hit.container),
        rule: rule.id,
        pss,
        severity: rule.severity,
        message: hit.message,
        path: hit.pointer,
        range: lines.range(span),
        fix: rule.fix,
        span,
    }
}

/// Where a finding about `pointer` points.
///
/// - The field exists (and is not `null`): its value.
/// - The field is `null`: its key.
/// - A missing container field: the container's `securityContext:` key if it has one,
///   else the first key of the container's item (`- name:` or `- image:`).
/// - A missing pod field: the pod's `securityContext:` key if present, else the pod
///   spec's key (`spec:`).
///
/// `container` is the container the finding is in, if any.
pub fn resolve_span(
    doc: &Document<'_>,
    w: &Workload,
    container: Option<&Container>,
    pointer: &str,
) -> Span {
    let Some(root) = doc.root else {
        return Span::default();
    };
    if let Some(found) = walk(doc, root, pointer) {
        return found;
    }
    let key_of = |node: NodeId, key: &str| doc.entry(node, key).map(|e| e.key_span);
    if let Some(c) = container {
        if let Some(s) = key_of(c.node, "securityContext") {
            return s;
        }
        return match doc.node(c.node).map(|n| &n.value) {
            Some(Value::Map(entries)) => {
                entries.iter().map(|e| e.key_span).min().unwrap_or_default()
            }
            Some(_) => doc.node(c.node).map(|n| n.span).unwrap_or_default(),
            None => Span::default(),
        };
    }
    if let Some(spec) = w.spec {
        if let Some(s) = key_of(spec, "securityContext") {
            return s;
        }
    }
    w.spec_key
}

/// Walks `pointer` from `root`; the span of the value, or of the key when the value is
/// `null`. `None` when a step is missing.
fn walk(doc: &Document<'_>, root: NodeId, pointer: &str) -> Option<Span> {
    let mut cur = root;
    let mut key_span = None;
    for raw in pointer.strip_prefix('/')?.split('/') {
        let token = raw.replace("~1", "/").replace("~0", "~");
        match &doc.node(cur)?.value {
            Value::Map(entries) => {
                let e = entries.iter().find(|e| e.key == token)?;
                key_span = Some(e.key_span);
                cur = e.value;
            }
            Value::Seq(items) => {
                cur = *items.get(token.parse::<usize>().ok()?)?;
                key_span = None;
            }
            Value::Scalar(_) => return None,
        }
    }
    if doc.is_null(cur) {
        return key_span;
    }
    doc.node(cur).map(|n| n.span)
}

/// Default limits, re-exported for front ends.
pub fn default_limits() -> Limits {
    Limits::default()
}
