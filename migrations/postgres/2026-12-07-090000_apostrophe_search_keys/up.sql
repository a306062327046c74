-- Artists' search keys write every apostrophe as the ASCII one (APOSTROPHES in
-- src/model/artist_names.rs): TidyTuesday spells "Cam’ron" with U+2019, so `cam'ron` typed
-- on a keyboard found nothing. Imports from now on write the keys folded; this folds the
-- keys earlier imports wrote. (src/db/catalog_file.rs runs it again on a catalog moved out
-- of an old main file.)
UPDATE artists
SET search_key = replace(replace(replace(replace(search_key,
    '‘', ''''), '’', ''''), '‛', ''''), 'ʼ', '''')
WHERE search_key LIKE '%‘%' OR search_key LIKE '%’%'
   OR search_key LIKE '%‛%' OR search_key LIKE '%ʼ%';
