#!/usr/bin/env bash
# Runs spotipy, as published on PyPI, against a server on the demo catalog
# (scripts/spotipy_check.py says what it checks). The API's promise is that code written
# for Spotify's Web API runs after changing its base URL and token; this is that code.
# Usage: scripts/check_spotipy.sh    (builds the release binary if needed; or
#        INSIGHTS_HUB_BIN=target/debug/insights-hub scripts/check_spotipy.sh, as CI does,
#        with a binary already built)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/spotipy-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import spotipy' 2>/dev/null; then
  python3 -m venv "$venv" 2>/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    python3 -m venv "$venv"
  }
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'spotipy>=2.24,<3'
fi
bin="${INSIGHTS_HUB_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --release --quiet --bin insights-hub
  bin=./target/release/insights-hub
fi

work="$(mktemp -d)"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
RUST_LOG=warn "$bin" --database "$work/hub.db" serve \
  --bind "127.0.0.1:$port" --api-rate-limit 0 >"$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/healthz')" 2>/dev/null; then
    break
  fi
  sleep 0.1
done
if ! "$venv/bin/python" scripts/spotipy_check.py "http://127.0.0.1:$port"; then
  echo "--- server log" >&2
  tail -n 20 "$work/server.log" >&2
  exit 1
fi
