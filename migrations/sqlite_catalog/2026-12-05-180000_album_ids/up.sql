-- What the datasets say of a track's album and release that the catalog dropped: the
-- album's Spotify id (TidyTuesday's track_album_id, the Kaggle 1.2M file's album_id,
-- Exportify's Album URI) and the release date as precise as the file gives it
-- ("2019-10-17", "2019-10" or "2019"). The API answered with an album id it made up and
-- a year where the file had both. NULL for tracks imported before, until re-imported.
ALTER TABLE tracks ADD COLUMN album_spotify_id TEXT;
ALTER TABLE tracks ADD COLUMN release_date TEXT;
