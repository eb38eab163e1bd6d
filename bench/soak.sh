#!/usr/bin/env bash
# Issue 5's "RSS flat over a 5-minute run" (method and numbers in BENCHMARKS.md).
#
#   bench/soak.sh [SECONDS]     default 300
#
# Runs on the SQLite database a previous `bench/api.sh` left in its work folder (the same
# ROLLBOOK_BENCH_DIR): serves it, issues the `Bench` app a new secret and token, and for
# SECONDS drives two wrk loads at once — repeated `GET /users?limit=100` (answer cache) and
# pages that must each be built (bench/pages.lua) — while sampling the server's VmRSS and
# RssAnon every 10 s. Prints the samples and each load's throughput.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
work="${ROLLBOOK_BENCH_DIR:-${TMPDIR:-/tmp}/rollbook-api-bench}"
[ -f "$work/data-sqlite/rollbook.db" ] || { echo "no $work/data-sqlite/rollbook.db: run bench/api.sh first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "installing wrk (Debian)" >&2; apt-get install -y -qq wrk >/dev/null; }
bin="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/rollbook"
export ROLLBOOK_DATA_DIR="$work/data-sqlite" ROLLBOOK_DATABASE_URL="sqlite://$work/data-sqlite/rollbook.db" RUST_LOG=warn ROLLBOOK_RATE_LIMIT=10000000

pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --listen "127.0.0.1:$port" > "$work/soak-serve.log" 2>&1 &
server=$!; pids+=("$server")
for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done

creds=$("$bin" app rotate Bench --grace-hours 0 --json)
id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["client_id"])' <<<"$creds")
secret=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])' <<<"$creds")
token=$(curl -fsS -u "$id:$secret" -d grant_type=client_credentials "http://127.0.0.1:$port/oauth/token" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
base="http://127.0.0.1:$port/ims/oneroster/rostering/v1p2"
printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$token" > "$work/soak-auth.lua"
cat "$work/soak-auth.lua" bench/pages.lua > "$work/soak-pages.lua"

echo "== ${seconds} s: wrk -t1 -c8 repeated GET /users?limit=100, and wrk -t2 -c2 built pages, at once; load $(cut -d' ' -f1 /proc/loadavg) =="
( while kill -0 "$server" 2>/dev/null; do awk '/^VmRSS/ {r=$2} /^RssAnon/ {a=$2} END {print r, a}' "/proc/$server/status"; sleep 10; done ) > "$work/soak-rss.txt" &
pids+=("$!")
wrk -t1 -c8 -d"${seconds}s" --latency -s "$work/soak-auth.lua" "$base/users?limit=100" > "$work/soak-repeated.txt" &
repeated=$!
wrk -t2 -c2 -d"${seconds}s" --latency -s "$work/soak-pages.lua" "$base/users?limit=100" > "$work/soak-pages.txt"
wait "$repeated"
echo "repeated:"; grep -E 'Requests/sec|50%|99%|Non-2xx' "$work/soak-repeated.txt" | sed 's/^/  /'
echo "built pages:"; grep -E 'Requests/sec|50%|99%|Non-2xx' "$work/soak-pages.txt" | sed 's/^/  /'
awk '{printf "%s%d", (NR>1?", ":"RSS MiB every 10 s: "), $1/1024} END {print ""}' "$work/soak-rss.txt"
awk '{printf "%s%d", (NR>1?", ":"of which anonymous: "), $2/1024} END {print ""}' "$work/soak-rss.txt"
