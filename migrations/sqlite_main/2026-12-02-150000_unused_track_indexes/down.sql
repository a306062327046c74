CREATE INDEX tracks_genre ON tracks (genre);
CREATE INDEX tracks_release_year ON tracks (release_year);
CREATE INDEX artists_track_count ON artists (track_count DESC);
