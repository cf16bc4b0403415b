//! The configuration file, `.kube-secctx.yaml`, as a user meets it: the binary run as a
//! process in a temporary repository. Discovery upward from the working directory,
//! `--config` and `--no-config`, errors with their line, column and suggestion, flags over
//! the file, `--show-settings` (asserted whole), and `perFileIgnores` with the report's
//! counts.
#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

mod common;
use common::process::{code, stderr, stdout};

const BIN: &str = env!("CARGO_BIN_EXE_kube-secctx");

/// A pod with two baseline findings (host-namespaces, privileged-container), one
/// restricted finding (unrestricted-capabilities) and one hardening finding
/// (writable-root-filesystem).
const POD: &str = "\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  hostNetwork: true
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: app
    image: registry.example/app:1.0
    securityContext:
      privileged: true
      allowPrivilegeEscalation: false
";

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("run kube-secctx")
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", stdout(o), stderr(o)))
}

/// A temporary repository with `files` (path relative to it, content).
fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    dir
}

/// The rule of each finding of a JSON report, with its file.
fn found(v: &Value) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn found_upward_from_the_working_directory() {
    let dir = repo(&[
        (".kube-secctx.yaml", "level: baseline\n"),
        ("apps/web/pod.yaml", POD),
    ]);
    // Run two levels below the file: it applies.
    let o = run_in(
        &dir.path().join("apps/web"),
        &["check", "--format", "json", "pod.yaml"],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v = json_of(&o);
    assert_eq!(v["options"]["level"], "baseline");
    assert_eq!(
        found(&v),
        [
            ("pod.yaml".into(), "host-namespaces".into()),
            ("pod.yaml".into(), "privileged-container".into())
        ]
    );
    // The nearest file wins: one in apps/ hides the root's.
    std::fs::write(
        dir.path().join("apps/.kube-secctx.yml"),
        "select: [privileged-container]\n",
    )
    .unwrap();
    let o = run_in(
        &dir.path().join("apps/web"),
        &["check", "--format", "json", "pod.yaml"],
    );
    let v = json_of(&o);
    assert_eq!(v["options"]["level"], Value::Null);
    assert_eq!(v["options"]["select"], json!(["privileged-container"]));
    assert_eq!(
        found(&v),
        [("pod.yaml".into(), "privileged-container".into())]
    );
    // Both names in one directory: which one holds the settings would be a guess.
    std::fs::write(dir.path().join("apps/.kube-secctx.yaml"), "").unwrap();
    let o = run_in(&dir.path().join("apps/web"), &["check", "pod.yaml"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).ends_with(".kube-secctx.yaml and .kube-secctx.yml are both here: keep one\n"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty());
}

#[test]
fn config_and_no_config() {
    let dir = repo(&[
        (".kube-secctx.yaml", "level: baseline\n"),
        ("ci/strict.yaml", "select: [unrestricted-capabilities]\n"),
        ("pod.yaml", POD),
    ]);
    let o = run_in(
        dir.path(),
        &[
            "check",
            "--config",
            "ci/strict.yaml",
            "--format",
            "json",
            "pod.yaml",
        ],
    );
    assert_eq!(
        found(&json_of(&o)),
        [("pod.yaml".into(), "unrestricted-capabilities".into())]
    );
    let o = run_in(
        dir.path(),
        &["check", "--no-config", "--format", "json", "pod.yaml"],
    );
    let v = json_of(&o);
    assert_eq!(v["options"]["level"], Value::Null);
    assert_eq!(v["summary"]["findings"], 4);
    // A file named by --config that is not there is a usage error.
    let o = run_in(dir.path(), &["check", "--config", "nope.yaml", "pod.yaml"]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        "error: nope.yaml: cannot read the configuration file: No such file or directory \
         (os error 2)\n"
    );
    let o = run_in(
        dir.path(),
        &[
            "check",
            "--config",
            "ci/strict.yaml",
            "--no-config",
            "pod.yaml",
        ],
    );
    assert_eq!(code(&o), 2);
}

#[test]
fn unknown_key_has_its_line_and_a_suggestion() {
    let dir = repo(&[
        (".kube-secctx.yaml", "# CI settings\nlevle: baseline\n"),
        ("pod.yaml", POD),
    ]);
    let o = run_in(dir.path(), &["check", "pod.yaml"]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        "error: .kube-secctx.yaml:2:1: unknown key \"levle\": the keys are level, pssVersion, \
         kubernetesVersion, select, ignore, exclude, perFileIgnores, namespaces, \
         admissionConfig, failOn\n  \
         did you mean `level`?\n"
    );
    assert!(stdout(&o).is_empty(), "nothing is checked");
}

#[test]
fn bad_values_are_each_reported_at_their_position() {
    let dir = repo(&[
        (
            ".kube-secctx.yaml",
            "level: strict\npssVersion: v1.025\nignore: [privileged-containers]\n\
             exclude: \"charts/**\"\nfailOn: warn\nperFileIgnores:\n  legacy/**: host-namespaces\n",
        ),
        ("sub/pod.yaml", POD),
    ]);
    let o = run_in(&dir.path().join("sub"), &["check", "pod.yaml"]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        "error: ../.kube-secctx.yaml:1:8: level: invalid level \"strict\": expected \
         \"baseline\", \"restricted\" or \"default\" (the default profile)\n  did you mean \
         `restricted`?\n\
         error: ../.kube-secctx.yaml:2:13: pssVersion: expected \"latest\" or \"v1.N\" (v1.0 \
         to v1.37; later versions evaluate as latest), got \"v1.025\"\n\
         error: ../.kube-secctx.yaml:3:10: ignore: unknown rule \"privileged-containers\": run \
         `kube-secctx rules` for the list\n  did you mean `privileged-container`?\n\
         error: ../.kube-secctx.yaml:4:10: exclude: expected a list of globs, got \
         \"charts/**\"\n\
         error: ../.kube-secctx.yaml:5:9: failOn: expected \"error\", \"warning\" or \"none\", \
         got \"warn\"\n  did you mean `warning`?\n\
         error: ../.kube-secctx.yaml:7:14: perFileIgnores \"legacy/**\": expected a list of \
         rule IDs, got \"host-namespaces\"\n"
    );
}

#[test]
fn flags_override_the_file() {
    let dir = repo(&[
        (
            ".kube-secctx.yaml",
            "level: baseline\nignore: [host-namespaces]\n",
        ),
        ("pod.yaml", POD),
    ]);
    let rules = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        all.push("pod.yaml");
        found(&json_of(&run_in(dir.path(), &all)))
            .into_iter()
            .map(|(_, r)| r)
            .collect()
    };
    assert_eq!(rules(&[]), ["privileged-container"]);
    // --level overrides the file's level; the file's ignore still applies.
    assert_eq!(
        rules(&["--level", "restricted"]),
        ["unrestricted-capabilities", "privileged-container"]
    );
    // `--level default` is the default profile (hardening rules included).
    assert_eq!(
        rules(&["--level", "default"]),
        [
            "unrestricted-capabilities",
            "writable-root-filesystem",
            "privileged-container"
        ]
    );
    // --ignore replaces the file's list; `--ignore ''` clears it.
    assert_eq!(
        rules(&["--ignore", "privileged-container"]),
        ["host-namespaces"]
    );
    assert_eq!(
        rules(&["--ignore", ""]),
        ["host-namespaces", "privileged-container"]
    );
    // An unknown rule in a flag is still the flag's usage error.
    let o = run_in(dir.path(), &["check", "--select", "nope", "pod.yaml"]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("unknown rule \"nope\" in select"));
}

#[test]
fn show_settings_says_where_each_value_came_from() {
    let dir = repo(&[(
        ".kube-secctx.yaml",
        "level: baseline\nignore: [host-namespaces]\nexclude: [\"charts/**\", vendor]\n\
         perFileIgnores:\n  \"legacy/**\": [privileged-container, host-namespaces]\n\
         namespaces: cluster/namespaces.yaml\nadmissionConfig: cluster/admission.yaml\n\
         failOn: error\n",
    )]);
    std::fs::create_dir(dir.path().join("apps")).unwrap();
    let o = run_in(
        &dir.path().join("apps"),
        &["check", "--show-settings", "--pss-version", "v1.25"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "\
# config file: ../.kube-secctx.yaml
level = \"baseline\"                             # ../.kube-secctx.yaml:1
pssVersion = \"v1.25\"                           # --pss-version
kubernetesVersion = \"latest\"                   # default
select = []                                    # default
ignore = [\"host-namespaces\"]                   # ../.kube-secctx.yaml:2
exclude = [\"charts/**\", \"vendor\"]              # ../.kube-secctx.yaml:3
perFileIgnores = {\"legacy/**\": [\"privileged-container\", \"host-namespaces\"]}  # ../.kube-secctx.yaml:4
namespaces = [\"../cluster/namespaces.yaml\"]    # ../.kube-secctx.yaml:6
admissionConfig = \"../cluster/admission.yaml\"  # ../.kube-secctx.yaml:7
failOn = \"error\"                               # ../.kube-secctx.yaml:8
"
    );
    assert!(stderr(&o).is_empty());

    let o = run_in(
        dir.path(),
        &[
            "check",
            "--show-settings",
            "--format",
            "json",
            "--ignore",
            "",
        ],
    );
    let v = json_of(&o);
    assert_eq!(v["configFile"], ".kube-secctx.yaml");
    assert_eq!(
        v["settings"]["ignore"],
        json!({"value": [], "source": "flag", "flag": "--ignore"})
    );
    assert_eq!(
        v["settings"]["level"],
        json!({"value": "baseline", "source": "file", "file": ".kube-secctx.yaml", "line": 1})
    );
    assert_eq!(
        v["settings"]["select"],
        json!({"value": [], "source": "default"})
    );

    // Without a file: every value is a default, and the header says where it looked.
    let empty = tempfile::tempdir().unwrap();
    let o = run_in(empty.path(), &["check", "--show-settings", "--no-config"]);
    assert_eq!(
        stdout(&o),
        "\
# config file: none (--no-config)
level = \"default\"             # default
pssVersion = \"latest\"         # default
kubernetesVersion = \"latest\"  # default
select = []                   # default
ignore = []                   # default
exclude = []                  # default
perFileIgnores = {}           # default
namespaces = []               # default
admissionConfig = null        # default
failOn = \"warning\"            # default
"
    );
}

#[test]
fn per_file_ignores_turn_rules_off_in_matching_files() {
    let dir = repo(&[
        (
            ".kube-secctx.yaml",
            "level: baseline\nperFileIgnores:\n  \"legacy/**\": [privileged-container]\n  \
             \"*.old.yaml\": [host-namespaces]\n",
        ),
        ("apps/pod.yaml", POD),
        ("legacy/a/pod.yaml", POD),
        ("legacy/pod.old.yaml", POD),
    ]);
    let o = run_in(dir.path(), &["check", "--format", "json", "."]);
    assert_eq!(code(&o), 1);
    let v = json_of(&o);
    assert_eq!(
        found(&v),
        [
            ("./apps/pod.yaml".into(), "host-namespaces".into()),
            ("./apps/pod.yaml".into(), "privileged-container".into()),
            ("./legacy/a/pod.yaml".into(), "host-namespaces".into()),
        ]
    );
    // Counts follow what is reported: the rules did not run in those files.
    assert_eq!(v["summary"]["findings"], 3);
    assert_eq!(v["summary"]["suppressed"], 0);
    assert_eq!(
        v["summary"]["byRule"],
        json!({"host-namespaces": 2, "privileged-container": 1})
    );
    // The report's options are the run's, not a file's.
    assert_eq!(v["options"]["ignore"], json!([]));
    // From a subdirectory, the globs stay relative to the config file's directory.
    let o = run_in(
        &dir.path().join("legacy"),
        &["check", "--format", "json", "a/pod.yaml"],
    );
    assert_eq!(
        found(&json_of(&o)),
        [("a/pod.yaml".into(), "host-namespaces".into())]
    );
    // Standard input is matched by --stdin-filename.
    let o = Command::new(BIN)
        .args([
            "check",
            "--format",
            "json",
            "--stdin-filename",
            "legacy/x.yaml",
            "-",
        ])
        .current_dir(dir.path())
        .stdin(std::fs::File::open(dir.path().join("apps/pod.yaml")).unwrap())
        .output()
        .unwrap();
    assert_eq!(
        found(&json_of(&o)),
        [("legacy/x.yaml".into(), "host-namespaces".into())]
    );
    // The fixes follow: in legacy/, --diff does not touch `privileged`.
    let o = run_in(
        dir.path(),
        &["check", "--diff", "--unsafe-fixes", "legacy/a/pod.yaml"],
    );
    let diff = stdout(&o);
    assert!(diff.contains("+  hostNetwork: false"), "{diff}");
    assert!(!diff.contains("privileged"), "{diff}");
    // The text summary counts what is shown.
    let o = run_in(dir.path(), &["check", "legacy"]);
    assert!(
        stdout(&o).ends_with("Found 1 finding (1 error) in 2 files (2 resources checked).\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn exclude_and_fail_on_from_the_file_apply_to_the_run() {
    let dir = repo(&[
        (
            ".kube-secctx.yaml",
            "level: baseline\nexclude: [legacy/]\nfailOn: error\n",
        ),
        ("deploy/pod.yaml", POD),
        ("legacy/pod.yaml", POD),
    ]);
    // `exclude` (relative to the file's directory) leaves legacy/ out of the walk, from
    // the repository's root and from a subdirectory alike.
    let out = run_in(dir.path(), &["check", "--format", "json", "."]);
    let files: Vec<Value> = json_of(&out)["files"].as_array().unwrap().clone();
    assert_eq!(files, [json!("./deploy/pod.yaml")], "{}", stdout(&out));
    let out = run_in(
        &dir.path().join("legacy"),
        &["check", "--format", "json", "."],
    );
    assert_eq!(json_of(&out)["files"], json!([]), "{}", stderr(&out));
    // With --force-exclude (the pre-commit hook), the file's globs apply to named files,
    // however they are named.
    std::fs::write(
        dir.path().join(".kube-secctx.yaml"),
        "level: baseline\nexclude: [\"legacy/**\"]\nfailOn: error\n",
    )
    .unwrap();
    for named in ["legacy/pod.yaml", "./legacy/pod.yaml"] {
        let out = run_in(
            dir.path(),
            &[
                "check",
                "--format",
                "json",
                "--force-exclude",
                named,
                "deploy/pod.yaml",
            ],
        );
        assert_eq!(
            json_of(&out)["files"],
            json!(["deploy/pod.yaml"]),
            "{named}"
        );
    }
    // `--exclude` replaces the file's list: legacy/ is walked again.
    let out = run_in(
        dir.path(),
        &["check", "--format", "json", "--exclude", "nothing", "."],
    );
    assert_eq!(json_of(&out)["files"].as_array().unwrap().len(), 2);

    // failOn: error: a hardening warning alone does not fail the run; `--fail-on`
    // and `--exit-zero` override the file, and --show-settings names them.
    let warning_only = "apiVersion: v1\nkind: Pod\nmetadata: {name: w}\nspec:\n  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}\n  containers:\n  - name: a\n    image: b\n    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}\n";
    std::fs::write(dir.path().join("deploy/pod.yaml"), warning_only).unwrap();
    let cfg = ".kube-secctx.yaml";
    std::fs::write(dir.path().join(cfg), "exclude: [legacy/]\nfailOn: error\n").unwrap();
    let out = run_in(dir.path(), &["check", "--format", "json", "."]);
    let report = json_of(&out);
    assert_eq!(report["summary"]["bySeverity"], json!({"warning": 1}));
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let out = run_in(dir.path(), &["check", "--fail-on", "warning", "."]);
    assert_eq!(code(&out), 1);
    // --no-namespace-labels empties the file's namespaces, and says so.
    std::fs::write(
        dir.path().join(cfg),
        "exclude: [legacy/]\nfailOn: error\nnamespaces: ns.yaml\n",
    )
    .unwrap();
    let shown = run_in(
        dir.path(),
        &["check", "--no-namespace-labels", "--show-settings"],
    );
    assert!(
        stdout(&shown)
            .lines()
            .any(|l| l.starts_with("namespaces = []") && l.ends_with("# --no-namespace-labels")),
        "{}",
        stdout(&shown)
    );
    let shown = run_in(dir.path(), &["check", "--exit-zero", "--show-settings"]);
    assert!(
        stdout(&shown)
            .lines()
            .any(|l| l.starts_with("failOn") && l.contains("none") && l.contains("--exit-zero")),
        "{}",
        stdout(&shown)
    );
}
