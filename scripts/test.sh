#!/usr/bin/env bash
# Runs every Rollbook test: unit tests, the store contract on SQLite and PostgreSQL, HTTP and CLI
# tests against real servers, and the Playwright browser tests in Debian's chromium.
# Installs what is missing first (scripts/setup.sh --test) and finds or starts PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "need root (or sudo) to run: $*" >&2; return 1; fi
}
step() { printf '\n\033[1m== %s ==\033[0m\n' "$*" >&2; }

scripts/setup.sh --test

# shellcheck source=scripts/pg-for-tests.sh
source scripts/pg-for-tests.sh
trap stop_test_postgres EXIT
start_test_postgres

# Build the console first; the Rust tests below then reuse that build (same flags, see
# scripts/leptos-env.sh) instead of compiling every crate a second time.
# shellcheck source=scripts/leptos-env.sh
source scripts/leptos-env.sh

step "Building the console (server + WebAssembly)"
cargo leptos build

step "Rust tests: oneroster, store (SQLite + PostgreSQL), server (HTTP + CLI)"
cargo test -p oneroster -p store -p server

step "OneRoster REST conformance crawl (1.2 and 1.1) against a seeded server"
scripts/api-conformance.sh target/debug/rollbook

step "The oneroster crate stays pure: it builds for WebAssembly"
cargo build -p oneroster --target wasm32-unknown-unknown

step "Console unit tests (app, server side)"
cargo test -p app --features ssr

step "Browser tests (Playwright, chromium)"
(cd end2end && npx playwright test)
# The console's data folder (end2end/playwright.config.ts) stays after a failing journey, for its
# database; a passing run removes it, and the demo district and key in it.
rm -rf "${E2E_DATA_DIR:-${TMPDIR:-/tmp}/rollbook-e2e-${E2E_PORT:-3107}}"
