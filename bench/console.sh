#!/usr/bin/env bash
# The console benchmark of issue 6 (method and numbers in BENCHMARKS.md): how long the data
# browser and the other console pages take on a large district.
#
#   bench/console.sh [STUDENTS] [RUNS]     defaults: 1000000 students, 7 runs per request
#
# 1. writes the demo district (release build) and imports it into SQLite;
# 2. serves it, signs in as an admin with curl, and times each console request RUNS times:
#    server functions (what the pages call, answered as JSON) and whole server-rendered pages;
# 3. prints the median and the slowest run of each.
# ROLLBOOK_BENCH_REUSE=1 keeps the district of the previous run (same STUDENTS) and only times.
set -euo pipefail
cd "$(dirname "$0")/.."
students="${1:-1000000}"
runs="${2:-7}"
work="${ROLLBOOK_BENCH_DIR:-${TMPDIR:-/tmp}/rollbook-console-bench}"
reuse="${ROLLBOOK_BENCH_REUSE:-0}"
[ "$reuse" = 1 ] && [ -f "$work/data/rollbook.db" ] || { reuse=0; rm -rf "$work" && mkdir -p "$work"; }

# shellcheck source=scripts/leptos-env.sh
source scripts/leptos-env.sh  # the build flags the console needs (see ARCHITECTURE)
cargo build --release -p server --bin rollbook
bin="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/rollbook"

server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null || true' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export ROLLBOOK_DATA_DIR="$work/data" RUST_LOG=warn

echo "== $students students, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg) =="
if [ "$reuse" = 0 ]; then
  "$bin" demo --students "$students" --out "$work/pkg" >/dev/null
  /usr/bin/time -f "import: %e s" "$bin" import --source demo "$work/pkg" >/dev/null
  printf '%s\n' 'bench-console-password' | "$bin" admin create --email bench@district.example --password-stdin >/dev/null
  "$bin" app create --name Bench >/dev/null
  "$bin" app share Bench --all --roles student,teacher >/dev/null
fi

"$bin" serve --listen "127.0.0.1:$port" > "$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
base="http://127.0.0.1:$port"
jar="$work/cookies"
curl -fsS -c "$jar" -o /dev/null -H 'Accept: application/json' \
  --data-urlencode email=bench@district.example --data-urlencode password=bench-console-password "$base/api/sign_in"

# Sample records to look up: a student in the middle of the file, a class, a school, a surname.
read -r user school surname given < <(python3 - "$work/pkg" <<'EOF'
import csv, sys
rows = [r for r in csv.DictReader(open(f"{sys.argv[1]}/users.csv")) if r["sourcedId"].startswith("usr-s-")]
u = rows[len(rows) // 2]
print(u["sourcedId"], u["primaryOrgSourcedId"], u["familyName"][:3].lower(), u["givenName"][:2].lower())
EOF
)
class=$(python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(r[len(r)//2]["sourcedId"])' "$work/pkg/classes.csv")

time_it() { # label, curl arguments...: prints median and max of $runs runs in ms
  local label="$1"; shift
  local times=()
  for _ in $(seq 1 "$runs"); do
    times+=("$(curl -fsS -b "$jar" -o /dev/null -w '%{time_total}' "$@")")
  done
  python3 - "$label" "${times[@]}" <<'EOF'
import statistics, sys
label, t = sys.argv[1], sorted(float(x) * 1000 for x in sys.argv[2:])
print(f"{label:<58} median {statistics.median(t):7.1f} ms   max {t[-1]:7.1f} ms")
EOF
}
fn() { # label, server function, form fields...
  local label="$1" name="$2"; shift 2
  local args=()
  for f in "$@"; do args+=(--data-urlencode "$f"); done
  [ ${#args[@]} -gt 0 ] || args=(-X POST -d '')
  time_it "$label" -H 'Accept: application/json' "${args[@]}" "$base/api/$name"
}

echo "-- server functions (JSON)"
fn "users, first page by name" browse_users "filters[page]=0"
fn "users, page 200 by name (the deepest)" browse_users "filters[page]=200"
fn "users, by sourcedId order" browse_users "filters[page]=0" "filters[sort]=id"
fn "users, name prefix '$surname'" browse_users "filters[page]=0" "filters[text]=$surname"
fn "users, '$given $surname' (given and family prefixes)" browse_users "filters[page]=0" "filters[text]=$given $surname"
fn "users, exact sourcedId" browse_users "filters[page]=0" "filters[text]=$user"
fn "users, role teacher" browse_users "filters[page]=0" "filters[role]=teacher"
fn "users, students of one school in grade 09" browse_users "filters[page]=0" "filters[role]=student" "filters[school]=$school" "filters[grade]=09"
fn "users, nobody matches ('zzzz')" browse_users "filters[page]=0" "filters[text]=zzzz"
fn "users, grade 09 alone" browse_users "filters[page]=0" "filters[grade]=09"
fn "users, status tobedeleted alone" browse_users "filters[page]=0" "filters[status]=tobedeleted"
fn "users, status active, by sourcedId" browse_users "filters[page]=0" "filters[status]=active" "filters[sort]=id"
fn "classes, first page by title" browse_classes "filters[page]=0"
fn "classes, of one school" browse_classes "filters[page]=0" "filters[school]=$school"
fn "classes, title prefix 'alg'" browse_classes "filters[page]=0" "filters[text]=alg"
fn "classes, status tobedeleted alone" browse_classes "filters[page]=0" "filters[status]=tobedeleted"
fn "courses, title prefix 'alg'" browse_other "kind=courses" "filters[page]=0" "filters[text]=alg"
fn "courses, grade 09" browse_other "kind=courses" "filters[page]=0" "filters[grade]=09"
fn "academic sessions, terms" browse_other "kind=academicSessions" "filters[page]=0" "filters[role]=term"
fn "enrollments, first page" browse_other "kind=enrollments" "filters[page]=0"
fn "enrollments of one user" browse_other "kind=enrollments" "filters[page]=0" "filters[text]=$user"
fn "enrollments, teachers of one school" browse_other "kind=enrollments" "filters[page]=0" "filters[role]=teacher" "filters[school]=$school"
fn "enrollments, status tobedeleted alone" browse_other "kind=enrollments" "filters[page]=0" "filters[status]=tobedeleted"
fn "one user (roles, classes, history, apps)" load_user "sourced_id=$user"
fn "one class (school, course, terms, people)" load_class "sourced_id=$class"
fn "dashboard" dashboard_summary
fn "imports and revisions" imports_overview
fn "audit log" audit_log
echo "-- whole pages (server-rendered HTML)"
time_it "GET /data" "$base/data"
time_it "GET /data?q=$surname" "$base/data?q=$surname"
time_it "GET /data/users/$user" "$base/data/users/$user"
time_it "GET /data/classes/$class" "$base/data/classes/$class"
time_it "GET /" "$base/"
