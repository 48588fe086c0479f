"""Who may review what, the queue, and recording a review once."""
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..clock import utcnow
from ..curriculum.models import Module, ModuleVersion
from ..extensions import db
from ..roleplay.models import Reflection
from ..teams.membership import has_manager, managed_learner_ids, manages
from .models import Review


class ReviewError(ValueError):
    pass


def can_review(user, reflection):
    """Admins review anyone else; managers only the people in the teams they manage."""
    if reflection.user_id == user.id:
        return False
    if user.role == "admin":
        return True
    return user.role == "manager" and manages(user.id, reflection.user_id)


def self_assessed(learner_id):
    """A learner whom nobody manages assesses their own reflection."""
    return not has_manager(learner_id)


def review_queue(user):
    """Submitted reflections awaiting review that `user` may review, oldest first.

    One query: reflection, learner and module together, however long the queue.
    """
    query = (select(Reflection, User, Module, ModuleVersion.title)
             .join(User, User.id == Reflection.user_id)
             .join(Module, Module.id == Reflection.module_id)
             .join(ModuleVersion, ModuleVersion.id == Module.current_version_id)
             .outerjoin(Review, Review.reflection_id == Reflection.id)
             .where(Reflection.submitted_at.is_not(None), Review.id.is_(None))
             .order_by(Reflection.submitted_at, Reflection.id))
    query = query.where(Reflection.user_id != user.id)
    if user.role != "admin":
        query = query.where(Reflection.user_id.in_(managed_learner_ids(user.id)))
    return db.session.execute(query).all()


def review_of(reflection_id):
    """The review of a reflection, or None."""
    return db.session.scalar(select(Review).where(Review.reflection_id == reflection_id))


def record_review(reviewer, reflection, scores, feedback, kind="manager", now=None):
    """Record the one review of a submitted reflection; a second is refused."""
    if not reflection.is_submitted:
        raise ReviewError(_("Only a submitted reflection can be reviewed."))
    if not feedback.strip():
        raise ReviewError(_("Write some feedback for the learner."))
    review = Review(reflection_id=reflection.id, reviewer_id=reviewer.id, kind=kind,
                    scores=scores, feedback=feedback.strip(), created_at=now or utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(review)
    except IntegrityError:
        raise ReviewError(_("This reflection has already been reviewed.")) from None
    return review
