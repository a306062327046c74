-- The catalog: tracks, artists and the link between them.
CREATE TABLE tracks (
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
CREATE INDEX tracks_genre ON tracks (genre);
CREATE INDEX tracks_release_year ON tracks (release_year);

CREATE TABLE artists (
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
CREATE INDEX artists_search_key ON artists (search_key);
CREATE INDEX artists_track_count ON artists (track_count DESC);

CREATE TABLE track_artists (
    track_id INTEGER NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
    artist_id INTEGER NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    -- Order of the artist in the track's credits (0 = main artist).
    position INTEGER NOT NULL,
    PRIMARY KEY (track_id, artist_id)
);
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

-- Accounts.
CREATE TABLE users (
    id INTEGER PRIMARY KEY NOT NULL,
    username TEXT NOT NULL,
    -- Lower-cased username: unique regardless of case.
    username_key TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Server-side sessions (poem SessionStorage). `data` is the JSON of the entries.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    data TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

-- A user's saved slider settings. The profile named by `is_current` holds the live
-- settings restored on the next visit; the others are named taste profiles.
CREATE TABLE taste_profiles (
    id INTEGER PRIMARY KEY NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    settings TEXT NOT NULL,
    is_current BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (user_id, name)
);
