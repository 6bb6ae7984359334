"""Migration operations for the SQL that Django models cannot express."""

from django.db import migrations


def updated_at_trigger(table: str) -> migrations.RunSQL:
    """Attach the shared set_updated_at() trigger (profiles 0002) to `table`."""
    return migrations.RunSQL(
        f"CREATE TRIGGER {table}_set_updated_at BEFORE UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION set_updated_at();",
        f"DROP TRIGGER {table}_set_updated_at ON {table};",
    )
