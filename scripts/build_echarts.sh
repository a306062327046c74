#!/usr/bin/env bash
# Rebuilds assets/vendor/echarts-5.5.1.custom.min.js: ECharts with only the chart types and
# components this app draws (see scripts/echarts-entry.js), 205 KB gzipped instead of the
# full build's 326 KB. Needs node and npm; nothing from it is committed but the output.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp scripts/echarts-entry.js "$WORK/entry.js"
(cd "$WORK" && npm init -y >/dev/null && npm install --silent --no-audit --no-fund echarts@5.5.1 esbuild@0.24 >/dev/null)
out=assets/vendor/echarts-5.5.1.custom.min.js
{
  echo "/*! Apache ECharts 5.5.1 (custom build: bar, line, radar, boxplot, parallel; canvas). Apache-2.0, see echarts.LICENSE. Built by scripts/build_echarts.sh. */"
  "$WORK/node_modules/.bin/esbuild" "$WORK/entry.js" --bundle --minify --format=iife \
    --target=es2017 --legal-comments=none
} >"$out"
echo "wrote $out ($(wc -c <"$out") bytes, $(gzip -9c "$out" | wc -c) gzipped)"
