"""Rules for quiz attempts: opening one, submitting it once, and what it earns."""
import random

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..assessment.claims import claim_once
from ..assessment.gates import quiz_gate
from ..assessment.papers import build_paper, grade_paper, unanswered
from ..extensions import db
from ..clock import utcnow
from ..learning.progress import progress_for, refresh_completion
from .models import QuizAttempt


def quiz_settings(version):
    """The quiz's settings as imported (pass mark, shuffle, attempts, cooldown)."""
    return version.quiz["settings"]


def submitted_attempts(user_id, module_id):
    """The learner's submitted attempts at a quiz, oldest first."""
    return db.session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == user_id, QuizAttempt.module_id == module_id,
               QuizAttempt.submitted_at.is_not(None))
        .order_by(QuizAttempt.submitted_at, QuizAttempt.id)).all()


def gate_for(user_id, module, attempts=None, now=None):
    """Whether the learner may attempt the module's quiz now, and if not, why."""
    settings = quiz_settings(module.current_version)
    attempts = submitted_attempts(user_id, module.id) if attempts is None else attempts
    return quiz_gate(attempts, settings["attempts"], settings["cooldown"], now or utcnow())


def find_open_attempt(user_id, module_id):
    """The learner's attempt in progress at a quiz, or None."""
    return db.session.scalar(select(QuizAttempt).where(
        QuizAttempt.user_id == user_id, QuizAttempt.module_id == module_id,
        QuizAttempt.submitted_at.is_(None)))


def open_attempt(user_id, module, now=None, rng=None):
    """Return the learner's open attempt at the current quiz, laying out a new one if needed.

    An open attempt is only a laid-out paper; it counts once submitted.
    """
    now = now or utcnow()
    version = module.current_version
    attempt = find_open_attempt(user_id, module.id)
    if attempt is not None and attempt.module_version_id == version.id:
        return attempt
    if attempt is not None:  # laid out from a version that has since changed
        db.session.delete(attempt)
        db.session.flush()
    settings = quiz_settings(version)
    paper = build_paper(version.quiz["questions"], rng or random.SystemRandom(),
                        settings["shuffle"])
    attempt = QuizAttempt(user_id=user_id, module_id=module.id, module_version_id=version.id,
                          started_at=now, paper=paper, pass_mark=settings["pass_mark"],
                          question_count=len(paper))
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:  # another tab laid one out first: use that one
        attempt = find_open_attempt(user_id, module.id)
    return attempt


def keep_draft(attempt, answers):
    """Keep chosen answers on an open attempt; a submitted one is never changed."""
    db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(answers=answers)
        .execution_options(synchronize_session=False))
    db.session.refresh(attempt)


def hand_in(attempt, answers, module, user, submit_anyway=False, now=None):
    """Take a learner's answer sheet: "graded", "incomplete", "closed" or "already".

    "incomplete" keeps the answers and asks about the unanswered questions
    first, unless the learner said to submit anyway; "closed" means the
    attempts or the cooldown no longer allow it.
    """
    if attempt.is_submitted:
        return "already"
    if not gate_for(user.id, module, now=now).open:
        return "closed"
    if unanswered(answers) and not submit_anyway:
        keep_draft(attempt, answers)
        return "incomplete"
    return "graded" if submit_attempt(attempt, answers, module, user, now) else "already"


def submit_attempt(attempt, answers, module, user, now=None):
    """Grade and close an open attempt, once; False if it was already submitted.

    Two requests racing with the same attempt record one submission.
    """
    now = now or utcnow()
    if not claim_once(attempt, now):
        return False
    grade = grade_paper(attempt.paper, answers)
    attempt.submitted_at = now
    attempt.answers = answers
    attempt.correct_count = grade.correct_count
    attempt.score = grade.percent
    attempt.passed = grade.passed(attempt.pass_mark)
    progress = progress_for(user, module, now)
    if progress.quiz_best_score is None or attempt.score > progress.quiz_best_score:
        progress.quiz_best_score = attempt.score
    if attempt.passed and progress.quiz_passed_at is None:
        progress.quiz_passed_at = now
    progress.last_visited_at = now
    refresh_completion(progress, module.current_version, now)
    db.session.flush()
    return True
