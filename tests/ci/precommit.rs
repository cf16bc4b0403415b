//! The pre-commit hook (`.pre-commit-hooks.yaml`) through pre-commit itself:
//! `pre-commit try-repo REPOSITORY kube-secctx` on a scratch git repository holding a clean
//! and a failing manifest (and YAML files that are not manifests, which the hook's
//! `exclude` leaves out). try-repo clones this repository and installs the hook as a user's
//! pre-commit would (`language: rust`: `cargo install --bins --root ENV --path .` in the
//! clone), then runs it on the files.
//!
//! The install reuses the release build of `make build` (`CARGO_TARGET_DIR`), which takes
//! two changes to what pre-commit runs, made by a wrapper around `cargo` for
//! `cargo install` only (measured without them: 196 s for one try-repo, compiling the
//! crate and the dependencies it re-resolved; with them, seconds):
//!
//! - pre-commit does not pass `--locked`, and `cargo install` ignores `Cargo.lock` without
//!   it: it resolves the newest compatible versions of the dependencies, so a user's hook
//!   may build with newer ones than `Cargo.lock` (and this repository's build). The wrapper
//!   adds `--locked`, so the install resolves what `make build` built.
//! - Cargo's freshness check compares the sources' modification times with the build's,
//!   and a fresh clone's files are all newer, so cargo would compile the crate again (an
//!   LTO build of minutes) although not a byte changed. The wrapper gives each file of the
//!   clone that is byte for byte this repository's the modification time of this
//!   repository's (what a checkout that kept times would have).
//!
//! The wrapper also keeps cargo's messages, and the test asserts that nothing was
//! compiled. What the user sees (the hook's result and output) does not depend on either.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

use super::{
    cargo, clean_manifest, git, path_with_cargo, require_release_build, root, target_dir, FAILING,
};

/// The pre-commit executable (`KUBE_SECCTX_PRE_COMMIT`, else `pre-commit` on PATH).
fn pre_commit() -> String {
    std::env::var("KUBE_SECCTX_PRE_COMMIT").unwrap_or_else(|_| "pre-commit".to_string())
}

/// The wrapper described in the module docs, as `DIR/cargo`.
fn write_cargo_wrapper(dir: &Path) {
    let script = r#"#!/usr/bin/env bash
# cargo for pre-commit's hook install (tests/ci/precommit.rs): equal files keep this
# repository's modification times, the install is --locked, and cargo's messages go to
# $KUBE_SECCTX_CARGO_LOG.
set -u
if [ "${1-}" = install ]; then
    git ls-files -z | while IFS= read -r -d '' f; do
        if [ -f "$KUBE_SECCTX_REPO/$f" ] && cmp -s -- "$f" "$KUBE_SECCTX_REPO/$f"; then
            touch -r "$KUBE_SECCTX_REPO/$f" -- "$f"
        fi
    done
    locked=--locked
    for a in "$@"; do [ "$a" = --locked ] && locked=; done
    "$KUBE_SECCTX_REAL_CARGO" "$@" $locked 2>>"$KUBE_SECCTX_CARGO_LOG"
    exit $?
fi
exec "$KUBE_SECCTX_REAL_CARGO" "$@"
"#;
    let path = dir.join("cargo");
    std::fs::write(&path, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// A scratch repository: two manifests, and YAML that is not Kubernetes.
fn scratch_repo(dir: &Path) {
    git(dir, &["init", "-q"]);
    for (path, text) in [
        ("deploy/clean.yaml", clean_manifest()),
        ("deploy/failing.yaml", FAILING.to_string()),
        (
            "chart/Chart.yaml",
            "apiVersion: v2\nname: web\nversion: 0.1.0\n".to_string(),
        ),
        ("chart/values.yaml", "replicas: 2\n".to_string()),
        (
            ".github/workflows/ci.yml",
            "on: push\njobs: {}\n".to_string(),
        ),
        ("package.json", "{\"name\": \"web\"}\n".to_string()),
        ("mkdocs.yml", "site_name: web\n".to_string()),
    ] {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, text).unwrap();
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "manifests"]);
}

/// `pre-commit try-repo <this repository> kube-secctx ARGS` in `repo`.
fn try_repo(repo: &Path, tools: &Path, log: &Path, args: &[&str]) -> Output {
    let mut path = vec![tools.to_path_buf()];
    path.extend(std::env::split_paths(&path_with_cargo()));
    let started = Instant::now();
    let o = Command::new(pre_commit())
        .args(["try-repo", "--color", "never"])
        .arg(root())
        .arg("kube-secctx")
        .args(args)
        .current_dir(repo)
        .env("PATH", std::env::join_paths(path).unwrap())
        .env("CARGO_TARGET_DIR", target_dir())
        .env("KUBE_SECCTX_REPO", root())
        .env("KUBE_SECCTX_REAL_CARGO", cargo())
        .env("KUBE_SECCTX_CARGO_LOG", log)
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {}: {e} (make setup-ci installs pre-commit)",
                pre_commit()
            )
        });
    eprintln!(
        "pre-commit try-repo {args:?}: exit {:?} in {:.1?}",
        o.status.code(),
        started.elapsed()
    );
    o
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
#[ignore = "needs the release build and pre-commit: make test-ci"]
fn hook_passes_a_clean_manifest_and_fails_a_bad_one() {
    require_release_build();
    let repo = tempfile::tempdir().unwrap();
    let tools = tempfile::tempdir().unwrap();
    scratch_repo(repo.path());
    write_cargo_wrapper(tools.path());
    let log = tools.path().join("cargo.log");

    // The clean manifest: the hook passes.
    let o = try_repo(
        repo.path(),
        tools.path(),
        &log,
        &["--files", "deploy/clean.yaml"],
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("kube-secctx") && l.ends_with("Passed")),
        "{out}"
    );
    let cargo_log = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(cargo_log.contains("Installing "), "{cargo_log}");
    assert!(
        !cargo_log.contains("Compiling"),
        "the hook's cargo install compiled instead of reusing {}/release:\n{cargo_log}",
        target_dir().display()
    );

    // Every file: the failing manifest fails the hook, with the finding at its line and
    // column; the files that are not manifests are skipped (`--force-exclude`).
    let o = try_repo(repo.path(), tools.path(), &log, &["--all-files"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("kube-secctx") && l.ends_with("Failed")),
        "{out}"
    );
    assert!(out.contains("- exit code: 1"), "{out}");
    assert!(
        out.contains(
            "deploy/failing.yaml:11:19: privileged-container [PSS baseline] privileged: \
             container \"web\" must not set securityContext.privileged=true"
        ),
        "{out}"
    );
    assert!(!out.contains("deploy/clean.yaml:"), "{out}");
    for skipped in [
        "Chart.yaml",
        "values.yaml",
        "ci.yml",
        "package.json",
        "mkdocs.yml",
    ] {
        assert!(!out.contains(skipped), "{skipped} was checked:\n{out}");
    }
    // Two files checked, in one process: the clean and the failing manifest; the five
    // others skipped.
    assert!(
        out.contains(
            " in 2 files (2 resources checked). 5 files skipped (not Kubernetes manifests)."
        ),
        "{out}"
    );
}
