-- Indexes no query reads, which an import only kept up.
-- - tracks (genre), tracks (release_year): matching, filters and the genre pages read the
--   in-memory index and `track_genres`; the catalog's years are read once per import (a
--   MIN and a MAX, a scan).
-- - track_genres (genre_id): the links are read by track (their primary key); the one
--   query that went from a genre to its links, the import's clean-up of genres left
--   without tracks, now reads the links once instead (`catalog_writer::finish`).
-- Side by side, a 1.2M-row TidyTuesday-layout import took a sixth less time without the
-- first two and wrote a 409 MB file instead of 436 MB.
DROP INDEX IF EXISTS tracks_genre;
DROP INDEX IF EXISTS tracks_release_year;
DROP INDEX IF EXISTS track_genres_genre;
