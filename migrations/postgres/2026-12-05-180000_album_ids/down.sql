ALTER TABLE tracks DROP COLUMN release_date;
ALTER TABLE tracks DROP COLUMN album_spotify_id;
