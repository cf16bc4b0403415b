//! The README's rules table is generated: it must equal `kube-secctx rules --format
//! markdown` ([`kube_secctx::render::rules_markdown`]).
//!
//! The table sits between the lines `<!-- rules:start -->` and `<!-- rules:end -->`.
//! To regenerate it in place, run:
//!
//! ```sh
//! UPDATE_README=1 cargo test --test readme_rules
//! ```
#![cfg(feature = "render")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

const START: &str = "<!-- rules:start -->";
const END: &str = "<!-- rules:end -->";
const HOW: &str = "regenerate it with `UPDATE_README=1 cargo test --test readme_rules` \
                   (or paste the output of `cargo run -q -- rules --format markdown` between \
                   the markers)";

#[test]
fn readme_rules_table_is_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}\nThe README must hold the rules table between `{START}` \
             and `{END}`; {HOW}",
            path.display()
        )
    });
    let (Some(start), Some(end)) = (readme.find(START), readme.find(END)) else {
        panic!(
            "README.md lacks the markers `{START}` and `{END}` (each on its own line) around \
             the rules table; add them, then {HOW}"
        );
    };
    assert!(start < end, "README.md: `{START}` must come before `{END}`");
    let current = &readme[start + START.len()..end];
    let expected = kube_secctx::render::rules_markdown();
    if current.trim() == expected.trim() {
        return;
    }
    if std::env::var_os("UPDATE_README").is_some_and(|v| v == "1") {
        let updated = format!("{}{START}\n{expected}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).unwrap();
        eprintln!("README.md: rules table regenerated");
        return;
    }
    panic!(
        "README.md's rules table is stale; {HOW}.\n\n--- expected ---\n{expected}\n--- found ---\n{}",
        current.trim()
    );
}
