//! Walking a repository, as a process: what `kube-secctx check DIR` checks and skips in a
//! repository with a Helm chart, a kustomization, JSON files and ignore files
//! (`tests/repo`), `--exclude`, `--no-ignore`, `--show-skipped`, and files named
//! on the command line, which are always checked.
#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

mod common;
use common::process::{code, stderr, stdout};

const BIN: &str = env!("CARGO_BIN_EXE_kube-secctx");

/// The fixture repository, as a path from the project root.
const REPO: &str = "tests/repo";

/// The parts of the fixture repository this file is about (other tests add namespaces and
/// workloads beside them).
const MINE: [&str; 5] = ["chart/", "ci/", "ignored/", "json/", "kustomize/"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("run kube-secctx")
}

fn run(args: &[&str]) -> Output {
    run_in(&root(), args)
}

fn report(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", stdout(o)))
}

/// The report's files under this file's parts of the repository, relative to it.
fn my_files(v: &Value) -> Vec<String> {
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            f.as_str()
                .unwrap()
                .strip_prefix(&format!("{REPO}/"))
                .unwrap()
                .to_string()
        })
        .filter(|f| MINE.iter().any(|m| f.starts_with(m)))
        .collect()
}

/// The `note:` lines of `--show-skipped`: `(file relative to the repository, reason)`.
fn skipped_notes(o: &Output) -> Vec<(String, String)> {
    stderr(o)
        .lines()
        .filter_map(|l| l.strip_prefix("note: "))
        .map(|l| {
            let (file, why) = l.split_once(": skipped: ").unwrap();
            let file = file.strip_prefix(&format!("{REPO}/")).unwrap_or(file);
            (file.to_string(), why.to_string())
        })
        .collect()
}

/// A temporary directory with `files` (path relative to it, content) written in it.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    dir
}

const CHART: &str = "Helm chart metadata (Chart.yaml)";
const VALUES: &str = "Helm values (values*.yaml)";
const TEMPLATE: &str = "Helm template (text with `{{` actions)";
const KUSTOMIZE: &str = "kustomize configuration (kustomization.yaml)";
const PATCH: &str = "kustomize patch (named in a kustomization's patches)";
const NO_OBJECT: &str = "no Kubernetes object (no document with `apiVersion` and `kind`)";

#[test]
fn a_repository_is_checked_and_what_is_not_kubernetes_is_skipped() {
    let o = run(&["check", "--format", "json", "--show-skipped", REPO]);
    let v = report(&o);
    // The Deployment in JSON (privileged) and the kustomize base (hostNetwork) fail.
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert_eq!(
        my_files(&v),
        [
            "ignored/service.yaml",
            "json/deployment.json",
            "kustomize/deployment.yaml"
        ]
    );
    let expected: Vec<(String, String)> = [
        ("chart/Chart.yaml", CHART),
        ("chart/templates/deployment.yaml", TEMPLATE),
        ("chart/values-prod.yaml", VALUES),
        ("chart/values.yaml", VALUES),
        ("ci/pipeline.yaml", NO_OBJECT),
        ("json/package.json", NO_OBJECT),
        ("kustomize/kustomization.yaml", KUSTOMIZE),
        ("kustomize/patch-env.yaml", PATCH),
    ]
    .iter()
    .map(|(f, r)| (f.to_string(), r.to_string()))
    .collect();
    assert_eq!(skipped_notes(&o), expected);
    assert_eq!(v["summary"]["skipped"], 8);
    assert_eq!(v["errors"], json!([]));
    // The JSON manifest is checked, at its line and column.
    let privileged = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == format!("{REPO}/json/deployment.json"))
        .unwrap();
    assert_eq!(privileged["rule"], "privileged-container");
    assert_eq!(privileged["range"]["start"]["line"], 19);
    assert_eq!(privileged["range"]["start"]["column"], 29);

    // The text summary counts them; without --show-skipped, no notes.
    let o = run(&["check", "--color", "never", REPO]);
    assert_eq!(code(&o), 1);
    let last = stdout(&o).lines().last().unwrap().to_string();
    assert!(
        last.ends_with(" 8 files skipped (not Kubernetes manifests)."),
        "{last}"
    );
    assert!(!stderr(&o).contains("note:"), "{}", stderr(&o));
}

