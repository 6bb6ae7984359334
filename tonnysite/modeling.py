"""Building blocks shared by the models of every app."""

import uuid

from django.contrib.postgres.functions import RandomUUID
from django.contrib.postgres.search import SearchVector
from django.db import models


def full_text(field: str) -> SearchVector:
    """The English full-text vector of `field`: the expression of the GIN indexes and of the admin search."""
    return SearchVector(field, config="english")


def uuid_primary_key() -> models.UUIDField:
    """The seed's `id UUID PRIMARY KEY DEFAULT gen_random_uuid()`: Django and plain SQL both fill it."""
    return models.UUIDField(primary_key=True, default=uuid.uuid4, db_default=RandomUUID(), editable=False)


def member_reference(*, related_name: str, on_delete=models.DB_SET_NULL, **options) -> models.ForeignKey:
    """A row's family member (user_profiles), optional; as in the seed, the database itself acts
    when the member is deleted: the row stays with no member (DB_SET_NULL) unless told otherwise."""
    return models.ForeignKey(
        "profiles.UserProfile", on_delete=on_delete, null=True, blank=True, related_name=related_name, **options
    )


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
