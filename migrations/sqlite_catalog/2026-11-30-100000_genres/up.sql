-- A track's genres as a set (issue 14): a track listed under several genres, or with a
-- list of genres in one cell, keeps them all. A subgenre (TidyTuesday's
-- `playlist_subgenre`) is a row of `genres` with its parent genre; a track linked to a
-- subgenre is linked to its parent too. `tracks.genre` stays, holding the first genre
-- (what older code and the API's track object show).
CREATE TABLE genres (
    id INTEGER PRIMARY KEY NOT NULL,
    -- As first written.
    name TEXT NOT NULL,
    -- Lower case, trimmed: what makes a genre unique under its parent.
    name_key TEXT NOT NULL,
    -- The genre a subgenre belongs to; NULL for a genre.
    parent_id INTEGER REFERENCES genres (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX genres_name_key ON genres (name_key, COALESCE(parent_id, 0));

CREATE TABLE track_genres (
    track_id INTEGER NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
    genre_id INTEGER NOT NULL REFERENCES genres (id) ON DELETE CASCADE,
    PRIMARY KEY (track_id, genre_id)
) WITHOUT ROWID;
CREATE INDEX track_genres_genre ON track_genres (genre_id);

-- Catalogs imported before: each track's one genre becomes its set.
INSERT INTO genres (name, name_key)
SELECT MIN(TRIM(genre)), LOWER(TRIM(genre)) FROM tracks
WHERE genre IS NOT NULL AND TRIM(genre) <> ''
GROUP BY LOWER(TRIM(genre));

INSERT INTO track_genres (track_id, genre_id)
SELECT t.id, g.id FROM tracks t
JOIN genres g ON g.parent_id IS NULL AND g.name_key = LOWER(TRIM(t.genre));
