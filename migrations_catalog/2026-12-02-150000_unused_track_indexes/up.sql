-- No query reads tracks by genre or by year: matching, filters and the genre pages use
-- the in-memory index and `track_genres`, and the catalog's years are read once per
-- import (a MIN and a MAX). The two indexes only cost an import their upkeep (about a
-- tenth of a 1.2M-row TidyTuesday-layout import, side by side) and the file 27 MB.
DROP INDEX IF EXISTS tracks_genre;
DROP INDEX IF EXISTS tracks_release_year;
