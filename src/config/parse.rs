//! The configuration file's text → [`ConfigFile`], with every error at its position.

use std::path::{Path, PathBuf};

use super::{ConfigError, ConfigFile, FailOn, Located, PathGlobs, PerFileIgnore};
use crate::options::{KubeVersion, Level, PssVersion};
use crate::position::{LineIndex, Unit};
use crate::rules;
use crate::yaml::{parse_stream, Document, Limits, NodeId, Resolved, Span, Value};

/// The configuration file's keys, in the order `--show-settings` lists them.
pub const KEYS: [&str; 10] = [
    "level",
    "pssVersion",
    "kubernetesVersion",
    "select",
    "ignore",
    "exclude",
    "perFileIgnores",
    "namespaces",
    "admissionConfig",
    "failOn",
];

struct Parser<'t> {
    path: &'t Path,
    lines: LineIndex<'t>,
    errors: Vec<ConfigError>,
}

impl Parser<'_> {
    fn position(&self, offset: usize) -> (usize, usize) {
        let at = self.lines.line_col(offset, Unit::Char);
        (at.line + 1, at.column + 1)
    }

    fn error(&mut self, span: Span, message: String, suggestions: Vec<String>) {
        let (line, column) = self.position(span.start);
        self.errors.push(ConfigError {
            path: self.path.to_path_buf(),
            line,
            column,
            message,
            suggestions,
        });
    }

    fn located<T>(&self, key: Span, value: T) -> Located<T> {
        let (line, column) = self.position(key.start);
        Located {
            value,
            line,
            column,
        }
    }
}

/// See [`ConfigFile::parse`].
pub(super) fn parse(path: &Path, text: &str) -> Result<ConfigFile, Vec<ConfigError>> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut p = Parser {
        path,
        lines: LineIndex::new(text),
        errors: Vec::new(),
    };
    let mut out = ConfigFile {
        path: path.to_path_buf(),
        dir,
        ..ConfigFile::default()
    };
    let stream = parse_stream(text, &Limits::default());
    for e in &stream.errors {
        p.error(e.span, e.message.clone(), Vec::new());
    }
    let mut docs = stream.documents.iter().filter(|d| d.root.is_some());
    let doc = docs.next();
    if let Some(second) = docs.next() {
        p.error(
            second.span,
            "a configuration file holds one YAML document".to_string(),
            Vec::new(),
        );
    }
    if let Some(doc) = doc {
        for dup in &doc.duplicates {
            let (line, _) = p.position(dup.hidden.start);
            p.error(
                dup.winner,
                format!("key {:?} is given twice (also on line {line})", dup.key),
                Vec::new(),
            );
        }
        if let Some(root) = doc.root {
            read_root(&mut p, doc, root, &mut out);
        }
    }
    if p.errors.is_empty() {
        Ok(out)
    } else {
        p.errors.sort_by_key(|e| (e.line, e.column));
        Err(p.errors)
    }
}

