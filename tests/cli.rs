//! End-to-end tests of the `kube-secctx` binary: exit codes, inputs, and the text, JSON
//! and SARIF outputs, on real files.
#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

mod common;
use common::process::{code, stderr, stdout};

const BIN: &str = env!("CARGO_BIN_EXE_kube-secctx");

/// The project root, where `examples/` is.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary in `dir` with `args`, feeding `stdin` (or nothing) to it.
fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run kube-secctx");
    if let Some(input) = stdin {
        // The process may exit without reading (usage errors): a broken pipe is fine.
        let _ = child.stdin.take().unwrap().write_all(input);
    }
    child.wait_with_output().unwrap()
}

fn run(args: &[&str]) -> Output {
    run_in(&root(), args, None)
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", stdout(o)))
}

/// A temporary directory with `files` (path relative to it, content) written in it.
fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    dir
}

const NGINX: &str = "examples/nginx-deployment.yaml";

const PRIVILEGED_POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: prod
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext:
      privileged: true
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
";

const CLEAN_POD: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: ok}
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
";

// --- text output -------------------------------------------------------------------------

#[test]
fn nginx_text_output() {
    let o = run(&["check", NGINX]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(!out.contains('\u{1b}'), "no color when piped:\n{out}");

    let pod = "examples/nginx-deployment.yaml:16:5: pod-security-context-missing [hardening] ";
    let frame = "   |\n16 |     spec:\n   |     ^^^^\n   |\n   = fix: add spec.securityContext";
    let at = out.find(pod).unwrap_or_else(|| panic!("{out}"));
    assert!(out[at..].contains(frame), "{out}");

    let container =
        "examples/nginx-deployment.yaml:18:9: container-security-context-missing [hardening] ";
    assert!(out.contains(container), "{out}");
    assert!(
        out.contains("18 |       - name: nginx\n   |         ^^^^\n"),
        "{out}"
    );
    let restricted = "examples/nginx-deployment.yaml:18:9: may-run-as-root [PSS restricted] ";
    assert!(out.contains(restricted), "{out}");
    assert!(
        out.ends_with(
            "\nFound 7 findings (4 errors, 3 warnings) in 1 file (1 resource checked).\n"
        ),
        "{out}"
    );
}

#[test]
fn nginx_is_clean_at_baseline() {
    let o = run(&["check", "--level", "baseline", NGINX]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert_eq!(
        stdout(&o),
        "No problems found in 1 file (1 resource checked).\n"
    );
}

#[test]
fn pss_tag_and_fix_hint() {
    let dir = tree(&[("pod.yaml", PRIVILEGED_POD.as_bytes())]);
    let o = run_in(dir.path(), &["check", "pod.yaml"], None);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    let expected = "Pod prod/web (pod.yaml)\npod.yaml:14:19: privileged-container [PSS baseline] privileged: container \"app\" must not set securityContext.privileged=true\n   |\n14 |       privileged: true\n   |                   ^^^^\n   |\n   = fix: remove `privileged: true` from the container's securityContext (or set it to false)\n\n";
    assert!(out.starts_with(expected), "{out}");
    assert!(
        out.ends_with("Found 1 finding (1 error) in 1 file (1 resource checked).\n"),
        "{out}"
    );
}

#[test]
fn color_flags() {
    let always = run(&["check", "--color", "always", NGINX]);
    assert!(stdout(&always).contains("\u{1b}["), "--color always colors");
    let never = run(&["check", "--color", "always", "--no-color", NGINX]);
    assert!(!stdout(&never).contains('\u{1b}'), "--no-color wins");
    // Auto: stdout is a pipe here, so no color.
    let auto = run(&["check", NGINX]);
    assert!(!stdout(&auto).contains('\u{1b}'));
    // Colors never leak into JSON.
    let j = run(&["check", "--color", "always", "--format", "json", NGINX]);
    json(&j);
}

#[test]
fn input_errors_are_rendered_with_frames() {
    let dir = tree(&[(
        "bad.yaml",
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\nkind: Pod\nmetadata: {name: b}\n",
    )]);
    let o = run_in(dir.path(), &["check", "bad.yaml"], None);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(
        out.contains(
            "bad.yaml:5:1: error: document has no `apiVersion`\n  |\n5 | kind: Pod\n  | ^\n"
        ),
        "{out}"
    );
    assert!(out.contains("1 input error"), "{out}");
}

#[test]
fn entries_are_grouped_by_file() {
    let dir = tree(&[
        ("a.yaml", b"apiVersion: v1\nkind: Pod\nspec: {a: [\n"),
        ("b.yaml", PRIVILEGED_POD.as_bytes()),
    ]);
    let o = run_in(dir.path(), &["check", "."], None);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    let headers: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("./"))
        .map(|l| l.split(": ").next().unwrap())
        .collect();
    // An error at the end of input points at the end of the last line (3:12), not at a
    // line 4 the file does not have.
    assert_eq!(headers, ["./a.yaml:3:12", "./b.yaml:14:19"], "{out}");
    assert!(
        out.ends_with(
            "Found 1 finding (1 error) and 1 input error in 2 files (1 resource checked).\n"
        ),
        "{out}"
    );
}

// --- exit codes ----------------------------------------------------------------------------

#[test]
fn exit_codes() {
    let dir = tree(&[
        ("clean.yaml", CLEAN_POD.as_bytes()),
        ("bad.yaml", PRIVILEGED_POD.as_bytes()),
    ]);
    let d = dir.path();
    assert_eq!(code(&run_in(d, &["check", "clean.yaml"], None)), 0);
    assert_eq!(code(&run_in(d, &["check", "bad.yaml"], None)), 1);
    assert_eq!(
        code(&run_in(d, &["check", "--exit-zero", "bad.yaml"], None)),
        0
    );
    // Usage errors.
    assert_eq!(
        code(&run_in(
            d,
            &["check", "--level", "strict", "clean.yaml"],
            None
        )),
        2
    );
    assert_eq!(
        code(&run_in(
            d,
            &["check", "--pss-version", "1.30", "clean.yaml"],
            None
        )),
        2
    );
    assert_eq!(
        code(&run_in(
            d,
            &["check", "--format", "xml", "clean.yaml"],
            None
        )),
        2
    );
    assert_eq!(code(&run_in(d, &["frobnicate"], None)), 2);
}

#[test]
fn no_path_is_a_usage_error() {
    let o = run_in(&root(), &["check"], Some(CLEAN_POD.as_bytes()));
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("error: no PATH given"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty());
}

#[test]
fn unknown_rules_exit_2_with_a_suggestion() {
    let o = run(&["check", "--select", "privileged-containr", NGINX]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains("unknown rule \"privileged-containr\" in select"),
        "{err}"
    );
    assert!(
        err.contains("did you mean `privileged-container`?"),
        "{err}"
    );
    assert!(stdout(&o).is_empty());

    let o = run(&["check", "--ignore", "writable-root-filesystem,nope", NGINX]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("unknown rule \"nope\" in ignore"));
}

#[test]
fn unreadable_file_exits_2_but_others_are_checked() {
    let dir = tree(&[("bad.yaml", PRIVILEGED_POD.as_bytes())]);
    let o = run_in(dir.path(), &["check", "missing.yaml", "bad.yaml"], None);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.starts_with("error: missing.yaml: "), "{err}");
    assert!(stdout(&o).contains("bad.yaml:14:19: privileged-container"));
    // --exit-zero does not hide an unreadable file.
    let o = run_in(dir.path(), &["check", "--exit-zero", "missing.yaml"], None);
    assert_eq!(code(&o), 2);
}

