#!/usr/bin/env bash
# The delivery benchmark of issue 5 (method and numbers in BENCHMARKS.md).
#
#   bench/api.sh [STUDENTS] [SECONDS]     defaults: 1000000 students, 30 s per wrk run
#
# 1. writes the demo district (release build) and imports it into SQLite (and, unless
#    ROLLBOOK_BENCH_PG=0, into a fresh PostgreSQL database on ROLLBOOK_BENCH_PG_URL);
# 2. creates an app sharing the whole district (students and teachers) and times the share, its
#    impact preview for a one-school share, a full CSV export, and paging through every
#    enrollment with limit=10000;
# 3. serves the database and runs wrk on loopback against `GET .../users?limit=100` with a
#    bearer token (repeated: answered from the answer cache after the first), then against
#    pages that must each be built (bench/pages.lua), and against `rollbook bench-echo`
#    returning the same bytes (the baseline), sampling the server's RSS every 5 s.
set -euo pipefail
cd "$(dirname "$0")/.."
students="${1:-1000000}"
seconds="${2:-30}"
work="${ROLLBOOK_BENCH_DIR:-${TMPDIR:-/tmp}/rollbook-api-bench}"
pg_admin="${ROLLBOOK_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
rm -rf "$work" && mkdir -p "$work"

command -v wrk >/dev/null || { echo "installing wrk (Debian)" >&2; apt-get install -y -qq wrk >/dev/null; }
# shellcheck source=scripts/leptos-env.sh
source scripts/leptos-env.sh  # the build flags the console needs (see ARCHITECTURE)
cargo build --release -p server --bin rollbook
bin="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/rollbook"

pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

