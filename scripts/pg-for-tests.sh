#!/usr/bin/env bash
# Sourced by scripts/test.sh. Finds a PostgreSQL server for the store contract tests and exports
# ROLLBOOK_TEST_PG_URL:
#   1. ROLLBOOK_TEST_PG_URL when it is already set;
#   2. else the server on 127.0.0.1:5432 when one answers;
#   3. else a throwaway cluster from Debian's postgresql package (installed if missing) on a free
#      loopback port, stopped again by stop_test_postgres (test.sh calls it on exit).

pg_say() { printf '\033[1m[postgres]\033[0m %s\n' "$*" >&2; }

throwaway_pg_dir=""
throwaway_pg_bin=""

port_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local p
  for p in $(seq 55432 55532); do
    port_answers "$p" || { echo "$p"; return; }
  done
  return 1
}

start_test_postgres() {
  if [ -n "${ROLLBOOK_TEST_PG_URL:-}" ]; then
    pg_say "using ROLLBOOK_TEST_PG_URL"
    return
  fi
  if port_answers 5432; then
    local url="postgres://postgres@127.0.0.1:5432/postgres"
    # A server that answers but refuses this login (a packaged cluster asking for a password)
    # is no use to the tests; fall through to a throwaway cluster then.
    if ! command -v psql >/dev/null || psql "$url" -Atqc 'select 1' >/dev/null 2>&1; then
      export ROLLBOOK_TEST_PG_URL="$url"
      pg_say "using the server on 127.0.0.1:5432"
      return
    fi
    pg_say "the server on 127.0.0.1:5432 refuses postgres@ without a password; starting our own"
  fi

  throwaway_pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$throwaway_pg_bin" ]; then
    pg_say "installing Debian's postgresql package"
    as_root apt-get update -qq || { pg_say "need root (or sudo) to install postgresql"; return 1; }
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    throwaway_pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  local port
  port=$(free_port)
  throwaway_pg_dir=$(mktemp -d /tmp/rollbook-pg.XXXXXX)
  # PostgreSQL refuses to run as root; use the package's postgres user then.
  local runner=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
    chown postgres "$throwaway_pg_dir"
    runner=(runuser -u postgres --)
  fi
  pg_say "starting a throwaway cluster on 127.0.0.1:$port"
  "${runner[@]}" "$throwaway_pg_bin/initdb" -D "$throwaway_pg_dir/data" -U postgres --auth=trust \
    --encoding=UTF8 --no-sync >/dev/null
  "${runner[@]}" "$throwaway_pg_bin/pg_ctl" -D "$throwaway_pg_dir/data" -l "$throwaway_pg_dir/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $throwaway_pg_dir -c fsync=off" start >/dev/null
  export ROLLBOOK_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

stop_test_postgres() {
  if [ -n "$throwaway_pg_dir" ] && [ -d "$throwaway_pg_dir/data" ]; then
    pg_say "stopping the throwaway cluster"
    local runner=()
    [ "$(id -u)" = 0 ] && runner=(runuser -u postgres --)
    "${runner[@]}" "$throwaway_pg_bin/pg_ctl" -D "$throwaway_pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$throwaway_pg_dir"
  fi
}
