//! What a test sees of the CLI run as a process: its output as text, its exit code.

use std::process::Output;

/// Standard output, as UTF-8.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Standard error, as UTF-8.
pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// The exit code (the process was not killed by a signal).
pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}
