-- A date or date-time in ISO 8601 form (Salesforce's 2024-01-15T10:00:00.000+0000 included) as
-- timestamptz, or NULL when the text is not one: imports report NULL as a row error rather than
-- failing the whole statement. A value without a zone is read as UTC.
CREATE OR REPLACE FUNCTION rapport_try_timestamptz(value text) RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
BEGIN
  IF value IS NULL OR value !~ '^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|z|[+-]\d{2}(:?\d{2})?)?)?$' THEN
    RETURN NULL;
  END IF;
  IF value ~ '(Z|z|[+-]\d{2}(:?\d{2})?)$' AND value ~ 'T|\s' THEN
    RETURN value::timestamptz;
  END IF;
  RETURN value::timestamp AT TIME ZONE 'UTC';
EXCEPTION WHEN others THEN
  RETURN NULL;
END;
$$;