#[test]
fn select_and_ignore() {
    let o = run(&[
        "check",
        "--format",
        "json",
        "--select",
        "may-run-as-root,writable-root-filesystem",
        NGINX,
    ]);
    let rules: Vec<String> = json(&o)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(rules, ["may-run-as-root", "writable-root-filesystem"]);

    let o = run(&[
        "check",
        "--format",
        "json",
        "--ignore",
        "pod-security-context-missing",
        NGINX,
    ]);
    let v = json(&o);
    assert_eq!(v["summary"]["findings"], 6);
    assert_eq!(v["options"]["ignore"][0], "pod-security-context-missing");
}

#[test]
fn pss_version_option() {
    // allowPrivilegeEscalation is a restricted check from v1.8 on.
    let o = run(&[
        "check",
        "--format",
        "json",
        "--level",
        "restricted",
        "--pss-version",
        "v1.7",
        NGINX,
    ]);
    let v = json(&o);
    assert_eq!(v["options"]["pssVersion"], "v1.7");
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(
        !rules.contains(&"privilege-escalation-allowed"),
        "{rules:?}"
    );
    assert!(rules.contains(&"may-run-as-root"), "{rules:?}");
}

// --- inputs --------------------------------------------------------------------------------

#[test]
fn stdin() {
    let o = run_in(&root(), &["check", "-"], Some(PRIVILEGED_POD.as_bytes()));
    assert_eq!(code(&o), 1);
    assert!(
        stdout(&o).starts_with(
            "Pod prod/web (<stdin>)\n<stdin>:14:19: privileged-container [PSS baseline] "
        ),
        "{}",
        stdout(&o)
    );
    let o = run_in(
        &root(),
        &[
            "check",
            "--stdin-filename",
            "deploy/pod.yaml",
            "--format",
            "json",
            "-",
        ],
        Some(CLEAN_POD.as_bytes()),
    );
    assert_eq!(code(&o), 0);
    assert_eq!(json(&o)["files"], serde_json::json!(["deploy/pod.yaml"]));
}

