//! The language server's re-check after a keystroke, in a 2,000-line manifest (goal:
//! under 5 ms in the server).
//!
//! The manifest is the first workload documents of `../shared/corpus/real/bench-large.yaml`
//! (Deployments, DaemonSets, StatefulSets, Jobs, CronJobs, Pods from real projects) up to
//! 2,000 lines. One keystroke is what an editor sends and the server does: a
//! `textDocument/didChange` with one incremental change, then the diagnostics pushed for
//! it ([`kube_secctx::lsp::Server::handle`] + [`kube_secctx::lsp::Server::flush`]: the text
//! edited, checked, every finding converted to an LSP diagnostic with UTF-16 ranges,
//! serialized into the notification). The peer is a bare [`kube_secctx::check`] of the same
//! text, what the CLI does for one file without output; the ratio is the server's overhead.
//!
//! Run with `make bench` or `cargo bench --bench lsp`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

/// The allocator the `kube-secctx` binary ships with, so that the figures are the CLI's
/// (the peers measured in this process run under it too).
#[global_allocator]
static ALLOCATOR: kube_secctx::cli::Allocator = kube_secctx::cli::Allocator;

mod common;

use common::{mean_ns, measuring, output_dir};
use criterion::Criterion;
use kube_secctx::lsp::Server;
use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::json;

const GROUP: &str = "lsp";
const IDS: [&str; 3] = ["keystroke", "check", "code_action"];
const URI: &str = "file:///bench/workloads.yaml";
const LINES: usize = 2000;

const WORKLOADS: [&str; 6] = [
    "Deployment",
    "DaemonSet",
    "StatefulSet",
    "Job",
    "CronJob",
    "Pod",
];

/// The first workload documents of bench-large.yaml, whole, until `LINES` lines.
fn manifest() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/real/bench-large.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut out = String::new();
    for doc in text.split("\n---\n") {
        let is_workload = doc
            .lines()
            .any(|l| WORKLOADS.iter().any(|k| l == format!("kind: {k}")));
        if !is_workload {
            continue;
        }
        out.push_str(doc.trim_end());
        out.push_str("\n---\n");
        if out.lines().count() >= LINES {
            break;
        }
    }
    out
}

fn notification(method: &str, params: serde_json::Value) -> Message {
    Message::Notification(Notification::new(method.to_string(), params))
}

/// A server (push diagnostics, UTF-16) with `text` open, its first diagnostics sent.
fn server(text: &str) -> (Server, usize) {
    let (mut server, _) = Server::initialize(json!({"capabilities": {}})).unwrap();
    server.handle(notification(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "yaml", "version": 0, "text": text}}),
    ));
    let out = server.flush();
    let Some(Message::Notification(n)) = out.first() else {
        panic!("no diagnostics pushed: {out:?}")
    };
    let count = n.params["diagnostics"].as_array().map_or(0, Vec::len);
    (server, count)
}

/// Keystrokes at (`line`, `col`): a character typed, then erased, alternately, so the
/// text keeps its size.
struct Typist {
    line: usize,
    col: usize,
    version: i32,
    typed: bool,
}

impl Typist {
    /// One keystroke sent to `server`; returns the document's new version.
    fn key(&mut self, server: &mut Server) -> i32 {
        self.version += 1;
        let (line, col) = (self.line, self.col);
        let (end, text) = if self.typed {
            (col + 1, "")
        } else {
            (col, "x")
        };
        self.typed = !self.typed;
        let change = json!({"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": end}}, "text": text});
        server.handle(notification(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": self.version}, "contentChanges": [change]}),
        ));
        self.version
    }
}

fn bench(c: &mut Criterion, text: &str) {
    let (mut server, _) = server(text);
    // The keystroke: a character typed into the middle of the file (a container name).
    let line = text
        .lines()
        .position(|l| l.trim_start().starts_with("- name:"))
        .unwrap_or(LINES / 2);
    let col = text.lines().nth(line).map_or(0, |l| l.len());
    let mut typist = Typist {
        line,
        col,
        version: 0,
        typed: false,
    };
    let mut g = c.benchmark_group(GROUP);
    g.sample_size(50);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(5));
    g.bench_function(IDS[0], |b| {
        b.iter(|| {
            typist.key(&mut server);
            black_box(server.flush())
        })
    });
    // A keystroke, then the code actions of the whole document (every fix planned, written
    // and verified, once per version of the text): what an editor asks when the cursor
    // rests after typing.
    g.bench_function(IDS[2], |b| {
        b.iter(|| {
            let version = typist.key(&mut server);
            black_box(server.handle(Message::Request(Request::new(
                RequestId::from(version),
                "textDocument/codeAction".to_string(),
                json!({"textDocument": {"uri": URI},
                       "range": {"start": {"line": 0, "character": 0}, "end": {"line": LINES, "character": 0}},
                       "context": {"diagnostics": []}}),
            ))))
        })
    });
    let opts = kube_secctx::Options::default();
    g.bench_function(IDS[1], |b| {
        b.iter(|| {
            black_box(kube_secctx::check(URI, black_box(text), &opts).map(|r| r.findings.len()))
        })
    });
    g.finish();
}

fn main() {
    let text = manifest();
    let (_, diagnostics) = server(&text);
    let mut c = common::criterion();
    bench(&mut c, &text);
    c.final_summary();
    if !measuring() {
        return;
    }
    let dir = output_dir();
    println!();
    println!(
        "== language server: a keystroke in a {}-line manifest ({} bytes, {} workload documents, {diagnostics} diagnostics) ==",
        text.lines().count(),
        text.len(),
        text.matches("\n---\n").count()
    );
    let (Some(key), Some(check)) = (mean_ns(&dir, GROUP, IDS[0]), mean_ns(&dir, GROUP, IDS[1]))
    else {
        println!("no estimates found under {}", dir.display());
        return;
    };
    println!(
        "keystroke -> diagnostics pushed: {:.2} ms (goal < 5 ms: {})",
        key / 1e6,
        if key < 5e6 { "met" } else { "MISSED" }
    );
    println!(
        "bare check of the same text (the peer): {:.2} ms",
        check / 1e6
    );
    println!("server / bare check: {:.2}", key / check);
    if let Some(actions) = mean_ns(&dir, GROUP, IDS[2]) {
        println!(
            "keystroke -> code actions of the whole document (every fix verified): {:.2} ms ({:.2}x the bare check)",
            actions / 1e6,
            actions / check
        );
    }
}
