"""Where a learner stands: module status, level progress, unlocking, what's next.

The overview is built from four queries (levels, modules with their current
version, the learner's progress, their passed exams) however many modules or
learners there are.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from ..clock import utcnow
from ..curriculum.models import Level, Module, ModuleVersion
from ..exam.models import ExamAttempt
from ..extensions import db
from .models import ModuleProgress

NOT_STARTED, IN_PROGRESS, COMPLETE = "not started", "in progress", "complete"
VISIT_GRAIN = timedelta(minutes=1)


@dataclass(slots=True)
class ModuleStanding:
    module: Module
    progress: ModuleProgress | None

    @property
    def version(self):
        return self.module.current_version

    @property
    def status(self):
        if self.progress is None:
            return NOT_STARTED
        return COMPLETE if self.progress.is_complete else IN_PROGRESS


def level_question_pool(level, modules):
    """The level's own exam bank and every published module's quiz questions."""
    return level.exam_bank_count + sum(m.version.quiz_question_count for m in modules)


@dataclass
class LevelStanding:
    level: Level
    modules: list = field(default_factory=list)
    unlocked: bool = True
    exam_passed: bool = False
    exam_passed_at: datetime | None = None
    # Set by standings_of, whose standings are read-only snapshots; counted when None.
    completed_count: int | None = None

    @cached_property
    def exam_question_pool(self):
        """How many questions the level exam can draw from (read once the modules are in)."""
        return level_question_pool(self.level, self.modules)

    @property
    def has_exam(self):
        return self.exam_question_pool > 0

    @property
    def modules_complete(self):
        return bool(self.modules) and self.completed == len(self.modules)

    @property
    def completed(self):
        if self.completed_count is not None:
            return self.completed_count
        return sum(1 for m in self.modules if m.status == COMPLETE)

    @property
    def percent(self):
        return round(100 * self.completed / len(self.modules)) if self.modules else 0

    @property
    def minutes(self):
        return sum(m.version.minutes for m in self.modules)

    @property
    def is_complete(self):
        """Every module complete and, where the level has an exam, the exam passed.

        A level with nothing published yet is not complete.
        """
        return self.modules_complete and (self.exam_passed or not self.has_exam)

    @property
    def opens_next_level(self):
        """A passed exam opens the next level for good, even if modules are added later."""
        return self.exam_passed or (self.modules_complete and not self.has_exam)

    @property
    def exam_is_next(self):
        """Every module is done and the level exam is what is left."""
        return self.modules_complete and self.has_exam and not self.exam_passed

    @property
    def status(self):
        if self.is_complete:
            return COMPLETE
        started = any(m.status != NOT_STARTED for m in self.modules)
        return IN_PROGRESS if started else NOT_STARTED

    def neighbours(self, slug):
        """The modules before and after `slug` in this level."""
        slugs = [m.module.slug for m in self.modules]
        i = slugs.index(slug)
        before = self.modules[i - 1] if i > 0 else None
        after = self.modules[i + 1] if i + 1 < len(self.modules) else None
        return before, after

    def standing(self, slug):
        """The standing of the module `slug` in this level, or None."""
        return next((m for m in self.modules if m.module.slug == slug), None)


def published_modules():
    """Every live module with its current version, in course order: one query."""
    return db.session.scalars(
        select(Module)
        .join(ModuleVersion, Module.current_version_id == ModuleVersion.id)
        .options(contains_eager(Module.current_version))
        .where(Module.retired_at.is_(None))
        .order_by(Module.level_number, Module.position)
    ).all()


def learner_standing(user, lock_levels=True):
    """Every level with the learner's status in each module, and what is unlocked."""
    levels = db.session.scalars(select(Level).order_by(Level.number)).all()
    progress = {p.module_id: p for p in db.session.scalars(
        select(ModuleProgress).where(ModuleProgress.user_id == user.id))}
    passed_exams = dict(db.session.execute(
        select(ExamAttempt.level_number, func.min(ExamAttempt.submitted_at))
        .where(ExamAttempt.user_id == user.id, ExamAttempt.passed.is_(True))
        .group_by(ExamAttempt.level_number)).all())
    by_level = {level.number: LevelStanding(level, exam_passed=level.number in passed_exams,
                                            exam_passed_at=passed_exams.get(level.number))
                for level in levels}
    for module in published_modules():
        if module.level_number in by_level:
            by_level[module.level_number].modules.append(
                ModuleStanding(module, progress.get(module.id)))
    standing = [by_level[level.number] for level in levels]
    open_all = not lock_levels or user.is_staff
    previous_opens = True
    for level in standing:
        level.unlocked = open_all or previous_opens
        previous_opens = previous_opens and level.opens_next_level
    return standing


class ProgressSummary(NamedTuple):
    """The part of a learner's module record that overviews need, read without the ORM.

    A tuple: a team of 500 makes tens of thousands of them per page."""
    module_id: int
    started_at: datetime
    last_visited_at: datetime
    completed_at: datetime | None
    quiz_best_score: int | None

    @property
    def is_complete(self):
        return self.completed_at is not None


