//! The field table of `unknown-field` (src/schema/table.rs) is exactly what
//! tools/k8s-api/generate.py makes of the pinned `kubernetes` client wheels
//! (tools/k8s-api/wheels.txt), regenerated offline from the wheels already downloaded.
//!
//! `make test-schema` downloads the wheels when missing (scripts/setup-k8s-api.sh, PyPI,
//! hashes checked) and runs this test with `--ignored`; plain `cargo test` skips it (the
//! wheels may be missing). `KUBE_SECCTX_K8S_WHEELS` names another wheel directory.

#![allow(clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

#[test]
#[ignore = "needs the pinned wheels in target/k8s-api/wheels: make test-schema"]
fn table_is_regenerated_byte_for_byte_from_the_pinned_wheels() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let wheels = std::env::var_os("KUBE_SECCTX_K8S_WHEELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target/k8s-api/wheels"));
    let out = Command::new("python3")
        .arg(root.join("tools/k8s-api/generate.py"))
        .arg(root.join("tools/k8s-api/wheels.txt"))
        .arg(&wheels)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "generate.py failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = String::from_utf8(out.stdout).expect("UTF-8");
    let committed =
        std::fs::read_to_string(root.join("src/schema/table.rs")).expect("src/schema/table.rs");
    if generated != committed {
        let line = generated
            .lines()
            .zip(committed.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| generated.lines().count().min(committed.lines().count()));
        panic!(
            "src/schema/table.rs differs from the generator's output from line {}: run \
             python3 tools/k8s-api/generate.py tools/k8s-api/wheels.txt {} > src/schema/table.rs",
            line + 1,
            wheels.display()
        );
    }
    // What the table says, read from the wheels' own header lines.
    assert!(committed.contains("//   kubernetes-37.0.3-py2.py3-none-any.whl"));
    assert!(committed.contains("pub const FIRST_MINOR: u32 = 17;"));
    assert!(committed.contains("pub const LAST_MINOR: u32 = 37;"));
}
