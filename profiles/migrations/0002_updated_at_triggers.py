"""updated_at moves on every UPDATE, also one made by plain SQL: a trigger, not auto_now.

The function is shared by the tables of every app; their own migrations attach it.
"""

from django.db import migrations

from tonnysite.sql import updated_at_trigger

CREATE_FUNCTION = """
CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("profiles", "0001_initial")]

    operations = [
        migrations.RunSQL(CREATE_FUNCTION, "DROP FUNCTION set_updated_at();"),
        updated_at_trigger("user_profiles"),
        updated_at_trigger("quick_actions"),
    ]
