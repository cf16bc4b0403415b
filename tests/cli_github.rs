//! `kube-secctx check --format github` as a process: the workflow commands GitHub Actions
//! reads from standard output, and the job summary appended to `$GITHUB_STEP_SUMMARY`.
//!
//! The escaping is GitHub's toolkit's (actions/toolkit, packages/core/src/command.ts:
//! `escapeData` replaces `%`, CR and LF with `%25`, `%0D`, `%0A`; `escapeProperty` also
//! `:` and `,` with `%3A` and `%2C`); the runner's parser (actions/runner,
//! src/Runner.Worker/ActionCommandManager.cs, `ValidateLinesAndColumns`) drops `col` and
//! `endColumn` when `line` and `endLine` differ, so they are only sent for one-line spans.
#![cfg(feature = "cli")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_kube-secctx");

/// Runs `check --format github ARGS` in `dir`, with `GITHUB_STEP_SUMMARY` set to
/// `summary` (or unset).
fn github(dir: &Path, args: &[&str], summary: Option<&Path>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(["check", "--format", "github"])
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_STEP_SUMMARY");
    if let Some(s) = summary {
        cmd.env("GITHUB_STEP_SUMMARY", s);
    }
    cmd.output().expect("run kube-secctx")
}

fn out(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn err(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// A Pod whose container is privileged, its name holding `%` (escaped in the message).
const PRIVILEGED: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: prod
spec:
  containers:
  - name: \"100%\"
    image: nginx
    securityContext:
      privileged: true
";

#[test]
fn annotations_exactly_and_the_summary_appended() {
    let dir = tempfile::tempdir().unwrap();
    // `,` and `:` in the file name: escaped in the `file` property.
    std::fs::write(dir.path().join("a,b:c.yaml"), PRIVILEGED).unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "written by an earlier command\n").unwrap();
    let o = github(
        dir.path(),
        &[
            "--select",
            "privileged-container,writable-root-filesystem",
            "a,b:c.yaml",
        ],
        Some(&summary),
    );
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert_eq!(err(&o), "");
    assert_eq!(
        out(&o),
        // Line 10 is `    securityContext:` (a mapping: its key, columns 5..19); line 11
        // `      privileged: true` (the value, columns 19..22, the last one inclusive).
        "::warning file=a%2Cb%3Ac.yaml,line=10,col=5,endLine=10,endColumn=19,\
         title=writable-root-filesystem::container \"100%25\" does not set \
         securityContext.readOnlyRootFilesystem=true [hardening]%0Afix: set \
         readOnlyRootFilesystem: true and mount an emptyDir where the program writes\n\
         ::error file=a%2Cb%3Ac.yaml,line=11,col=19,endLine=11,endColumn=22,\
         title=privileged-container::privileged: container \"100%25\" must not set \
         securityContext.privileged=true [PSS baseline]%0Afix: remove `privileged: true` \
         from the container's securityContext (or set it to false)\n\
         Found 2 findings (1 error, 1 warning) in 1 file (1 resource checked).\n"
    );
    // Appended after what was there, every finding a row (markdown-escaped).
    assert_eq!(
        std::fs::read_to_string(&summary).unwrap(),
        "written by an earlier command\n\
         ### kube-secctx\n\n\
         | File:line | Rule | Severity | Message | Resource |\n\
         |---|---|---|---|---|\n\
         | a,b:c.yaml:10 | `writable-root-filesystem` | warning | container \"100%\" does not \
         set securityContext.readOnlyRootFilesystem=true | Pod prod/web |\n\
         | a,b:c.yaml:11 | `privileged-container` | error | privileged: container \"100%\" \
         must not set securityContext.privileged=true | Pod prod/web |\n\n\
         **Found 2 findings (1 error, 1 warning) in 1 file (1 resource checked).**\n"
    );
}

#[test]
fn clean_run_and_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        root.join("examples/restricted-deployment.yaml"),
        dir.path().join("ok.yaml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bad.yaml"),
        "apiVersion: v1\nkind: Pod\nspec: {a: [\n",
    )
    .unwrap();
    let summary = dir.path().join("summary.md");

    let o = github(dir.path(), &["ok.yaml"], Some(&summary));
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    assert_eq!(
        out(&o),
        "No problems found in 1 file (1 resource checked).\n"
    );
    assert_eq!(
        std::fs::read_to_string(&summary).unwrap(),
        "### kube-secctx\n\n\n**No problems found in 1 file (1 resource checked).**\n"
    );

    // An input error is an `::error` titled `input error`, at its position.
    let o = github(dir.path(), &["bad.yaml"], None);
    assert_eq!(o.status.code(), Some(1));
    let stdout = out(&o);
    let mut lines = stdout.lines();
    let first = lines.next().unwrap();
    assert!(
        first.starts_with("::error file=bad.yaml,line=3,col="),
        "{stdout}"
    );
    assert!(first.contains(",title=input error::"), "{stdout}");
    assert_eq!(
        lines.next(),
        Some("Found 1 input error in 1 file (0 resources checked).")
    );
}

