#!/usr/bin/env bash
# Runs a cargo-fuzz target of the oneroster crate for a while (not part of CI).
#   scripts/fuzz.sh filter_parse 600     # ten minutes
# Needs the nightly toolchain and cargo-fuzz (installed here when missing). Findings land in
# oneroster/fuzz/artifacts/<target>/; the corpus grows in oneroster/fuzz/corpus/<target>/.
set -euo pipefail
cd "$(dirname "$0")/../oneroster"
target="${1:?usage: scripts/fuzz.sh TARGET [SECONDS]}"
seconds="${2:-300}"
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
mkdir -p "fuzz/corpus/$target"
exec cargo +nightly fuzz run "$target" "fuzz/corpus/$target" -- -max_total_time="$seconds" -print_final_stats=1
