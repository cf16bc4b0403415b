//! What the criterion benches share: where criterion writes its estimates, whether this
//! run measures, and reading a mean back for the summaries printed beside each peer.

use std::path::{Path, PathBuf};

use criterion::Criterion;

/// Where criterion writes its estimates: as criterion itself decides, made explicit so
/// the summaries can read them back.
pub fn output_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("criterion")
}

/// Whether criterion runs real measurements (`cargo bench`), not the `--test` smoke run
/// that `cargo test --all-targets` does, nor `--list` or `--profile-time`.
pub fn measuring() -> bool {
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    has("--bench") && !has("--test") && !has("--list") && !has("--profile-time")
}

/// Criterion's mean time per iteration of benchmark `group/id`, in nanoseconds.
pub fn mean_ns(dir: &Path, group: &str, id: &str) -> Option<f64> {
    let path = dir.join(group).join(id).join("new").join("estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v.get("mean")?.get("point_estimate")?.as_f64()
}

/// Criterion as the benches run it: estimates in [`output_dir`], no plots, the command
/// line's options.
pub fn criterion() -> Criterion {
    Criterion::default()
        .output_directory(&output_dir())
        .without_plots()
        .configure_from_args()
}