#[test]
fn summary_only_where_asked_and_never_fatal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pod.yaml"), PRIVILEGED).unwrap();
    // Unset (not in GitHub Actions): only standard output.
    let o = github(dir.path(), &["pod.yaml"], None);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    // Empty: the same.
    let o2 = github(dir.path(), &["pod.yaml"], Some(Path::new("")));
    assert_eq!(out(&o2), out(&o));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    // A summary that cannot be written (a directory): a warning, the same annotations,
    // the same exit code.
    let o3 = github(dir.path(), &["pod.yaml"], Some(dir.path()));
    assert_eq!(o3.status.code(), Some(1));
    assert_eq!(out(&o3), out(&o));
    assert!(
        err(&o3).starts_with("warning: cannot write the job summary to "),
        "{}",
        err(&o3)
    );
    // A file that cannot be read: exit 2, said after the summary line.
    let o4 = github(dir.path(), &["pod.yaml", "missing.yaml"], None);
    assert_eq!(o4.status.code(), Some(2));
    assert!(
        out(&o4).ends_with(
            "(1 resource checked).\n1 file could not be read and was not checked (see the errors above).\n"
        ),
        "{}",
        out(&o4)
    );
    assert!(
        err(&o4).starts_with("error: missing.yaml: "),
        "{}",
        err(&o4)
    );
}

#[test]
fn every_finding_of_a_large_run_is_in_the_summary() {
    // GitHub shows ten annotations of each kind per step: the summary lists them all.
    let dir = tempfile::tempdir().unwrap();
    let many: String = (0..30)
        .map(|i| PRIVILEGED.replace("name: web", &format!("name: web-{i}")))
        .collect::<Vec<_>>()
        .join("---\n");
    std::fs::write(dir.path().join("many.yaml"), many).unwrap();
    let summary = dir.path().join("summary.md");
    let o = github(
        dir.path(),
        &["--select", "privileged-container", "many.yaml"],
        Some(&summary),
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(out(&o).matches("::error ").count(), 30);
    let md = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(md.matches("| `privileged-container` | error |").count(), 30);
    assert!(md.contains("| Pod prod/web-29 |\n"), "{md}");
}

#[test]
fn a_full_summary_gets_nothing_more() {
    // A step summary holds 1 MiB (1,048,576 bytes); this one's heading (17 bytes) and the
    // room kept for its last lines (2,048) must fit after what the step wrote before.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pod.yaml"), PRIVILEGED).unwrap();
    let summary = dir.path().join("summary.md");
    let alone = github(dir.path(), &["pod.yaml"], None);
    for (before, added) in [(1_046_511, true), (1_046_512, false), (3 << 20, false)] {
        std::fs::write(&summary, "x".repeat(before)).unwrap();
        let o = github(dir.path(), &["pod.yaml"], Some(&summary));
        assert_eq!(o.status.code(), Some(1));
        assert_eq!(out(&o), out(&alone));
        let after = std::fs::metadata(&summary).unwrap().len() as usize;
        if added {
            assert!(after > before && after <= 1 << 20, "{after}");
            assert_eq!(err(&o), "");
        } else {
            assert_eq!(after, before);
            assert_eq!(
                err(&o),
                format!(
                    "warning: the job summary {} (GITHUB_STEP_SUMMARY) already holds {before} \
                     bytes, and a step summary holds at most 1 MiB: nothing is added to it \
                     (the annotations list every finding)\n",
                    summary.display()
                )
            );
        }
    }
}
