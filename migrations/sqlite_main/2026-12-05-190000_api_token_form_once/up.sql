-- The id of the form that created a token ("once", written into each creation form).
-- A form sent twice at once passed the session's check twice and made two tokens: the
-- database refuses the second (unique per user; NULL for tokens made before).
ALTER TABLE api_tokens ADD COLUMN form_once TEXT;
CREATE UNIQUE INDEX api_tokens_form_once ON api_tokens (user_id, form_once);
