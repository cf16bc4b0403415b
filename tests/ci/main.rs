//! The CI packaging, run as CI would run it (`make test-ci`): the GitHub Action's steps
//! (`action.yml`, [`action`]) and the pre-commit hook (`.pre-commit-hooks.yaml`,
//! [`precommit`]).
//!
//! Both install the CLI with `cargo install` from this repository, the way GitHub's
//! runner and pre-commit do, with `CARGO_TARGET_DIR` pointing at the release build of
//! `make build` so that the install reuses it instead of a second LTO build. The tests are
//! `#[ignore]`d in plain `cargo test` (they need that release build, git, and pre-commit
//! from PyPI); `make test-ci` builds and sets up what they need and runs them with
//! `--ignored`. `KUBE_SECCTX_PRE_COMMIT` names the pre-commit executable
//! (scripts/setup-ci.sh installs it in target/ci/venv).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod action;
mod precommit;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository: the Action's `GITHUB_ACTION_PATH`, the hook's repository.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The target directory holding the release build (`make build`).
fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|d| if d.is_absolute() { d } else { root().join(d) })
        .unwrap_or_else(|| root().join("target"))
}

/// Fails with what to run when the release build is missing.
fn require_release_build() {
    let bin = target_dir().join("release/kube-secctx");
    assert!(
        bin.is_file(),
        "{} is missing: run `make build` (or `make test-ci`, which does)",
        bin.display()
    );
}

/// `cargo`'s full path, as `make` and the user's shell find it.
fn cargo() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")));
    let on_path = std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join("cargo"))
            .find(|c| c.is_file())
    });
    on_path
        .or_else(|| home.map(|h| h.join("bin/cargo")).filter(|c| c.is_file()))
        .expect("cargo on PATH or in $CARGO_HOME/bin")
}

/// `PATH` with cargo's directory first.
fn path_with_cargo() -> std::ffi::OsString {
    let mut dirs = vec![cargo().parent().unwrap().to_path_buf()];
    if let Some(p) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&p));
    }
    std::env::join_paths(dirs).unwrap()
}

/// A manifest that fails: a privileged container.
const FAILING: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: prod
spec:
  containers:
  - name: web
    image: nginx
    securityContext:
      privileged: true
";

/// A manifest that passes every rule: the restricted example.
fn clean_manifest() -> String {
    std::fs::read_to_string(root().join("examples/restricted-deployment.yaml")).unwrap()
}

/// Runs `git ARGS` in `dir`, which must succeed.
fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .output()
        .expect("run git");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}
