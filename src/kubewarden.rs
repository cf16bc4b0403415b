//! Kubewarden front end: the waPC guest exports (`wasm32-unknown-unknown`) and the WASI
//! command's main (`wasm32-wasip1`, `src/bin/kube-secctx-policy.rs`).
//!
//! Both only move bytes: the settings, the request handling and the response shapes are
//! in [`crate::admission`].
//!
//! # waPC (`kube-secctx.kubewarden.wasm`, Kubewarden `executionMode: kubewarden-wapc`)
//!
//! The module imports only `wapc.__guest_request`, `wapc.__guest_response` and
//! `wapc.__guest_error`, and exports `__guest_call` and `wapc_init`. Operations:
//!
//! - `protocol_version` → `"v1"`;
//! - `validate_settings` (the settings object) → `{"valid": bool, "message": ...}`;
//! - `validate` (`{"request": <AdmissionRequest>, "settings": {...}}`) → a
//!   `ValidationResponse` `{"accepted", "message", "code", "warnings", "audit_annotations"}`,
//!   plus `"mutated_object"` when the setting `mutate` fixed the object.
//!
//! An unknown operation is a waPC error (`__guest_error`); every payload gets an answer.
//!
//! # WASI (`kube-secctx.kubewarden-wasi.wasm`, Kubewarden `executionMode: wasi`)
//!
//! `policy.wasm validate` or `policy.wasm validate-settings`, the same JSON on stdin, the
//! response on stdout, exit code 0 (see [`wasi_main`]).

use std::io::{Read, Write};
use std::process::ExitCode;

use crate::admission::{
    kubewarden_insufficient_memory, kubewarden_validate, kubewarden_validate_settings,
    reserve_for_evaluation,
};

/// The Kubewarden policy protocol version, as `protocol_version` answers it (JSON).
pub const PROTOCOL_VERSION: &str = "\"v1\"";

/// The answer to a waPC operation: `Ok(response)` or `Err(waPC error message)`.
///
/// # Errors
/// An unknown operation name.
pub fn call(operation: &str, payload: &[u8]) -> Result<String, String> {
    match operation {
        "protocol_version" => Ok(PROTOCOL_VERSION.to_string()),
        // A request too large for the module's memory gets a clean rejection, not a trap.
        "validate" => Ok(match reserve_for_evaluation(payload, b"") {
            Ok(()) => kubewarden_validate(payload),
            Err(message) => kubewarden_insufficient_memory(message),
        }),
        "validate_settings" => Ok(kubewarden_validate_settings(payload)),
        other => Err(format!(
            "kube-secctx: unknown waPC operation {other:?} (known: protocol_version, validate, validate_settings)"
        )),
    }
}

/// The WASI command: `validate` or `validate-settings` as the one argument after the
/// program name, the JSON payload on stdin, the JSON response on stdout, exit code 0.
///
/// A missing or unknown command prints the usage on stderr and exits with 2; an
/// unreadable stdin or stdout exits with 1.
pub fn wasi_main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let op = match args.as_slice() {
        [cmd] if cmd == "validate" => "validate",
        [cmd] if cmd == "validate-settings" => "validate_settings",
        [cmd] if cmd == "protocol-version" => "protocol_version",
        _ => {
            eprintln!(
                "usage: kube-secctx-policy validate|validate-settings < payload.json\n\
                 validate:          stdin {{\"request\": <AdmissionRequest>, \"settings\": {{...}}}}, \
                 stdout a Kubewarden ValidationResponse\n\
                 validate-settings: stdin the settings object, stdout {{\"valid\": bool, \"message\": ...}}"
            );
            return ExitCode::from(2);
        }
    };
    let mut payload = Vec::new();
    if let Err(e) = std::io::stdin().lock().read_to_end(&mut payload) {
        eprintln!("kube-secctx-policy: cannot read stdin: {e}");
        return ExitCode::FAILURE;
    }
    let answer = match call(op, &payload) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(answer.as_bytes()).and_then(|()| out.flush()) {
        eprintln!("kube-secctx-policy: cannot write stdout: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// The waPC guest ABI. Only on `wasm32-unknown-unknown`: the WASI command has its own
/// `main`, and a native build has no waPC host.
#[cfg(all(target_arch = "wasm32", not(target_os = "wasi")))]
mod wapc {
    #[link(wasm_import_module = "wapc")]
    extern "C" {
        /// Copies the operation name and the payload of the current call into the two
        /// buffers (of the lengths `__guest_call` was given).
        fn __guest_request(op_ptr: *mut u8, ptr: *mut u8);
        /// Hands the host the response of the current call.
        fn __guest_response(ptr: *const u8, len: usize);
        /// Hands the host the error of the current call.
        fn __guest_error(ptr: *const u8, len: usize);
    }

    /// waPC initialisation hook, called once by the host after instantiation. Nothing to
    /// set up: every call is self-contained.
    #[allow(unsafe_code)] // `no_mangle` exports the symbol under this exact name.
    #[no_mangle]
    pub extern "C" fn wapc_init() {}

    /// The waPC entry point: fetch the operation and payload, answer, return 1 (response
    /// set) or 0 (error set).
    #[allow(unsafe_code)] // `no_mangle` exports the symbol; the host calls are FFI.
    #[no_mangle]
    pub extern "C" fn __guest_call(op_len: i32, req_len: i32) -> i32 {
        let mut op = vec![0u8; usize::try_from(op_len).unwrap_or(0)];
        let len = usize::try_from(req_len).unwrap_or(0);
        let mut payload = Vec::new();
        if payload.try_reserve_exact(len).is_err() {
            let message = format!(
                "kube-secctx: the request ({len} bytes) does not fit in the policy module's memory"
            );
            // SAFETY: as below: a live String's pointer and length, copied by the host.
            unsafe { __guest_error(message.as_ptr(), message.len()) };
            return 0;
        }
        payload.resize(len, 0);
        // SAFETY: waPC hosts write exactly `op_len` bytes to the first pointer and
        // `req_len` bytes to the second, the lengths this call received; both buffers are
        // live, initialised Vecs of exactly those lengths, so the writes stay in bounds.
        // The host does nothing else with our memory during the call.
        unsafe { __guest_request(op.as_mut_ptr(), payload.as_mut_ptr()) };
        let operation = String::from_utf8_lossy(&op);
        match super::call(&operation, &payload) {
            Ok(response) => {
                // SAFETY: the host copies `len` bytes from `ptr` before returning; the
                // pointer and length come from a live String, unchanged during the call.
                unsafe { __guest_response(response.as_ptr(), response.len()) };
                1
            }
            Err(message) => {
                // SAFETY: as for `__guest_response`: a live String's pointer and length,
                // copied by the host before it returns.
                unsafe { __guest_error(message.as_ptr(), message.len()) };
                0
            }
        }
    }
}