timed() { # label, command...: prints "label: S s, RSS MiB"
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2>&1 || { tail -5 "$work/out"; return 1; }
  read -r secs kib < <(tail -1 "$work/time")
  printf '%-48s %8.1f s  %7.0f MiB peak RSS\n' "$label" "$secs" "$((kib / 1024))"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_ready() {
  for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$1/readyz" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "server on $1 did not start" >&2; return 1
}

echo "== $students students, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg) =="
"$bin" demo --students "$students" --out "$work/pkg" >/dev/null

run_backend() { # name, database url
  local name="$1" url="$2"
  export ROLLBOOK_DATA_DIR="$work/data-$name" ROLLBOOK_DATABASE_URL="$url" RUST_LOG=warn ROLLBOOK_RATE_LIMIT=10000000
  echo "-- $name"
  timed "import" "$bin" import "$work/pkg"
  local creds id secret
  creds=$("$bin" app create --name "Bench" --json)
  id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["client_id"])' <<<"$creds")
  secret=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])' <<<"$creds")
  timed "share the whole district (compute)" "$bin" app share Bench --all --roles student,teacher
  local school
  school=$(python3 -c 'import csv,sys; print(next(r["sourcedId"] for r in csv.DictReader(open(sys.argv[1])) if r["type"]=="school"))' "$work/pkg/orgs.csv")
  timed "impact preview: whole district -> one school" "$bin" app share Bench --schools "$school" --dry-run
  timed "full CSV export (1.2)" "$bin" export --app Bench --out "$work/export-$name.zip"
  ls -l "$work/export-$name.zip" | awk '{printf "  export size: %.0f MiB\n", $5/1048576}'

  local port; port=$(free_port)
  "$bin" serve --listen "127.0.0.1:$port" > "$work/serve-$name.log" 2>&1 &
  local server=$!; pids+=("$server")
  wait_ready "$port"
  local token
  token=$(curl -fsS -u "$id:$secret" -d grant_type=client_credentials "http://127.0.0.1:$port/oauth/token" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  local base="http://127.0.0.1:$port/ims/oneroster/rostering/v1p2"

  # every enrollment, 10,000 at a time: once as a client that only receives the pages (the
  # server's time; enrollments counted by their `"class":{` member), once as one that also
  # parses them with Python's json module on the same two cores
  cat > "$work/walk.py" <<'EOF'
import json, sys, urllib.request
base, token, parse = sys.argv[1], sys.argv[2], sys.argv[3] == "parse"
offset, seen, total = 0, 0, None
while True:
    req = urllib.request.Request(f"{base}/enrollments?limit=10000&offset={offset}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=600) as r:
        total = int(r.headers["X-Total-Count"])
        body = r.read()
    n = len(json.loads(body)["enrollments"]) if parse else body.count(b'"class":{')
    seen += n; offset += n
    if n == 0 or offset >= total:
        break
print(f"{seen} of {total} enrollments")
assert seen == total
EOF
  timed "page all enrollments (limit=10000), receive" python3 "$work/walk.py" "$base" "$token" receive
  tail -1 "$work/out" | sed 's/^/  /'
  timed "page all enrollments (limit=10000), parse" python3 "$work/walk.py" "$base" "$token" parse
  tail -1 "$work/out" | sed 's/^/  /'

  # wrk: the API, then the trivial handler with the same bytes
  curl -fsS -H "Authorization: Bearer $token" "$base/users?limit=100" > "$work/body.json"
  printf '  response size: %s bytes\n' "$(wc -c < "$work/body.json")"
  cat > "$work/auth.lua" <<EOF
wrk.headers["Authorization"] = "Bearer $token"
EOF
  # VmRSS counts the database pages SQLite reads through its memory map (the OS's file
  # cache, shared and reclaimable); RssAnon is the server's own memory.
  ( while kill -0 "$server" 2>/dev/null; do awk '/^VmRSS/ {r=$2} /^RssAnon/ {a=$2} END {print r, a}' "/proc/$server/status"; sleep 5; done ) > "$work/rss-$name.txt" &
  pids+=("$!")
  wrk -t2 -c16 -d5s -s "$work/auth.lua" "$base/users?limit=100" > /dev/null   # warm-up
  echo "  wrk -t2 -c16 -d${seconds}s GET /users?limit=100 (Rollbook):"
  wrk -t2 -c16 -d"${seconds}s" --latency -s "$work/auth.lua" "$base/users?limit=100" | grep -E 'Requests/sec|50%|99%|Non-2xx' | sed 's/^/    /'
  awk '{printf "%s%d", (NR>1?", ":"  RSS MiB every 5 s: "), $1/1024} END {print ""}' "$work/rss-$name.txt"
  awk '{printf "%s%d", (NR>1?", ":"  of which anonymous: "), $2/1024} END {print ""}' "$work/rss-$name.txt"
  # the same endpoint without the answer cache: every request a page that must be built
  cat "$work/auth.lua" bench/pages.lua > "$work/pages.lua"
  echo "  wrk -t2 -c2 -d${seconds}s GET /users?limit=100&offset=... (built pages, no cache hits):"
  wrk -t2 -c2 -d"${seconds}s" --latency -s "$work/pages.lua" "$base/users?limit=100" | grep -E 'Requests/sec|50%|99%|Non-2xx' | sed 's/^/    /'
  local eport; eport=$(free_port)
  "$bin" bench-echo --file "$work/body.json" --listen "127.0.0.1:$eport" &
  local echo_pid=$!; pids+=("$echo_pid")
  sleep 1
  echo "  wrk -t2 -c16 -d${seconds}s same bytes (bench-echo baseline):"
  wrk -t2 -c16 -d"${seconds}s" --latency "http://127.0.0.1:$eport/" | grep -E 'Requests/sec|50%|99%' | sed 's/^/    /'
  kill "$echo_pid" "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}

run_backend sqlite "sqlite://$work/data-sqlite/rollbook.db"
if [ "${ROLLBOOK_BENCH_PG:-1}" != 0 ]; then
  db="rollbook_api_bench"
  psql "$pg_admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
  run_backend postgres "${pg_admin%/*}/$db"
fi
