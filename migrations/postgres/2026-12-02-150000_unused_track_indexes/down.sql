CREATE INDEX tracks_genre ON tracks (genre);
CREATE INDEX tracks_release_year ON tracks (release_year);
CREATE INDEX track_genres_genre ON track_genres (genre_id);
CREATE INDEX artists_track_count ON artists (track_count DESC);