#[test]
fn files_named_on_the_command_line_are_checked_whatever_they_are() {
    let files = [
        ("chart/Chart.yaml", "document has no `kind`"),
        (
            "chart/values.yaml",
            "document has no `apiVersion` and `kind`",
        ),
        ("kustomize/kustomization.yaml", ""),
        (
            "json/package.json",
            "document has no `apiVersion` and `kind`",
        ),
    ];
    for (file, error) in files {
        let path = format!("{REPO}/{file}");
        let o = run(&["check", "--format", "json", &path]);
        let v = report(&o);
        assert_eq!(v["files"], json!([path]), "{file}");
        assert_eq!(v["summary"].get("skipped"), None, "{file}");
        if error.is_empty() {
            // kustomization.yaml is an object (apiVersion and kind), without pods.
            assert_eq!(code(&o), 0, "{file}");
        } else {
            assert_eq!(code(&o), 1, "{file}");
            assert_eq!(v["errors"][0]["message"], error, "{file}");
        }
    }
    // A Helm template does not parse: an input error at its position.
    let path = format!("{REPO}/chart/templates/deployment.yaml");
    let o = run(&["check", "--format", "json", &path]);
    assert_eq!(code(&o), 1);
    let v = report(&o);
    assert_eq!(v["summary"]["errors"], 1, "{v}");
    assert_eq!(
        v["errors"][0]["message"],
        "invalid YAML: \"-\" is only valid inside a block"
    );
    // `    {{- include "web.labels" . | nindent 4 }}`
    assert_eq!(v["errors"][0]["range"]["start"]["line"], 6);
    assert_eq!(v["errors"][0]["range"]["start"]["column"], 7);
}

#[test]
fn exclude_globs() {
    let files = |args: &[&str]| {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        let o = run(&all);
        assert!(code(&o) < 2, "{}", stderr(&o));
        (
            my_files(&report(&o)),
            report(&o)["summary"]["skipped"].clone(),
        )
    };
    // A name at any depth; a directory (not entered: its files are not even skipped).
    assert_eq!(
        files(&["--exclude", "*.json", REPO]).0,
        ["ignored/service.yaml", "kustomize/deployment.yaml"]
    );
    assert_eq!(
        files(&["--exclude", "json/", "--exclude", "chart", REPO]),
        (
            vec![
                "ignored/service.yaml".to_string(),
                "kustomize/deployment.yaml".to_string()
            ],
            // ci/pipeline.yaml, kustomize/kustomization.yaml and the patch it names
            json!(3)
        )
    );
    // Anchored to the walked directory: `/service.yaml` is not `ignored/service.yaml`.
    assert_eq!(
        files(&[
            "--exclude",
            "/service.yaml",
            "--exclude",
            "/kustomize/*.yaml",
            REPO
        ])
        .0,
        ["ignored/service.yaml", "json/deployment.json"]
    );
    assert_eq!(
        files(&["--exclude", "/ignored/service.yaml", REPO]).0,
        ["json/deployment.json", "kustomize/deployment.yaml"]
    );
    // A path named on the command line is checked all the same (as ruff does without
    // --force-exclude).
    let json = format!("{REPO}/json/deployment.json");
    assert_eq!(
        files(&["--exclude", "*.json", &json]).0,
        ["json/deployment.json"]
    );
    // A bad glob is a usage error.
    let o = run(&["check", "--exclude", "deploy/{a,b", REPO]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        "error: --exclude: error parsing glob 'deploy/{a,b': unclosed alternate group; \
         missing '}' (maybe escape '{' with '[{]'?)\n"
    );
    assert_eq!(stdout(&o), "");
}

