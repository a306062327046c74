#!/usr/bin/env bash
# Load test: builds the release binary, starts it on a temp database (the demo catalog, or
# a CSV given with --csv), signs up a user, and runs wrk against the main endpoints. Prints
# one table: requests/s, p50, p99, errors, each endpoint's rate as a ratio of /healthz
# measured in the same run and the server's CPU time per request, then the server's peak
# memory.
#
#   scripts/loadtest.sh [--duration 20s] [--connections 64] [--csv FILE] [--database URL]
#                       [--existing-db PATH] [--rounds N]
#
# --existing-db: serve an existing SQLite database (its catalog file beside it) as it is,
# importing nothing: a large catalog made once (e.g. by `cargo run --release --example
# import_million -- --kaggle 1204025 DIR`, which leaves DIR/bench.db) serves many runs.
# The run adds its test user (and API token) to that database.
# --database: an empty PostgreSQL database (postgres://...) instead of a temp SQLite file,
# for example `bash scripts/with_postgres.sh sh -c 'scripts/loadtest.sh --database
# "$TEST_DATABASE_URL" --csv FILE'`. The same endpoints, so the two tables compare.
#   ONLY="healthz perfect_song_moving" scripts/loadtest.sh ...   (just those endpoints)
# --rounds N: the endpoints N times over, one after the other, each round's ratios against
# that round's /healthz; then a table of each endpoint's median rate and median ratio.
# On a shared 2-core machine one round can land on a slow minute; the median of three
# interleaved rounds moves less than any one of them.
#   SERVER_BINARY=/ABS/PATH scripts/loadtest.sh ... (another build, e.g. an older commit's)
#   KEEP_WRK_OUTPUT=DIR scripts/loadtest.sh ...   (wrk's own output per endpoint, and the
#                                                  server's log, copied to DIR)
#
# Only loopback traffic: the server listens on 127.0.0.1 and wrk stays bounded in time.
set -euo pipefail
# Paths given on the command line are read from where the script is run.
CALLER="$PWD"
from_caller() { case "$1" in /* | "") printf '%s' "$1" ;; *) printf '%s/%s' "$CALLER" "$1" ;; esac; }
cd "$(dirname "$0")/.."

DURATION=20s
CONNECTIONS=64
THREADS=2
CSV=""
DATABASE=""
EXISTING=""
ROUNDS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --csv) CSV="$(from_caller "$2")"; shift 2 ;;
    --database) DATABASE="$2"; shift 2 ;;
    --existing-db) EXISTING="$(from_caller "$2")"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done

case "$ROUNDS" in
  ''|*[!0-9]*|0) echo "--rounds takes a whole number from 1: $ROUNDS" >&2; exit 2 ;;
esac

if ! command -v wrk >/dev/null 2>&1; then
  echo "installing wrk" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

# SERVER_BINARY=PATH serves another build (an older commit's, copied aside) with nothing
# built, for side-by-side runs of two builds on the same database.
if [ -n "${SERVER_BINARY:-}" ]; then
  BIN="$SERVER_BINARY"
else
  cargo build --release --quiet
  BIN=target/release/insights-hub
fi
WORK=$(mktemp -d)
DB="${DATABASE:-$WORK/load.db}"
# With SQLite the catalog (tracks, artists) lives in its own file beside the main one.
CATALOG_DB="$WORK/load.catalog.db"
if [ -n "$EXISTING" ]; then
  if [ -n "$CSV" ] || [ -n "$DATABASE" ]; then
    echo "--existing-db serves a database as it is: no --csv or --database with it" >&2
    exit 2
  fi
  DB="$EXISTING"
  # Named as the server names it (db::catalog_file::catalog_path): x.db -> x.catalog.db.
  base=$(basename "$EXISTING")
  case "$base" in
    *.*) CATALOG_DB="$(dirname "$EXISTING")/${base%.*}.catalog.${base##*.}" ;;
    *) CATALOG_DB="$EXISTING.catalog" ;;
  esac
  if [ ! -f "$DB" ] || [ ! -f "$CATALOG_DB" ]; then
    echo "no database at $DB (with its catalog $CATALOG_DB)" >&2
    exit 2
  fi
fi
# One catalog query, its rows on stdout (columns separated by a tab), on either backend.
catalog_sql() {
  case "$DB" in
    postgres://*|postgresql://*) psql "$DB" -At -F $'\t' -c "$1" ;;
    *) python3 -c 'import sqlite3,sys
for r in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]): print("\t".join(map(str, r)))' "$CATALOG_DB" "$1" ;;
  esac
}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  if [ -n "${KEEP_WRK_OUTPUT:-}" ]; then
    mkdir -p "$KEEP_WRK_OUTPUT" && cp "$WORK"/*.txt "$WORK/server.log" "$KEEP_WRK_OUTPUT/" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ -n "$CSV" ]; then
  "$BIN" --database "$DB" import "$CSV" >/dev/null
fi
# The API's rate limit is off (--api-rate-limit 0) so the run measures the API, not the
# limiter's 429s.
RUST_LOG=warn "$BIN" --database "$DB" serve --bind "127.0.0.1:$PORT" --api-rate-limit 0 >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
  curl -fsS "$BASE/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$BASE/healthz" >/dev/null

# Resident memory once started (the catalog loaded), before any request, once settled:
# the server binds before its start-up work, so the first answer comes the moment it is
# ready, while memory the start-up used is still being given back (38 MiB, then 25.5 a
# second later, at 28,352 tracks), and the genre profiles are built in the background
# (148 MiB a second after ready at 1.2M tracks, 135 once built). Settled: the same
# figure twice half a second apart, after at least a second; at most ten seconds.
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0; }
sleep 1
START_RSS_KB=$(rss_kb)
for _ in $(seq 1 18); do
  sleep 0.5
  now=$(rss_kb)
  [ "$now" = "$START_RSS_KB" ] && break
  START_RSS_KB=$now
done

# --- a logged-in user ------------------------------------------------------------------
JAR="$WORK/cookies"
token() { grep -o 'name="csrf_token" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//'; }
USERNAME="load_$(date +%s)"
PASSWORD="load-test-password-$RANDOM$RANDOM"
TOKEN=$(curl -fsS -c "$JAR" -b "$JAR" "$BASE/signup" | token)
curl -fsS -o /dev/null -c "$JAR" -b "$JAR" \
  --data-urlencode "csrf_token=$TOKEN" --data-urlencode "username=$USERNAME" \
  --data-urlencode "password=$PASSWORD" --data-urlencode "password_confirmation=$PASSWORD" \
  "$BASE/signup"
# curl writes HttpOnly cookies as "#HttpOnly_host ..." lines.
cookies() { sed 's/^#HttpOnly_//' "$JAR" | awk '!/^#/ && NF >= 7'; }
COOKIE=$(cookies | awk '{printf "%s%s=%s", sep, $6, $7; sep="; "}')
# The sign-up token stays valid with the same CSRF cookie: reuse it for the log-in POSTs.
LOGIN_TOKEN="$TOKEN"
CSRF_COOKIE=$(cookies | awk '$6 ~ /csrf/ {printf "%s=%s", $6, $7}')
if [ -z "$CSRF_COOKIE" ] || ! printf '%s' "$COOKIE" | grep -q session; then
  echo "could not sign up a user (cookies: $COOKIE)" >&2
  exit 1
fi

# An API token, created on the account page as a user would.
API_TOKEN=$(curl -fsS -b "$JAR" -c "$JAR" --data-urlencode "csrf_token=$TOKEN" \
  --data-urlencode "name=load test" "$BASE/account/api-tokens" |
  grep -o 'id="new-token">[^<]*' | sed 's/.*>//')
if [ -z "$API_TOKEN" ]; then
  echo "could not create an API token" >&2
  exit 1
fi
AUTH="Authorization: Bearer $API_TOKEN"

# Artists to search for and compare: the two with the most tracks.
read -r ARTIST_A ARTIST_B < <(catalog_sql "SELECT name FROM artists ORDER BY track_count DESC, id LIMIT 2" |
  python3 -c 'import sys,urllib.parse; print(" ".join(urllib.parse.quote(l.rstrip("\n")) for l in sys.stdin))')
PREFIX=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(urllib.parse.unquote(sys.argv[1])[:3]))' "$ARTIST_A")
MATCH_QUERY="danceability=0.8&energy=0.7&acousticness=0.1&instrumentalness=0.02&valence=0.6"

# Recommendations with 5 seeds (3 tracks, 2 artists by their API ids) and 3 ranges.
SEED_TRACKS=$(catalog_sql "SELECT spotify_id FROM tracks WHERE spotify_id IS NOT NULL ORDER BY id LIMIT 3" | paste -sd, -)
artist_id() {
  curl -fsS -H "$AUTH" "$BASE/api/v1/search?type=artist&limit=1&q=$1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["artists"]["items"][0]["id"])'
}
SEED_ARTISTS="$(artist_id "$ARTIST_A"),$(artist_id "$ARTIST_B")"
RECS="/api/v1/recommendations?seed_tracks=$SEED_TRACKS&seed_artists=$SEED_ARTISTS&min_tempo=90&max_tempo=140&min_energy=0.3&max_acousticness=0.8"
curl -fsS -o /dev/null -H "$AUTH" "$BASE$RECS" || { echo "recommendations request failed: $RECS" >&2; exit 1; }

cat >"$WORK/login.lua" <<LUA
wrk.method = "POST"
wrk.body = "csrf_token=$(python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$LOGIN_TOKEN")&username=$USERNAME&password=$PASSWORD"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "$CSRF_COOKIE"
LUA

# Every request a different slider position (seeded, so runs compare): the live answer
# as a user dragging a slider sees it, with nothing kept from a previous request.
# Each wrk thread runs this script in its own Lua state, so each gets its own seed
# (`setup` numbers the threads): with one seed for all, the threads asked for the same
# positions in the same order, and a thread's request often found the answer another
# had just rendered in the fragment cache. That counted about two in five requests as
# new positions that were not, and overstated the rate by a third to a half
# (benches/HISTORY.md, 2026-12-02 12:30).
cat >"$WORK/sliders.lua" <<'LUA'
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_number", threads)
end
function init(args)
  math.randomseed(42 + 7919 * thread_number)
end
local names = { "danceability", "energy", "acousticness", "instrumentalness", "valence" }
request = function()
  local parts = {}
  for i, name in ipairs(names) do
    parts[i] = string.format("%s=%.2f", name, math.random(0, 100) / 100)
  end
  return wrk.format("GET", "/perfect-song?" .. table.concat(parts, "&"))
end
LUA

# --- the runs --------------------------------------------------------------------------
# One request before each run, with the run's headers: one-time work (at 1.2M tracks the
# first perfect-song answer builds every track's key, duration and song, about a second;
# measured on its own by scripts/startup_memory.py --first-answer) is not part of the
# rate. Without it, the 64 connections' first requests all wait for that build, and wrk
# corrects its latencies for coordinated omission (stats_correct: a request that took
# T adds samples at T - i, T - 2i, ..., i being the run's mean time between one
# connection's requests), so a one-second wait became tens of thousands of samples and a
# p99 of about a second, with a mean latency that no 64 connections could have.
warm_up() { # path [wrk args...]: the run's -H headers are sent, the rest ignored
  local path="$1"; shift
  local headers=()
  while [ $# -gt 0 ]; do
    case "$1" in
      -H) headers+=(-H "$2"); shift 2 ;;
      *) shift ;;
    esac
  done
  curl -s -o /dev/null --max-time 120 "${headers[@]}" "$BASE$path" || true
}

# The server's CPU time so far (user + system, in clock ticks), from /proc/PID/stat:
# read around each run, it gives the server's CPU per request, which the ratios
# compare (wrk shares the cores, so a rate also pays for wrk's own work).
server_cpu_ticks() {
  awk '{print $14 + $15}' "/proc/$SERVER_PID/stat" 2>/dev/null || echo 0
}

RESULTS="$WORK/results.tsv"
: >"$RESULTS"
run() { # name path [extra wrk args...]; RUN_CONNECTIONS overrides the connection count
  local name="$1" path="$2"; shift 2
  # ONLY="healthz perfect_song_moving ..." runs just those endpoints.
  if [ -n "${ONLY:-}" ] && ! printf ' %s ' "$ONLY" | grep -q " $name "; then return 0; fi
  local out="$WORK/$name.txt"
  [ "$ROUNDS" -gt 1 ] && out="$WORK/$name.round$ROUND.txt"
  warm_up "$path" "$@"
  local cpu_before cpu_after
  cpu_before=$(server_cpu_ticks)
  wrk -t "$THREADS" -c "${RUN_CONNECTIONS:-$CONNECTIONS}" -d "$DURATION" --latency "$@" "$BASE$path" >"$out" 2>&1 || true
  cpu_after=$(server_cpu_ticks)
  local peak_kb
  peak_kb=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)
  python3 - "$name" "$out" "$peak_kb" "$ROUND" "$((cpu_after - cpu_before))" "$(getconf CLK_TCK)" >>"$RESULTS" <<'PY'
import re, sys
name, path, peak_kb, round_no = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
cpu_ticks, ticks_per_s = int(sys.argv[5]), int(sys.argv[6])
text = open(path).read()
def ms(label):
    m = re.search(r"^\s*%s%%\s+([\d.]+)(us|ms|s)\s*$" % label, text, re.M)
    if not m:
        return float("nan")
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
total = re.search(r"(\d+) requests in", text)
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sock.groups())) if sock else 0)
requests = int(total.group(1)) if total else 0
# The server's own CPU time (user and system, from /proc) per request answered.
cpu_us = cpu_ticks * 1e6 / ticks_per_s / requests if requests else float("nan")
print("\t".join([round_no, name, rps.group(1) if rps else "nan", "%.2f" % ms("50"), "%.2f" % ms("99"),
                 str(requests), str(errors), "%.0f" % (int(peak_kb or 0) / 1024), "%.1f" % cpu_us]))
PY
}

echo "wrk: $THREADS threads, $CONNECTIONS connections, $DURATION per endpoint, against $BASE" >&2
# Pages are asked for as a browser asks (Chromium's Accept-Encoding), so the rates include
# compressing them.
GZ="Accept-Encoding: gzip, deflate, br, zstd"
for ROUND in $(seq 1 "$ROUNDS"); do
  [ "$ROUNDS" -gt 1 ] && echo "round $ROUND of $ROUNDS" >&2
  run healthz "/healthz"
  run artist_suggest "/artists/suggest?q=$PREFIX" -H "HX-Request: true" -H "$GZ"
  run compare_page "/artists/compare?artist=$ARTIST_A&artist=$ARTIST_B" -H "$GZ"
  # The same question again and again (answered from the kept fragment after the first),
  # then a new position on every request (searched and rendered every time).
  run perfect_song_fragment "/perfect-song?$MATCH_QUERY" -H "HX-Request: true" -H "Cookie: $COOKIE" -H "$GZ"
  run perfect_song_moving "/perfect-song" -H "HX-Request: true" -H "Cookie: $COOKIE" -H "$GZ" -s "$WORK/sliders.lua"
  # The whole page (no HX-Request) at a new position on every request.
  run perfect_song_page_moving "/perfect-song" -H "Cookie: $COOKIE" -H "$GZ" -s "$WORK/sliders.lua"
  # The JSON API with a bearer token (a database look-up of the token per request).
  run api_recommendations "$RECS" -H "$AUTH" -H "$GZ"
  run api_audio_features "/api/v1/audio-features?ids=$SEED_TRACKS" -H "$AUTH" -H "$GZ"
  # Log-in runs with 4 connections: the throttle deliberately answers 429 once more than 5
  # attempts for one username from one address are in flight, and this measures argon2, not
  # the throttle.
  RUN_CONNECTIONS=4 run login_post "/login" -s "$WORK/login.lua"
done

PEAK_KB=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0)
TRACKS=$(catalog_sql "SELECT count(*) FROM tracks")

python3 - "$RESULTS" "$PEAK_KB" "$TRACKS" "$(nproc)" "$CONNECTIONS" "$DURATION" "$START_RSS_KB" "$ROUNDS" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
peak_kb, tracks, cores, conns, duration, start_kb, rounds = sys.argv[2:9]
rounds = int(rounds)
# Each round's ratios are against that round's own /healthz.
base = {r[0]: float(r[2]) for r in rows if r[1] == "healthz"}
def ratio(r):
    b = base.get(r[0], float("nan"))
    return float(r[2]) / b if b == b and b > 0 else float("nan")
print(f"\n{tracks} tracks, {cores} cores, {conns} connections (log-in: 4), {duration} per endpoint"
      + (f", {rounds} rounds" if rounds > 1 else "") + "\n")
first = "| round " if rounds > 1 else ""
print(f"{first}| endpoint | requests/s | p50 ms | p99 ms | requests | errors | vs /healthz | server CPU µs/request | peak MiB after |")
print(("| ---: " if rounds > 1 else "") + "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for r in rows:
    round_no, name, rps, p50, p99, total, errors, peak, cpu_us = r
    lead = f"| {round_no} " if rounds > 1 else ""
    print(f"{lead}| {name} | {float(rps):,.0f} | {p50} | {p99} | {int(total):,} | {errors} | {ratio(r):.3f} | {cpu_us} | {peak} |")
if rounds > 1:
    print(f"\nMedians over the {rounds} rounds (each ratio against its own round's /healthz):\n")
    print("| endpoint | median requests/s | median vs /healthz | the rounds' ratios | median server CPU µs/request |")
    print("| --- | ---: | ---: | --- | ---: |")
    names = list(dict.fromkeys(r[1] for r in rows))
    for name in names:
        mine = [r for r in rows if r[1] == name]
        ratios = [ratio(r) for r in mine]
        print(f"| {name} | {statistics.median(float(r[2]) for r in mine):,.0f} | "
              f"{statistics.median(ratios):.3f} | {', '.join(f'{x:.3f}' for x in ratios)} | "
              f"{statistics.median(float(r[8]) for r in mine):.1f} |")
print(f"\nserver resident after start-up (VmRSS): {int(start_kb) / 1024:.1f} MiB")
print(f"server peak memory (VmHWM): {int(peak_kb) / 1024:.1f} MiB")
PY
