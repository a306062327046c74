DROP TABLE track_genres;
DROP TABLE genres;
