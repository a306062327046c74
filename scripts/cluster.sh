#!/usr/bin/env bash
# Several app servers over one PostgreSQL database behind a load balancer, on this
# machine (127.0.0.1 only), then four checks, each printing PASS or FAIL:
#   1. sign up through the balancer, then continue on each server's own port;
#   2. an import run on one server is seen through all three;
#   3. one server killed (kill -9) under load: with the balancer's retries, the failed
#      requests stay at zero (the count is printed);
#   4. wrk through the balancer with 3 servers and with 1: req/s, p99, errors.
# Starts PostgreSQL from Debian's `postgresql` package with a throwaway data directory,
# three `serve` processes and HAProxy (health-checking /healthz); installs the Debian
# packages it misses (postgresql, haproxy, wrk). Everything it started is stopped when
# it ends, however it ends, and its files are removed. Exits non-zero if a check fails.
#
#   scripts/cluster.sh [--duration 10s] [--connections 64] [--csv FILE]
# (--csv: the file check 2 imports; default: the small fixture in tests/fixtures.)
set -euo pipefail
CALLER="$PWD"
cd "$(dirname "$0")/.."

DURATION=10s
CONNECTIONS=64
CSV=tests/fixtures/tidytuesday_spotify_songs.csv
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --csv) case "$2" in /*) CSV="$2" ;; *) CSV="$CALLER/$2" ;; esac; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
need=()
[ -n "$(pg_bin)" ] || need+=(postgresql)
command -v haproxy >/dev/null 2>&1 || need+=(haproxy)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
PGBIN="$(pg_bin)"

cargo build --release --quiet --bin insights-hub
BIN="$PWD/target/release/insights-hub"

spare_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
WORK="$(mktemp -d /tmp/hub-cluster.XXXXXX)"
chmod 755 "$WORK"
PGPORT=$(spare_port)
LBPORT=$(spare_port)
PORTS=("$(spare_port)" "$(spare_port)" "$(spare_port)")
PIDS=("" "" "")
HAPROXY_PID=""
as_postgres() { runuser -u postgres -- "$@"; }

cleanup() {
  set +e
  for pid in "${PIDS[@]}" "$HAPROXY_PID"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
  done
  for pid in "${PIDS[@]}" "$HAPROXY_PID"; do
    [ -n "$pid" ] && wait "$pid" 2>/dev/null
  done
  [ -d "$WORK/pg/data" ] && as_postgres "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m fast -w stop >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

# --- PostgreSQL ------------------------------------------------------------------------
mkdir -p "$WORK/pg"
chown postgres "$WORK/pg"
PGPASSWORD_HUB="cluster-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
as_postgres "$PGBIN/initdb" -D "$WORK/pg/data" -U postgres -E UTF8 --locale=C.UTF-8 \
  --auth-local=trust --auth-host=scram-sha-256 >"$WORK/pg/initdb.log"
as_postgres "$PGBIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w \
  -o "-p $PGPORT -k $WORK/pg -c listen_addresses=127.0.0.1" start >/dev/null
as_postgres psql -q -h "$WORK/pg" -p "$PGPORT" -U postgres \
  -c "CREATE ROLE hub LOGIN PASSWORD '$PGPASSWORD_HUB'" -c "CREATE DATABASE hub OWNER hub"
export DATABASE_URL="postgres://hub:$PGPASSWORD_HUB@127.0.0.1:$PGPORT/hub"
# One secret key for every server, through configuration (as a real cluster would).
export SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PGPORT"

# --- three servers ---------------------------------------------------------------------
start_server() { # index
  local i=$1
  RUST_LOG=warn "$BIN" serve --bind "127.0.0.1:${PORTS[$i]}" --trust-proxy \
    --api-anonymous --api-rate-limit 0 >>"$WORK/server$i.log" 2>&1 &
  PIDS[$i]=$!
}
wait_healthy() { # url
  for _ in $(seq 1 300); do
    curl -fsS "$1/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "no answer from $1" >&2
  return 1
}
started=$(date +%s.%N)
# The first seeds the demo catalog; the others start once it is there.
start_server 0
wait_healthy "http://127.0.0.1:${PORTS[0]}"
start_server 1
start_server 2
for i in 1 2; do wait_healthy "http://127.0.0.1:${PORTS[$i]}"; done
echo "3 servers on ports ${PORTS[*]} ($(python3 -c "print(f'{$(date +%s.%N) - $started:.1f}')") s)"

# A server with another key must refuse to start (exit 1, saying why).
code=0
SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(32))')" \
  timeout 20 "$BIN" serve --bind "127.0.0.1:$(spare_port)" >"$WORK/wrong-key.log" 2>&1 || code=$?
if [ "$code" = 1 ] && grep -q "SECRET KEY MISMATCH" "$WORK/wrong-key.log"; then
  echo "ok    a 4th server with another secret key refused to start: $(grep -o 'SECRET KEY MISMATCH[^(]*' "$WORK/wrong-key.log" | head -1)"
else
  echo "FAIL  a server with another secret key: exit $code, $(tail -1 "$WORK/wrong-key.log")"
  FAILED=1
fi

# --- HAProxy ---------------------------------------------------------------------------
# The README's "Scaling out" shows this configuration with example addresses: keep the two
# the same.
cat >"$WORK/haproxy.cfg" <<EOF
global
    maxconn 4096
    # Where \`set server servers/s0 state drain\` goes for a rolling restart (README).
    stats socket $WORK/haproxy.sock mode 600 level admin
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    option forwardfor
    # A request whose server died is sent again, to another server: when it could not
    # connect (nothing was sent) or got no answer (a killed server). Not on a 5xx: a 503
    # says the database is down, which every server shares, so a retry only made the
    # user wait 20 s for it instead of 5. And never a POST (see the backend), which the
    # server may have carried out before it died.
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout
frontend hub
    bind 127.0.0.1:$LBPORT
    default_backend servers
backend servers
    balance roundrobin
    http-request disable-l7-retry unless METH_GET
    option httpchk GET /healthz
    default-server inter 500ms fall 2 rise 2
    server s0 127.0.0.1:${PORTS[0]} check
    server s1 127.0.0.1:${PORTS[1]} check
    server s2 127.0.0.1:${PORTS[2]} check
EOF
haproxy -f "$WORK/haproxy.cfg" -db >"$WORK/haproxy.log" 2>&1 &
HAPROXY_PID=$!
LB="http://127.0.0.1:$LBPORT"
wait_healthy "$LB"
sleep 1.5 # every server's first health check
echo "HAProxy on 127.0.0.1:$LBPORT"
echo

FAILED=${FAILED:-0}
result() { # PASS|FAIL text
  printf '%-5s %s\n' "$1" "$2"
  [ "$1" = PASS ] || FAILED=1
}

# --- 1. sign up through the balancer, continue on each server ----------------------------
JAR="$WORK/cookies"
token() { grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }
USERNAME="cluster_$RANDOM"
PASSWORD="cluster-password-$RANDOM$RANDOM"
TOKEN=$(curl -fsS -c "$JAR" -b "$JAR" "$LB/signup" | token)
status=$(curl -sS -o /dev/null -w '%{http_code}' -c "$JAR" -b "$JAR" \
  --data-urlencode "csrf_token=$TOKEN" --data-urlencode "username=$USERNAME" \
  --data-urlencode "password=$PASSWORD" --data-urlencode "password_confirmation=$PASSWORD" \
  "$LB/signup")
seen=0
for i in 0 1 2; do
  code=$(curl -sS -o "$WORK/account$i.html" -w '%{http_code}' -b "$JAR" "http://127.0.0.1:${PORTS[$i]}/account")
  [ "$code" = 200 ] && grep -q "$USERNAME" "$WORK/account$i.html" && seen=$((seen + 1))
done
# A taste profile saved on one server, through its form, shows on another.
TOKEN=$(curl -fsS -b "$JAR" -c "$JAR" "http://127.0.0.1:${PORTS[1]}/perfect-song" | token)
curl -sS -o /dev/null -b "$JAR" -c "$JAR" --data-urlencode "csrf_token=$TOKEN" \
  --data-urlencode "settings=energy=0.8" --data-urlencode "name=Cluster run" \
  "http://127.0.0.1:${PORTS[1]}/perfect-song/profiles"
profile=$(curl -fsS -b "$JAR" "http://127.0.0.1:${PORTS[2]}/perfect-song" | grep -c "Cluster run" || true)
if [ "$status" = 303 ] && [ "$seen" = 3 ] && [ "$profile" -ge 1 ]; then
  result PASS "1. signed up through the balancer; signed in on all 3 servers' own ports; a profile saved on server 2 shows on server 3"
else
  result FAIL "1. sign-up answered $status; signed in on $seen of 3 servers; profile seen: $profile"
fi

# --- 2. an import on one server is seen through all three -------------------------------
catalog() { # base -> "version tracks"
  curl -fsS "$1/api/v1/catalog" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["version"], d["tracks"])'
}
before=$(catalog "http://127.0.0.1:${PORTS[0]}")
import_started=$(date +%s.%N)
"$BIN" import "$CSV" >"$WORK/import.log" 2>&1
imported=$(date +%s.%N)
import_took=$(python3 -c "print(f'{$imported - $import_started:.1f}')")
# Each server's watcher checks the catalog version every 2 s.
picked=0
for _ in $(seq 1 150); do
  views=()
  for i in 0 1 2; do views+=("$(catalog "http://127.0.0.1:${PORTS[$i]}")"); done
  picked=0
  for view in "${views[@]}"; do
    [ "${view% *}" != "${before% *}" ] && [ "$view" = "${views[0]}" ] && picked=$((picked + 1))
  done
  [ "$picked" = 3 ] && break
  sleep 0.1
done
took=$(python3 -c "print(f'{$(date +%s.%N) - $imported:.1f}')")
through_lb=$(catalog "$LB")
if [ "$picked" = 3 ] && [ "$through_lb" = "${views[0]}" ]; then
  result PASS "2. an import of $(basename "$CSV") (${import_took} s; tracks ${before#* } -> ${views[0]#* }) was seen by all 3 servers ${took} s after it finished"
else
  result FAIL "2. ${took} s after the import, $picked of 3 servers show its catalog (before: $before; now: ${views[*]})"
fi

# --- wrk helpers -------------------------------------------------------------------------
wrk_run() { # out-file url
  wrk -t 2 -c "$CONNECTIONS" -d "$DURATION" --latency "$2" >"$1" 2>&1 || true
}
wrk_summary() { # out-file -> "req/s p99 errors"
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M)
total = re.search(r"(\d+) requests in", text)
non2 = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
errors = (int(non2.group(1)) if non2 else 0) + (sum(map(int, sock.groups())) if sock else 0)
print(rps.group(1) if rps else "0", p99.group(1) if p99 else "?", errors, total.group(1) if total else "0")
PY
}
PAGE="/artists"

# --- 3. kill one server under load --------------------------------------------------------
wrk_run "$WORK/kill.txt" "$LB$PAGE" &
WRK_PID=$!
sleep 3
kill -9 "${PIDS[2]}"
wait "${PIDS[2]}" 2>/dev/null || true
PIDS[2]=""
wait "$WRK_PID" || true
read -r rps p99 errors total < <(wrk_summary "$WORK/kill.txt")
if [ "$errors" = 0 ] && [ "$total" -gt 0 ]; then
  result PASS "3. server 3 killed (kill -9) 3 s into $DURATION of load: $errors failed requests of $total ($rps req/s)"
else
  result FAIL "3. server 3 killed under load: $errors failed requests of $total"
fi

# --- 4. wrk through the balancer, 3 servers and 1 ------------------------------------------
start_server 2
wait_healthy "http://127.0.0.1:${PORTS[2]}"
sleep 1.5 # back in the balancer's rotation
wrk_run "$WORK/three.txt" "$LB$PAGE"
read -r rps3 p993 errors3 total3 < <(wrk_summary "$WORK/three.txt")
for i in 1 2; do
  kill "${PIDS[$i]}"
  wait "${PIDS[$i]}" 2>/dev/null || true
  PIDS[$i]=""
done
sleep 1.5 # marked down
wrk_run "$WORK/one.txt" "$LB$PAGE"
read -r rps1 p991 errors1 total1 < <(wrk_summary "$WORK/one.txt")
if [ "$errors3" = 0 ] && [ "$errors1" = 0 ] && [ "$total3" -gt 0 ] && [ "$total1" -gt 0 ]; then
  verdict=PASS
else
  verdict=FAIL
fi
result "$verdict" "4. wrk -t2 -c$CONNECTIONS -d$DURATION $PAGE through HAProxy:"
printf '        %-10s %10s %10s %8s\n' servers req/s p99 errors
printf '        %-10s %10s %10s %8s\n' 3 "$rps3" "$p993" "$errors3" 1 "$rps1" "$p991" "$errors1"
echo "        ($(nproc) cores shared by PostgreSQL, HAProxy, wrk and the servers)"

echo
if [ "$FAILED" = 0 ]; then echo "all checks passed"; else echo "some checks FAILED"; fi
exit "$FAILED"
