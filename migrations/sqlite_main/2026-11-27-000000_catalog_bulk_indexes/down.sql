-- Back to the constraints of the first migration (same data).
CREATE TABLE tracks_old (
    id INTEGER PRIMARY KEY NOT NULL,
    -- How a track is recognised across imports: the Spotify id when the file has one,
    -- otherwise "artists|title" folded to lower case. Upserts key on this.
    identity TEXT NOT NULL UNIQUE,
    spotify_id TEXT UNIQUE,
    name TEXT NOT NULL,
    album TEXT,
    release_year INTEGER,
    genre TEXT,
    popularity INTEGER,
    duration_ms INTEGER,
    explicit BOOLEAN,
    musical_key INTEGER,
    mode INTEGER,
    time_signature INTEGER,
    tempo DOUBLE NOT NULL,
    loudness DOUBLE NOT NULL,
    danceability DOUBLE NOT NULL,
    energy DOUBLE NOT NULL,
    acousticness DOUBLE NOT NULL,
    instrumentalness DOUBLE NOT NULL,
    valence DOUBLE NOT NULL,
    speechiness DOUBLE NOT NULL,
    liveness DOUBLE NOT NULL
);
INSERT INTO tracks_old SELECT * FROM tracks ORDER BY id;
CREATE TABLE artists_old (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    -- Unicode lower case of the name: makes names unique regardless of case.
    name_key TEXT NOT NULL UNIQUE,
    -- Lower case with accents stripped (Beyonce finds Beyoncé): used by search.
    search_key TEXT NOT NULL,
    -- Aggregates, recomputed at the end of every import (never per request).
    track_count INTEGER NOT NULL DEFAULT 0,
    avg_danceability DOUBLE NOT NULL DEFAULT 0,
    avg_energy DOUBLE NOT NULL DEFAULT 0,
    avg_acousticness DOUBLE NOT NULL DEFAULT 0,
    avg_instrumentalness DOUBLE NOT NULL DEFAULT 0,
    avg_valence DOUBLE NOT NULL DEFAULT 0,
    avg_speechiness DOUBLE NOT NULL DEFAULT 0,
    avg_liveness DOUBLE NOT NULL DEFAULT 0,
    avg_tempo DOUBLE NOT NULL DEFAULT 0,
    avg_loudness DOUBLE NOT NULL DEFAULT 0,
    avg_popularity DOUBLE,
    min_year INTEGER,
    max_year INTEGER
);
INSERT INTO artists_old SELECT * FROM artists ORDER BY id;
CREATE TABLE track_artists_old (
    track_id INTEGER NOT NULL REFERENCES tracks_old (id) ON DELETE CASCADE,
    artist_id INTEGER NOT NULL REFERENCES artists_old (id) ON DELETE CASCADE,
    -- Order of the artist in the track's credits (0 = main artist).
    position INTEGER NOT NULL,
    PRIMARY KEY (track_id, artist_id)
);
INSERT INTO track_artists_old SELECT track_id, artist_id, position FROM track_artists;

DROP TABLE track_artists;
DROP TABLE tracks;
DROP TABLE artists;
ALTER TABLE tracks_old RENAME TO tracks;
ALTER TABLE artists_old RENAME TO artists;
ALTER TABLE track_artists_old RENAME TO track_artists;

CREATE INDEX tracks_genre ON tracks (genre);
CREATE INDEX tracks_release_year ON tracks (release_year);
CREATE INDEX artists_search_key ON artists (search_key);
CREATE INDEX artists_track_count ON artists (track_count DESC);
CREATE INDEX track_artists_artist ON track_artists (artist_id);
