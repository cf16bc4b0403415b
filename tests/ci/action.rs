//! `action.yml` run as GitHub's runner runs a composite action, locally: each `run:` step
//! with `bash --noprofile --norc -eo pipefail FILE` (the runner's `shell: bash`), in
//! `GITHUB_WORKSPACE`, with the `${{ }}` expressions it uses substituted as the runner
//! does (`inputs.*` with their defaults, `github.action_path`, `steps.*.outputs.*`), and
//! the runner's files: a fresh `GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_PATH` and
//! `GITHUB_STEP_SUMMARY` for each step, read back after it (outputs, variables, `PATH`
//! entries for the next steps, the job summary). A failing step skips the steps after it.
//!
//! `action.yml` is read with the crate's own YAML reader (YAML 1.1, as GitHub's parser
//! reads it for these plain keys and strings).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{clean_manifest, path_with_cargo, require_release_build, root, target_dir, FAILING};

/// What one step did.
#[derive(Debug)]
struct StepRun {
    name: String,
    code: i32,
    stdout: String,
    stderr: String,
    took: Duration,
    /// Lines it appended to `GITHUB_PATH`.
    path: Vec<String>,
}

/// What the action did.
#[derive(Debug)]
struct ActionRun {
    steps: Vec<StepRun>,
    /// The action's `outputs`, evaluated.
    outputs: BTreeMap<String, String>,
    /// Every step's `GITHUB_STEP_SUMMARY`, in order.
    summary: String,
}

impl ActionRun {
    fn step(&self, name: &str) -> &StepRun {
        self.steps
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no step {name:?} ran: {:#?}", self.steps))
    }
}

/// `action.yml` as JSON.
fn action() -> Value {
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let stream = kube_secctx::yaml::parse_stream(&text, &kube_secctx::Limits::default());
    assert!(stream.errors.is_empty(), "{:?}", stream.errors);
    let doc = stream.documents.first().expect("one document");
    doc.to_json(doc.root.expect("a mapping"))
}

/// Substitutes the `${{ expr }}` of `s` as the runner would, for the expressions the
/// action uses; any other expression fails the test (this harness would not know it).
fn substitute(
    s: &str,
    inputs: &BTreeMap<String, String>,
    steps: &BTreeMap<String, BTreeMap<String, String>>,
) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("closing }}") + start;
        let expr = rest[start + 3..end].trim();
        let value = if let Some(name) = expr.strip_prefix("inputs.") {
            inputs
                .get(name)
                .unwrap_or_else(|| panic!("unknown input {name}"))
                .clone()
        } else if expr == "github.action_path" {
            root().display().to_string()
        } else if let Some(path) = expr.strip_prefix("steps.") {
            let (id, output) = path.split_once(".outputs.").expect("steps.ID.outputs.NAME");
            steps
                .get(id)
                .and_then(|o| o.get(output))
                .cloned()
                .unwrap_or_default()
        } else {
            panic!("expression not supported by this harness: {expr}")
        };
        out.push_str(&value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// `GITHUB_OUTPUT`/`GITHUB_ENV` file syntax: `name=value` and `name<<DELIMITER` blocks.
fn read_key_values(file: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let mut map = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delim)) = line.split_once("<<") {
            let value: Vec<&str> = lines.by_ref().take_while(|l| *l != delim).collect();
            map.insert(name.to_string(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            map.insert(name.to_string(), value.to_string());
        }
    }
    map
}

/// Runs the action's steps in `workspace` with `given` inputs (the others take their
/// defaults); `temp` is the runner's temporary directory (`RUNNER_TEMP`, where the
/// action installs the CLI).
fn run_action(workspace: &Path, temp: &Path, given: &[(&str, &str)]) -> ActionRun {
    let action = action();
    assert_eq!(action["runs"]["using"], "composite");
    let mut inputs = BTreeMap::new();
    for (name, spec) in action["inputs"].as_object().unwrap() {
        let default = spec["default"].as_str().unwrap_or("").to_string();
        inputs.insert(name.clone(), default);
    }
    for (name, value) in given {
        assert!(inputs.contains_key(*name), "action.yml has no input {name}");
        inputs.insert(name.to_string(), value.to_string());
    }

    let base_path = path_with_cargo();
    let mut added_path: Vec<String> = Vec::new();
    let mut exported: BTreeMap<String, String> = BTreeMap::new();
    let mut step_outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut runs = Vec::new();
    let mut summary = String::new();
    for (i, step) in action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        assert!(step.get("if").is_none(), "step conditions are not emulated");
        assert_eq!(step["shell"], "bash", "every step runs in bash");
        let name = step["name"].as_str().unwrap().to_string();
        let files = temp.join(format!("runner-files/{i}"));
        std::fs::create_dir_all(&files).unwrap();
        let [output, env_file, path_file, summary_file] =
            ["output", "env", "path", "summary"].map(|f| files.join(f));
        for f in [&output, &env_file, &path_file, &summary_file] {
            std::fs::write(f, "").unwrap();
        }
        let script = files.join("step.sh");
        let run = substitute(step["run"].as_str().unwrap(), &inputs, &step_outputs);
        std::fs::write(&script, run).unwrap();

        let mut path = added_path.iter().rev().cloned().collect::<Vec<_>>();
        path.extend(std::env::split_paths(&base_path).map(|p| p.display().to_string()));
        let mut cmd = Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script)
            .current_dir(workspace)
            .env_clear()
            .env("PATH", path.join(":"))
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_WORKSPACE", workspace)
            .env("GITHUB_ACTION_PATH", root())
            .env("GITHUB_OUTPUT", &output)
            .env("GITHUB_ENV", &env_file)
            .env("GITHUB_PATH", &path_file)
            .env("GITHUB_STEP_SUMMARY", &summary_file)
            .env("RUNNER_TEMP", temp)
            // The install reuses the release build of `make build`.
            .env("CARGO_TARGET_DIR", target_dir());
        for var in ["HOME", "CARGO_HOME", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN"] {
            if let Some(v) = std::env::var_os(var) {
                cmd.env(var, v);
            }
        }
        cmd.envs(&exported);
        if let Some(env) = step.get("env").and_then(Value::as_object) {
            for (k, v) in env {
                let v = substitute(v.as_str().unwrap(), &inputs, &step_outputs);
                cmd.env(k, v);
            }
        }
        let started = Instant::now();
        let o = cmd.output().expect("run bash");
        let took = started.elapsed();

