//! The `kube-secctx` command line (see `kube_secctx::cli`). The npm package's command is
//! this same binary built for `wasm32-wasip1`.

#[cfg(not(target_family = "wasm"))]
#[global_allocator]
static ALLOCATOR: kube_secctx::cli::Allocator = kube_secctx::cli::Allocator;

fn main() -> std::process::ExitCode {
    kube_secctx::cli::main()
}