#[test]
fn ignore_files_are_respected() {
    // ignored/.gitignore leaves out generated.yaml (a privileged Pod).
    let o = run(&["check", "--format", "json", REPO]);
    assert!(!my_files(&report(&o)).contains(&"ignored/generated.yaml".to_string()));
    let o = run(&["check", "--format", "json", "--no-ignore", REPO]);
    assert!(my_files(&report(&o)).contains(&"ignored/generated.yaml".to_string()));
    // Named, it is checked.
    let generated = format!("{REPO}/ignored/generated.yaml");
    let o = run(&["check", "--format", "json", &generated]);
    assert_eq!(report(&o)["files"], json!([generated]));
    assert_eq!(code(&o), 1);

    // Outside a git repository: .gitignore and .ignore at every level, deeper files and
    // .ignore winning, negations; no .git needed.
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n";
    let dir = tree(&[
        ("r/.gitignore", "*.gen.yaml\n/top.yaml\nbuild/\n"),
        ("r/top.yaml", pod),
        ("r/a/top.yaml", pod),
        ("r/a/x.gen.yaml", pod),
        ("r/b/.gitignore", "!keep.gen.yaml\n"),
        ("r/b/keep.gen.yaml", pod),
        ("r/b/.ignore", "local.yaml\n"),
        ("r/b/local.yaml", pod),
        ("r/build/out.yaml", pod),
    ]);
    let o = run_in(dir.path(), &["check", "--format", "json", "r"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        report(&o)["files"],
        json!(["r/a/top.yaml", "r/b/keep.gen.yaml"])
    );
    // Walked from below, the directories above it up to the repository's root count:
    // here, where there is no `.git`, they do not.
    let o = run_in(
        &dir.path().join("r"),
        &["check", "--format", "json", "build"],
    );
    assert_eq!(report(&o)["files"], json!(["build/out.yaml"]));
    std::fs::create_dir(dir.path().join("r/.git")).unwrap();
    std::fs::create_dir_all(dir.path().join("r/.git/info")).unwrap();
    std::fs::write(dir.path().join("r/.git/info/exclude"), "a/\n").unwrap();
    let o = run_in(&dir.path().join("r/b"), &["check", "--format", "json", "."]);
    assert_eq!(report(&o)["files"], json!(["./keep.gen.yaml"]));
    let o = run_in(dir.path(), &["check", "--format", "json", "r"]);
    assert_eq!(report(&o)["files"], json!(["r/b/keep.gen.yaml"]));
    // A directory named on the command line is walked even when an ignore file leaves
    // it out (its entries are matched, not the directory itself).
    let o = run_in(
        &dir.path().join("r"),
        &["check", "--format", "json", "build"],
    );
    assert_eq!(report(&o)["files"], json!(["build/out.yaml"]));
}

#[test]
fn a_directory_without_manifests_is_a_warning_that_counts_the_skipped() {
    let dir = tree(&[
        (
            "chart/Chart.yaml",
            "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        ),
        ("chart/values.yaml", "image: nginx\n"),
        ("chart/README.md", "# c\n"),
        ("empty/notes.txt", "x"),
    ]);
    let o = run_in(dir.path(), &["check", "--color", "never", "chart", "empty"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "warning: chart: no Kubernetes manifests (*.yaml, *.yml, *.json) found (2 files \
         skipped: not Kubernetes manifests; see --show-skipped)\n\
         warning: empty: no Kubernetes manifests (*.yaml, *.yml, *.json) found\n"
    );
    assert_eq!(
        stdout(&o),
        "No problems found in 0 files (0 resources checked). 2 files skipped (not Kubernetes \
         manifests).\n"
    );
}

#[test]
fn skipped_files_are_never_fixed() {
    let privileged = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  \
                      - name: a\n    image: b\n    securityContext: {privileged: true}\n";
    let template = format!("{privileged}  # {{{{ .Values.x }}}}\n");
    let dir = tree(&[
        ("t/templates/pod.yaml", &template),
        ("t/pod.yaml", privileged),
    ]);
    let o = run_in(dir.path(), &["check", "--fix", "--format", "json", "t"]);
    assert_eq!(report(&o)["files"], json!(["t/pod.yaml"]), "{}", stderr(&o));
    let kept = std::fs::read_to_string(dir.path().join("t/templates/pod.yaml")).unwrap();
    assert_eq!(kept, template);
    // The manifest beside it gets its safe fix (privileged is an unsafe one).
    let fixed = std::fs::read_to_string(dir.path().join("t/pod.yaml")).unwrap();
    assert!(fixed.contains("seccompProfile"), "{fixed}");
}

#[test]
fn files_that_are_not_utf8_are_decided_on_the_text_the_check_reads() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("d");
    std::fs::create_dir(&d).unwrap();
    // A manifest with a Latin-1 byte: checked, and its document reported.
    std::fs::write(
        d.join("a.yaml"),
        b"apiVersion: v1\nkind: Pod\nmetadata: {name: caf\xE9}\n",
    )
    .unwrap();
    // Other YAML with one: skipped.
    std::fs::write(d.join("b.yaml"), b"title: caf\xE9\n").unwrap();
    // UTF-16: checked, to be reported as UTF-16.
    std::fs::write(d.join("c.yaml"), b"\xFF\xFEa\x00:\x00 \x00b\x00\n\x00").unwrap();
    let o = run_in(
        dir.path(),
        &["check", "--format", "json", "--show-skipped", "d"],
    );
    assert_eq!(code(&o), 1);
    let v = report(&o);
    assert_eq!(v["files"], json!(["d/a.yaml", "d/c.yaml"]));
    assert_eq!(v["summary"]["skipped"], 1);
    assert_eq!(
        stderr(&o),
        format!("note: d/b.yaml: skipped: {NO_OBJECT}\n")
    );
    let messages: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "this document is not valid UTF-8 (byte 0xE9) and was not checked: manifests must be UTF-8",
            "the file is UTF-16 (it starts with a UTF-16 byte order mark): convert it to UTF-8"
        ]
    );
}

