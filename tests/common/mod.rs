//! Helpers shared by the integration tests: where the shared corpus is, and reports with
//! positions.
//!
//! The core reports byte spans; tests that assert lines and columns convert them here the
//! way the CLI's JSON report does (`render::json`, 1-based lines, columns in characters,
//! offsets in bytes), as a front end would.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod process;

use std::ops::Deref;
use std::path::{Path, PathBuf};

use kube_secctx::position::LineIndex;
use kube_secctx::render::json::{range, Positions, Range};
use kube_secctx::{check, ErrorEntry, Finding, Options, Report};

/// The shared folder beside the repository (`../shared`), as developers and CI have it.
pub fn shared_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    assert!(
        dir.is_dir(),
        "the shared folder is missing: expected {} (it must sit beside the repository, as \
         it does for developers and CI)",
        dir.display()
    );
    dir
}

/// `../shared/corpus/real`: manifests from public projects (see its `SOURCES.tsv`).
pub fn corpus_dir() -> PathBuf {
    shared_dir().join("corpus/real")
}

/// A file of the real corpus.
pub fn read_corpus(name: &str) -> String {
    let path = corpus_dir().join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every `*.yaml`/`*.yml`/`*.json` file below `dir`, sorted.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Every manifest of the real corpus (`*.yaml`, `*.yml`), sorted.
pub fn corpus_manifests() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml") || n.ends_with(".yml"))
        .collect();
    names.sort();
    names
}

/// A finding with its range, as the CLI's JSON report gives it.
#[derive(Debug, Clone)]
pub struct Located<T> {
    /// What the core reported.
    pub item: T,
    /// Its range: 1-based lines, columns in characters, offsets in bytes.
    pub range: Range,
}

impl<T> Deref for Located<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.item
    }
}

/// A report whose findings and errors carry ranges; the rest through `Deref`.
#[derive(Debug, Clone)]
pub struct LocatedReport {
    pub report: Report,
    pub findings: Vec<Located<Finding>>,
    pub errors: Vec<Located<ErrorEntry>>,
}

impl Deref for LocatedReport {
    type Target = Report;
    fn deref(&self) -> &Report {
        &self.report
    }
}

/// `report` (of `text` alone) with ranges.
pub fn locate(text: &str, report: Report) -> LocatedReport {
    let li = LineIndex::new(text);
    let at = |span| range(&li, span, Positions::CharsAndBytes);
    LocatedReport {
        findings: report
            .findings
            .iter()
            .map(|f| Located {
                item: f.clone(),
                range: at(f.span),
            })
            .collect(),
        errors: report
            .errors
            .iter()
            .map(|e| Located {
                item: e.clone(),
                range: at(e.span),
            })
            .collect(),
        report,
    }
}

/// The findings of a report, one a line (`file:line:column doc N rule container path`),
/// for assertion messages.
pub fn list(report: &LocatedReport) -> String {
    report
        .findings
        .iter()
        .map(|f| {
            format!(
                "  {}:{}:{} doc {} {} {:?} {}",
                f.file,
                f.range.start.line,
                f.range.start.column,
                f.document,
                f.rule,
                f.container,
                f.path
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `kube_secctx::check` with valid options, the report with ranges.
pub fn check_located(file: &str, text: &str, opts: &Options) -> LocatedReport {
    locate(text, check(file, text, opts).expect("valid options"))
}

/// The text a span covers.
pub fn covered<'t>(text: &'t str, f: &Finding) -> &'t str {
    &text[f.span.start..f.span.end]
}

/// Every span of `r` lies inside `text`, on character boundaries, start <= end.
pub fn assert_sane(text: &str, r: &Report) {
    let spans = r
        .findings
        .iter()
        .map(|f| f.span)
        .chain(r.errors.iter().map(|e| e.span));
    for span in spans {
        assert!(span.start <= span.end, "{span:?}");
        assert!(span.end <= text.len(), "{span:?}");
        assert!(text.is_char_boundary(span.start), "{span:?}");
        assert!(text.is_char_boundary(span.end), "{span:?}");
    }
}

/// The JSON files of `dir` (relative to the repository), each with its file name without
/// `.json`, sorted by name; fails unless there are at least `min` (a fixture set that
/// lost files must not pass as a smaller one).
pub fn json_fixtures(dir: &str, min: usize) -> Vec<(String, serde_json::Value)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out: Vec<(String, serde_json::Value)> = std::fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let v = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
            (p.file_stem().unwrap().to_string_lossy().into_owned(), v)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= min, "{dir} is incomplete");
    out
}

/// The strings of the array `v[key]` (none when it is missing).
pub fn strs(v: &serde_json::Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(serde_json::Value::as_array)
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}
