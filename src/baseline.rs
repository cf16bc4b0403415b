//! Accepted findings: fingerprints that survive edits, the baseline file, and matching a
//! run's findings against it (`check --write-baseline` / `--baseline`).
//!
//! A finding's [`Fingerprint`] names it without positions, so that moving lines,
//! reordering documents or `List` items, and adding a container do not change it: the
//! file (as shown, relative, without a leading `./`), the resource's `kind`, `namespace`
//! and `name`, the container's **name** (not its index), the rule, and the JSON pointer
//! of the field below what it belongs to: below the container's item for a container
//! finding (`/securityContext/privileged`), below the pod spec for a pod-level finding
//! (`/securityContext/runAsNonRoot`), below the resource otherwise (the pod template's
//! annotations, a duplicate key in `metadata`). `apiVersion` is left out, so moving a
//! resource to a newer API version keeps its findings accepted.
//!
//! A [`Baseline`] is a multiset of fingerprints: when several findings share one
//! fingerprint it counts them, and a run with more of them than the baseline holds reports
//! the extra ones (2 accepted, 3 found: 1 new, the last one in report order). Entries
//! left unmatched at the end of a run are stale: what they stood for was fixed.
//!
//! The file ([`Baseline::to_json`], [`Baseline::parse`]) is JSON made for review and
//! diffs: a format `version`, the `tool` that wrote it, and `findings` sorted by file,
//! resource, container, rule and path, one entry a line, `count` only when above 1, no
//! line numbers:
//!
//! ```json
//! {
//!   "version": 1,
//!   "tool": "kube-secctx 0.1.0",
//!   "findings": [
//!     {"file": "deploy/web.yaml", "kind": "Deployment", "namespace": "shop", "name": "web", "container": "app", "rule": "privileged-container", "path": "/securityContext/privileged"}
//!   ]
//! }
//! ```
//!
//! No I/O here: the command line reads and writes the file (`src/cli/baseline.rs`); a
//! [`crate::Checker`] given a [`Matcher`] ([`crate::Checker::set_baseline`]) drops what it
//! accepts before counting and before its sink sees a batch.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::num::NonZeroUsize;

use serde::de::{Deserializer, Error as _};
use serde::{Deserialize, Serialize};

use crate::report::{Finding, MatchedBy};
use crate::workload::pod_spec_pointer;

/// The version of the baseline file format this build writes and reads.
pub const FORMAT_VERSION: u64 = 1;

/// What identifies a finding across edits of its file (see the [module](self) docs).
/// Ordered by its fields in declaration order: the order of the baseline file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Fingerprint {
    /// The file as the report shows it, relative, `/`-separated, without a leading `./`
    /// (see [`normalize_file`]).
    pub file: String,
    /// The resource's `kind`.
    pub kind: String,
    /// The resource's `metadata.namespace`, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The resource's `metadata.name`, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The container's `name` (or `containers[N]` for an item without a name, which the
    /// API server would reject anyway); `None` for pod-level and resource findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// The rule ID.
    pub rule: String,
    /// JSON pointer (RFC 6901) of the field below the container's item, the pod spec, or
    /// the resource (see the [module](self) docs); `""` for the item itself.
    pub path: String,
}

impl Fingerprint {
    /// The fingerprint of `f`, its file named `file` (the caller's relative name for
    /// `f.file`; [`normalize_file`] is applied to it).
    pub fn new(f: &Finding, file: &str) -> Fingerprint {
        let (container, path) = relative(f);
        Fingerprint {
            file: normalize_file(file),
            kind: f.resource.kind.clone(),
            namespace: f.resource.namespace.clone(),
            name: f.resource.name.clone(),
            container,
            rule: f.rule.to_string(),
            path,
        }
    }

    /// The fingerprint of `f` under its own file name.
    pub fn of(f: &Finding) -> Fingerprint {
        Fingerprint::new(f, &f.file)
    }

    /// `Kind namespace/name` (or `Kind name`), for messages.
    pub fn resource_label(&self) -> String {
        match (&self.namespace, &self.name) {
            (Some(ns), Some(n)) => format!("{} {ns}/{n}", self.kind),
            (None, Some(n)) => format!("{} {n}", self.kind),
            (Some(ns), None) => format!("{} in {ns}", self.kind),
            (None, None) => self.kind.clone(),
        }
    }
}

