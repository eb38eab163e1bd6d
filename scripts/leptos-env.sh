# Sourced by scripts/test.sh. cargo-leptos builds the server with these two variables: leptos
# reads LEPTOS_OUTPUT_NAME at compile time, and RUSTFLAGS is part of every crate's fingerprint.
# Running `cargo test` with the very same values reuses that build instead of compiling every
# crate a second time (and makes the tested binary the one the browser tests use).
export LEPTOS_OUTPUT_NAME=rollbook
export RUSTFLAGS="--cfg erase_components"
