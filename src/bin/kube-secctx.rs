//! The `kube-secctx` command line (see `kube_secctx::cli`). The npm package's command is
//! this same binary built for `wasm32-wasip1`.

fn main() -> std::process::ExitCode {
    kube_secctx::cli::main()
}
