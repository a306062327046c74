-- A track's genre set (issue 14): the same tables as migrations/sqlite_catalog's, for
-- PostgreSQL (ids numbered here: the column has no default, as in SQLite's, because the
-- import writer assigns them).
CREATE TABLE genres (
    id INTEGER PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    parent_id INTEGER REFERENCES genres (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX genres_name_key ON genres (name_key, COALESCE(parent_id, 0));

CREATE TABLE track_genres (
    track_id INTEGER NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
    genre_id INTEGER NOT NULL REFERENCES genres (id) ON DELETE CASCADE,
    PRIMARY KEY (track_id, genre_id)
);
CREATE INDEX track_genres_genre ON track_genres (genre_id);

INSERT INTO genres (id, name, name_key)
SELECT ROW_NUMBER() OVER (ORDER BY LOWER(TRIM(genre))), MIN(TRIM(genre)), LOWER(TRIM(genre))
FROM tracks
WHERE genre IS NOT NULL AND TRIM(genre) <> ''
GROUP BY LOWER(TRIM(genre));

INSERT INTO track_genres (track_id, genre_id)
SELECT t.id, g.id FROM tracks t
JOIN genres g ON g.parent_id IS NULL AND g.name_key = LOWER(TRIM(t.genre));
