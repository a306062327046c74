DROP TABLE taste_profiles;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE catalog_imports;
DROP TABLE catalog_meta;
DROP TABLE track_artists;
DROP TABLE artists;
DROP TABLE tracks;
