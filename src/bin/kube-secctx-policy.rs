//! The Kubewarden WASI policy command (`executionMode: wasi`), built for `wasm32-wasip1`
//! as `dist/policy/kube-secctx.kubewarden-wasi.wasm` by `make policy`:
//!
//! ```text
//! policy.wasm validate            < {"request": <AdmissionRequest>, "settings": {...}}
//! policy.wasm validate-settings   < {...settings...}
//! ```
//!
//! The response goes to stdout and the exit code is 0; everything else is in
//! `kube_secctx::kubewarden`. It also runs natively (`cargo run --features kubewarden
//! --bin kube-secctx-policy -- validate < request.json`).

fn main() -> std::process::ExitCode {
    kube_secctx::kubewarden::wasi_main()
}