#[test]
fn directories_are_searched_recursively_in_order() {
    let dir = tree(&[
        ("m/z.yaml", CLEAN_POD.as_bytes()),
        ("m/a/b.yml", CLEAN_POD.as_bytes()),
        ("m/a/c.YAML", CLEAN_POD.as_bytes()),
        ("m/a.yaml", CLEAN_POD.as_bytes()),
        ("m/notes.txt", b"not yaml"),
        ("m/.hidden/x.yaml", b"not: [valid"),
        ("m/.x.yaml", b"not: [valid"),
        ("single.json", CLEAN_POD.as_bytes()),
    ]);
    let o = run_in(
        dir.path(),
        &["check", "--format", "json", "m", "single.json", "m/z.yaml"],
        None,
    );
    assert_eq!(code(&o), 0, "{}\n{}", stdout(&o), stderr(&o));
    assert_eq!(
        json(&o)["files"],
        serde_json::json!([
            "m/a/b.yml",
            "m/a/c.YAML",
            "m/a.yaml",
            "m/z.yaml",
            "single.json"
        ])
    );
    assert_eq!(json(&o)["summary"]["resources"], 5);

    let empty = tree(&[("e/readme.md", b"x")]);
    let o = run_in(empty.path(), &["check", "e"], None);
    assert_eq!(code(&o), 0);
    assert!(
        stderr(&o).contains("warning: e: no Kubernetes manifests (*.yaml, *.yml, *.json) found\n")
    );
}

#[test]
fn non_utf8_document_is_an_input_error_and_the_others_are_checked() {
    let mut bytes = b"apiVersion: v1\nkind: Pod\nmetadata: {name: caf".to_vec();
    bytes.push(0xE9); // Latin-1 "é"
    bytes.extend_from_slice(b"}\n---\n");
    bytes.extend_from_slice(PRIVILEGED_POD.as_bytes());
    let dir = tree(&[("latin1.yaml", &bytes), ("ok.yaml", CLEAN_POD.as_bytes())]);
    let o = run_in(dir.path(), &["check", "latin1.yaml", "ok.yaml"], None);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(
        out.contains("latin1.yaml:3:21: error: this document is not valid UTF-8 (byte 0xE9) and was not checked: manifests must be UTF-8\n"),
        "{out}"
    );
    // The invalid byte shows as one `?`, so the positions after it are the file's.
    assert!(out.contains("3 | metadata: {name: caf?}\n"), "{out}");
    let privileged = PRIVILEGED_POD
        .lines()
        .position(|l| l.contains("privileged: true"))
        .unwrap();
    assert!(
        out.contains(&format!("latin1.yaml:{}:", privileged + 5)),
        "the next document is checked: {out}"
    );
    assert!(out.contains("privileged-container"), "{out}");

    let o = run_in(
        dir.path(),
        &["check", "--format", "json", "latin1.yaml"],
        None,
    );
    let v = json(&o);
    assert_eq!(v["errors"][0]["range"]["start"]["line"], 3);
    assert_eq!(v["errors"][0]["range"]["start"]["offset"], 45);
    assert_eq!(v["errors"][0]["document"], 0);
    assert_eq!(v["summary"]["errors"], 1);
    assert_eq!(v["summary"]["documents"], 2);
    assert_eq!(v["summary"]["resources"], 1);
}

// --- JSON ----------------------------------------------------------------------------------

