//! `gen-workloads`: writes the benchmarks' generated workloads (see
//! `benches/common/workloads.rs`) for the whole-process runs and the Node benchmark.
//!
//! ```text
//! cargo run --release --example gen-workloads -- COUNT FILE        one stream of COUNT workloads
//! cargo run --release --example gen-workloads -- COUNT DIR FILES   COUNT workloads over FILES files
//! ```
//!
//! The same COUNT always gives the same bytes; split over files, file `k` (from 0, named
//! `workloads-KKKK.yaml`) holds the documents `k`, `k + FILES`, … of no stream in
//! particular: each file is generated from its own share of the count.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../benches/common/workloads.rs"]
mod workloads;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || {
        eprintln!("usage: gen-workloads COUNT FILE | gen-workloads COUNT DIR FILES");
        ExitCode::from(2)
    };
    let Some(count) = args.first().and_then(|c| c.parse::<usize>().ok()) else {
        return usage();
    };
    match args.as_slice() {
        [_, file] => {
            let path = PathBuf::from(file);
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).unwrap();
            }
            std::fs::write(&path, workloads::generate(count)).unwrap();
        }
        [_, dir, files] => {
            let Ok(files) = files.parse::<usize>() else {
                return usage();
            };
            let dir = PathBuf::from(dir);
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            for k in 0..files.max(1) {
                let share = count / files.max(1) + usize::from(k < count % files.max(1));
                let text = workloads::generate_from(share, k as u64);
                std::fs::write(dir.join(format!("workloads-{k:04}.yaml")), text).unwrap();
            }
        }
        _ => return usage(),
    }
    ExitCode::SUCCESS
}