        let outputs = read_key_values(&output);
        if let Some(id) = step.get("id").and_then(Value::as_str) {
            step_outputs.insert(id.to_string(), outputs);
        }
        exported.extend(read_key_values(&env_file));
        let new_path: Vec<String> = std::fs::read_to_string(&path_file)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        added_path.extend(new_path.iter().cloned());
        summary.push_str(&std::fs::read_to_string(&summary_file).unwrap());
        let code = o.status.code().unwrap_or(-1);
        eprintln!("action step {name:?}: exit {code} in {took:.1?}");
        runs.push(StepRun {
            name,
            code,
            stdout: String::from_utf8(o.stdout).unwrap(),
            stderr: String::from_utf8(o.stderr).unwrap(),
            took,
            path: new_path,
        });
        if code != 0 {
            break;
        }
    }
    let mut outputs = BTreeMap::new();
    for (name, spec) in action["outputs"].as_object().unwrap() {
        let value = substitute(spec["value"].as_str().unwrap(), &inputs, &step_outputs);
        outputs.insert(name.clone(), value);
    }
    ActionRun {
        steps: runs,
        outputs,
        summary,
    }
}

/// A workspace with `deploy/failing.yaml` and `deploy/clean.yaml`.
fn workspace() -> (tempfile::TempDir, tempfile::TempDir) {
    let ws = tempfile::tempdir().unwrap();
    std::fs::create_dir(ws.path().join("deploy")).unwrap();
    std::fs::write(ws.path().join("deploy/failing.yaml"), FAILING).unwrap();
    std::fs::write(ws.path().join("deploy/clean.yaml"), clean_manifest()).unwrap();
    (ws, tempfile::tempdir().unwrap())
}

/// The install step reused the release build: cargo compiled nothing, only installed.
fn assert_reused(run: &ActionRun, temp: &Path) {
    let install = run.step("Install kube-secctx");
    assert_eq!(install.code, 0, "{}", install.stderr);
    assert!(
        !install.stderr.contains("Compiling"),
        "cargo install rebuilt instead of reusing {}/release ({:.1?}):\n{}",
        target_dir().display(),
        install.took,
        install.stderr
    );
    assert!(install.stderr.contains("Installing "), "{}", install.stderr);
    assert!(
        install.stdout.starts_with("kube-secctx "),
        "{}",
        install.stdout
    );
    let bin = temp.join("kube-secctx/bin");
    assert_eq!(install.path, vec![bin.display().to_string()]);
    assert!(bin.join("kube-secctx").is_file());
}

