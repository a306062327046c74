#!/usr/bin/env bash
# Validates the JSON API's OpenAPI document with openapi-spec-validator (installed into
# a virtualenv under target/) and checks that it lists every route the router serves.
# Usage: scripts/check_openapi.sh
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/openapi-venv
if [ ! -x "$venv/bin/openapi-spec-validator" ]; then
  python3 -m venv "$venv" 2>/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    python3 -m venv "$venv"
  }
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'openapi-spec-validator>=0.7,<0.8'
fi
doc=target/openapi.json
cargo run --quiet --example openapi_document > "$doc"
"$venv/bin/openapi-spec-validator" "$doc"
# Every route registered with poem-openapi is a `#[oai(path = ...)]`; the document must
# have each of them (poem writes `:id`, OpenAPI `{id}`).
"$venv/bin/python" - "$doc" <<'PY'
import json, pathlib, re, sys
doc = json.load(open(sys.argv[1]))
documented = set(doc["paths"])
declared = set()
for f in pathlib.Path("src/web/api").glob("*.rs"):
    for m in re.finditer(r'#\[oai\(\s*path = "([^"]+)"', f.read_text()):
        declared.add(re.sub(r":(\w+)", r"{\1}", m.group(1)))
missing = declared - documented
extra = documented - declared
if missing or extra or not declared:
    sys.exit(f"routes missing from the document: {sorted(missing)}; undeclared: {sorted(extra)}")
print(f"OpenAPI document valid; {len(declared)} routes, all documented")
PY
