ALTER TABLE catalog_meta DROP COLUMN import_digest;