#[test]
fn json_report_shape() {
    let dir = tree(&[("pod.yaml", PRIVILEGED_POD.as_bytes())]);
    let o = run_in(dir.path(), &["check", "--format", "json", "pod.yaml"], None);
    assert_eq!(code(&o), 1);
    let v = json(&o);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        ["errors", "files", "findings", "options", "summary", "version"]
    );
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["files"], serde_json::json!(["pod.yaml"]));
    assert_eq!(v["options"]["level"], Value::Null);
    assert_eq!(v["options"]["pssVersion"], "v1.37");

    let f = &v["findings"][0];
    assert_eq!(f["file"], "pod.yaml");
    assert_eq!(f["document"], 0);
    assert_eq!(
        f["resource"],
        serde_json::json!({"apiVersion": "v1", "kind": "Pod", "name": "web", "namespace": "prod", "matchedBy": "kind"})
    );
    assert_eq!(f["container"], "app");
    assert_eq!(f["rule"], "privileged-container");
    assert_eq!(
        f["pss"],
        serde_json::json!({"level": "baseline", "check": "privileged"})
    );
    assert_eq!(f["severity"], "error");
    assert_eq!(f["path"], "/spec/containers/0/securityContext/privileged");
    let offset = PRIVILEGED_POD.find("privileged: true").unwrap() + "privileged: ".len();
    assert_eq!(
        f["range"],
        serde_json::json!({
            "start": {"line": 14, "column": 19, "offset": offset},
            "end": {"line": 14, "column": 23, "offset": offset + 4},
        })
    );
    assert!(f["message"].as_str().unwrap().contains("privileged"));
    assert!(f["fix"].as_str().unwrap().contains("privileged: true"));

    let s = &v["summary"];
    assert_eq!(s["files"], 1);
    assert_eq!(s["documents"], 1);
    assert_eq!(s["resources"], 1);
    assert_eq!(s["findings"], 1);
    assert_eq!(s["errors"], 0);
    assert_eq!(s["suppressed"], 0);
    assert_eq!(s["byRule"], serde_json::json!({"privileged-container": 1}));
    assert_eq!(s["bySeverity"], serde_json::json!({"error": 1}));
}

// --- SARIF ---------------------------------------------------------------------------------

/// A container line with an emoji (2 UTF-16 code units) and two CJK characters (1 each)
/// before the finding's value.
const EMOJI_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: こんにちは\nspec:\n  containers:\n  - {name: \"😀日本\", image: nginx, securityContext: {privileged: true}}\n";

#[test]
fn sarif_log() {
    let dir = tree(&[("manifests/pod.yaml", EMOJI_POD.as_bytes())]);
    let o = run_in(
        dir.path(),
        &["check", "--format", "sarif", "manifests"],
        None,
    );
    assert_eq!(code(&o), 1);
    let raw = stdout(&o);
    assert!(raw.starts_with("{\n  \"$schema\": "), "{raw}");
    assert!(!raw.contains(": null"), "no nulls in SARIF");
    let v = json(&o);
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(
        v["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["columnKind"], "utf16CodeUnits");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    let root_uri = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        root_uri.starts_with("file:///") && root_uri.ends_with('/'),
        "{root_uri}"
    );

    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "kube-secctx");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), kube_secctx::rules::RULES.len() + 1);
    for (rule, desc) in kube_secctx::rules::RULES.iter().zip(rules) {
        assert_eq!(desc["id"], rule.id);
        assert_eq!(desc["shortDescription"]["text"], rule.title);
        assert!(!desc["fullDescription"]["text"].as_str().unwrap().is_empty());
        assert!(desc["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## What it checks"));
        assert!(!desc["help"]["text"].as_str().unwrap().is_empty());
        assert_eq!(
            desc["defaultConfiguration"]["level"],
            rule.severity.as_str()
        );
    }
    assert_eq!(rules.last().unwrap()["id"], "input-error");

    let results = run["results"].as_array().unwrap();
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "privileged-container")
        .unwrap();
    let index = r["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "privileged-container");
    assert_eq!(rules[index]["properties"]["psaCheck"], "privileged");
    assert_eq!(rules[index]["properties"]["pssLevel"], "baseline");
    assert_eq!(r["level"], "error");
    assert!(r["message"]["text"]
        .as_str()
        .unwrap()
        .contains("privileged"));
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "manifests/pod.yaml");
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    // `true` is at character column 63; 😀 counts 2 UTF-16 code units, so SARIF says 64.
    assert_eq!(
        loc["region"],
        serde_json::json!({"startLine": 7, "startColumn": 64, "endLine": 7, "endColumn": 68})
    );
    let fp = r["partialFingerprints"]["kubeSecctx/v1"].as_str().unwrap();
    assert_eq!(fp.len(), 18, "{fp}");
    assert!(fp.ends_with(":1"));
    assert_eq!(
        r["properties"]["jsonPointer"],
        "/spec/containers/0/securityContext/privileged"
    );
    assert_eq!(r["properties"]["pss"]["level"], "baseline");
    assert_eq!(r["properties"]["resource"]["name"], "こんにちは");

    // The text output counts characters: column 63.
    let t = run_in(
        dir.path(),
        &[
            "check",
            "--select",
            "privileged-container",
            "manifests/pod.yaml",
        ],
        None,
    );
    assert!(stdout(&t).contains("\nmanifests/pod.yaml:7:63: privileged-container"));

    // Same input, same fingerprints.
    let again = json(&run_in(
        dir.path(),
        &["check", "--format", "sarif", "manifests"],
        None,
    ));
    let fps = |v: &Value| -> Vec<Value> {
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"].clone())
            .collect()
    };
    assert_eq!(fps(&v), fps(&again));
}

