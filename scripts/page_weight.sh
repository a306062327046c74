#!/usr/bin/env bash
# Bytes each main page costs on a first visit, compressed as the server sends them: the
# HTML plus every script and stylesheet it links, plus ECharts where the page has a chart
# (app.js loads it only then). Starts a release server on a temp demo database.
#
#   scripts/page_weight.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
WORK=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
RUST_LOG=warn target/release/insights-hub --database "$WORK/w.db" serve --bind "127.0.0.1:$PORT" >"$WORK/log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
python3 - "http://127.0.0.1:$PORT" <<'PY'
import gzip, http.cookiejar, re, sys, urllib.error, urllib.parse, urllib.request
base = sys.argv[1]
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
def get(path, data=None):
    req = urllib.request.Request(base + path, data=data, headers={"Accept-Encoding": "gzip"})
    with opener.open(req) as r:
        body = r.read()
        return body, r.headers.get("Content-Encoding") == "gzip"
def text(body, gz):
    return (gzip.decompress(body) if gz else body).decode()
print("| page | HTML | assets | ECharts | total (gzip) |")
print("| --- | ---: | ---: | ---: | ---: |")
def weigh(path):
    try:
        body, gz = get(path)
    except urllib.error.HTTPError as e:
        print(f"| {path} | HTTP {e.code} | | | |")
        return
    html = text(body, gz)
    assets = 0
    for ref in re.findall(r'(?:src|href)="(/assets/[^"]+)"', html):
        if "favicon" in ref:
            continue
        assets += len(get(ref.replace("&amp;", "&"))[0])
    echarts = 0
    if 'class="chart"' in html:
        m = re.search(r'name="echarts-src" content="([^"]+)"', html)
        echarts = len(get(m.group(1).replace("&amp;", "&"))[0])
    total = len(body) + assets + echarts
    print(f"| {path} | {len(body)/1024:.1f} KiB | {assets/1024:.1f} KiB | {echarts/1024:.1f} KiB | {total/1024:.1f} KiB |")
for path in ["/", "/artists", "/artists/compare?artist=DJ+Tyshaa&artist=L%C3%A9a+Abernethy", "/login"]:
    weigh(path)
# Sign up so that the pages behind the log-in can be weighed too.
page = text(*get("/signup"))
token = re.search(r'name="csrf_token" value="([^"]*)"', page).group(1)
pw = "page weight password 42"
get("/signup", urllib.parse.urlencode({"csrf_token": token, "username": "weigher",
    "password": pw, "password_confirmation": pw}).encode())
pages = ["/", "/artists", "/artists/compare?artist=DJ+Tyshaa&artist=L%C3%A9a+Abernethy",
         "/perfect-song", "/login", "/account"]
for path in ["/perfect-song", "/account"]:
    weigh(path)
PY
