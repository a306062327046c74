#!/usr/bin/env bash
# Every figure of the README's "Issue 17" table in one run, in the order of the table, so
# that they come from the same machine in the same state (run it while nothing else
# does: the ratios compare endpoints measured minutes apart).
#
#   scripts/issue17_figures.sh path/to/spotify_songs.csv
#
# 1. HTTP: /healthz, the live perfect-song fragment and the whole page at a new position
#    every request (scripts/loadtest.sh, TidyTuesday catalog, 5 s each).
# 2. Browser: a slider dragged in headless Chromium (benches/live_slider.rs).
# 3. Matching: criterion, exact top 10 over 1,000,000 tracks (benches/matching.rs).
# 4. Import: 1,204,025 generated rows, Kaggle 1.2M layout and TidyTuesday layout, three
#    runs each (examples/import_million.rs prints rows/s and the peak).
# 5. Serving 1,204,025 tracks: start-up time and memory (scripts/startup_memory.py), then
#    the load test against that database (peak memory).
#
# Needs what the benches need (chromium, chromedriver, wrk; see tests/browser/) and about
# 2 GB of free disk for the generated files, which are removed at the end. Takes about
# 15 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."

CSV="${1:?usage: scripts/issue17_figures.sh path/to/spotify_songs.csv}"
CSV="$(cd "$(dirname "$CSV")" && pwd)/$(basename "$CSV")"
ROWS=1204025
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

load() { echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"; }
section() { printf '\n== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; load; }

cargo build --release --quiet --examples --bins

section "1. HTTP: live answer and page at new positions vs /healthz"
ONLY="healthz perfect_song_moving perfect_song_page_moving" \
  scripts/loadtest.sh --duration 5s --csv "$CSV"

section "2. Browser: a slider dragged, input event to answer painted"
LIVE_BENCH_CSV="$CSV" cargo bench --quiet --bench live_slider

section "3. Matching: exact top 10 over 1,000,000 tracks (criterion medians)"
cargo bench --quiet --bench matching -- search_1M 2>&1 | grep -E '^search_1M|time:'

section "4. Import of $ROWS generated rows, three runs per layout"
for layout in kaggle tidytuesday; do
  for run in 1 2 3; do
    flag=()
    [ "$layout" = kaggle ] && flag=(--kaggle)
    echo "-- $layout, run $run"
    target/release/examples/import_million "${flag[@]}" "$ROWS" "$WORK/import" |
      grep -E 'rows/s|peak memory'
    rm -rf "$WORK/import"
  done
done

section "5. Serving $ROWS tracks (Kaggle layout)"
target/release/examples/import_million --kaggle "$ROWS" "$WORK/serve" >/dev/null
rm -f "$WORK/serve/"*.csv
python3 scripts/startup_memory.py "$WORK/serve/bench.db" --starts 3 --first-answer
scripts/loadtest.sh --existing-db "$WORK/serve/bench.db" --duration 5s
section "done"
