"""Rules for level exams: who may sit one, starting, saving, and the deadline.

The deadline is kept on the server. Answers saved up to the deadline count;
the final sheet gets a short grace for the network, and one that arrives
later is set aside: the exam is graded as it stood at the deadline.
"""
import random
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..assessment.claims import claim_once
from ..assessment.gates import exam_gate
from ..assessment.papers import grade_paper
from ..curriculum.models import ModuleVersion
from ..curriculum.quizfile import default_exam_settings
from ..extensions import db
from ..clock import utcnow
from .drawing import breakdown, draw_paper, exam_sources
from .models import ExamAttempt

GRACE = timedelta(seconds=30)  # for the final sheet only, never for saves


def exam_settings(level):
    """The level's exam settings as imported, or the defaults."""
    return level.exam_settings or default_exam_settings()


def finished_attempts(user_id, level_number):
    """The learner's finished attempts at a level's exam, oldest first."""
    return db.session.scalars(
        select(ExamAttempt)
        .where(ExamAttempt.user_id == user_id, ExamAttempt.level_number == level_number,
               ExamAttempt.submitted_at.is_not(None))
        .order_by(ExamAttempt.submitted_at, ExamAttempt.id)).all()


def open_attempt(user_id, level_number):
    """The learner's exam in progress for a level, or None."""
    return db.session.scalar(select(ExamAttempt).where(
        ExamAttempt.user_id == user_id, ExamAttempt.level_number == level_number,
        ExamAttempt.submitted_at.is_(None)))


def exam_gate_for(user_id, level, attempts, now=None):
    """Whether the learner may start an attempt now, from their finished ones."""
    settings = exam_settings(level)
    return exam_gate(attempts, settings["attempts"], settings["cooldown"], now or utcnow())


def renewal_gate(history, level, renewal, notice_days, now=None):
    """The exam gate in a certificate's renewal window: only attempts since it opened
    (and since the certificate was last issued) count."""
    since = max(renewal.expires_at - timedelta(days=notice_days),
                renewal.renewed_at or renewal.issued_at)
    settings = exam_settings(level)
    return exam_gate([a for a in history if a.started_at > since], settings["attempts"],
                     settings["cooldown"], now or utcnow())


def why_not_open(standing):
    """Why a level's exam cannot be sat yet, or None if the modules allow it.

    A passed exam is shut by the gate, not here: a renewal opens it again.
    """
    if not standing.unlocked:
        return "locked"
    if not standing.has_exam:
        return "no-questions"
    if not standing.modules_complete:
        return "modules"
    return None


def _seen_keys(user_id, level_number):
    papers = db.session.scalars(select(ExamAttempt.paper).where(
        ExamAttempt.user_id == user_id, ExamAttempt.level_number == level_number))
    return {question["key"] for paper in papers for question in paper}


def _sources(standing):
    ids = [m.version.id for m in standing.modules if m.version.quiz_question_count]
    quizzes = dict(db.session.execute(
        select(ModuleVersion.id, ModuleVersion.quiz).where(ModuleVersion.id.in_(ids))).all())
    modules = [(m.module.key, m.version.title, quizzes[m.version.id]["questions"])
               for m in standing.modules if m.version.id in quizzes]
    return exam_sources(standing.level, modules)


def start_exam(user_id, standing, now=None, rng=None):
    """Start (or return the already running) exam attempt; the clock starts now."""
    now = now or utcnow()
    running = open_attempt(user_id, standing.level.number)
    if running is not None:
        return running
    settings = exam_settings(standing.level)
    paper = draw_paper(_sources(standing), settings["questions"],
                       _seen_keys(user_id, standing.level.number), rng or random.SystemRandom())
    attempt = ExamAttempt(user_id=user_id, level_number=standing.level.number, started_at=now,
                          deadline_at=now + timedelta(minutes=settings["minutes"]),
                          paper=paper, pass_mark=settings["pass_mark"],
                          question_count=len(paper))
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:  # a second tab started it a moment ago
        attempt = open_attempt(user_id, standing.level.number)
    return attempt


def accepting_answers(attempt, now):
    """Whether the final sheet still counts: until the deadline plus the grace."""
    return attempt.submitted_at is None and now <= attempt.deadline_at + GRACE


def save_answers(attempt, answers, now=None):
    """Keep the learner's answers so far; refused once the deadline has passed.

    Guarded by `submitted_at IS NULL`, so a late autosave from another tab
    can never change a graded attempt.
    """
    now = now or utcnow()
    if now > attempt.deadline_at:
        return False
    saved = db.session.execute(
        update(ExamAttempt)
        .where(ExamAttempt.id == attempt.id, ExamAttempt.submitted_at.is_(None))
        .values(answers=answers, saved_at=now)
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(attempt)
    return bool(saved)


def finish_exam(attempt, answers=None, now=None):
    """Grade the attempt once. Returns False if it was already finished.

    In time, `answers` are graded; after the deadline they are set aside and
    the last answers saved in time are graded instead.
    """
    now = now or utcnow()
    in_time = now <= attempt.deadline_at + GRACE
    submitted_at = now if in_time else attempt.deadline_at
    if not claim_once(attempt, submitted_at):
        return False
    by_learner = in_time and answers is not None
    if not by_learner:
        answers = attempt.answers or [[] for _ in attempt.paper]
    grade = grade_paper(attempt.paper, answers)
    attempt.submitted_at = submitted_at
    attempt.ended_by = "learner" if by_learner else "deadline"
    attempt.answers = answers
    attempt.correct_count = grade.correct_count
    attempt.score = grade.percent
    attempt.passed = grade.passed(attempt.pass_mark)
    attempt.breakdown = breakdown(attempt.paper, grade.marks)
    db.session.flush()
    return True


def close_if_expired(attempt, now=None):
    """Grade an abandoned attempt whose time is up, as it stood at the deadline."""
    now = now or utcnow()
    if attempt.submitted_at is None and not accepting_answers(attempt, now):
        finish_exam(attempt, None, now)
        return True
    return False
