"""The one place the application reads the time."""
from datetime import datetime, timezone


def utcnow():
    """Now, in UTC, without tzinfo: how every timestamp is stored."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
