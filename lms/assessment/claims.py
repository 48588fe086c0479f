"""Handing in exactly once, however many requests race to do it."""
from sqlalchemy import update

from ..extensions import db


def claim_once(attempt, submitted_at):
    """Mark an open attempt submitted; True for the one request that did it.

    A single UPDATE guarded by `submitted_at IS NULL`: a double click, the
    back button or a second tab finds the attempt already claimed, and gets
    the attempt as the winner left it.
    """
    model = type(attempt)
    claimed = db.session.execute(
        update(model)
        .where(model.id == attempt.id, model.submitted_at.is_(None))
        .values(submitted_at=submitted_at)
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        db.session.refresh(attempt)
    return bool(claimed)
