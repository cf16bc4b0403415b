//! Whole processes of the CLI: wall time (measured here), peak resident memory and CPU
//! time (measured by GNU `time`, `%M` KiB and `%U`/`%S` seconds, as
//! `benches/budgets.mjs` does; `scripts/setup.sh bench` installs it). Without GNU time
//! only the wall time is known, and the memory rows say so.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// GNU time, where `scripts/setup.sh bench` puts it.
const GNU_TIME: &str = "/usr/bin/time";

/// The CLI the whole-process figures run, and how it is measured.
pub struct Cli {
    /// The binary.
    pub path: PathBuf,
    /// Where it comes from, for the report.
    pub origin: String,
    /// GNU time, when installed.
    time: Option<PathBuf>,
}

/// One whole-process run.
#[derive(Clone, Copy, Debug)]
pub struct Run {
    /// Wall time, seconds (from spawning to exit).
    pub wall: f64,
    /// Peak resident memory, bytes (GNU time's `%M` KiB × 1024).
    pub peak: Option<u64>,
    /// User + system CPU time, seconds.
    pub cpu: Option<f64>,
}

impl Cli {
    /// The CLI named by `KUBE_SECCTX_BENCH_CLI`, else the `kube-secctx` binary cargo built
    /// beside this bench (same profile and target directory: under `make bench`,
    /// `target/bench/release/kube-secctx`, release profile with LTO).
    pub fn locate() -> Cli {
        let time = Path::new(GNU_TIME)
            .is_file()
            .then(|| PathBuf::from(GNU_TIME));
        match std::env::var_os("KUBE_SECCTX_BENCH_CLI") {
            Some(p) => Cli {
                path: PathBuf::from(p),
                origin: "KUBE_SECCTX_BENCH_CLI".to_owned(),
                time,
            },
            None => Cli {
                path: PathBuf::from(env!("CARGO_BIN_EXE_kube-secctx")),
                origin: "built by cargo beside this bench, same profile".to_owned(),
                time,
            },
        }
    }

    /// Whether peak memory and CPU time are measured (GNU time is installed).
    pub fn has_time(&self) -> bool {
        self.time.is_some()
    }

    /// Runs `kube-secctx check --format json --exit-zero EXTRA… PATH`, output to
    /// /dev/null. An error carries the first line the process wrote to stderr.
    pub fn check(&self, extra: &[&str], path: &Path) -> Result<Run, String> {
        let args = ["check", "--format", "json", "--exit-zero"];
        let report = tempfile::NamedTempFile::new().map_err(|e| e.to_string())?;
        let mut cmd = match &self.time {
            Some(time) => {
                let mut c = Command::new(time);
                c.arg("-o")
                    .arg(report.path())
                    .args(["-f", "%M %U %S"])
                    .arg(&self.path);
                c
            }
            None => Command::new(&self.path),
        };
        cmd.args(args)
            .args(extra)
            .arg(path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let start = Instant::now();
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.path.display()))?;
        let wall = start.elapsed().as_secs_f64();
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            return Err(format!("{} ({})", first.trim(), out.status));
        }
        let (peak, cpu) = match self.time {
            Some(_) => parse_time(&std::fs::read_to_string(report.path()).unwrap_or_default()),
            None => (None, None),
        };
        Ok(Run { wall, peak, cpu })
    }

    /// `runs` runs of [`Cli::check`] on `path`.
    pub fn repeat(&self, extra: &[&str], path: &Path, runs: usize) -> Result<Vec<Run>, String> {
        (0..runs.max(1)).map(|_| self.check(extra, path)).collect()
    }

    /// Whether this CLI takes `--threads N`: one run with `--threads 1` on `probe`;
    /// the error says why not (today: clap's "unexpected argument '--threads'").
    pub fn threads_flag(&self, probe: &Path) -> Result<(), String> {
        self.check(&["--threads", "1"], probe).map(|_| ())
    }
}

/// GNU time's last line, `%M %U %S` (earlier lines may say that the command failed).
fn parse_time(text: &str) -> (Option<u64>, Option<f64>) {
    let Some(last) = text.lines().rev().find(|l| !l.trim().is_empty()) else {
        return (None, None);
    };
    let f: Vec<&str> = last.split_whitespace().collect();
    let peak = f
        .first()
        .and_then(|k| k.parse::<u64>().ok())
        .map(|k| k * 1024);
    let cpu = match (f.get(1), f.get(2)) {
        (Some(u), Some(s)) => u.parse::<f64>().ok().zip(s.parse::<f64>().ok()),
        _ => None,
    }
    .map(|(u, s)| u + s);
    (peak, cpu)
}

/// The total size in bytes of the regular files directly in `dir` (the generated
/// directory holds files only), or of the file `path`.
pub fn input_bytes(path: &Path) -> u64 {
    if path.is_dir() {
        std::fs::read_dir(path)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter_map(|e| e.metadata().ok())
                    .filter(|m| m.is_file())
                    .map(|m| m.len())
                    .sum()
            })
            .unwrap_or(0)
    } else {
        std::fs::metadata(path).map_or(0, |m| m.len())
    }
}