fn read_root(p: &mut Parser<'_>, doc: &Document<'_>, root: NodeId, out: &mut ConfigFile) {
    let span = node_span(doc, root);
    let Some(entries) = doc.map(root) else {
        if !doc.is_null(root) {
            p.error(
                span,
                format!(
                    "a configuration file is a mapping of keys ({}), not {}",
                    KEYS.join(", "),
                    what(doc, root)
                ),
                Vec::new(),
            );
        }
        return;
    };
    for e in entries {
        let key = e.key_span();
        let v = e.value;
        match e.key.as_ref() {
            "level" => {
                if let Some(level) = level(p, doc, v) {
                    out.level = Some(p.located(key, level));
                }
            }
            "pssVersion" => {
                if let Some(version) = pss_version(p, doc, v) {
                    out.pss_version = Some(p.located(key, version));
                }
            }
            "kubernetesVersion" => {
                if let Some(version) = kube_version(p, doc, v) {
                    out.kube_version = Some(p.located(key, version));
                }
            }
            "select" => {
                if let Some(ids) = rule_ids(p, doc, v, "select") {
                    out.select = Some(p.located(key, ids));
                }
            }
            "ignore" => {
                if let Some(ids) = rule_ids(p, doc, v, "ignore") {
                    out.ignore = Some(p.located(key, ids));
                }
            }
            "exclude" => {
                if let Some(globs) = globs(p, doc, v) {
                    out.exclude = Some(p.located(key, globs));
                }
            }
            "perFileIgnores" => {
                if let Some(entries) = per_file_ignores(p, doc, v) {
                    out.per_file_ignores = Some(p.located(key, entries));
                }
            }
            "namespaces" => {
                if let Some(files) = paths(p, doc, v, "namespaces", true) {
                    let files = files.into_iter().map(|f| out.dir.join(f)).collect();
                    out.namespaces = Some(p.located(key, files));
                }
            }
            "admissionConfig" => {
                if let Some(file) =
                    paths(p, doc, v, "admissionConfig", false).and_then(|f| f.into_iter().next())
                {
                    out.admission_config = Some(p.located(key, out.dir.join(file)));
                }
            }
            "failOn" => {
                if let Some(f) = fail_on(p, doc, v) {
                    out.fail_on = Some(p.located(key, f));
                }
            }
            other => p.error(
                key,
                format!("unknown key {other:?}: the keys are {}", KEYS.join(", ")),
                key_suggestions(other),
            ),
        }
    }
}

