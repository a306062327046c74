#!/usr/bin/env bash
# Import of the TidyTuesday dataset into a temporary database, checked against counts
# computed independently of the importer (python3's csv and sqlite3 modules; no sqlite3
# command needed).
#
#   .ci/check_import.sh [CSV]
#
# CSV: the argument, else $SPOTIFY_SONGS_CSV, else ../shared/data/spotify_songs.csv
# beside the repository (where the development machines and CI keep it; the dataset is
# never committed). Without that default file the check is skipped, saying so, except
# under CI (CI=true); a file named and missing fails it.
#
# It builds and runs the release binary, unless INSIGHTS_HUB_BIN names one already built
# (CI passes the one `cargo test` built, so that CI compiles the project once).
#
# Run from anywhere: a relative CSV path is taken from where it is run.
set -euo pipefail

csv="${1:-${SPOTIFY_SONGS_CSV:-}}"
if [[ -n "$csv" && -f "$csv" ]]; then
    csv="$(cd "$(dirname "$csv")" && pwd)/$(basename "$csv")"
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
csv="${csv:-../shared/data/spotify_songs.csv}"
if [[ ! -f "$csv" ]]; then
    if [[ -n "${CI:-}" || -n "${1:-${SPOTIFY_SONGS_CSV:-}}" ]]; then
        echo "check_import: $csv not found" >&2
        exit 1
    fi
    echo "check_import: skipped, the TidyTuesday dataset is not at $csv (download" \
        "spotify_songs.csv and give its path as the argument or in SPOTIFY_SONGS_CSV)" >&2
    exit 0
fi

bin="${INSIGHTS_HUB_BIN:-}"
if [[ -z "$bin" ]]; then
    cargo build --release --quiet --bin insights-hub
    bin=./target/release/insights-hub
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
db="$work/check.db"

start=$(date +%s.%N)
"$bin" --database "$db" import "$csv" | tee "$work/summary.txt"
end=$(date +%s.%N)
echo "check_import: import of $csv by $bin took $(python3 -c "print(f'{$end - $start:.2f}')") s (wall, including start-up)"

python3 - "$csv" "$db" <<'PY'
import csv
import sqlite3
import sys

csv_path, db_path = sys.argv[1], sys.argv[2]

# What the file holds, computed here from its text: R writes missing values as NA, and
# the five NA rows of the TidyTuesday file have neither title nor artist.
ids, good_ids, artists = set(), set(), set()
with open(csv_path, newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        ids.add(row["track_id"])
        name, artist = row["track_name"].strip(), row["track_artist"].strip()
        if name in ("", "NA") or artist in ("", "NA"):
            continue
        good_ids.add(row["track_id"])
        # One artist per row in this format; names are unique by Unicode lower case.
        artists.add(artist.lower())

db = sqlite3.connect(db_path)
# The catalog lives in its own file beside the main one (check.db -> check.catalog.db).
catalog_path = db_path[: -len(".db")] + ".catalog.db"
db.execute("ATTACH DATABASE ? AS catalog", (catalog_path,))
tracks = db.execute("SELECT COUNT(*) FROM tracks").fetchone()[0]
distinct_ids = db.execute("SELECT COUNT(DISTINCT spotify_id) FROM tracks").fetchone()[0]
db_artists = db.execute("SELECT COUNT(*) FROM artists").fetchone()[0]
linked = db.execute("SELECT COUNT(DISTINCT artist_id) FROM track_artists").fetchone()[0]
kind, meta_tracks, meta_artists = db.execute(
    "SELECT source_kind, track_count, artist_count FROM catalog_meta"
).fetchone()
imports = db.execute("SELECT COUNT(*) FROM catalog_imports").fetchone()[0]

checks = [
    ("distinct track ids in the file", len(ids), 28356),
    ("distinct track ids without the NA rows", len(good_ids), 28352),
    ("tracks in the database", tracks, len(good_ids)),
    ("distinct Spotify ids in the database", distinct_ids, len(good_ids)),
    ("artists in the database", db_artists, len(artists)),
    ("artists with tracks", linked, len(artists)),
    ("catalog_meta track count", meta_tracks, tracks),
    ("catalog_meta artist count", meta_artists, len(artists)),
    ("catalog_meta source", kind, "import"),
    ("catalog_imports rows", imports, 1),
]
failed = False
for label, got, want in checks:
    ok = got == want
    failed |= not ok
    print(f"check_import: {'ok  ' if ok else 'FAIL'} {label}: {got}" + ("" if ok else f" (expected {want})"))
sys.exit(1 if failed else 0)
PY
