//! The `anarcho` binary: all logic lives in the `anarcho_sim` library.

fn main() -> std::process::ExitCode {
    anarcho_sim::cli::main_with_args(std::env::args_os())
}