#[test]
fn sarif_input_errors_are_results() {
    let dir = tree(&[("bad.yaml", b"apiVersion: v1\nkind: Pod\nspec: {a: [\n")]);
    let v = json(&run_in(
        dir.path(),
        &["check", "--format", "sarif", "bad.yaml"],
        None,
    ));
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1);
    let r = &results[0];
    assert_eq!(r["ruleId"], "input-error");
    assert_eq!(r["ruleIndex"], kube_secctx::rules::RULES.len());
    assert_eq!(r["level"], "error");
    assert_eq!(
        r["locations"][0]["physicalLocation"]["region"]["startLine"],
        3
    );
}

// --- rules and explain ---------------------------------------------------------------------

#[test]
fn rules_command() {
    let o = run(&["rules"]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    let mut lines = out.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("RULE "), "{header}");
    assert!(header.contains("PSA CHECK") && header.ends_with("TITLE"));
    for rule in kube_secctx::rules::RULES {
        assert!(
            out.contains(&format!("\n{} ", rule.id)),
            "{} missing:\n{out}",
            rule.id
        );
    }
    let privileged = out
        .lines()
        .find(|l| l.starts_with("privileged-container "))
        .unwrap();
    let words: Vec<&str> = privileged.split_whitespace().collect();
    assert_eq!(
        words[..4],
        ["privileged-container", "baseline", "privileged", "error"]
    );

    let md = run(&["rules", "--format", "markdown"]);
    assert_eq!(code(&md), 0);
    assert_eq!(stdout(&md), kube_secctx::render::rules_markdown());
    assert!(stdout(&md).starts_with("| Rule | PSS level | PSA check | Severity | Title |\n|---|"));

    let j = json(&run(&["rules", "--format", "json"]));
    let all = j.as_array().unwrap();
    assert_eq!(all.len(), kube_secctx::rules::RULES.len());
    let p = all
        .iter()
        .find(|r| r["id"] == "privileged-container")
        .unwrap();
    assert_eq!(p["pss"]["check"], "privileged");
    assert_eq!(p["severity"], "error");
}

#[test]
fn explain_command() {
    let o = run(&["explain", "privileged-container"]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    assert!(out.starts_with("# privileged-container\n"), "{out}");
    assert!(out.contains("## What it checks"));
    assert!(out.contains("## Fix"));

    let o = run(&["explain", "host-namespace"]);
    assert_eq!(code(&o), 2);
    assert!(stdout(&o).is_empty());
    let err = stderr(&o);
    assert!(err.contains("unknown rule \"host-namespace\""), "{err}");
    assert!(err.contains("did you mean `host-namespaces`?"), "{err}");
}

#[test]
fn version_and_help() {
    let o = run(&["--version"]);
    assert_eq!(code(&o), 0);
    assert_eq!(
        stdout(&o),
        format!("kube-secctx {}\n", env!("CARGO_PKG_VERSION"))
    );
    let o = run(&["check", "--help"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("Exit codes:"));
}

#[test]
fn selected_rules_that_cannot_run_are_warned_about() {
    let o = run(&[
        "check",
        "--level",
        "baseline",
        "--pss-version",
        "v1.22",
        "--select",
        "may-run-as-root,host-port,writable-root-filesystem",
        "--ignore",
        "host-port",
        NGINX,
    ]);
    assert_eq!(code(&o), 0);
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("warning: rule `may-run-as-root` will not run: it is a restricted check and the level is baseline"), "{err}");
    assert!(
        err.contains("warning: rule `host-port` will not run: it is also in --ignore"),
        "{err}"
    );
    assert!(err.contains("warning: rule `writable-root-filesystem` will not run: it is a hardening rule, and with a level (--level, or the config file's `level`) only the Pod Security Standards and the input diagnostics run"), "{err}");
    let o = run(&[
        "check",
        "--pss-version",
        "v1.22",
        "--select",
        "run-as-root-user",
        NGINX,
    ]);
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("its PSA check `runAsUser` applies from v1.23, and the PSS version is v1.22"),
        "{err}"
    );
}

