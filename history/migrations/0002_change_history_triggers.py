"""One trigger function records every change of the tracked tables into change_history.

The SQL is frozen here (not imported from the app) so this migration means the
same thing forever. Each table passes its rules as trigger arguments:
  0 primary-key column    1 SQL for the row's label    2 SQL for its member's id
  3 columns never recorded (bookkeeping)    4 secret columns (recorded as "changed", never their value)
  5 a boolean column that makes 6 the columns secret for that row (sensitive settings)
  7 columns holding a member's id, recorded as the member's name
The SQL in 1 and 2 reads the row as $1 (jsonb).
"""

from django.db import migrations

FUNCTION = r"""
CREATE FUNCTION change_history_record() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
DECLARE
    old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    row_now jsonb := coalesce(new_row, old_row);
    ignored text[] := TG_ARGV[3]::text[];
    secret text[] := TG_ARGV[4]::text[];
    member_columns text[] := TG_ARGV[7]::text[];
    changes jsonb := '{}'::jsonb;
    entry jsonb;
    column_name text;
    before_value jsonb;
    after_value jsonb;
    label text;
    owner uuid;
    via text := current_setting('tonny.via', true);
BEGIN
    IF TG_ARGV[5] <> '' AND (coalesce((old_row ->> TG_ARGV[5])::boolean, false)
                             OR coalesce((new_row ->> TG_ARGV[5])::boolean, false)) THEN
        secret := secret || TG_ARGV[6]::text[];
    END IF;
    FOR column_name IN SELECT jsonb_object_keys(row_now) LOOP
        CONTINUE WHEN column_name = ANY (ignored);
        before_value := old_row -> column_name;
        after_value := new_row -> column_name;
        CONTINUE WHEN TG_OP = 'UPDATE' AND before_value = after_value;
        -- An added or deleted row lists the columns that hold something.
        CONTINUE WHEN TG_OP <> 'UPDATE' AND coalesce(after_value, before_value) = 'null'::jsonb;
        IF column_name = ANY (secret) THEN
            -- Whether it is set, never what it is.
            entry := jsonb_build_object('hidden', true);
            IF old_row IS NOT NULL THEN
                entry := entry || jsonb_build_object('before', before_value <> 'null'::jsonb);
            END IF;
            IF new_row IS NOT NULL THEN
                entry := entry || jsonb_build_object('after', after_value <> 'null'::jsonb);
            END IF;
        ELSE
            IF column_name = ANY (member_columns) THEN
                before_value := coalesce(
                    to_jsonb((SELECT name FROM user_profiles WHERE id = (before_value #>> '{}')::uuid)), before_value);
                after_value := coalesce(
                    to_jsonb((SELECT name FROM user_profiles WHERE id = (after_value #>> '{}')::uuid)), after_value);
            END IF;
            entry := '{}'::jsonb;
            IF old_row IS NOT NULL THEN
                entry := entry || jsonb_build_object('before', before_value);
            END IF;
            IF new_row IS NOT NULL THEN
                entry := entry || jsonb_build_object('after', after_value);
            END IF;
        END IF;
        changes := changes || jsonb_build_object(column_name, entry);
    END LOOP;
    IF changes = '{}'::jsonb THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT (%s)::text, (%s)::uuid', TG_ARGV[1], TG_ARGV[2]) INTO label, owner USING row_now;
    INSERT INTO change_history
        (changed_at, table_name, row_id, row_label, profile_id, member_name, action, changes, actor, via, client)
    VALUES (
        now(), TG_TABLE_NAME, row_now ->> TG_ARGV[0], left(label, 255), owner,
        coalesce((SELECT name FROM user_profiles WHERE id = owner),
                 CASE WHEN TG_TABLE_NAME = 'user_profiles' THEN label END),
        lower(TG_OP), changes,
        left(coalesce(nullif(current_setting('tonny.actor', true), ''), session_user::text), 150),
        CASE WHEN via IN ('admin', 'command', 'api', 'app') THEN via ELSE 'sql' END,
        left(nullif(current_setting('application_name', true), ''), 255)
    );
    RETURN NULL;
END
$fn$;

COMMENT ON FUNCTION change_history_record() IS
    'Records an insert, update or delete of a tracked table in change_history; see history/migrations/0002.';

CREATE FUNCTION change_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    RAISE EXCEPTION 'The change history is never edited; old entries may only be deleted.'
        USING ERRCODE = 'insufficient_privilege';
END
$fn$;

CREATE TRIGGER change_history_append_only BEFORE UPDATE ON change_history
    FOR EACH ROW EXECUTE FUNCTION change_history_append_only();
"""

