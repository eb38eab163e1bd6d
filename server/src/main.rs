//! The `rollbook` binary. All logic lives in the `server` library so that tests can drive it.
#![forbid(unsafe_code)]

/// mimalloc instead of the system allocator: serving a page builds and drops many small
/// strings on both worker threads and SQLite's connection threads, where glibc's allocator
/// spent a third of the time (BENCHMARKS.md, "Delivering a share").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    server::cli::main()
}
