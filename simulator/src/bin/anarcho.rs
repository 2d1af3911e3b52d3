//! The `anarcho` binary: all logic lives in the `anarcho_sim` library.

/// mimalloc rather than the system allocator: a simulation allocates and
/// frees many small values (requests, replies, history events), and glibc's
/// malloc spent about a quarter of a run's time doing it (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    anarcho_sim::cli::main_with_args(std::env::args_os())
}
