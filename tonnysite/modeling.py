"""Building blocks shared by the models of every app."""

from django.db import models


def choices_check(field: str, choices: type[models.TextChoices], *, table: str) -> models.CheckConstraint:
    """Return the CHECK that admits only `choices` in `field` (the schema's enum columns)."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__in": choices.values}),
        name=f"{table}_{field}_valid",
        violation_error_message=f"{field} must be one of: {', '.join(choices.values)}.",
    )
