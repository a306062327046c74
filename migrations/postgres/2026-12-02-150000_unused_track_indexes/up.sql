-- Indexes no query reads, which an import only kept up.
-- - tracks (genre), tracks (release_year): matching, filters and the genre pages read the
--   in-memory index and `track_genres`; the catalog's years are read once per import (a
--   MIN and a MAX, a scan).
-- - track_genres (genre_id): the links are read by track (their primary key); the one
--   query that went from a genre to its links, the import's clean-up of genres left
--   without tracks, now reads the links once instead (`catalog_writer::finish`).
-- - artists (track_count DESC): nothing lists artists by their number of tracks in SQL
--   (the in-memory artist index ranks them); the catalog's artist count is one scan.
-- Side by side (benches/HISTORY.md, 2026-12-02 15:20), 1.2M-row imports without them
-- took 13.4 s instead of 18.8 s (TidyTuesday layout, a 385 MB file instead of 436 MB)
-- and 12.0 s instead of 15.1 s (Kaggle layout), with INSERT OR FAIL for the tracks.
DROP INDEX IF EXISTS tracks_genre;
DROP INDEX IF EXISTS tracks_release_year;
DROP INDEX IF EXISTS track_genres_genre;
DROP INDEX IF EXISTS artists_track_count;