def standings_of(user_ids, lock_levels=True):
    """Every level with each learner's status, for many learners at once.

    Four queries however many learners or modules: the cockpit's foundation.
    Returns {user id: [LevelStanding, ...]}; unlocking is worked out as for a learner.
    """
    user_ids = list(user_ids)
    levels = db.session.scalars(select(Level).order_by(Level.number)).all()
    modules = [m for m in published_modules() if any(l.number == m.level_number for l in levels)]
    progress = {user_id: {} for user_id in user_ids}
    passed = {user_id: {} for user_id in user_ids}
    if user_ids:
        # Plain rows, not ORM objects: a team of 500 has tens of thousands of them.
        table = ModuleProgress.__table__
        for user_id, *row in db.session.connection().execute(
                select(table.c.user_id, table.c.module_id, table.c.started_at,
                       table.c.last_visited_at, table.c.completed_at, table.c.quiz_best_score)
                .where(table.c.user_id.in_(user_ids))):
            progress[user_id][row[0]] = ProgressSummary(*row)
        for user_id, level_number, when in db.session.execute(
                select(ExamAttempt.user_id, ExamAttempt.level_number,
                       func.min(ExamAttempt.submitted_at))
                .where(ExamAttempt.user_id.in_(user_ids), ExamAttempt.passed.is_(True))
                .group_by(ExamAttempt.user_id, ExamAttempt.level_number)):
            passed[user_id][level_number] = when
    pools = {level.number: level_question_pool(
        level, [ModuleStanding(m, None) for m in modules if m.level_number == level.number])
        for level in levels}
    # Read once, not once per learner: each level's modules and their ids.
    by_number = [(level, [(m, m.id) for m in modules if m.level_number == level.number])
                 for level in levels]
    standings = {}
    for user_id in user_ids:
        mine, exams = progress[user_id], passed[user_id]
        standing = []
        for level, level_modules in by_number:
            found = [(module, mine.get(module_id)) for module, module_id in level_modules]
            standing.append(LevelStanding(
                level, modules=[ModuleStanding(module, p) for module, p in found],
                exam_passed=level.number in exams, exam_passed_at=exams.get(level.number),
                completed_count=sum(1 for _, p in found
                                    if p is not None and p.completed_at is not None)))
            standing[-1].exam_question_pool = pools[level.number]  # the same for everyone
        previous_opens = True
        for level in standing:
            level.unlocked = not lock_levels or previous_opens
            previous_opens = previous_opens and level.opens_next_level
        standings[user_id] = standing
    return standings


def find_level(standing, number):
    """The standing of level `number`, or None."""
    return next((level for level in standing if level.level.number == number), None)


def resume_point(standing):
    """The unfinished module the learner visited last, to continue from."""
    visited = [m for level in standing if level.unlocked for m in level.modules
               if m.status == IN_PROGRESS]
    return max(visited, key=lambda m: m.progress.last_visited_at, default=None)


def next_module(standing):
    """The first module, in course order, that the learner has not completed."""
    for level in standing:
        if not level.unlocked:
            return None
        for module in level.modules:
            if module.status != COMPLETE:
                return module
    return None


def pending_exam(standing):
    """The first open level whose exam is all that is left, or None."""
    return next((level for level in standing if level.unlocked and level.exam_is_next), None)


def progress_for(user, module, now, known=None):
    """The learner's record in a module, created on first need."""
    progress = known or db.session.scalar(select(ModuleProgress).where(
        ModuleProgress.user_id == user.id, ModuleProgress.module_id == module.id))
    if progress is not None:
        return progress
    progress = ModuleProgress(user_id=user.id, module_id=module.id,
                              started_at=now, last_visited_at=now)
    try:
        # Two tabs opening the same lesson at once must still make one record.
        with db.session.begin_nested():
            db.session.add(progress)
    except IntegrityError:
        progress = db.session.scalar(select(ModuleProgress).where(
            ModuleProgress.user_id == user.id, ModuleProgress.module_id == module.id))
    return progress


def record_visit(user, module, progress=None, now=None):
    """Note that the learner opened the module's lesson, for 'continue'.

    Pass the learner's progress in the module when it is already loaded.
    """
    now = now or utcnow()
    progress = progress_for(user, module, now, progress)
    # To the minute is enough for 'continue': rereading a page writes nothing new.
    if progress.last_visited_at is None or now - progress.last_visited_at >= VISIT_GRAIN:
        progress.last_visited_at = now
    return progress


def completion_missing(progress, version):
    """What the learner still has to do to complete the module (empty when done)."""
    missing = []
    if progress is None or progress.lesson_read_at is None:
        missing.append("lesson")
    if version.quiz_question_count and (progress is None or progress.quiz_passed_at is None):
        missing.append("quiz")
    if version.has_roleplay and (progress is None or progress.roleplay_passed_at is None):
        missing.append("roleplay")
    if version.has_roleplay and (progress is None or progress.reflection_submitted_at is None):
        missing.append("reflection")
    return missing


def refresh_completion(progress, version, now):
    """Complete the module once nothing is missing; completion is never taken back.

    The decision is one UPDATE that reads the row as stored, so reading the
    lesson and passing the quiz in two requests at once still completes it.
    """
    db.session.flush()
    needs = [ModuleProgress.lesson_read_at.is_not(None)]
    if version.quiz_question_count:
        needs.append(ModuleProgress.quiz_passed_at.is_not(None))
    if version.has_roleplay:
        needs += [ModuleProgress.roleplay_passed_at.is_not(None),
                  ModuleProgress.reflection_submitted_at.is_not(None)]
    db.session.execute(
        update(ModuleProgress)
        .where(ModuleProgress.id == progress.id, ModuleProgress.completed_at.is_(None), *needs)
        .values(completed_at=now)
        .execution_options(synchronize_session=False))
    db.session.refresh(progress, ["completed_at"])


def mark_lesson_read(user, module, now=None):
    """Record that the learner has read the lesson, completing the module if that was all."""
    now = now or utcnow()
    progress = progress_for(user, module, now)
    if progress.lesson_read_at is None:
        progress.lesson_read_at = now
    progress.last_visited_at = now
    refresh_completion(progress, module.current_version, now)
    db.session.flush()
    return progress