#[test]
#[ignore = "needs the release build (make build): make test-ci"]
fn annotations_job_summary_and_sarif() {
    require_release_build();
    let (ws, temp) = workspace();
    let run = run_action(
        ws.path(),
        temp.path(),
        &[
            ("paths", "deploy"),
            (
                "args",
                "--select privileged-container,writable-root-filesystem",
            ),
            ("sarif-file", "results/kube-secctx.sarif"),
        ],
    );
    assert_reused(&run, temp.path());
    let check = run.step("Check manifests");
    // Findings: the step fails, as a CI gate should.
    assert_eq!(check.code, 1, "{}", check.stderr);
    let lines: Vec<&str> = check.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", check.stdout);
    assert!(
        lines[0].starts_with(
            "::warning file=deploy/failing.yaml,line=10,col=5,endLine=10,endColumn=19,\
             title=writable-root-filesystem::container \"web\" does not set"
        ),
        "{}",
        check.stdout
    );
    assert!(
        lines[1].starts_with(
            "::error file=deploy/failing.yaml,line=11,col=19,endLine=11,endColumn=22,\
             title=privileged-container::privileged: container \"web\" must not set \
             securityContext.privileged=true [PSS baseline]%0Afix: "
        ),
        "{}",
        check.stdout
    );
    assert_eq!(
        lines[2],
        "Found 2 findings (1 error, 1 warning) in 2 files (2 resources checked)."
    );
    assert_eq!(run.outputs["exit-code"], "1");
    assert_eq!(run.outputs["sarif-file"], "results/kube-secctx.sarif");

    // Every finding in the job summary, once (the SARIF run writes none).
    assert_eq!(
        run.summary.matches("### kube-secctx").count(),
        1,
        "{}",
        run.summary
    );
    assert!(
        run.summary.contains(
            "| deploy/failing.yaml:11 | `privileged-container` | error | privileged: container \
             \"web\" must not set securityContext.privileged=true | Pod prod/web |\n"
        ),
        "{}",
        run.summary
    );
    assert!(run
        .summary
        .contains("| deploy/failing.yaml:10 | `writable-root-filesystem` | warning |"));
    assert!(run.summary.ends_with(
        "**Found 2 findings (1 error, 1 warning) in 2 files (2 resources checked).**\n"
    ));

    // SARIF for upload-sarif: the same two results, at the same places.
    let sarif: Value = serde_json::from_str(
        &std::fs::read_to_string(ws.path().join("results/kube-secctx.sarif")).unwrap(),
    )
    .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let found: Vec<(&str, &str, u64)> = results
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap(),
                loc["artifactLocation"]["uri"].as_str().unwrap(),
                loc["region"]["startLine"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("writable-root-filesystem", "deploy/failing.yaml", 10),
            ("privileged-container", "deploy/failing.yaml", 11),
        ]
    );
}

#[test]
#[ignore = "needs the release build (make build): make test-ci"]
fn clean_run_passes_without_sarif() {
    require_release_build();
    let (ws, temp) = workspace();
    let run = run_action(ws.path(), temp.path(), &[("paths", "deploy/clean.yaml")]);
    assert_reused(&run, temp.path());
    let check = run.step("Check manifests");
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert_eq!(
        check.stdout,
        "No problems found in 1 file (1 resource checked).\n"
    );
    assert_eq!(run.outputs["exit-code"], "0");
    assert_eq!(run.outputs["sarif-file"], "");
    assert!(!ws.path().join("results").exists());
    assert!(run
        .summary
        .ends_with("**No problems found in 1 file (1 resource checked).**\n"));
}

#[test]
#[ignore = "needs the release build (make build): make test-ci"]
fn inputs_are_data_not_shell() {
    require_release_build();
    let (ws, temp) = workspace();
    // An input with a command substitution reaches kube-secctx as a path, verbatim.
    let run = run_action(
        ws.path(),
        temp.path(),
        &[(
            "paths",
            "deploy/clean.yaml $(touch${IFS}pwned) deploy/*.yaml",
        )],
    );
    let check = run.step("Check manifests");
    assert_eq!(check.code, 2, "{}", check.stdout);
    assert!(!ws.path().join("pwned").exists());
    assert!(
        check.stderr.contains("error: $(touch${IFS}pwned): "),
        "{}",
        check.stderr
    );
    // No glob expansion either: `deploy/*.yaml` is one (missing) path.
    assert!(
        check.stderr.contains("error: deploy/*.yaml: "),
        "{}",
        check.stderr
    );
    assert_eq!(run.outputs["exit-code"], "2");
}