/// A file name as fingerprints keep it: `./` prefixes and `/./` segments dropped,
/// repeated `/` collapsed (`./deploy//a.yaml` → `deploy/a.yaml`). Lexical only: `..` is
/// kept, and making an absolute path relative is the caller's business (it knows the
/// working directory).
pub fn normalize_file(file: &str) -> String {
    let absolute = file.starts_with('/');
    let parts: Vec<&str> = file
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// The container of `f` and the pointer below what it belongs to (see [`Fingerprint`]).
fn relative(f: &Finding) -> (Option<String>, String) {
    let mut rest = f.path.as_str();
    // A `List` item's pointer (`/items/N`, nested for a List in a List): the resource's
    // root. A resource at a document's root has no top-level `items` on the way to its
    // pod spec.
    while let Some(after) = strip_index(rest, "items") {
        rest = after;
    }
    // A resource without a pod spec (a Service's duplicate key): below the resource.
    if f.resource.matched_by == MatchedBy::None {
        return (f.container.clone(), rest.to_string());
    }
    let spec = pod_spec_pointer(&f.resource);
    let Some(in_spec) = strip_pointer_prefix(rest, &spec) else {
        return (f.container.clone(), rest.to_string());
    };
    for list in ["containers", "initContainers", "ephemeralContainers"] {
        let Some(below) = strip_pointer_prefix(in_spec, &format!("/{list}")) else {
            continue;
        };
        let Some((index, item)) = split_index(below) else {
            continue;
        };
        let name = f
            .container
            .clone()
            .unwrap_or_else(|| format!("{list}[{index}]"));
        return (Some(name), item.to_string());
    }
    (f.container.clone(), in_spec.to_string())
}

/// `pointer` without the prefix `/key/N` (N a decimal index), when it has it.
fn strip_index<'p>(pointer: &'p str, key: &str) -> Option<&'p str> {
    let below = strip_pointer_prefix(pointer, &format!("/{key}"))?;
    split_index(below).map(|(_, rest)| rest)
}

/// `/N/rest` → `(N, "/rest")`; `/N` → `(N, "")`.
fn split_index(pointer: &str) -> Option<(usize, &str)> {
    let after = pointer.strip_prefix('/')?;
    let (token, rest) = match after.find('/') {
        Some(i) => after.split_at(i),
        None => (after, ""),
    };
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((token.parse().ok()?, rest))
}

/// `pointer` below `prefix` (whole tokens only: `/spec` is not a prefix of `/specs`).
fn strip_pointer_prefix<'p>(pointer: &'p str, prefix: &str) -> Option<&'p str> {
    let rest = pointer.strip_prefix(prefix)?;
    (rest.is_empty() || rest.starts_with('/')).then_some(rest)
}

/// Accepted findings: a multiset of [`Fingerprint`]s, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    entries: BTreeMap<Fingerprint, usize>,
}

