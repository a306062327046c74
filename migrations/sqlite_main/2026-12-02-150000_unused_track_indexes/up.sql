-- The catalog migration of the same name says why (migrations/sqlite_catalog/). In a main file
-- whose catalog tables already moved to the catalog file, there is nothing to drop.
DROP INDEX IF EXISTS tracks_genre;
DROP INDEX IF EXISTS tracks_release_year;
DROP INDEX IF EXISTS track_genres_genre;
DROP INDEX IF EXISTS artists_track_count;
