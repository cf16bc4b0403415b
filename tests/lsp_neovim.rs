//! `kube-secctx server` in a real editor: Neovim (Debian's neovim, 0.7.2), headless, its
//! built-in LSP client driven by tests/nvim/lsp_e2e.lua. The script checks the
//! diagnostics Neovim holds for a copy of examples/nginx-deployment.yaml, applies the
//! preferred quick fix at may-run-as-root and then `source.fixAll`, writes the file and
//! stops the server; this test checks its exit status and the written file against
//! tests/nvim/nginx-deployment.fixed.yaml.
//!
//! Ignored by plain `cargo test` (Neovim may be missing): `make test-editor` installs
//! Neovim and runs it (`cargo test --test lsp_neovim -- --ignored`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Neovim is killed after this long (each wait in the script times out after 20 s).
const KILL_AFTER: Duration = Duration::from_secs(60);

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| format!("({}: {e})", path.display()))
}

#[test]
#[ignore = "needs Neovim (Debian package neovim): make test-editor runs it"]
fn neovim_shows_the_diagnostics_and_applies_the_fixes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nginx-deployment.yaml");
    std::fs::copy(root.join("examples/nginx-deployment.yaml"), &file).unwrap();
    let result = dir.path().join("result");
    let stdout = dir.path().join("nvim.stdout");
    let stderr = dir.path().join("nvim.stderr");
    // Neovim's own files (lsp.log, the log, shada) go to the temp dir, not to $HOME.
    let xdg = dir.path().join("xdg");
    std::fs::create_dir(&xdg).unwrap();

    let mut nvim = match Command::new("nvim")
        .args(["--headless", "--clean", "-n", "-u", "NONE"])
        .args(["-c", "luafile tests/nvim/lsp_e2e.lua"])
        .current_dir(root)
        .env("KUBE_SECCTX_BIN", env!("CARGO_BIN_EXE_kube-secctx"))
        .env("KUBE_SECCTX_FILE", &file)
        .env("KUBE_SECCTX_RESULT", &result)
        .env("XDG_CACHE_HOME", &xdg)
        .env("XDG_CONFIG_HOME", &xdg)
        .env("XDG_DATA_HOME", &xdg)
        .env("XDG_STATE_HOME", &xdg)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "nvim is not on PATH: this test needs Neovim >= 0.7 (Debian package neovim; \
             `scripts/setup.sh editor` installs it, `make test-editor` runs this test)"
        ),
        Err(e) => panic!("cannot run nvim: {e}"),
    };

    let start = Instant::now();
    let status = loop {
        if let Some(status) = nvim.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > KILL_AFTER {
            nvim.kill().ok();
            nvim.wait().ok();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let report = || {
        format!(
            "result file: {}\n--- nvim stderr:\n{}\n--- nvim stdout:\n{}\n--- lsp.log:\n{}",
            read(&result),
            read(&stderr),
            read(&stdout),
            read(&xdg.join("nvim/lsp.log")),
        )
    };
    let Some(status) = status else {
        panic!(
            "Neovim was still running after {KILL_AFTER:?}: killed\n{}",
            report()
        );
    };
    assert!(
        status.success(),
        "Neovim exited with {status}\n{}",
        report()
    );
    assert_eq!(read(&result), "ok\n", "{}", report());

    let expected =
        std::fs::read_to_string(root.join("tests/nvim/nginx-deployment.fixed.yaml")).unwrap();
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        expected,
        "the file Neovim wrote"
    );
}
