CREATE INDEX tracks_genre ON tracks (genre);
CREATE INDEX tracks_release_year ON tracks (release_year);
