#!/usr/bin/env bash
# Builds Rollbook and runs it: SQLite in ./data, the console at http://127.0.0.1:3000.
# On the first start it creates the first district admin and prints the e-mail and password once.
# Extra arguments go to `rollbook serve` (e.g. --listen 0.0.0.0:3000); see `rollbook --help`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
printf '\033[1m[run]\033[0m building the server and the console (the first build takes a while)\n' >&2
cargo leptos build

export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
export ROLLBOOK_DATA_DIR="${ROLLBOOK_DATA_DIR:-./data}"
exec target/debug/rollbook serve "$@"
