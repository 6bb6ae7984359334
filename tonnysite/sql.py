"""Migration operations for the SQL that Django models cannot express."""

from django.db import migrations


def updated_at_trigger(table: str) -> migrations.RunSQL:
    """Attach the shared set_updated_at() trigger (profiles 0002) to `table`."""
    return migrations.RunSQL(
        f"CREATE TRIGGER {table}_set_updated_at BEFORE UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION set_updated_at();",
        f"DROP TRIGGER {table}_set_updated_at ON {table};",
    )


def enum_type(name: str, values: list[str]) -> migrations.RunSQL:
    """Create the PostgreSQL enum type `name` with `values` in this order (the order `<` follows)."""
    labels = ", ".join(f"'{value}'" for value in values)
    return migrations.RunSQL(f"CREATE TYPE {name} AS ENUM ({labels});", f"DROP TYPE {name};")


def with_views_remade(views: list[str], statements: str) -> str:
    """Return SQL that drops `views`, runs `statements` and makes the views again from their own definition.

    PostgreSQL refuses to change the type of a column a view reads; taking each view's
    definition from the catalog keeps this independent of the migration that wrote it.
    """
    saved = ", ".join(f"pg_get_viewdef('{view}'::regclass)" for view in views)
    drops = "\n".join(f"    DROP VIEW {view};" for view in views)
    creates = "\n".join(
        f"    EXECUTE 'CREATE VIEW {view} AS ' || definitions[{number}];" for number, view in enumerate(views, 1)
    )
    declare = f"DECLARE\n    definitions text[] := ARRAY[{saved}];"
    return f"DO $$\n{declare}\nBEGIN\n{drops}\n{statements}\n{creates}\nEND\n$$;"


def enum_column_sql(table: str, column: str, *, type_name: str, default: str | None) -> str:
    """Return the ALTER TABLE that moves `column` to `type_name` (an enum or varchar), keeping its default.

    The default is dropped first and set again: there is no implicit cast from varchar to an enum.
    """
    parts = [f"ALTER COLUMN {column} DROP DEFAULT"] if default is not None else []
    parts.append(f"ALTER COLUMN {column} TYPE {type_name} USING {column}::text::{type_name}")
    if default is not None:
        parts.append(f"ALTER COLUMN {column} SET DEFAULT '{default}'")
    return f"ALTER TABLE {table} " + ", ".join(parts) + ";"
