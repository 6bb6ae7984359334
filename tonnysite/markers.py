"""KEEP: the one marker for "leave this value as it is" in a service's keyword arguments."""


class Keep:
    """The value of a field a service leaves as each row has it (a bulk edit's blank box, a setting's blank value)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = Keep()
