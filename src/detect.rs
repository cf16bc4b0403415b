//! Which files are Kubernetes manifests: what a directory walk checks and what the
//! language server diagnoses.
//!
//! A repository holds YAML and JSON that is not Kubernetes: Helm charts (`Chart.yaml`,
//! `values*.yaml`, templates with `{{ }}` actions), kustomize's `kustomization.yaml`, CI
//! workflows, `package.json`. The CLI skips them when it walks a directory (a file named
//! on the command line is always checked), and the language server leaves them without
//! diagnostics. Both decide with the functions here:
//!
//! - [`skip_by_name`]: by the file name alone, before the file is read;
//! - [`skip_by_text`]: by the text, for the CLI's walk: a byte scan decides the common
//!   cases (no `apiVersion` or no `kind` anywhere: not Kubernetes; both as root keys of
//!   one YAML document at column 0, or of a JSON object: Kubernetes), and only the other
//!   texts are parsed;
//! - [`is_template_by_name`], [`object_keys`] and [`verdict`]: the parts a front end that
//!   parses the text anyway (the language server) combines with its own parse.
//!
//! No I/O: paths are only looked at as strings.

use crate::yaml::{for_each_document, Document, Limits, Parsed};

/// Why a file found by walking a directory is not checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Skip {
    /// `Chart.yaml` (or `Chart.yml`): a Helm chart's metadata.
    HelmChart,
    /// `values*.yaml` (or `.yml`): a Helm chart's values (`values.yaml`,
    /// `values-prod.yaml`, ...).
    HelmValues,
    /// `kustomization.yaml`, `kustomization.yml` or `Kustomization`: kustomize's
    /// configuration, the three names `kustomize build` reads.
    Kustomization,
    /// A Helm (Go) template: text with `{{` in a chart's `templates/` directory, or text
    /// with `{{` that does not parse as YAML.
    HelmTemplate,
    /// No document of the text is a Kubernetes object (a mapping with both `apiVersion`
    /// and `kind` keys), and none that fails to parse looks like one.
    NotKubernetes,
    /// A kustomize patch: a file a kustomization names under `patchesStrategicMerge`,
    /// `patches` or `patchesJson6902` ([`kustomize_patches`]). A strategic-merge patch
    /// has `apiVersion` and `kind` but only the fields it changes; kustomize merges it
    /// into a resource, and `kustomize build`'s output is what to check.
    KustomizePatch,
}

impl Skip {
    /// Why, in words for a note: e.g. `Helm values (values*.yaml)`.
    pub fn reason(self) -> &'static str {
        match self {
            Skip::HelmChart => "Helm chart metadata (Chart.yaml)",
            Skip::HelmValues => "Helm values (values*.yaml)",
            Skip::Kustomization => "kustomize configuration (kustomization.yaml)",
            Skip::HelmTemplate => "Helm template (text with `{{` actions)",
            Skip::NotKubernetes => {
                "no Kubernetes object (no document with `apiVersion` and `kind`)"
            }
            Skip::KustomizePatch => "kustomize patch (named in a kustomization's patches)",
        }
    }
}

