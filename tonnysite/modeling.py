"""Building blocks shared by the models of every app."""

from django.contrib.postgres.search import SearchVector
from django.db import models


def full_text(field: str) -> SearchVector:
    """The English full-text vector of `field`: the expression of the GIN indexes and of the admin search."""
    return SearchVector(field, config="english")


class EnumField(models.CharField):
    """A column of a PostgreSQL enum type, such as the seed's `command_status`.

    The type itself is made by a migration (`CREATE TYPE ... AS ENUM`) with the values of
    `choices` in their order, so plain SQL can cast to it and compare in that order. Python
    still sees a string, and the choices stay the single source of the allowed values.
    """

    description = "PostgreSQL enum (%(enum_type)s)"

    def __init__(self, *args, enum_type: str, **kwargs):
        self.enum_type = enum_type
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["enum_type"] = self.enum_type
        return name, path, args, kwargs

    def db_type(self, connection):
        return self.enum_type

    def cast_db_type(self, connection):
        return self.enum_type
