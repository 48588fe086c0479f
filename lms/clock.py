"""The one place the application reads the time (tests freeze it by replacing `source`)."""
from datetime import datetime, timezone


def source():
    return datetime.now(timezone.utc)


def utcnow():
    """Now, in UTC, without tzinfo: how every timestamp is stored."""
    return source().replace(tzinfo=None)
