DROP INDEX IF EXISTS tracks_album_spotify_id;
