//! The house rules of the layout (README, *Design*): no module of the core imports a
//! front end, and `lib.rs` declares modules, re-exports and holds `check()` only.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

/// The core: the YAML layer, workloads, rules, engine, report, options, positions, fixes,
/// field documentation, "did you mean", the baseline's fingerprints and the exit rule.
const CORE: [&str; 13] = [
    "baseline.rs",
    "hash.rs",
    "fail_on.rs",
    "yaml",
    "suggest.rs",
    "fix",
    "fields",
    "workload.rs",
    "rules",
    "engine",
    "report.rs",
    "options",
    "position.rs",
];

/// The front ends, as paths under `crate::`.
const FRONT_ENDS: [&str; 8] = [
    "render",
    "cli",
    "config",
    "js",
    "lsp",
    "admission",
    "kubewarden",
    "opa",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        for e in std::fs::read_dir(path).unwrap() {
            rust_files(&e.unwrap().path(), out);
        }
    } else if path.extension().is_some_and(|x| x == "rs") {
        out.push(path.to_path_buf());
    }
}

/// The code of a file without its comments (`//` to the end of the line), so that docs
/// may name the front ends that use a module.
fn code(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_core_imports_no_front_end() {
    let mut files = Vec::new();
    for part in CORE {
        rust_files(&src().join(part), &mut files);
    }
    assert!(files.len() >= 30, "{files:?}");
    for file in &files {
        let code = code(file);
        for front in FRONT_ENDS {
            for pattern in [format!("crate::{front}::"), format!("crate::{front};")] {
                assert!(
                    !code.contains(&pattern),
                    "{} uses {pattern}: the core must not depend on a front end",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn lib_rs_holds_only_declarations_and_check() {
    let code = code(&src().join("lib.rs"));
    let functions: Vec<&str> = code
        .lines()
        .filter(|l| l.trim_start().starts_with("pub fn ") || l.trim_start().starts_with("fn "))
        .collect();
    assert_eq!(functions.len(), 1, "{functions:?}");
    assert!(functions[0].contains("pub fn check("), "{functions:?}");
    for item in ["struct ", "enum ", "impl ", "trait ", "static "] {
        assert!(
            !code
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("pub {item}"))
                    || l.trim_start().starts_with(item)),
            "lib.rs declares a {item}"
        );
    }
}
