"""Add the family's calendar settings the parental controls read: family.country and family.holidays.

A row is added only when the key is missing, so a value the family already set is kept.
Going back leaves the rows: they hold the family's choices.
"""

import json

from django.db import migrations

COUNTRY_SCHEMA = {"type": "string", "pattern": "^([A-Z]{2}(-[A-Z0-9]{1,3})?)?$"}
HOLIDAYS_SCHEMA = {
    "type": "array",
    "maxItems": 100,
    "items": {
        "type": "object",
        "required": ["from", "to"],
        "additionalProperties": False,
        "properties": {
            "from": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
            "to": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
            "name": {"type": "string", "maxLength": 100},
        },
    },
}
KEYS = [
    ("family.country", "", "Country (ISO 3166 code such as DE, or DE-BY with a region) whose public holidays "
     "are not school days; empty: none", COUNTRY_SCHEMA),
    ("family.holidays", [], "The family's own holidays, not school days: "
     '[{"from": "2026-12-21", "to": "2027-01-06", "name": "Winter break"}]', HOLIDAYS_SCHEMA),
]  # fmt: skip


def insert_sql() -> str:
    rows = ", ".join(
        "('{}', '{}'::jsonb, 'family', '{}', '{}'::jsonb, '{}'::jsonb)".format(
            key, json.dumps(value), description.replace("'", "''"), json.dumps(value), json.dumps(schema)
        )
        for key, value, description, schema in KEYS
    )
    return (
        "INSERT INTO settings (key, value, category, description, default_value, validation_schema) "
        f"VALUES {rows} ON CONFLICT (key) DO NOTHING;"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("telemetry", "0006_tray_setting_keys"),
    ]

    operations = [
        migrations.RunSQL(insert_sql(), migrations.RunSQL.noop),
    ]
