"""Rules for the written reflection: drafts, the minimum length, submitting once."""
import re

from sqlalchemy import select

from ..clock import utcnow
from ..extensions import db
from ..learning.progress import progress_for, refresh_completion
from .models import Reflection

WORD = re.compile(r"\w+(?:['’-]\w+)*")


class ReflectionError(ValueError):
    pass


def word_count(body):
    """Words as a reader counts them: contractions and hyphenated words count once."""
    return len(WORD.findall(body or ""))


def reflection_of(user_id, module_id):
    """The learner's reflection in a module, or None."""
    return db.session.scalar(select(Reflection).where(
        Reflection.user_id == user_id, Reflection.module_id == module_id))


def save_reflection(user, module, run, body, submit=False, min_words=80, now=None):
    """Save a draft, or submit it once it is long enough; a submitted one is final."""
    now = now or utcnow()
    reflection = reflection_of(user.id, module.id)
    if reflection is not None and reflection.is_submitted:
        raise ReflectionError("This reflection was already submitted.")
    if reflection is None:
        reflection = Reflection(user_id=user.id, module_id=module.id, run_id=run.id,
                                saved_at=now)
        db.session.add(reflection)
    reflection.body, reflection.saved_at, reflection.run_id = body.strip(), now, run.id
    if submit:
        words = word_count(body)
        if words < min_words:
            db.session.flush()  # the draft is kept either way
            raise ReflectionError(f"Write at least {min_words} words; this has {words}. "
                                  "Your draft is saved.")
        reflection.submitted_at = now
        progress = progress_for(user, module, now)
        progress.reflection_submitted_at = progress.reflection_submitted_at or now
        refresh_completion(progress, module.current_version, now)
    db.session.flush()
    return reflection
