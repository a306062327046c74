-- What the catalog's last import read: a SHA-256 of the build that ran it, its options and
-- every byte of its files (`catalog::import::digest`). An import of exactly that again
-- finds it here and changes nothing, not even the version servers reload on. Any other
-- change to the catalog (`catalog_meta::refresh`) sets it back to NULL.
ALTER TABLE catalog_meta ADD COLUMN import_digest TEXT;
