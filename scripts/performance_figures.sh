#!/usr/bin/env bash
# Every figure of the README's Performance table in one run, in the order of the table,
# so that they come from the same machine in the same state (run it while nothing else
# does: the ratios compare endpoints measured minutes apart).
#
#   scripts/performance_figures.sh path/to/spotify_songs.csv
#
# 1. HTTP: /healthz, the live perfect-song fragment and the whole page at a new position
#    every request (scripts/loadtest.sh, TidyTuesday catalog, 5 s each, three rounds:
#    the medians of the rounds' ratios).
# 2. Browser: a slider dragged in headless Chromium (benches/live_slider.rs).
# 3. Matching: criterion, exact top 10 over 20,000 and 1,000,000 tracks, the index and
#    the brute-force scan (benches/matching.rs).
# 4. Import: 1,204,025 generated rows, Kaggle 1.2M layout and TidyTuesday layout, three
#    runs each (examples/import_million.rs prints rows/s and the peak).
# 5. Serving 1,204,025 tracks: start-up time and memory (scripts/startup_memory.py), each
#    start building its indexes, then each reading the snapshot file back; then the load
#    test against that database (peak memory, and every endpoint's rate).
# 6. Smaller benches: artist suggestions and comparisons (benches/artists.rs), page
#    fragments and chart options (benches/pages.rs), the API's recommendations in
#    process (examples/recommendations_speed.rs), the catalog at 1,000,000 tracks built
#    from SQLite and read from its cache file (benches/matching.rs), the import of the real file
#    (.ci/check_import.sh), and each page's weight on a first visit
#    (scripts/page_weight.sh).
#
# KEEP_WRK_OUTPUT=DIR keeps wrk's own output and the server's log of both load tests
# (DIR/tidytuesday, DIR/1.2M).
#
# Needs what the benches need (chromium, chromedriver, wrk; see tests/browser/) and about
# 2 GB of free disk for the generated files, which are removed at the end. Each section
# first waits (up to a minute) for the CPU to be quiet. Takes about 13 minutes on 2
# cores with the release build and the benches already compiled, 25 without.
set -euo pipefail

# Read from where the script is run, before it moves to the repository.
CSV="${1:?usage: scripts/performance_figures.sh path/to/spotify_songs.csv}"
if [ ! -f "$CSV" ]; then
  echo "performance_figures: $CSV not found" >&2
  exit 1
fi
CSV="$(cd "$(dirname "$CSV")" && pwd)/$(basename "$CSV")"
cd "$(dirname "$0")/.."
ROWS=1204025
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

load() { echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"; }

# Share of the CPU busy over the next second, in per cent (from /proc/stat).
busy_percent() {
  local a b
  a=$(head -1 /proc/stat)
  sleep 1
  b=$(head -1 /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN {
    # user, nice, system, idle, iowait, irq, softirq, steal (guest time is already in user).
    n = split(a, x, " "); split(b, y, " ");
    for (i = 2; i <= 9 && i <= n; i++) { total += y[i] - x[i]; if (i == 5 || i == 6) idle += y[i] - x[i] }
    printf "%d", (total > 0) ? 100 * (total - idle) / total : 0
  }'
}

# Waits (at most a minute) until the CPU has been nearly idle for two seconds running,
# so that no section starts while another process is still busy, and prints how long it
# waited. It guards; it did not explain the one slow run seen so far. There, the
# browser bench measured a p95 of 138 ms right after the load test, and 51 ms alone
# three minutes later. Re-run right after the load test, with the CPU 0% busy in
# between, it measured 50 ms.
settle() {
  local quiet=0 waited=0 busy=0
  while [ "$waited" -lt 60 ] && [ "$quiet" -lt 2 ]; do
    busy=$(busy_percent)
    waited=$((waited + 1))
    if [ "$busy" -lt 15 ]; then quiet=$((quiet + 1)); else quiet=0; fi
  done
  echo "waited ${waited} s for a quiet CPU (last second ${busy}% busy)"
}

section() { printf '\n== %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; settle; load; }

cargo build --release --quiet --examples --bins

section "1. HTTP: live answer and page at new positions vs /healthz"
ONLY="healthz perfect_song_moving perfect_song_page_moving" \
  KEEP_WRK_OUTPUT="${KEEP_WRK_OUTPUT:+$KEEP_WRK_OUTPUT/tidytuesday}" \
  scripts/loadtest.sh --duration 5s --rounds 3 --csv "$CSV"

section "2. Browser: a slider dragged, input event to answer painted"
LIVE_BENCH_CSV="$CSV" cargo bench --quiet --bench live_slider

section "3. Matching: exact top 10 over 20,000 and 1,000,000 tracks (criterion medians)"
cargo bench --quiet --bench matching -- search_ 2>&1 | grep -E '^index of|^search_|time:|speed-up'

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
# Every start builds its indexes (as the first start after an import does), then every
# start reads back the snapshot file the last build left (as a restart does).
python3 scripts/startup_memory.py "$WORK/serve/bench.db" --starts 3 --remove-snapshot-file
python3 scripts/startup_memory.py "$WORK/serve/bench.db" --starts 3 --first-answer
KEEP_WRK_OUTPUT="${KEEP_WRK_OUTPUT:+$KEEP_WRK_OUTPUT/1.2M}" \
  scripts/loadtest.sh --existing-db "$WORK/serve/bench.db" --duration 5s
rm -rf "$WORK/serve"

section "6. Artist suggestions and comparisons, 100,000 artists (criterion medians)"
cargo bench --quiet --bench artists 2>&1 | grep -vE '^(Benchmarking|Warning|Found|Gnuplot|  [0-9]+ \(|\s+(change:|No change|Change within|Performance has))|^\s*$'
section "6. Pages: the live answer's parts and chart options, 20,000 tracks (criterion medians)"
cargo bench --quiet --bench pages 2>&1 | grep -E '^[a-z_/0-9]+$|time:'
section "6. API recommendations in-process (5 seeds, 3 ranges, 20 results)"
cargo run --release --quiet --example recommendations_speed
section "6. The catalog at 1,000,000 tracks: built from SQLite, read from its cache file"
cargo bench --quiet --bench matching -- load_1M 2>&1 | grep -E '^load_1M|time:'
section "6. Import of the real file"
bash .ci/check_import.sh "$CSV" | grep -E 'took'
section "6. Page weight on a first visit"
scripts/page_weight.sh
section "done"
