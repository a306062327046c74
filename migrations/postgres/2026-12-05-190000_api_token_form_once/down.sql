DROP INDEX api_tokens_form_once;
ALTER TABLE api_tokens DROP COLUMN form_once;
