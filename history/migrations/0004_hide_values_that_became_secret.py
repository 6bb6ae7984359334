"""A setting made sensitive hides its earlier values in the change history too.

The history is append-only, with one exception written here: an edit that only replaces recorded
values by {"hidden": true, "before": <was set>, "after": <is set>} (the form secret columns are
recorded in from the start). When a setting is inserted or updated as sensitive, a trigger rewrites
every earlier entry of that setting so, so neither the list, the search nor a detail page can show
or find what the value used to be. Whoever makes it sensitive (admin, command, plain SQL) triggers it.
"""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION change_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    -- The one edit allowed: recorded values replaced by {"hidden": true, ...}, nothing else changed.
    IF (to_jsonb(NEW) - 'changes') = (to_jsonb(OLD) - 'changes')
       AND NOT EXISTS (SELECT 1 FROM jsonb_object_keys(NEW.changes) AS k(key) WHERE NOT OLD.changes ? k.key)
       AND NOT EXISTS (
           SELECT 1 FROM jsonb_each(OLD.changes) AS o(key, value)
            WHERE NOT NEW.changes ? o.key
               OR (NEW.changes -> o.key IS DISTINCT FROM o.value
                   AND (jsonb_typeof(NEW.changes -> o.key) <> 'object'
                        OR NEW.changes -> o.key -> 'hidden' IS DISTINCT FROM 'true'::jsonb
                        OR (NEW.changes -> o.key) - 'hidden' - 'before' - 'after' <> '{}'::jsonb)))
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The change history is never edited; old entries may only be deleted.'
        USING ERRCODE = 'insufficient_privilege';
END
$fn$;

CREATE FUNCTION change_history_hide_values(p_table text, p_row_id text, p_columns text[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
    UPDATE change_history h
       SET changes = (
           SELECT jsonb_object_agg(c.key, CASE
                      WHEN c.key = ANY (p_columns) AND c.value -> 'hidden' IS DISTINCT FROM 'true'::jsonb THEN
                          jsonb_strip_nulls(jsonb_build_object(
                              'hidden', true,
                              'before', CASE WHEN c.value ? 'before' THEN c.value -> 'before' <> 'null'::jsonb END,
                              'after', CASE WHEN c.value ? 'after' THEN c.value -> 'after' <> 'null'::jsonb END))
                      ELSE c.value END)
             FROM jsonb_each(h.changes) AS c)
     WHERE h.table_name = p_table AND h.row_id = p_row_id
       AND EXISTS (SELECT 1 FROM jsonb_each(h.changes) AS c
                    WHERE c.key = ANY (p_columns) AND c.value -> 'hidden' IS DISTINCT FROM 'true'::jsonb)
$fn$;

COMMENT ON FUNCTION change_history_hide_values(text, text, text[]) IS
    'Hides the recorded values of these columns in every change_history entry of one row (a value became secret).';

CREATE FUNCTION settings_history_hide() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    PERFORM change_history_hide_values('settings', NEW.key, ARRAY['value', 'default_value']);
    RETURN NULL;
END
$fn$;

CREATE TRIGGER settings_history_hide AFTER INSERT OR UPDATE OF is_sensitive, key ON settings
    FOR EACH ROW WHEN (NEW.is_sensitive) EXECUTE FUNCTION settings_history_hide();
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS settings_history_hide ON settings;
DROP FUNCTION IF EXISTS settings_history_hide();
DROP FUNCTION IF EXISTS change_history_hide_values(text, text, text[]);
CREATE OR REPLACE FUNCTION change_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'The change history is never edited; old entries may only be deleted.'
        USING ERRCODE = 'insufficient_privilege';
END
$fn$;
"""


class Migration(migrations.Migration):
    dependencies = [("history", "0003_alter_change_table_name"), ("telemetry", "0007_family_calendar_settings")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
