//! `kube-secctx check --fix / --unsafe-fixes / --diff / --show-fixes`, run as a process.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Write as _;
use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::process::{Command, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kube-secctx"))
}

fn nginx() -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/nginx-deployment-commented.yaml"),
    )
    .unwrap()
}

const CLEAN: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n";

#[test]
fn diff_prints_a_unified_diff_writes_nothing_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nginx.yaml");
    std::fs::write(&file, nginx()).unwrap();
    let out = bin().args(["check", "--diff"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8(out.stdout).unwrap();
    let name = file.display().to_string();
    assert!(
        diff.starts_with(&format!("--- {name}\n+++ {name}\n@@ ")),
        "{diff}"
    );
    assert!(
        diff.contains("+        securityContext:\n+          allowPrivilegeEscalation: false\n")
    );
    assert!(diff.contains("+        seccompProfile:\n+          type: RuntimeDefault\n"));
    assert!(
        !diff.contains("runAsNonRoot"),
        "unsafe fixes need --unsafe-fixes"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("4 findings would be fixed in 1 file"),
        "{stderr}"
    );
    assert!(stderr.contains("3 findings have an unsafe fix"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), nginx());
    // Nothing to fix: exit 0, no output.
    std::fs::write(&file, CLEAN).unwrap();
    let out = bin().args(["check", "--diff"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn diffs_that_cannot_be_written_stop_the_run() {
    // Each file's diff (200 documents) is larger than a pipe's buffer (64 KiB).
    let dir = tempfile::tempdir().unwrap();
    let many = vec![nginx(); 200].join("\n---\n");
    for i in 0..20 {
        std::fs::write(dir.path().join(format!("n{i:02}.yaml")), &many).unwrap();
    }
    // A full disk: the error, exit 2, as every other output says it.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = bin()
        .args(["check", "--no-config", "--diff", "--threads", "2"])
        .arg(dir.path())
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: cannot write to standard output: No space left on device (os error 28)\n"
    );
    // A closed pipe (`| head -c 100`): no error, no counts of part of the files, and
    // the exit code of a fix to make (one was shown).
    for threads in ["1", "2"] {
        let mut child = bin()
            .args(["check", "--no-config", "--diff", "--threads", threads])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut head = [0u8; 100];
        std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut head).unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{threads} threads");
        assert_eq!(
            String::from_utf8(out.stderr).unwrap(),
            "",
            "{threads} threads"
        );
        assert!(head.starts_with(b"--- "));
    }
}

#[test]
fn fix_writes_in_place_keeps_permissions_and_leaves_other_files_alone() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nginx.yaml");
    let clean = dir.path().join("clean.yaml");
    std::fs::write(&file, nginx()).unwrap();
    std::fs::write(&clean, CLEAN).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let clean_inode = std::fs::metadata(&clean).unwrap().ino();
    let out = bin()
        .args(["check", "--fix", "--no-color"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "unsafe findings remain");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("fixed 4 findings in 1 file; 3 remain; 3 findings have an unsafe fix"),
        "{stdout}"
    );
    let fixed = std::fs::read_to_string(&file).unwrap();
    assert!(
        fixed.contains("  replicas: 2 # tells deployment to run 2 pods matching the template\n")
    );
    assert!(fixed.contains("allowPrivilegeEscalation: false"));
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o640
    );
    assert_eq!(
        std::fs::metadata(&clean).unwrap().ino(),
        clean_inode,
        "an untouched file was rewritten"
    );
    // No temporary file is left.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    // --fix on its own output changes nothing.
    let out = bin()
        .args(["check", "--fix", "--no-color"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("nothing was fixed; 3 remain"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), fixed);
    // With the unsafe fixes, it passes.
    let out = bin()
        .args(["check", "--fix", "--unsafe-fixes", "--no-color"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("No problems found")
            && stdout.contains("fixed 3 findings in 1 file; 0 remain."),
        "{stdout}"
    );
    let out = bin()
        .args(["check", "--level", "restricted"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "passes PSS restricted");
}

#[test]
fn fix_from_standard_input_writes_the_fixed_text_to_standard_output() {
    let mut child = bin()
        .args(["check", "--fix", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(nginx().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("apiVersion: apps/v1\n"));
    assert!(text.contains("          allowPrivilegeEscalation: false\n"));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("fixed 4 findings in 1 file; 3 remain"),
        "{stderr}"
    );
    // With another PATH: refused.
    let out = bin()
        .args(["check", "--fix", "-", "x.yaml"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn show_fixes_in_the_json_report_and_sarif() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nginx.yaml");
    let text = nginx();
    std::fs::write(&file, &text).unwrap();
    let out = bin()
        .args(["check", "--show-fixes", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let ape = findings
        .iter()
        .find(|f| f["rule"] == "privilege-escalation-allowed")
        .unwrap();
    let fix = &ape["fixes"][0];
    assert_eq!(fix["title"], "set allowPrivilegeEscalation: false");
    assert_eq!(fix["applicability"], "safe");
    let edit = &fix["edits"][0];
    assert_eq!(
        edit["newText"],
        "        securityContext:\n          allowPrivilegeEscalation: false\n"
    );
    // An insertion after the container's last line (`- containerPort: 80`, line 21).
    assert_eq!(edit["range"]["start"], edit["range"]["end"]);
    assert_eq!(edit["range"]["start"]["line"], 22);
    assert_eq!(edit["range"]["start"]["column"], 1);
    let root = findings
        .iter()
        .find(|f| f["rule"] == "may-run-as-root")
        .unwrap();
    assert_eq!(root["fixes"][0]["applicability"], "unsafe");
    // --diff with JSON: the same report, and exit 1.
    let out = bin()
        .args(["check", "--diff", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let again: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(again["findings"], report["findings"]);
    // Without --show-fixes, no `fixes` (the report as before).
    let out = bin()
        .args(["check", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!String::from_utf8(out.stdout).unwrap().contains("\"fixes\""));
    // SARIF: fixes with artifactChanges and replacements.
    let out = bin()
        .args(["check", "--show-fixes", "--format", "sarif"])
        .arg(&file)
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "privilege-escalation-allowed")
        .unwrap();
    let replacement = &r["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(replacement["deletedRegion"]["startLine"], 22);
    assert_eq!(replacement["deletedRegion"]["endLine"], 22);
    assert_eq!(
        replacement["insertedContent"]["text"],
        "        securityContext:\n          allowPrivilegeEscalation: false\n"
    );
    // No fix for a hostPath volume, and the reason.
    let pd =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/privileged-daemonset.yaml");
    let out = bin()
        .args([
            "check",
            "--level",
            "baseline",
            "--show-fixes",
            "--format",
            "json",
        ])
        .arg(&pd)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hp = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "host-path-volume")
        .unwrap();
    assert_eq!(hp["fixes"], serde_json::json!([]));
    assert!(hp["noFix"].as_str().unwrap().contains("node's files"));
}

#[test]
fn fix_follows_a_symbolic_link_and_refuses_a_read_only_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("other")).unwrap();
    let target = dir.path().join("other/t.yaml");
    std::fs::write(&target, nginx()).unwrap();
    let link = dir.path().join("link.yaml");
    std::os::unix::fs::symlink("other/t.yaml", &link).unwrap();
    let out = bin().args(["check", "--fix"]).arg(&link).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link stays a link"
    );
    assert!(std::fs::read_to_string(&target)
        .unwrap()
        .contains("allowPrivilegeEscalation: false"));
    // A read-only file is not written, and says so (exit 2).
    let ro = dir.path().join("ro.yaml");
    std::fs::write(&ro, nginx()).unwrap();
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = bin()
        .args(["check", "--fix", "--no-color"])
        .arg(&ro)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("the fixes were not written: the file is read-only"));
    assert_eq!(std::fs::read_to_string(&ro).unwrap(), nginx());
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing was fixed"));
    // A hard link keeps seeing the file: it is written in place.
    let a = dir.path().join("a.yaml");
    let b = dir.path().join("b.yaml");
    std::fs::write(&a, nginx()).unwrap();
    std::fs::hard_link(&a, &b).unwrap();
    bin().args(["check", "--fix"]).arg(&a).output().unwrap();
    assert_eq!(
        std::fs::read_to_string(&b).unwrap(),
        std::fs::read_to_string(&a).unwrap()
    );
    assert!(std::fs::read_to_string(&b)
        .unwrap()
        .contains("allowPrivilegeEscalation: false"));
}

#[test]
fn fix_from_standard_input_passes_bytes_through_and_reports_to_standard_error() {
    let run = |input: &[u8], args: &[&str]| {
        let mut child = bin()
            .args(["check", "--fix"])
            .args(args)
            .arg("-")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input).unwrap();
        child.wait_with_output().unwrap()
    };
    // Not UTF-8: not fixed, and the bytes come out as they went in.
    let bytes = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p # caf\xe9\nspec:\n  containers:\n  - {name: a, image: b}\n";
    let out = run(bytes, &[]);
    assert_eq!(out.stdout, bytes.to_vec());
    // The report of what is left goes to standard error, in the format asked for.
    let out = run(nginx().as_bytes(), &["--format", "json"]);
    let stderr = String::from_utf8(out.stderr).unwrap();
    let json_end = stderr.rfind("\n}\n").unwrap() + 3;
    let report: serde_json::Value = serde_json::from_str(&stderr[..json_end]).unwrap();
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "may-run-as-root",
            "unrestricted-capabilities",
            "writable-root-filesystem"
        ]
    );
    assert!(stderr[json_end..].starts_with("fixed 4 findings in 1 file; 3 remain"));
}
