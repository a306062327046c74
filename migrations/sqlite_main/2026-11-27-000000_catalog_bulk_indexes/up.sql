-- Faster bulk imports, same data. The catalog tables are rebuilt (SQLite cannot drop a
-- column constraint) so that:
-- - tracks.spotify_id loses its UNIQUE index: `identity` already is the Spotify id when
--   there is one, and no query looks tracks up by spotify_id; a second unique text index
--   with the same values doubled the cost of every insert;
-- - the unique keys tracks.identity and artists.name_key become named unique indexes
--   instead of column constraints, so a bulk load into an empty catalog can drop them
--   and build them once at the end, like the other secondary indexes (the writer keeps
--   both unique in memory; rebuilding the index checks it again);
-- - track_artists, a pure link table keyed by (track_id, artist_id), is WITHOUT ROWID:
--   one B-tree instead of a rowid table plus the index behind its primary key.
-- Children are copied and dropped before their parents, so no ON DELETE CASCADE fires;
-- renaming the new parents rewrites the children's REFERENCES to the final names.
CREATE TABLE tracks_new (
    id INTEGER PRIMARY KEY NOT NULL,
    -- How a track is recognised across imports: the Spotify id when the file has one,
    -- otherwise "artists|title" folded to lower case. Upserts key on this (unique index
    -- tracks_identity below).
    identity TEXT NOT NULL,
    spotify_id TEXT,
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
INSERT INTO tracks_new SELECT
    id, identity, spotify_id, name, album, release_year, genre, popularity, duration_ms,
    explicit, musical_key, mode, time_signature, tempo, loudness, danceability, energy,
    acousticness, instrumentalness, valence, speechiness, liveness
FROM tracks ORDER BY id;

CREATE TABLE artists_new (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    -- Unicode lower case of the name: makes names unique regardless of case (unique
    -- index artists_name_key below).
    name_key TEXT NOT NULL,
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
INSERT INTO artists_new SELECT
    id, name, name_key, search_key, track_count, avg_danceability, avg_energy,
    avg_acousticness, avg_instrumentalness, avg_valence, avg_speechiness, avg_liveness,
    avg_tempo, avg_loudness, avg_popularity, min_year, max_year
FROM artists ORDER BY id;

CREATE TABLE track_artists_new (
    track_id INTEGER NOT NULL REFERENCES tracks_new (id) ON DELETE CASCADE,
    artist_id INTEGER NOT NULL REFERENCES artists_new (id) ON DELETE CASCADE,
    -- Order of the artist in the track's credits (0 = main artist).
    position INTEGER NOT NULL,
    PRIMARY KEY (track_id, artist_id)
) WITHOUT ROWID;
INSERT INTO track_artists_new SELECT track_id, artist_id, position
FROM track_artists ORDER BY track_id, artist_id;

DROP TABLE track_artists;
DROP TABLE tracks;
DROP TABLE artists;
ALTER TABLE tracks_new RENAME TO tracks;
ALTER TABLE artists_new RENAME TO artists;
ALTER TABLE track_artists_new RENAME TO track_artists;

CREATE UNIQUE INDEX tracks_identity ON tracks (identity);
CREATE INDEX tracks_genre ON tracks (genre);
CREATE INDEX tracks_release_year ON tracks (release_year);
CREATE UNIQUE INDEX artists_name_key ON artists (name_key);
CREATE INDEX artists_search_key ON artists (search_key);
CREATE INDEX artists_track_count ON artists (track_count DESC);
CREATE INDEX track_artists_artist ON track_artists (artist_id);
