"""Rules for the written reflection: drafts, the minimum length, submitting once."""
import re

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..clock import utcnow
from ..extensions import db
from ..learning.progress import progress_for, refresh_completion
from .models import Reflection

WORD = re.compile(r"\w+(?:['’-]\w+)*")


class ReflectionError(ValueError):
    pass


# Japanese, Chinese and Korean run words together; two of their characters count as a word,
# about what an English word carries, so an 80-word minimum asks for some 160 characters.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff66-\uff9f]")


def word_count(body):
    """Words as a reader counts them: contractions and hyphenated words count once."""
    body = body or ""
    ideographs = len(CJK.findall(body))
    return len(WORD.findall(CJK.sub(" ", body))) + (ideographs + 1) // 2


def reflection_of(user_id, module_id):
    """The learner's reflection in a module, or None."""
    return db.session.scalar(select(Reflection).where(
        Reflection.user_id == user_id, Reflection.module_id == module_id))


def save_reflection(user, module, run, body, submit=False, min_words=80, now=None):
    """Save a draft, or submit it once it is long enough; a submitted one is final.

    `run` is the run it reflects on: the latest passing one to submit, any
    finished one for a draft. Writes are guarded by `submitted_at IS NULL`,
    so a draft saved in another tab cannot change a submitted reflection.
    """
    now = now or utcnow()
    reflection = reflection_of(user.id, module.id)
    if reflection is None:
        try:
            with db.session.begin_nested():
                reflection = Reflection(user_id=user.id, module_id=module.id, run_id=run.id,
                                        body="", saved_at=now)
                db.session.add(reflection)
        except IntegrityError:  # a first draft saved in another tab a moment ago
            reflection = reflection_of(user.id, module.id)
    if reflection.is_submitted:
        raise ReflectionError(_("This reflection was already submitted."))
    words = word_count(body)
    complete = submit and words >= min_words
    written = db.session.execute(
        update(Reflection)
        .where(Reflection.id == reflection.id, Reflection.submitted_at.is_(None))
        .values(body=body.strip(), saved_at=now, run_id=run.id,
                submitted_at=now if complete else None)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(reflection)
    if not written:
        raise ReflectionError(_("This reflection was already submitted."))
    if submit and not complete:
        raise ReflectionError(_("Write at least %(minimum)s words; this has %(words)s. "
                                "Your draft is saved.", minimum=min_words, words=words))
    if submit:
        progress = progress_for(user, module, now)
        progress.reflection_submitted_at = progress.reflection_submitted_at or now
        refresh_completion(progress, module.current_version, now)
    db.session.flush()
    return reflection
