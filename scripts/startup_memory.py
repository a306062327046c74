#!/usr/bin/env python3
"""Start-up time and memory of `serve` over an existing SQLite database.

    scripts/startup_memory.py DATABASE [--starts 3] [--first-answer]
                              [--remove-snapshot-file] [--bin PATH]

Each start: launch `insights-hub --database DATABASE serve`, poll /healthz until it
answers (wall time to that answer, and the server's CPU time, user + sys, read from
/proc/PID/stat), wait until settled (see `settle`), read VmRSS and VmHWM. With --first-answer, then ask for one
perfect-song fragment (which builds the per-track facts on a fresh server) and read
VmRSS and VmHWM again. Prints one line per start, where the server's indexes came from
(built from the database, or read back from the catalog's snapshot file that an earlier
build left), and the load average. --remove-snapshot-file deletes that file before each
start, so every start builds (as the first start after an import does).

Build first: `cargo build --release`. Only loopback traffic.
"""

import argparse
import http.cookiejar
import os
import random
import re
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request



def settle(pid):
    """Waits at least 1 s, then until VmRSS reads the same twice 0.5 s apart (at most
    10 s in all): after the first answer the server still gives back the memory its
    start-up used, and builds the genre profiles in the background (148 MiB a second
    after ready at 1.2M tracks, 135 once built)."""
    time.sleep(1)
    before = status(pid, "VmRSS")
    for _ in range(18):
        time.sleep(0.5)
        now = status(pid, "VmRSS")
        if now == before:
            return
        before = now

def status(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Sign-up answers 303 to the home page; like scripts/loadtest.sh, do not follow it
    (the home page builds the genre profiles, which is measured on its own)."""

    def redirect_request(self, *args, **kwargs):
        return None


def new_browser():
    """A fresh cookie jar: each start signs up its own user."""
    global OPENER
    OPENER = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
    )


OPENER = None
new_browser()


def get(url, headers=None, data=None):
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    with OPENER.open(request, timeout=120) as response:
        return response.status, response.read()


def sign_up(base):
    """A new user (the perfect-song page needs one), as a browser signs up."""
    page = get(base + "/signup")[1].decode()
    token = re.search(r'name="csrf_token" value="([^"]*)"', page).group(1)
    name = f"mem_{random.randrange(10**9)}"
    password = f"memory-check-password-{random.randrange(10**9)}"
    form = urllib.parse.urlencode(
        {"csrf_token": token, "username": name, "password": password,
         "password_confirmation": password}
    ).encode()
    try:
        get(base + "/signup", data=form)
    except urllib.error.HTTPError as redirect:
        if redirect.code != 303:
            raise


def snapshot_file(database):
    """`bench.db` -> `bench.catalog.db-snapshot` (see src/catalog/snapshot/file.rs)."""
    stem, ext = os.path.splitext(database)
    return f"{stem}.catalog{ext}-snapshot"


def origin(log_path):
    """Where the server's catalog snapshot came from, from its log."""
    with open(log_path, errors="replace") as f:
        log = f.read()
    if "read from its file" in log:
        return "read from the snapshot file"
    if "catalog snapshot loaded" in log:
        return "built from the database"
    return "origin not logged"


def one_start(args):
    new_browser()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    if args.remove_snapshot_file:
        try:
            os.remove(snapshot_file(args.database))
        except FileNotFoundError:
            pass
    # The snapshot's log lines say where it came from; everything else stays at warn.
    env = dict(os.environ, RUST_LOG="warn,insights_hub::catalog::snapshot=info")
    log = tempfile.NamedTemporaryFile(prefix="startup-", suffix=".log", delete=False)
    t0 = time.monotonic()
    server = subprocess.Popen(
        [args.bin, "--database", args.database, "serve", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        while True:
            try:
                if get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None:
                raise SystemExit("server exited before answering /healthz")
            time.sleep(0.01)
        wall = time.monotonic() - t0
        cpu = cpu_seconds(server.pid)
        settle(server.pid)
        line = (
            f"{origin(log.name)}: start-up {wall:.2f} s wall, {cpu:.2f} s CPU; after start-up "
            f"VmRSS {status(server.pid, 'VmRSS'):.0f} MiB, VmHWM {status(server.pid, 'VmHWM'):.0f} MiB"
        )
        if args.first_answer:
            sign_up(base)
            t1 = time.monotonic()
            query = "danceability=0.8&energy=0.7&acousticness=0.1&instrumentalness=0.02&valence=0.6"
            code, body = get(base + "/perfect-song?" + query, {"HX-Request": "true"})
            if b"<table" not in body and b"<ol" not in body:
                raise SystemExit(f"no answer on the perfect-song fragment: {body[:300]!r}")
            took = time.monotonic() - t1
            # As after start-up: the server settles (and writes its facts file).
            time.sleep(1)
            line += (
                f"; first perfect-song answer {code} in {took:.2f} s, then "
                f"VmRSS {status(server.pid, 'VmRSS'):.0f} MiB, VmHWM {status(server.pid, 'VmHWM'):.0f} MiB"
            )
        return line
    finally:
        server.terminate()
        server.wait()
        log.close()
        os.remove(log.name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("database")
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--first-answer", action="store_true")
    parser.add_argument("--remove-snapshot-file", action="store_true")
    parser.add_argument("--bin", default="target/release/insights-hub")
    args = parser.parse_args()
    for i in range(args.starts):
        print(f"{i + 1}: {one_start(args)} (load {os.getloadavg()[0]:.2f})", flush=True)


if __name__ == "__main__":
    main()
