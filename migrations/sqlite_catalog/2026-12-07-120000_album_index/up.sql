-- The API's albums (`/albums/{id}`, `/albums?ids=`, `/albums/{id}/tracks`) are the
-- tracks that carry the album's Spotify id: without an index each request read every
-- track. Partial: a catalog from a dataset without album ids (SpotifyFeatures.csv, the
-- 600k file) keeps an empty index and its imports pay nothing for it. A bulk load into
-- an empty catalog drops and rebuilds it with the other indexes (`catalog_writer`).
CREATE INDEX tracks_album_spotify_id ON tracks (album_spotify_id)
WHERE album_spotify_id IS NOT NULL;
