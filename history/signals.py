"""Tell each new database connection who is writing; the receiver calls one function."""

from history import context


def actor_on_connect(sender, connection, **kwargs):
    context.actor_apply(connection=connection)