/// A baseline file that could not be read: what is wrong, and where (1-based line and
/// column, the column in bytes, as `serde_json` counts them).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct BaselineError {
    /// Line, 1-based.
    pub line: usize,
    /// Column, 1-based, in bytes.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl Baseline {
    /// An empty baseline.
    pub fn new() -> Baseline {
        Baseline::default()
    }

    /// Adds one finding's fingerprint (a second one adds to its count).
    pub fn add(&mut self, fingerprint: Fingerprint) {
        let n = self.entries.entry(fingerprint).or_insert(0);
        *n = n.saturating_add(1);
    }

    /// Adds the entries of `previous` whose file the run did not cover
    /// ([`Matcher::covers`]): a baseline recorded on some files keeps what an earlier one
    /// accepted in the others. Returns how many findings it kept.
    pub fn keep_uncovered(&mut self, previous: &Baseline, run: &Matcher) -> usize {
        let mut kept = 0usize;
        for (fp, n) in &previous.entries {
            if !run.covers(&fp.file) {
                let count = self.entries.entry(fp.clone()).or_insert(0);
                *count = count.saturating_add(*n);
                kept = kept.saturating_add(*n);
            }
        }
        kept
    }

    /// The baseline of `findings`, each under its own file name.
    pub fn from_findings<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> Baseline {
        let mut b = Baseline::new();
        for f in findings {
            b.add(Fingerprint::of(f));
        }
        b
    }

    /// The entries with their counts, in file order.
    pub fn entries(&self) -> impl Iterator<Item = (&Fingerprint, usize)> {
        self.entries.iter().map(|(f, &n)| (f, n))
    }

    /// Distinct fingerprints (lines of the file).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it accepts nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Findings it accepts (the sum of the counts).
    pub fn findings(&self) -> usize {
        self.entries.values().fold(0, |a, &n| a.saturating_add(n))
    }

    /// The baseline file's text (see the [module](self) docs), ending with a newline.
    /// `tool` is written as the file's `tool` (e.g. `kube-secctx 0.1.0`).
    pub fn to_json(&self, tool: &str) -> String {
        let mut out = format!(
            "{{\n  \"version\": {FORMAT_VERSION},\n  \"tool\": {},\n  \"findings\": [",
            json_string(tool)
        );
        for (i, (fp, count)) in self.entries().enumerate() {
            out.push_str(if i == 0 { "\n    " } else { ",\n    " });
            out.push_str(&entry_json(fp, count));
        }
        out.push_str(if self.is_empty() {
            "]\n}\n"
        } else {
            "\n  ]\n}\n"
        });
        out
    }

    /// Reads a baseline file's text. Entries that repeat a fingerprint add up.
    ///
    /// # Errors
    /// [`BaselineError`] with its position: text that is not JSON, a missing or unknown
    /// field (`deny_unknown_fields`), a field of the wrong type, a `count` of 0, or a
    /// `version` other than [`FORMAT_VERSION`].
    pub fn parse(text: &str) -> Result<Baseline, BaselineError> {
        // Not JSON at all (a YAML file, an empty one): say what is expected, where.
        let start = text.len() - text.trim_start().len();
        if !text.trim_start().starts_with('{') {
            let before = text.get(..start).unwrap_or("");
            let line = before.matches('\n').count() + 1;
            let column = start - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            return Err(BaselineError {
                line,
                column,
                message: "expected a JSON object (`{`), as --write-baseline writes".to_string(),
            });
        }
        let file: FileJson = serde_json::from_str(text).map_err(|e| BaselineError {
            line: e.line(),
            column: e.column(),
            message: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or("")
                .to_string(),
        })?;
        let mut b = Baseline::new();
        for e in file.findings {
            let fp = Fingerprint {
                file: normalize_file(&e.file),
                kind: e.kind,
                namespace: e.namespace,
                name: e.name,
                container: e.container,
                rule: e.rule,
                path: e.path,
            };
            let n = b.entries.entry(fp).or_insert(0);
            *n = n.saturating_add(e.count.get());
        }
        Ok(b)
    }

    /// A [`Matcher`] that accepts the findings of this baseline.
    pub fn matcher(self) -> Matcher {
        Matcher {
            mode: MatchMode::Compare(self.entries),
            files: HashMap::new(),
            checked: std::collections::HashSet::new(),
            dirs: Vec::new(),
            accepted: 0,
        }
    }
}

/// One entry as a line of the file: `{"file": ..., ...}` in field order, absent fields
/// and a count of 1 left out.
fn entry_json(fp: &Fingerprint, count: usize) -> String {
    let mut out = String::from("{");
    let fields = [
        ("file", Some(&fp.file)),
        ("kind", Some(&fp.kind)),
        ("namespace", fp.namespace.as_ref()),
        ("name", fp.name.as_ref()),
        ("container", fp.container.as_ref()),
        ("rule", Some(&fp.rule)),
        ("path", Some(&fp.path)),
    ];
    let mut first = true;
    for (key, value) in fields {
        let Some(value) = value else { continue };
        if !first {
            out.push_str(", ");
        }
        first = false;
        let _ = write!(out, "\"{key}\": {}", json_string(value));
    }
    if count > 1 {
        let _ = write!(out, ", \"count\": {count}");
    }
    out.push('}');
    out
}

/// A JSON string literal.
fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// The file as read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileJson {
    #[allow(dead_code)]
    version: FormatVersion,
    #[serde(default)]
    #[allow(dead_code)]
    tool: Option<String>,
    findings: Vec<EntryJson>,
}