# table: (events, pk, label SQL, member-id SQL, ignored, secret, sensitive flag, sensitive columns, member columns)
TRACKED = {
    "user_profiles": (
        "INSERT OR UPDATE OR DELETE", "id", "$1->>'name'", "$1->>'id'",
        ["created_at", "updated_at", "last_active_at"], ["pin_hash"], "", [], [],
    ),
    "family_logins": (
        "INSERT OR UPDATE OR DELETE", "id", "(SELECT username FROM auth_user WHERE id = ($1->>'user_id')::int)",
        "$1->>'profile_id'", ["id", "user_id", "created_at"], [], "", [], ["profile_id"],
    ),
    "auth_user": (
        "INSERT OR UPDATE OR DELETE", "id", "$1->>'username'",
        "(SELECT profile_id FROM family_logins WHERE user_id = ($1->>'id')::int)",
        ["id", "last_login", "date_joined"], ["password"], "", [], [],
    ),
    "quick_actions": (
        "INSERT OR UPDATE OR DELETE", "id", "$1->>'display_name'", "NULL",
        ["created_at", "updated_at"], [], "", [], [],
    ),
    "settings": (
        "INSERT OR UPDATE OR DELETE", "key", "$1->>'key'", "NULL",
        ["created_at", "updated_at", "updated_by"], [], "is_sensitive", ["value", "default_value"], [],
    ),
    # Events are the log itself; what changes is their resolution.
    "system_events": (
        "UPDATE", "id", "left($1->>'message', 120)", "$1->>'profile_id'", [], [], "", [], ["profile_id", "resolved_by"],
    ),
}  # fmt: skip


def _array(items: list[str]) -> str:
    return "{" + ",".join(items) + "}"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _triggers(table: str, events, pk, label, member, ignored, secret, flag, sensitive, members) -> str:
    arguments = ", ".join(
        _quote(a) for a in (pk, label, member, _array(ignored), _array(secret), flag, _array(sensitive), _array(members))
    )
    statements = []
    if events != "UPDATE":
        statements.append(
            f"CREATE TRIGGER change_history_{table} AFTER INSERT OR DELETE ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION change_history_record({arguments});"
        )
    # An update that moves only bookkeeping columns (last_active_at on every command) never calls the function.
    minus = _quote(_array(ignored)) + "::text[]"
    statements.append(
        f"CREATE TRIGGER change_history_{table}_update AFTER UPDATE ON {table} FOR EACH ROW "
        f"WHEN ((to_jsonb(OLD) - {minus}) IS DISTINCT FROM (to_jsonb(NEW) - {minus})) "
        f"EXECUTE FUNCTION change_history_record({arguments});"
    )
    return "\n".join(statements)


TRIGGERS = "\n".join(_triggers(table, *rules) for table, rules in TRACKED.items())
DROP = "\n".join(
    f"DROP TRIGGER IF EXISTS change_history_{table} ON {table}; DROP TRIGGER IF EXISTS change_history_{table}_update ON {table};"
    for table in TRACKED
) + (
    "\nDROP TRIGGER IF EXISTS change_history_append_only ON change_history;"
    "\nDROP FUNCTION IF EXISTS change_history_append_only();"
    "\nDROP FUNCTION IF EXISTS change_history_record();"
)


class Migration(migrations.Migration):
    dependencies = [
        ("history", "0001_initial"),
        ("profiles", "0006_pin_hash_bcrypt_prefix"),
        ("telemetry", "0006_tray_setting_keys"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunSQL(FUNCTION + TRIGGERS, DROP)]
