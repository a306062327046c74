DROP TABLE catalog_imports;
DROP TABLE catalog_meta;
DROP TABLE track_artists;
DROP TABLE artists;
DROP TABLE tracks;