/// One entry as read: a fingerprint and its count.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryJson {
    file: String,
    kind: String,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    container: Option<String>,
    rule: String,
    path: String,
    #[serde(default = "one")]
    count: NonZeroUsize,
}

fn one() -> NonZeroUsize {
    NonZeroUsize::MIN
}

/// The `version` field: [`FORMAT_VERSION`] or an error at it.
struct FormatVersion;

impl<'de> Deserialize<'de> for FormatVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = u64::deserialize(d)?;
        if v == FORMAT_VERSION {
            Ok(FormatVersion)
        } else {
            Err(D::Error::custom(format!(
                "baseline format version {v} is not supported: this kube-secctx reads \
                 version {FORMAT_VERSION} (write the baseline again with --write-baseline)"
            )))
        }
    }
}

/// What a [`Matcher`] does with the findings it is shown.
#[derive(Debug, Clone)]
enum MatchMode {
    /// Accept the findings of a baseline: what is left of each count.
    Compare(BTreeMap<Fingerprint, usize>),
    /// Accept every finding, recording it (`--write-baseline`).
    Record(Baseline),
}

/// A baseline applied to a run, finding by finding: in compare mode
/// ([`Baseline::matcher`]) it accepts each finding its baseline still has a count for and
/// keeps what is left (the stale entries, [`Matcher::stale`]); in record mode
/// ([`Matcher::record`]) it accepts every finding and records it
/// ([`Matcher::recorded`]).
#[derive(Debug, Clone)]
pub struct Matcher {
    mode: MatchMode,
    /// File names as the report shows them → as fingerprints name them.
    files: HashMap<String, String>,
    /// The files of the run, as fingerprints name them ([`Matcher::name_file`]): only
    /// their entries can be stale.
    checked: std::collections::HashSet<String>,
    /// The directories walked, as fingerprints name files ([`Matcher::name_dir`]): the
    /// entries of files below them are stale too when they match nothing (the file was
    /// deleted, excluded or is now skipped).
    dirs: Vec<String>,
    accepted: usize,
}

impl Matcher {
    /// A matcher that accepts and records every finding.
    pub fn record() -> Matcher {
        Matcher {
            mode: MatchMode::Record(Baseline::new()),
            files: HashMap::new(),
            checked: std::collections::HashSet::new(),
            dirs: Vec::new(),
            accepted: 0,
        }
    }

    /// Marks the file the report shows as `shown` as one of the run, named `relative` in
    /// fingerprints (the command line gives absolute paths below the working directory
    /// their relative name). Call it for every file checked: only the entries of files
    /// named here can be [stale](Matcher::stale) (a run over some files does not make the
    /// others' entries fixed). Files not named here are fingerprinted under their own
    /// name.
    pub fn name_file(&mut self, shown: &str, relative: &str) {
        self.checked.insert(normalize_file(relative));
        if shown != relative {
            self.files.insert(shown.to_string(), relative.to_string());
        }
    }

