//! The inputs: `bench-large.yaml` from the shared corpus, the generated workloads in
//! memory and the files of the same bytes the whole processes read (written by
//! `make bench` into `target/bench/gen/`, or by the smoke run into a temporary directory),
//! and the thread figures' targets.

use std::path::{Path, PathBuf};

use crate::{threads, whole, workloads};

/// One input of the in-process and whole-process figures.
pub struct Input {
    /// For the table: what it is and its size.
    pub label: String,
    /// The file name findings carry.
    pub name: &'static str,
    /// The text, in memory.
    pub text: String,
    /// The same bytes on disk, for the whole processes, or why there are none.
    pub disk: Result<PathBuf, String>,
    /// The goal of parse + check against the event loop.
    pub goal: f64,
    /// Whether fix-all is measured on it.
    pub fix_all: bool,
}

pub fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn mb(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn bench_large(measuring: bool) -> Input {
    let path = manifest_dir().join("../shared/corpus/real/bench-large.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the benchmark input {}: {e}\n\
             (the shared corpus must sit beside the repository, at ../shared/corpus/real)",
            path.display()
        )
    });
    Input {
        label: format!("bench-large.yaml ({})", mb(text.len())),
        name: "bench-large.yaml",
        text,
        // The smoke run's CLI is a debug build: whole processes on small inputs only.
        disk: if measuring {
            Ok(path)
        } else {
            Err("smoke run".to_owned())
        },
        goal: 0.8,
        fix_all: true,
    }
}

/// `generate(count)` in memory, and the file of the same bytes: `file` when it holds
/// them, else an explanation of how to write it.
fn generated(count: usize, name: &'static str, file: &Path) -> Input {
    let text = workloads::generate(count);
    let disk = match std::fs::read(file) {
        Ok(bytes) if bytes == text.as_bytes() => Ok(file.to_path_buf()),
        Ok(_) => Err(format!("{} is stale", file.display())),
        Err(_) => Err(format!("{} is missing", file.display())),
    }
    .map_err(|why| {
        format!(
            "{why}: run `make bench` or `cargo run --release --example gen-workloads -- \
             {count} {}`",
            file.display()
        )
    });
    Input {
        label: format!(
            "generated {} workloads ({})",
            thousands(count),
            mb(text.len())
        ),
        name,
        text,
        disk,
        goal: 0.6,
        fix_all: false,
    }
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A thread target, or its label and why it cannot be measured.
pub type TargetOr = Result<threads::Target, (String, String)>;

/// The inputs and the thread targets of a real run, from the generated files in `gen`.
pub fn real_inputs(gen: &Path) -> (Vec<Input>, Vec<TargetOr>) {
    let inputs = vec![
        bench_large(true),
        generated(1_000, "w1000.yaml", &gen.join("w1000.yaml")),
        generated(10_000, "w10000.yaml", &gen.join("w10000.yaml")),
    ];
    let mut targets = Vec::new();
    if let Some(large) = inputs.last() {
        targets.push(match &large.disk {
            Ok(path) => Ok(threads::Target {
                label: large.label.clone(),
                path: path.clone(),
                files: vec![(large.name.to_owned(), large.text.clone())],
            }),
            Err(why) => Err((large.label.clone(), why.clone())),
        });
    }
    let dir = gen.join("w10000-40");
    targets.push(match threads::read_dir_texts(&dir) {
        Ok(files) if !files.is_empty() => Ok(threads::Target {
            label: format!(
                "generated 10,000 workloads in {} files ({})",
                files.len(),
                whole::size_label(&dir)
            ),
            path: dir,
            files,
        }),
        _ => Err((
            "generated 10,000 workloads in 40 files".to_owned(),
            format!(
                "{} is missing: run `make bench` or `cargo run --release --example \
                 gen-workloads -- 10000 {} 40`",
                dir.display(),
                dir.display()
            ),
        )),
    });
    (inputs, targets)
}

/// The smoke run's inputs: bench-large in process, and small generated files in `tmp`.
pub fn smoke_inputs(tmp: &Path) -> (Vec<Input>, Vec<TargetOr>) {
    let file = tmp.join("w30.yaml");
    std::fs::write(&file, workloads::generate(30)).unwrap();
    let dir = tmp.join("w30-3");
    std::fs::create_dir_all(&dir).unwrap();
    for k in 0..3u64 {
        std::fs::write(
            dir.join(format!("workloads-{k:04}.yaml")),
            workloads::generate_from(10, k),
        )
        .unwrap();
    }
    let small = generated(30, "w30.yaml", &file);
    let targets = vec![
        Ok(threads::Target {
            label: small.label.clone(),
            path: file,
            files: vec![(small.name.to_owned(), small.text.clone())],
        }),
        Ok(threads::Target {
            label: "3 generated files".to_owned(),
            files: threads::read_dir_texts(&dir).unwrap(),
            path: dir,
        }),
    ];
    (vec![bench_large(false), small], targets)
}
