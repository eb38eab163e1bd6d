# Sourced by scripts/test.sh. cargo-leptos builds the server with these variables (leptos reads
# some at compile time, and RUSTFLAGS changes every crate's fingerprint). Running `cargo test`
# with the very same values reuses that build instead of recompiling the world twice.
export LEPTOS_OUTPUT_NAME=rollbook
export LEPTOS_SITE_ROOT=target/site
export LEPTOS_SITE_PKG_DIR=pkg
export LEPTOS_SITE_ADDR=127.0.0.1:3000
export LEPTOS_RELOAD_PORT=3001
export LEPTOS_LIB_DIR=frontend
export LEPTOS_BIN_DIR=server
export LEPTOS_JS_MINIFY=false
export LEPTOS_HASH_FILES=false
export RUSTFLAGS="--cfg erase_components"