    /// Whether the baseline accepts `f` (taking one of its fingerprint's count), or in
    /// record mode, records it and accepts it.
    pub fn accepts(&mut self, f: &Finding) -> bool {
        let file = self.files.get(&*f.file).map_or(&*f.file, String::as_str);
        let fp = Fingerprint::new(f, file);
        let accepted = match &mut self.mode {
            MatchMode::Record(b) => {
                b.add(fp);
                true
            }
            MatchMode::Compare(left) => match left.get_mut(&fp) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    true
                }
                _ => false,
            },
        };
        if accepted {
            self.accepted += 1;
        }
        accepted
    }

    /// Findings accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted
    }

    /// Marks a directory the run walked (`relative` as files are named in fingerprints):
    /// every file below it was either checked or is gone, so its entries that match
    /// nothing are stale too.
    pub fn name_dir(&mut self, relative: &str) {
        self.dirs.push(normalize_file(relative));
    }

    /// Whether the run covers `file` (as fingerprints name it): a file it checked, or a
    /// file below a directory it walked.
    pub fn covers(&self, file: &str) -> bool {
        self.checked.contains(file)
            || self.dirs.iter().any(|d| {
                d.is_empty() && !file.starts_with('/')
                    || file
                        .strip_prefix(d.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
    }

    /// The entries of the files of the run ([`Matcher::covers`]) that matched nothing
    /// (so far), with how many of each count are left: what they stood for was fixed.
    /// Empty in record mode.
    pub fn stale(&self) -> Vec<(&Fingerprint, usize)> {
        match &self.mode {
            MatchMode::Compare(left) => left
                .iter()
                .filter(|(f, &n)| n > 0 && self.covers(&f.file))
                .map(|(f, &n)| (f, n))
                .collect(),
            MatchMode::Record(_) => Vec::new(),
        }
    }

    /// In record mode, the baseline of every finding seen; `None` in compare mode.
    pub fn recorded(&self) -> Option<&Baseline> {
        match &self.mode {
            MatchMode::Record(b) => Some(b),
            MatchMode::Compare(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{check, Options};

    const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata:
      annotations:
        container.apparmor.security.beta.kubernetes.io/app: unconfined
    spec:
      containers:
      - name: app
        image: nginx
        securityContext: {privileged: true}
";

    fn fingerprints(file: &str, text: &str) -> Vec<Fingerprint> {
        let report = check(file, text, &Options::default()).unwrap();
        report.findings.iter().map(Fingerprint::of).collect()
    }

    fn find<'f>(fps: &'f [Fingerprint], rule: &str) -> &'f Fingerprint {
        fps.iter()
            .find(|f| f.rule == rule)
            .unwrap_or_else(|| panic!("no {rule} in {fps:#?}"))
    }

    #[test]
    fn pointers_below_the_container_the_pod_spec_or_the_resource() {
        let fps = fingerprints("./deploy/./web.yaml", DEPLOYMENT);
        let privileged = find(&fps, "privileged-container");
        assert_eq!(
            privileged,
            &Fingerprint {
                file: "deploy/web.yaml".into(),
                kind: "Deployment".into(),
                namespace: Some("shop".into()),
                name: Some("web".into()),
                container: Some("app".into()),
                rule: "privileged-container".into(),
                path: "/securityContext/privileged".into(),
            }
        );
        // Pod level: below the pod spec.
        let pod = find(&fps, "pod-security-context-missing");
        assert_eq!(
            (pod.container.as_deref(), pod.path.as_str()),
            (None, "/securityContext")
        );
        // The AppArmor annotation is in the pod template's metadata: below the resource.
        let apparmor = find(&fps, "forbidden-apparmor-profile");
        assert_eq!(apparmor.container, None);
        assert_eq!(
            apparmor.path,
            "/spec/template/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1app"
        );
    }

    #[test]
    fn the_same_for_every_kind_and_list_item() {
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers:\n  - {name: init, image: x}\n  containers:\n  - {name: app, image: x, securityContext: {privileged: true}}\n";
        let cron = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - {name: app, image: x, securityContext: {privileged: true}}\n";
        let list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n  spec:\n    containers:\n    - {name: app, image: x, securityContext: {privileged: true}}\n";
        for text in [pod, cron, list] {
            let fps = fingerprints("a.yaml", text);
            let f = find(&fps, "privileged-container");
            assert_eq!(f.container.as_deref(), Some("app"), "{text}");
            assert_eq!(f.path, "/securityContext/privileged", "{text}");
        }
        // An item without a name is named by its list and index.
        let nameless = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - {image: x, securityContext: {privileged: true}}\n";
        let fps = fingerprints("a.yaml", nameless);
        let f = find(&fps, "privileged-container");
        assert_eq!(f.container.as_deref(), Some("containers[0]"));
        assert_eq!(f.name, None);
    }

    #[test]
    fn survives_moved_lines_reordered_documents_and_a_sidecar() {
        let before = Baseline::from_findings(
            &check("a.yaml", DEPLOYMENT, &Options::default())
                .unwrap()
                .findings,
        );
        let sidecar = "      - name: sidecar\n        image: envoy\n        securityContext:\n          runAsNonRoot: true\n          allowPrivilegeEscalation: false\n          readOnlyRootFilesystem: true\n          capabilities: {drop: [ALL]}\n          seccompProfile: {type: RuntimeDefault}\n";
        let moved = format!(
            "# a comment\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: other}}\n---\n{}",
            DEPLOYMENT.replace(
                "      containers:\n",
                &format!("      containers:\n{sidecar}")
            )
        );
        let report = check("a.yaml", &moved, &Options::default()).unwrap();
        let mut matcher = before.clone().matcher();
        let new: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| !matcher.accepts(f))
            .map(|f| f.rule)
            .collect();
        assert_eq!(new, Vec::<&str>::new());
        assert!(matcher.stale().is_empty());
        assert_eq!(matcher.accepted(), before.findings());
    }

    #[test]
    fn a_multiset_and_stale_entries() {
        let fp = Fingerprint {
            file: "a.yaml".into(),
            kind: "Pod".into(),
            namespace: None,
            name: Some("p".into()),
            container: Some("app".into()),
            rule: "host-port".into(),
            path: "/ports/0/hostPort".into(),
        };
        let mut b = Baseline::new();
        b.add(fp.clone());
        b.add(fp.clone());
        let mut gone = fp.clone();
        gone.rule = "privileged-container".into();
        gone.path = "/securityContext/privileged".into();
        b.add(gone.clone());
        let text = b.to_json("kube-secctx 0.1.0");
        assert_eq!(
            text,
            "{\n  \"version\": 1,\n  \"tool\": \"kube-secctx 0.1.0\",\n  \"findings\": [\n    \
             {\"file\": \"a.yaml\", \"kind\": \"Pod\", \"name\": \"p\", \"container\": \"app\", \"rule\": \"host-port\", \"path\": \"/ports/0/hostPort\", \"count\": 2},\n    \
             {\"file\": \"a.yaml\", \"kind\": \"Pod\", \"name\": \"p\", \"container\": \"app\", \"rule\": \"privileged-container\", \"path\": \"/securityContext/privileged\"}\n  ]\n}\n"
        );
        assert_eq!(Baseline::parse(&text), Ok(b.clone()));
        // Two accepted, three found: the third is new; the privileged entry is stale.
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: x\n    ports:\n    - {hostPort: 1}\n";
        let report = check("a.yaml", pod, &Options::default()).unwrap();
        let host_port = report
            .findings
            .iter()
            .find(|f| f.rule == "host-port")
            .unwrap();
        let mut m = b.matcher();
        assert_eq!([0, 1, 2].map(|_| m.accepts(host_port)), [true, true, false]);
        // Stale entries are those of the files of the run only.
        assert_eq!(m.stale(), vec![]);
        m.name_file("a.yaml", "a.yaml");
        assert_eq!(m.stale(), vec![(&gone, 1)]);
        assert_eq!(
            Baseline::new().to_json("t"),
            "{\n  \"version\": 1,\n  \"tool\": \"t\",\n  \"findings\": []\n}\n"
        );
    }

    #[test]
    fn bad_files_say_where() {
        // (text, line, the text the column is just after, message): serde_json reports
        // the position after what it read last.
        let cases = [
            ("{\"version\": 1, \"findings\": [}", 1, "[}", "expected value"),
            ("{\n  \"version\": 7,\n  \"findings\": []\n}", 2, "7", "baseline format version 7 is not supported"),
            ("{\"version\": 1, \"findings\": [{\"file\": \"a\", \"kind\": \"Pod\", \"rule\": \"r\", \"path\": \"\", \"count\": 0}]}", 1, ": 0", "invalid value: integer `0`"),
            ("{\"version\": 1, \"findings\": [], \"extra\": 1}", 1, "\"extra\"", "unknown field `extra`"),
            ("{\"findings\": []}", 1, "}", "missing field `version`"),
        ];
        for (text, line, after, message) in cases {
            let line_start = text
                .split('\n')
                .take(line - 1)
                .map(|l| l.len() + 1)
                .sum::<usize>();
            let column = text.find(after).unwrap() + after.len() - line_start;
            let e = Baseline::parse(text).unwrap_err();
            assert_eq!((e.line, e.column), (line, column), "{text}: {e}");
            assert!(e.message.starts_with(message), "{text}: {e}");
        }
    }

    #[test]
    fn file_names() {
        assert_eq!(normalize_file("./a.yaml"), "a.yaml");
        assert_eq!(normalize_file("././d//e/./a.yaml"), "d/e/a.yaml");
        assert_eq!(normalize_file("../x/a.yaml"), "../x/a.yaml");
        assert_eq!(normalize_file("/abs/./a.yaml"), "/abs/a.yaml");
        assert_eq!(normalize_file("<stdin>"), "<stdin>");
    }
}
