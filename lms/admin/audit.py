"""Recording admin actions for the audit log."""
from ..clock import utcnow
from ..extensions import db
from .models import AuditEvent


def audit(actor, action, target, before=None, after=None, now=None):
    """Note that `actor` did `action` to `target` (a readable label), with what changed."""
    event = AuditEvent(at=now or utcnow(), actor_id=actor.id if actor else None,
                       actor_email=actor.email if actor else "lms command", action=action,
                       target=str(target)[:300], before=before, after=after)
    db.session.add(event)
    return event
