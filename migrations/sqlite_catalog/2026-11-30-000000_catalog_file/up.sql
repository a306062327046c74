-- The catalog's own file (`<name>.catalog.db` beside the main database): everything an
-- import writes, so that an import's write lock is this file's alone and a user's
-- writes to the main file never wait for it. The tables are the catalog tables of the
-- main migration set as of 2026-11-27, which databases made before the split still hold
-- until `db::catalog_file` moves them here. No table here references a user table, and
-- no user table references one of these (SQLite enforces foreign keys only within a
-- file).
CREATE TABLE tracks (
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

CREATE TABLE artists (
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

CREATE TABLE track_artists (
    track_id INTEGER NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
    artist_id INTEGER NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    -- Order of the artist in the track's credits (0 = main artist).
    position INTEGER NOT NULL,
    PRIMARY KEY (track_id, artist_id)
) WITHOUT ROWID;

CREATE UNIQUE INDEX tracks_identity ON tracks (identity);
CREATE INDEX tracks_genre ON tracks (genre);
CREATE INDEX tracks_release_year ON tracks (release_year);
CREATE UNIQUE INDEX artists_name_key ON artists (name_key);
CREATE INDEX artists_search_key ON artists (search_key);
CREATE INDEX artists_track_count ON artists (track_count DESC);
CREATE INDEX track_artists_artist ON track_artists (artist_id);

-- One row describing the loaded catalog. `version` changes on every import so that
-- running servers notice and rebuild their in-memory snapshot.
CREATE TABLE catalog_meta (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    source_kind TEXT NOT NULL CHECK (source_kind IN ('empty', 'demo', 'import')),
    source_name TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    track_count BIGINT NOT NULL,
    artist_count BIGINT NOT NULL,
    genre_count BIGINT NOT NULL,
    min_year INTEGER,
    max_year INTEGER
);
INSERT INTO catalog_meta (id, source_kind, source_name, updated_at, version, track_count, artist_count, genre_count)
VALUES (1, 'empty', '', 0, 0, 0, 0, 0);

-- History of imports, newest last.
CREATE TABLE catalog_imports (
    id INTEGER PRIMARY KEY NOT NULL,
    source_file TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    rows_read BIGINT NOT NULL,
    tracks_inserted BIGINT NOT NULL,
    tracks_updated BIGINT NOT NULL,
    rows_skipped BIGINT NOT NULL
);
