from datetime import UTC, datetime


def utcnow() -> datetime:
    """Return the current UTC time without tzinfo, as every timestamp column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)
