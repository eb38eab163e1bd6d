#!/usr/bin/env bash
# Builds Rollbook and runs it: SQLite in ./data, the console at http://127.0.0.1:3000.
# On the first start it creates the first district admin and prints the e-mail and password once,
# and imports a generated demo district (ROLLBOOK_DEMO_STUDENTS students, default 2000; 0 = none)
# so that the console has data.
# Extra arguments go to `rollbook serve` (e.g. --listen 0.0.0.0:3000); see `rollbook --help`.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# The same build flags as the tests (one shared build; the console's view types stay small).
# shellcheck source=scripts/leptos-env.sh
source scripts/leptos-env.sh
printf '\033[1m[run]\033[0m building the server and the console (the first build takes a while)\n' >&2
cargo leptos build

export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
export ROLLBOOK_DATA_DIR="${ROLLBOOK_DATA_DIR:-./data}"
bin=target/debug/rollbook
students="${ROLLBOOK_DEMO_STUDENTS:-2000}"
if [ "$students" != 0 ] && [ "$("$bin" revisions list --json)" = "[]" ]; then
  printf '\033[1m[run]\033[0m empty roster: importing a demo district of %s students (source `demo`)\n' "$students" >&2
  "$bin" demo --students "$students" --out "$ROLLBOOK_DATA_DIR/demo-district" >&2
  "$bin" import --source demo "$ROLLBOOK_DATA_DIR/demo-district" | head -1 >&2
fi
exec "$bin" serve "$@"
