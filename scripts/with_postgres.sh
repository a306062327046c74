#!/usr/bin/env bash
# Runs a command with TEST_DATABASE_URL pointing at a throwaway PostgreSQL server:
# Debian's `postgresql` package (installed if missing), a fresh data directory under
# /tmp, listening on 127.0.0.1 only (a spare port) with password authentication, run as
# the `postgres` user. The server and its data directory are removed when the command
# ends, however it ends.
#   bash scripts/with_postgres.sh cargo test --test '*'
set -euo pipefail

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
if [ -z "$(pg_bin)" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
PGBIN="$(pg_bin)"
as_postgres() { runuser -u postgres -- "$@"; }

# A spare port on 127.0.0.1.
PORT="${PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
PGDIR="$(mktemp -d /tmp/hub-pg.XXXXXX)"
chown postgres "$PGDIR"
stop() {
  as_postgres "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap stop EXIT INT TERM

as_postgres "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -E UTF8 --locale=C.UTF-8 \
  --auth-local=trust --auth-host=scram-sha-256 >"$PGDIR/initdb.log"
as_postgres "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
  -o "-p $PORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
as_postgres psql -q -h "$PGDIR" -p "$PORT" -U postgres \
  -c "CREATE ROLE hub LOGIN PASSWORD 'hub-test' CREATEDB" \
  -c "CREATE DATABASE hub OWNER hub"

export TEST_DATABASE_URL="postgres://hub:hub-test@127.0.0.1:$PORT/hub"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"
"$@"