/// Directories reached through many symbolic links are walked once each: 20 levels of two
/// links to the next level (2^20 paths) end at one file, found once, at once.
#[cfg(unix)]
#[test]
fn a_directory_reached_by_many_links_is_walked_once() {
    let dir = tree(&[("d20/pod.yaml", PRIVILEGED_POD.as_bytes())]);
    for level in 0..20 {
        let here = dir.path().join(format!("d{level}"));
        std::fs::create_dir_all(&here).unwrap();
        for name in ["a", "b"] {
            std::os::unix::fs::symlink(format!("../d{}", level + 1), here.join(name)).unwrap();
        }
    }
    let o = run_in(dir.path(), &["check", "--format", "json", "d0"], None);
    assert_eq!(stderr(&o), "");
    let v = json(&o);
    assert_eq!(
        v["files"],
        serde_json::json!(["d0/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/pod.yaml"])
    );
    assert_eq!(code(&o), 1);
}

/// A reader that goes away before the report is written (`| true`): the CLI prints no
/// error, still checks every input, and its exit code still says what was found.
#[test]
fn a_closed_pipe_keeps_the_exit_code() {
    let dir = tree(&[
        ("p.yaml", PRIVILEGED_POD.as_bytes()),
        ("ok.yaml", b"kind: ConfigMap\napiVersion: v1\n"),
    ]);
    for format in ["text", "json", "sarif"] {
        let mut child = std::process::Command::new(BIN)
            .current_dir(dir.path())
            .args(["check", "--format", format, "ok.yaml", "p.yaml"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{format}");
    }
}

/// File names that are not UTF-8 are shown with their bytes escaped (`\xFE`), so that two
/// names that differ only there are two files, both checked.
#[cfg(unix)]
#[test]
fn names_that_are_not_utf8_stay_apart() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let name = |b: u8| {
        std::ffi::OsStr::from_bytes(&[b'a', b, b'.', b'y', b'a', b'm', b'l']).to_os_string()
    };
    std::fs::write(dir.path().join(name(0xFE)), CLEAN_POD).unwrap();
    std::fs::write(dir.path().join(name(0xFF)), PRIVILEGED_POD).unwrap();
    let o = run_in(dir.path(), &["check", "--format", "json", "."], None);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    assert_eq!(
        v["files"],
        serde_json::json!(["./a\\xFE.yaml", "./a\\xFF.yaml"])
    );
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["file"] == "./a\\xFF.yaml" && f["rule"] == "privileged-container"));
    // SARIF gives the artifact's real bytes, percent-encoded.
    let o = run_in(dir.path(), &["check", "--format", "sarif", "."], None);
    let v = json(&o);
    let uri =
        &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "a%FF.yaml");
}

/// A file whose name is an escape written out (`a\xFE.yaml`, ASCII) shows as a file whose
/// name has the byte 0xFE: both are checked, each on its own.
#[cfg(unix)]
#[test]
fn two_files_that_show_one_name_are_both_checked() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a\\xFE.yaml"), PRIVILEGED_POD).unwrap();
    let raw = std::ffi::OsStr::from_bytes(b"a\xfe.yaml");
    std::fs::write(dir.path().join(raw), PRIVILEGED_POD).unwrap();
    let o = run_in(dir.path(), &["check", "--format", "json", "."], None);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stderr), "");
    let v = json(&o);
    assert_eq!(
        v["files"],
        serde_json::json!(["./a\\xFE.yaml", "./a\\xFE.yaml"])
    );
    let privileged = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "privileged-container")
        .count();
    assert_eq!(privileged, 2);
}