/// `--force-exclude` (as pre-commit passes file names): named files are left out by
/// `--exclude` and skipped when they are not manifests, as walked files are; without it
/// they are checked and a file that is not a manifest is an input error.
#[test]
fn force_exclude_treats_named_files_as_walked() {
    let named = [
        "chart/Chart.yaml",
        "chart/values.yaml",
        "chart/templates/deployment.yaml",
        "ci/pipeline.yaml",
        "json/package.json",
        "json/deployment.json",
        "kustomize/deployment.yaml",
    ];
    let dir = root().join(REPO);
    let mut args = vec!["check", "--format", "json", "--force-exclude"];
    args.extend(named);
    let out = run_in(&dir, &args);
    let v = report(&out);
    assert_eq!(
        v["files"],
        json!(["json/deployment.json", "kustomize/deployment.yaml"]),
        "{}",
        stderr(&out)
    );
    assert_eq!(v["summary"]["skipped"], 5);
    assert_eq!(v["summary"]["errors"], 0);
    // No "no manifests found" warning: no directory was given.
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));

    // --exclude matches the path as given, or a directory above it.
    args.extend(["--exclude", "kustomize/"]);
    let out = run_in(&dir, &args);
    assert_eq!(report(&out)["files"], json!(["json/deployment.json"]));
    let out = run_in(
        &dir,
        &[
            "check",
            "--format",
            "json",
            "--force-exclude",
            "--exclude",
            "*.json",
            "./json/deployment.json",
        ],
    );
    assert_eq!(report(&out)["files"], json!([]));

    // Without it, every named file is checked: the chart's are input errors.
    let mut plain = vec!["check", "--format", "json"];
    plain.extend(named);
    let out = run_in(&dir, &plain);
    let v = report(&out);
    assert_eq!(v["files"].as_array().unwrap().len(), named.len());
    assert!(v["summary"]["errors"].as_u64().unwrap() > 0);
    assert_eq!(code(&out), 1);
}

/// Kustomize patches: found from the kustomization of the file's directory or a parent
/// (`Kustomization` too), also for a patch named alone with `--force-exclude` (a commit
/// that edits only the patch); a path that leaves the kustomization's directory names no
/// patch, as `kustomize build` refuses it.
#[test]
fn kustomize_patches_stay_inside_their_kustomization() {
    let privileged = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  \
                      - name: a\n    image: b\n    securityContext: {privileged: true}\n";
    let dir = tree(&[
        (
            "overlay/kustomization.yaml",
            "patches:\n- path: patches/p.yaml\n- path: ../prod/deploy.yaml\n",
        ),
        ("overlay/patches/p.yaml", privileged),
        ("prod/deploy.yaml", privileged),
        ("k6/Kustomization", "patchesStrategicMerge: [q.yaml]\n"),
        ("k6/q.yaml", privileged),
    ]);
    let o = run_in(dir.path(), &["check", "--format", "json", "."]);
    assert_eq!(
        report(&o)["files"],
        json!(["./prod/deploy.yaml"]),
        "{}",
        stderr(&o)
    );
    assert_eq!(report(&o)["summary"]["skipped"], 3);
    let o = run_in(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--force-exclude",
            "overlay/patches/p.yaml",
            "k6/q.yaml",
        ],
    );
    assert_eq!(report(&o)["files"], json!([]), "{}", stderr(&o));
    assert_eq!(report(&o)["summary"]["skipped"], 2);
}
