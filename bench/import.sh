#!/usr/bin/env bash
# The import benchmark of issue 4 (method and numbers in BENCHMARKS.md).
#
#   bench/import.sh [STUDENTS]        default 1000000
#
# 1. writes the demo district with `rollbook demo` (release build);
# 2. baseline: sqlite3's `.import` of the same CSV files into bare tables (no keys, no indexes);
# 3. first bulk import into an empty SQLite database, then the unchanged package again, then a
#    1% delta (bench/make-delta.py): wall time and peak RSS of each `rollbook import`. The delta
#    runs ROLLBOOK_BENCH_DELTA_RUNS times (default 3), each on a copy of the same database, since
#    on a virtual machine one run can take half as long again as the next; then once without its
#    deletions, to show what they cost;
# 4. the same three imports into PostgreSQL (a fresh database on ROLLBOOK_BENCH_PG_URL, default
#    the server on 127.0.0.1:5432), where rows go in with COPY; ROLLBOOK_BENCH_PG=0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
students="${1:-1000000}"
work="${ROLLBOOK_BENCH_DIR:-${TMPDIR:-/tmp}/rollbook-bench}"
pg_admin="${ROLLBOOK_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
rm -rf "$work" && mkdir -p "$work"

# shellcheck source=scripts/leptos-env.sh
source scripts/leptos-env.sh  # the build flags the console needs (see ARCHITECTURE)
cargo build --release -p server --bin rollbook
bin="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/rollbook"

# The user and system CPU times are printed too: on a virtual machine the kernel's share of
# the same work varies from run to run (BENCHMARKS.md, "ninth session"), and a slow run shows
# it there.
measure() { # label, command...: prints "label: S s, RSS MiB, user s, sys s"
  local label="$1"; shift
  /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" > "$work/out" 2>&1 || tail -5 "$work/out"
  read -r secs kib user sys < <(tail -1 "$work/time")
  printf '%-44s %8.1f s  %7.0f MiB peak RSS  (CPU: %.1f s user, %.1f s sys)\n' "$label" "$secs" "$((kib / 1024))" "$user" "$sys"
}

echo "== $students students, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg) =="
measure "rollbook demo" "$bin" demo --students "$students" --out "$work/pkg"
tail -1 "$work/out"
python3 bench/make-delta.py "$work/pkg" "$work/delta" 1 > /dev/null
python3 bench/make-delta.py "$work/pkg" "$work/delta-kept" 1 --without-deletions > /dev/null
du -sh "$work/pkg" | sed 's/^/package size: /'

# Baseline: the same files into bare tables with sqlite3's .import (header row skipped).
{
  echo "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
  for f in "$work"/pkg/*.csv; do
    name="$(basename "$f" .csv)"
    [ "$name" = manifest ] && continue
    cols="$(head -1 "$f" | tr -d '\r' | sed 's/[^,]*/"&" TEXT/g')"
    echo "CREATE TABLE \"$name\" ($cols);"
    echo ".import --csv --skip 1 '$f' \"$name\""
  done
} > "$work/baseline.sql"
measure "sqlite3 .import (bare tables, baseline)" sqlite3 "$work/baseline.db" ".read $work/baseline.sql"

run_imports() { # label, database URL
  export ROLLBOOK_DATA_DIR="$work/data-$1" ROLLBOOK_DATABASE_URL="$2"
  "$bin" imports settings --set hold.change_percent=100 --set hold.delete_percent=100 > /dev/null
  measure "$1: first bulk import" "$bin" import "$work/pkg"
  grep -E "applied|rejected|held" "$work/out" | head -1
  measure "$1: re-import, unchanged" "$bin" import "$work/pkg"
  if [ "$1" = sqlite ]; then
    # The database as the delta finds it, restored before each run. The write-ahead log is
    # folded in first, and a restored copy must not meet the log of the run before.
    local db="$ROLLBOOK_DATA_DIR/rollbook.db"
    sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE);" > /dev/null
    cp "$db" "$work/before-delta.db"
    restore() { rm -f "$db-wal" "$db-shm" && cp "$work/before-delta.db" "$db" && sync; }
    for run in $(seq "${ROLLBOOK_BENCH_DELTA_RUNS:-3}"); do
      restore
      measure "$1: 1% delta, run $run" "$bin" import "$work/delta"
      grep -E "applied|rejected|held" "$work/out" | head -1
    done
    restore
    measure "$1: the same delta without its deletions" "$bin" import "$work/delta-kept"
    rm "$work/before-delta.db"
  else
    measure "$1: 1% delta" "$bin" import "$work/delta"
    grep -E "applied|rejected|held" "$work/out" | head -1
  fi
}

run_imports sqlite "sqlite://$work/data-sqlite/rollbook.db"
ls -la "$work/data-sqlite/rollbook.db" | awk '{printf "SQLite database: %.0f MiB\n", $5/1048576}'

[ "${ROLLBOOK_BENCH_PG:-1}" = 0 ] && exit 0   # SQLite only
db="rollbook_bench_$$"
psql "$pg_admin" -qc "CREATE DATABASE $db" 
pg_url="$(python3 -c 'import sys,urllib.parse as u; p=u.urlparse(sys.argv[1]); print(p._replace(path="/"+sys.argv[2]).geturl())' "$pg_admin" "$db")"
run_imports postgres "$pg_url"
psql "$pg_admin" -qc "DROP DATABASE $db WITH (FORCE)"