/// Known keys close to an unknown one: by spelling, and `kubernetesVersion` for the
/// names the Kubernetes version has elsewhere (`kubeVersion` in the JSON report, the JS
/// API and the language server; `k8sVersion`), too far apart for spelling alone.
fn key_suggestions(unknown: &str) -> Vec<String> {
    let mut out: Vec<String> = crate::suggest::did_you_mean(unknown, KEYS)
        .into_iter()
        .map(String::from)
        .collect();
    let folded: String = unknown
        .chars()
        .filter(|c| !matches!(c, '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect();
    if matches!(folded.as_str(), "kubeversion" | "k8sversion")
        && !out.iter().any(|s| s == "kubernetesVersion")
    {
        out.insert(0, "kubernetesVersion".to_string());
    }
    out
}

fn node_span(doc: &Document<'_>, id: NodeId) -> Span {
    doc.node(id).map_or(Span::new(0, 0), |n| n.span())
}

/// What a node is, for messages: `a list`, `a mapping`, `the number 3`, `null`.
fn what(doc: &Document<'_>, id: NodeId) -> String {
    match doc.node(id).map(|n| &n.value) {
        Some(Value::Map(_)) => "a mapping".to_string(),
        Some(Value::Seq(_)) => "a list".to_string(),
        Some(Value::Scalar(s)) => match s.resolved() {
            Resolved::Null => "null".to_string(),
            Resolved::Bool(b) => format!("the boolean {b}"),
            Resolved::Int(_) | Resolved::Float(_) => format!("the number {}", s.text),
            Resolved::Str => format!("{:?}", s.text),
        },
        None => "nothing".to_string(),
    }
}

/// The text of a string scalar (plain, quoted or block); `None` for anything else.
fn string<'d>(doc: &'d Document<'_>, id: NodeId) -> Option<&'d str> {
    let s = doc.scalar(id)?;
    (s.resolved() == Resolved::Str).then_some(s.text.as_ref())
}

fn level(p: &mut Parser<'_>, doc: &Document<'_>, v: NodeId) -> Option<Option<Level>> {
    const VALUES: [&str; 3] = ["baseline", "restricted", "default"];
    if doc.is_null(v) {
        return Some(None);
    }
    match string(doc, v) {
        Some("default") => Some(None),
        Some(s) => match s.parse::<Level>() {
            Ok(l) => Some(Some(l)),
            Err(_) => {
                p.error(
                    node_span(doc, v),
                    format!(
                        "level: invalid level {s:?}: expected \"baseline\", \"restricted\" or \
                         \"default\" (the default profile)"
                    ),
                    crate::suggest::did_you_mean(s, VALUES)
                        .into_iter()
                        .map(String::from)
                        .collect(),
                );
                None
            }
        },
        None => {
            p.error(
                node_span(doc, v),
                format!(
                    "level: expected \"baseline\", \"restricted\" or \"default\", got {}",
                    what(doc, v)
                ),
                Vec::new(),
            );
            None
        }
    }
}

fn pss_version(p: &mut Parser<'_>, doc: &Document<'_>, v: NodeId) -> Option<PssVersion> {
    let parsed = string(doc, v)
        .ok_or_else(|| what(doc, v))
        .and_then(|s| s.parse::<PssVersion>().map_err(|_| format!("{s:?}")));
    match parsed {
        Ok(version) => Some(version),
        Err(got) => {
            let expected = crate::options::OptionsError::PssVersion(String::new()).expected();
            p.error(
                node_span(doc, v),
                format!("pssVersion: expected {expected}, got {got}"),
                Vec::new(),
            );
            None
        }
    }
}

/// `kubernetesVersion`: a string [`KubeVersion`] reads. A plain number (`1.30`, which YAML
/// reads as the float 1.3) is an error that suggests the quoted `v1.N` form, rather than a
/// guess at what was meant.
fn kube_version(p: &mut Parser<'_>, doc: &Document<'_>, v: NodeId) -> Option<KubeVersion> {
    let expected = || crate::options::OptionsError::KubeVersion(String::new()).expected();
    if let Some(s) = string(doc, v) {
        return match s.parse::<KubeVersion>() {
            Ok(version) => Some(version),
            Err(_) => {
                p.error(
                    node_span(doc, v),
                    format!("kubernetesVersion: expected {}, got {s:?}", expected()),
                    Vec::new(),
                );
                None
            }
        };
    }
    // A number written as a version: suggest the string it was meant to be when that is
    // one (`1.30` -> `v1.30`; the text as written, not the float).
    let suggestion = doc
        .scalar(v)
        .filter(|s| matches!(s.resolved(), Resolved::Float(_) | Resolved::Int(_)))
        .map(|s| format!("v{}", s.text))
        .filter(|s| s.parse::<KubeVersion>().is_ok());
    let got = what(doc, v);
    let hint = if suggestion.is_some() {
        " (a number in YAML: write the version as a string)"
    } else {
        ""
    };
    p.error(
        node_span(doc, v),
        format!(
            "kubernetesVersion: expected {}, got {got}{hint}",
            expected()
        ),
        suggestion.into_iter().collect(),
    );
    None
}

/// A list of strings: each item with its node; an error naming `key` for anything else.
fn strings<'d>(
    p: &mut Parser<'_>,
    doc: &'d Document<'_>,
    v: NodeId,
    key: &str,
    what_items: &str,
) -> Option<Vec<(&'d str, NodeId)>> {
    let Some(items) = doc.seq(v) else {
        p.error(
            node_span(doc, v),
            format!(
                "{key}: expected a list of {what_items}, got {}",
                what(doc, v)
            ),
            Vec::new(),
        );
        return None;
    };
    let mut out = Vec::new();
    let mut ok = true;
    for &item in items {
        match string(doc, item) {
            Some(s) => out.push((s, item)),
            None => {
                ok = false;
                p.error(
                    node_span(doc, item),
                    format!("{key}: expected {what_items}, got {}", what(doc, item)),
                    Vec::new(),
                );
            }
        }
    }
    ok.then_some(out)
}

/// Rule IDs, each of which must exist (as the CLI's `Options::validate` checks them).
fn rule_ids(p: &mut Parser<'_>, doc: &Document<'_>, v: NodeId, key: &str) -> Option<Vec<String>> {
    let items = strings(p, doc, v, key, "rule IDs")?;
    let mut ok = true;
    let mut out = Vec::new();
    for (id, node) in items {
        let id = id.trim();
        if rules::rule(id).is_none() {
            ok = false;
            p.error(
                node_span(doc, node),
                format!("{key}: unknown rule {id:?}: run `kube-secctx rules` for the list"),
                crate::render::suggest_rules(id)
                    .into_iter()
                    .map(String::from)
                    .collect(),
            );
        } else {
            out.push(id.to_string());
        }
    }
    ok.then_some(out)
}

fn globs(p: &mut Parser<'_>, doc: &Document<'_>, v: NodeId) -> Option<Vec<String>> {
    let items = strings(p, doc, v, "exclude", "globs")?;
    let mut ok = true;
    for (glob, node) in &items {
        if let Err(e) = PathGlobs::check(glob) {
            ok = false;
            p.error(node_span(doc, *node), format!("exclude: {e}"), Vec::new());
        }
    }
    ok.then(|| items.into_iter().map(|(g, _)| g.to_string()).collect())
}

fn per_file_ignores(
    p: &mut Parser<'_>,
    doc: &Document<'_>,
    v: NodeId,
) -> Option<Vec<PerFileIgnore>> {
    let Some(entries) = doc.map(v) else {
        p.error(
            node_span(doc, v),
            format!(
                "perFileIgnores: expected a mapping of globs to lists of rule IDs \
                 ({{\"legacy/**\": [rule-id]}}), got {}",
                what(doc, v)
            ),
            Vec::new(),
        );
        return None;
    };
    let mut ok = true;
    let mut out = Vec::new();
    for e in entries {
        if let Err(err) = PathGlobs::check(&e.key) {
            ok = false;
            p.error(e.key_span(), format!("perFileIgnores: {err}"), Vec::new());
        }
        let key = format!("perFileIgnores {:?}", e.key);
        match rule_ids(p, doc, e.value, &key) {
            Some(rules) => out.push(PerFileIgnore {
                pattern: e.key.to_string(),
                rules,
            }),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// A path (`list` allows a list of paths too), as written.
fn paths(
    p: &mut Parser<'_>,
    doc: &Document<'_>,
    v: NodeId,
    key: &str,
    list: bool,
) -> Option<Vec<String>> {
    if let Some(s) = string(doc, v) {
        if s.is_empty() {
            p.error(
                node_span(doc, v),
                format!("{key}: expected a file path, got an empty string"),
                Vec::new(),
            );
            return None;
        }
        return Some(vec![s.to_string()]);
    }
    if list && doc.seq(v).is_some() {
        let items = strings(p, doc, v, key, "file paths")?;
        return Some(items.into_iter().map(|(s, _)| s.to_string()).collect());
    }
    let expected = if list {
        "a file path or a list of file paths"
    } else {
        "a file path"
    };
    p.error(
        node_span(doc, v),
        format!("{key}: expected {expected}, got {}", what(doc, v)),
        Vec::new(),
    );
    None
}

fn fail_on(p: &mut Parser<'_>, doc: &Document<'_>, v: NodeId) -> Option<FailOn> {
    const VALUES: [&str; 3] = ["error", "warning", "none"];
    match string(doc, v) {
        Some("error") => Some(FailOn::Error),
        Some("warning") => Some(FailOn::Warning),
        Some("none") => Some(FailOn::None),
        other => {
            let got = other.map_or_else(|| what(doc, v), |s| format!("{s:?}"));
            p.error(
                node_span(doc, v),
                format!("failOn: expected \"error\", \"warning\" or \"none\", got {got}"),
                other
                    .map(|s| crate::suggest::did_you_mean(s, VALUES))
                    .unwrap_or_default()
                    .into_iter()
                    .map(String::from)
                    .collect(),
            );
            None
        }
    }
}
