//! The `rollbook` binary. All logic lives in the `server` library so that tests can drive it.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    server::cli::main()
}
