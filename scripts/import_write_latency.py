#!/usr/bin/env python3
"""Users' write latency while an import runs (issue 16, item 1).

Against a running `insights-hub serve --trust-proxy` (sign-ups are throttled per
address; each sign-up here comes from its own X-Forwarded-For address), repeats
sign-up, log-in and taste-profile saves, timing each POST, until the process PID exits
(the import), or for SECONDS when PID is 0 (a baseline with no import). Prints p50, p99,
max and failures per kind of write.

    python3 scripts/import_write_latency.py http://127.0.0.1:18731 PID [SECONDS] [TAG]
"""

import http.cookiejar
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

PASSWORD = "correct horse battery staple"
TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    def __init__(self, base, address):
        self.base = base
        self.address = address
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def request(self, path, fields=None):
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        req = urllib.request.Request(self.base + path, data=data)
        req.add_header("X-Forwarded-For", self.address)
        try:
            with self.opener.open(req, timeout=60) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace")

    def post_form(self, page, action, fields):
        """GET the form's page for a token, then POST; returns (status, seconds)."""
        status, html = self.request(page)
        match = TOKEN.search(html)
        if status != 200 or not match:
            return status, 0.0
        started = time.perf_counter()
        status, _ = self.request(action, {"csrf_token": match.group(1), **fields})
        return status, time.perf_counter() - started


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    base, pid = sys.argv[1], int(sys.argv[2])
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 0
    tag = sys.argv[4] if len(sys.argv) > 4 else str(os.getpid())
    deadline = time.time() + seconds
    times = {"sign-up": [], "log-in": [], "profile save": []}
    failures = {k: 0 for k in times}
    statuses = {}
    n = 0
    user = None
    while (alive(pid) if pid else time.time() < deadline):
        n += 1
        address = f"10.{n // 62500 % 250}.{n // 250 % 250}.{n % 250 + 1}"
        if user is None or n % 5 == 0:
            user = Client(base, address)
            name = f"load_{tag}_{n}"
            status, took = user.post_form(
                "/signup",
                "/signup",
                {"username": name, "password": PASSWORD, "password_confirmation": PASSWORD},
            )
            kind = "sign-up"
            if status == 303:
                times[kind].append(took)
                user = Client(base, address)
                status, took = user.post_form(
                    "/login", "/login", {"username": name, "password": PASSWORD}
                )
                kind = "log-in"
                if status == 303:
                    times[kind].append(took)
        else:
            status, took = user.post_form(
                "/perfect-song",
                "/perfect-song/profiles",
                {"settings": f"energy=0.{n % 10}", "name": f"Profile {n}"},
            )
            kind = "profile save"
            if status == 303:
                times[kind].append(took)
        if status != 303:
            failures[kind] += 1
            statuses[status] = statuses.get(status, 0) + 1
            user = None
        time.sleep(0.02)
    for kind, values in times.items():
        print(
            f"{kind:13} n={len(values):4}  p50={percentile(values, 50) * 1000:7.1f} ms"
            f"  p99={percentile(values, 99) * 1000:7.1f} ms"
            f"  max={max(values, default=float('nan')) * 1000:7.1f} ms"
            f"  failed={failures[kind]}"
        )
    if statuses:
        print("failure statuses:", statuses)


if __name__ == "__main__":
    main()