/// The file name of `path`: after its last `/` (or `\`, for Windows paths and URIs).
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Whether `name` ends with `.yaml` or `.yml` (any case); returns the stem.
fn yaml_stem(name: &str) -> Option<&str> {
    let (stem, ext) = name.rsplit_once('.')?;
    (ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml")).then_some(stem)
}

/// A file that is not a Kubernetes manifest by its name (the last component of `path`):
/// `Chart.yaml`, `values*.yaml` and `kustomization.yaml` (each also `.yml`), and
/// `Kustomization`. Names are matched as Helm and kustomize match them: with this case.
///
/// ```
/// use kube_secctx::detect::{skip_by_name, Skip};
/// assert_eq!(skip_by_name("chart/values-prod.yaml"), Some(Skip::HelmValues));
/// assert_eq!(skip_by_name("deploy/app.yaml"), None);
/// ```
pub fn skip_by_name(path: &str) -> Option<Skip> {
    let name = file_name(path);
    if name == "Kustomization" {
        return Some(Skip::Kustomization);
    }
    match yaml_stem(name)? {
        "Chart" => Some(Skip::HelmChart),
        "kustomization" => Some(Skip::Kustomization),
        stem if stem.starts_with("values") => Some(Skip::HelmValues),
        _ => None,
    }
}

/// The files a kustomization (`kustomization.yaml`'s text) names as patches, as written
/// (relative to its directory): each string of `patchesStrategicMerge` that is a file
/// name (not an inline patch), and each `path` of `patches` and `patchesJson6902`
/// (kustomize's `Kustomization` type, fields `PatchesStrategicMerge`, `Patches`,
/// `PatchesJson6902`). Nothing for text that does not parse.
pub fn kustomize_patches(text: &str, limits: &Limits) -> Vec<String> {
    let mut out = Vec::new();
    for_each_document(text, limits, &[], |parsed| {
        let Parsed::Document(doc) = parsed else {
            return;
        };
        let Some(root) = doc.root else { return };
        let items = |key: &str| {
            doc.get(root, key)
                .and_then(|s| doc.seq(s))
                .map(<[_]>::to_vec)
                .unwrap_or_default()
        };
        for item in items("patchesStrategicMerge") {
            if let Some(name) = doc.str(item).filter(|s| !s.contains('\n')) {
                out.push(name.trim().to_string());
            }
        }
        for key in ["patches", "patchesJson6902"] {
            for item in items(key) {
                if let Some(path) = doc.get(item, "path").and_then(|p| doc.str(p)) {
                    out.push(path.to_string());
                }
            }
        }
    });
    out
}

/// A Helm (Go) template by what the client says (`language` `helm`, `gotmpl`,
/// `go-template`, `helm-template`) or where it sits: text with template actions (`{{`)
/// under a directory named `templates` (a path component of `path`, which may be a
/// relative path, an absolute one or a `file://` URI). Text with `{{` that does not
/// parse is one too, which only a parse tells: see [`verdict`].
pub fn is_template_by_name(path: &str, language: &str, text: &str) -> bool {
    if matches!(
        language,
        "helm" | "gotmpl" | "go-template" | "helm-template"
    ) {
        return true;
    }
    let mut dirs = path.split(['/', '\\']);
    dirs.next_back();
    // In a chart's templates/, `{{` anywhere (a comment too) is rendered by Helm.
    dirs.any(|d| d == "templates") && text.contains("{{")
}

/// Whether `text` holds Go template actions (`{{`) outside YAML comments (a line whose
/// first character other than a space or tab is `#`, or the rest of a line after ` #`):
/// outside a chart's `templates/`, `# {{ .Values.x }}` in a manifest's comment does not
/// make it a template.
pub fn has_template_syntax(text: &str) -> bool {
    memchr::memmem::find_iter(text.as_bytes(), b"{{").any(|at| {
        let line_start = text
            .as_bytes()
            .get(..at)
            .and_then(|before| memchr::memrchr(b'\n', before))
            .map_or(0, |nl| nl + 1);
        let line = text.get(line_start..at).unwrap_or("");
        let before = line.trim_start_matches([' ', '\t']);
        // A comment: the whole line, or after ` #` (a `#` inside a quoted value is taken
        // for one too, which only means the text is parsed and checked).
        !(before.starts_with('#') || before.contains(" #") || before.contains("\t#"))
    })
}

/// Whether the root of `doc` is a mapping with an `apiVersion` key, and with a `kind`
/// key: `(apiVersion, kind)`. A document with both is a Kubernetes object (the
/// Kubernetes API's `TypeMeta`).
pub fn object_keys(doc: &Document<'_>) -> (bool, bool) {
    let Some(entries) = doc.root.and_then(|r| doc.map(r)) else {
        return (false, false);
    };
    (
        entries.iter().any(|e| e.key == "apiVersion"),
        entries.iter().any(|e| e.key == "kind"),
    )
}

/// A text whose lines start with `apiVersion:` and `kind:` (YAML) or that names both as
/// JSON keys: a Kubernetes manifest, even while a document of it does not parse.
pub fn looks_like_kubernetes(text: &str) -> bool {
    let mut api = false;
    let mut kind = false;
    for line in text.lines() {
        api |= line.starts_with("apiVersion:") || line.starts_with("apiVersion :");
        kind |= line.starts_with("kind:") || line.starts_with("kind :");
    }
    (api && kind) || (text.contains("\"apiVersion\"") && text.contains("\"kind\""))
}

/// The decision once a text (not a template by its name) is parsed: `kubernetes`, some
/// document of it is a Kubernetes object ([`object_keys`] both `true`); `syntax_errors`,
/// some document did not parse. Text with `{{` that does not parse is a Helm template
/// (a manifest that only carries `{{ }}` in strings, such as alerting rules, parses); a
/// document that does not parse but [`looks_like_kubernetes`] is a manifest being
/// written, checked so that its error is reported. `None`: the text is a manifest.
pub fn verdict(text: &str, kubernetes: bool, syntax_errors: bool) -> Option<Skip> {
    if syntax_errors && has_template_syntax(text) {
        Some(Skip::HelmTemplate)
    } else if kubernetes || (syntax_errors && looks_like_kubernetes(text)) {
        None
    } else {
        Some(Skip::NotKubernetes)
    }
}

/// Whether a file found by walking a directory is skipped, by its text (`path` as walked,
/// for [`is_template_by_name`]; `limits` those of the check, so the parse here fails
/// where the check's would). [`skip_by_name`] is not applied here.
///
/// Cost: a text without both words `apiVersion` and `kind` is skipped after a byte
/// search; one without `{{` where one YAML document has both as keys at column 0
/// (`apiVersion:`, `"kind" :`), or whose JSON object has both as keys at its top level,
/// is a manifest after a scan of its bytes. Only other texts are parsed here (and then
/// again by the check): flow-style YAML, JSON streams, text with `{{` outside
/// `templates/`, and texts that mention the words but are not manifests.
pub fn skip_by_text(path: &str, text: &str, limits: &Limits) -> Option<Skip> {
    if is_template_by_name(path, "", text) {
        return Some(Skip::HelmTemplate);
    }
    let finder = |needle: &str| memchr::memmem::find(text.as_bytes(), needle.as_bytes());
    if finder("apiVersion").is_none() || finder("kind").is_none() {
        return Some(Skip::NotKubernetes);
    }
    if !has_template_syntax(text) && (yaml_root_keys(text) || json_root_keys(text)) {
        return None;
    }
    let mut kubernetes = false;
    let mut syntax_errors = false;
    for_each_document(text, limits, &[], |parsed| match parsed {
        Parsed::Error(_) => syntax_errors = true,
        Parsed::Document(doc) => kubernetes |= object_keys(&doc) == (true, true),
    });
    verdict(text, kubernetes, syntax_errors)
}

/// Whether one YAML document of `text` has `apiVersion` and `kind` as keys at column 0
/// (plain or quoted, spaces allowed before the `:`): root keys of a block mapping.
/// Documents are told apart by lines that start with `---` or `...`.
fn yaml_root_keys(text: &str) -> bool {
    let (mut api, mut kind) = (false, false);
    for line in text.lines() {
        if line.starts_with("---") || line.starts_with("...") {
            (api, kind) = (false, false);
            continue;
        }
        api |= is_key(line, "apiVersion");
        kind |= is_key(line, "kind");
        if api && kind {
            return true;
        }
    }
    false
}

/// Whether `line` starts with the key `key` (plain, `"key"` or `'key'`) and its `:`.
fn is_key(line: &str, key: &str) -> bool {
    let rest = ['"', '\'']
        .iter()
        .find_map(|q| line.strip_prefix(*q)?.strip_prefix(key)?.strip_prefix(*q))
        .or_else(|| line.strip_prefix(key));
    rest.is_some_and(|r| {
        let r = r.trim_start_matches(' ');
        r == ":" || r.starts_with(": ") || r.starts_with(":\t")
    })
}

/// Whether `text` is one JSON object (after white space and a byte order mark) with the
/// keys `"apiVersion"` and `"kind"` at its top level, found by a scan of its strings and
/// brackets (no escapes in the two keys; a malformed text is left to the parse).
fn json_root_keys(text: &str) -> bool {
    let bytes = text.trim_start_matches('\u{feff}').trim_start().as_bytes();
    if bytes.first() != Some(&b'{') {
        return false;
    }
    let (mut api, mut kind) = (false, false);
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while let Some(&c) = bytes.get(j) {
                    match c {
                        b'\\' => j += 2,
                        b'"' => break,
                        _ => j += 1,
                    }
                }
                let string = bytes.get(start..j).unwrap_or_default();
                let after = bytes.get(j + 1..).unwrap_or_default();
                let is_key = after.iter().find(|c| !c.is_ascii_whitespace()) == Some(&b':');
                if depth == 1 && is_key {
                    api |= string == b"apiVersion";
                    kind |= string == b"kind";
                }
                i = j;
            }
            _ => {}
        }
        i += 1;
    }
    api && kind
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skip(path: &str, text: &str) -> Option<Skip> {
        skip_by_text(path, text, &Limits::default())
    }

    #[test]
    fn names() {
        assert_eq!(skip_by_name("c/Chart.yaml"), Some(Skip::HelmChart));
        assert_eq!(skip_by_name("Chart.yml"), Some(Skip::HelmChart));
        assert_eq!(skip_by_name("c/values.yaml"), Some(Skip::HelmValues));
        assert_eq!(skip_by_name("c\\values-prod.yml"), Some(Skip::HelmValues));
        assert_eq!(
            skip_by_name("kustomization.yaml"),
            Some(Skip::Kustomization)
        );
        assert_eq!(skip_by_name("k/Kustomization"), Some(Skip::Kustomization));
        for name in [
            "chart.yaml",
            "my-values.yaml",
            "values.json",
            "pod.yaml",
            "values",
        ] {
            assert_eq!(skip_by_name(name), None, "{name}");
        }
    }

    #[test]
    fn kustomize_patch_files() {
        let k = "resources: [deployment.yaml]\npatchesStrategicMerge:\n- patch-env.yaml\n- |\n  \
                 apiVersion: v1\n  kind: X\npatches:\n- path: patches/replicas.yaml\n  \
                 target: {kind: Deployment}\n- patch: |-\n    - op: add\npatchesJson6902:\n\
                 - path: json.yaml\n";
        assert_eq!(
            kustomize_patches(k, &Limits::default()),
            ["patch-env.yaml", "patches/replicas.yaml", "json.yaml"]
        );
        assert!(kustomize_patches("a: [", &Limits::default()).is_empty());
    }

    #[test]
    fn template_syntax_in_comments_is_not_a_template() {
        assert!(has_template_syntax("a: {{ .Values.x }}\n"));
        assert!(has_template_syntax("# c\n  {{- if .x }}\n"));
        assert!(!has_template_syntax("# {{ .Values.x }}\napiVersion: v1\n"));
        assert!(!has_template_syntax("  \t# {{ x }}\n"));
        assert!(!has_template_syntax("kind: Pod # {{ x }}\n"));
        assert!(has_template_syntax(
            "image: \"{{ .Values.image }}\" # {{ c }}\n"
        ));
        // A manifest whose syntax error is real, with `{{` only in a comment: checked
        // (its error reported), not skipped as a Helm template.
        let broken = "# {{ comment }}\napiVersion: v1\nkind: Pod\nspec:\n  bad: [\n";
        assert_eq!(skip("deploy/pod.yaml", broken), None);
        let template = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }\n  x: [\n";
        assert_eq!(skip("deploy/pod.yaml", template), Some(Skip::HelmTemplate));
    }

    #[test]
    fn texts() {
        let pod = "# a pod\napiVersion: v1\nkind: Pod\n";
        assert_eq!(skip("p.yaml", pod), None);
        assert_eq!(skip("p.yaml", "\"kind\" : Pod\n'apiVersion': v1\n"), None);
        // Both keys, but in two documents: parsed, and not an object.
        let split = "apiVersion: v1\n---\nkind: Pod\n";
        assert_eq!(skip("p.yaml", split), Some(Skip::NotKubernetes));
        // Flow style and JSON.
        assert_eq!(skip("p.yaml", "{apiVersion: v1, kind: Pod}\n"), None);
        let json = "{\n  \"metadata\": {\"kind\": 1},\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\"\n}\n";
        assert!(json_root_keys(json));
        assert_eq!(skip("p.json", json), None);
        let nested = "{\"spec\": {\"apiVersion\": \"v1\", \"kind\": \"Pod\"}}";
        assert!(!json_root_keys(nested));
        assert_eq!(skip("p.json", nested), Some(Skip::NotKubernetes));
        let package = "{\"name\": \"x\", \"version\": \"1.0.0\"}";
        assert_eq!(skip("package.json", package), Some(Skip::NotKubernetes));
        // Mentions, nested keys.
        let ci = "on: push\njobs:\n  kind:\n    apiVersion: 2\n";
        assert_eq!(skip("ci.yaml", ci), Some(Skip::NotKubernetes));
        // A manifest that does not parse is checked (its error is reported).
        assert_eq!(skip("b.yaml", "apiVersion: v1\nkind: Pod\nspec: [\n"), None);
        assert_eq!(
            skip("b.yaml", "  apiVersion: v1\n  kind: Pod\n x: [\n"),
            Some(Skip::NotKubernetes)
        );
    }

    #[test]
    fn templates() {
        let tpl = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}\n";
        assert_eq!(
            skip("chart/templates/pod.yaml", tpl),
            Some(Skip::HelmTemplate)
        );
        assert_eq!(skip("templates/pod.yaml", tpl), Some(Skip::HelmTemplate));
        assert!(is_template_by_name(
            "file:///c/templates/pod.yaml",
            "yaml",
            tpl
        ));
        assert!(!is_template_by_name("templates.yaml", "yaml", tpl));
        assert!(is_template_by_name("pod.yaml", "helm", ""));
        // Outside templates/: a template when it does not parse.
        let tpl2 = "{{- if .Values.x }}\napiVersion: v1\nkind: Pod\n{{- end }}\n";
        assert_eq!(skip("pod.yaml", tpl2), Some(Skip::HelmTemplate));
        // A manifest with `{{ }}` in strings parses: checked.
        let rule =
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  summary: \"{{ $labels.instance }} down\"\n";
        assert_eq!(skip("rules.yaml", rule), None);
    }

    #[test]
    fn keys() {
        assert!(is_key("apiVersion: v1", "apiVersion"));
        assert!(is_key("kind :", "kind"));
        assert!(is_key("'kind': Pod", "kind"));
        assert!(!is_key("kinds: Pod", "kind"));
        assert!(!is_key("kind:Pod", "kind"));
        assert!(!is_key(" kind: Pod", "kind"));
    }
}
