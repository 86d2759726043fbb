from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current UTC time without tzinfo, as every timestamp column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


def one_of(column: str, values) -> str:
    """The SQL of a CheckConstraint holding ``column`` to a vocabulary: ``status IN ('queued', 'done')``."""
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"
