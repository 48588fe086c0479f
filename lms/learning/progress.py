"""Where a learner stands: module status, level progress, unlocking, what's next.

The overview is built from four queries (levels, modules with their current
version, the learner's progress, their passed exams) however many modules or
learners there are.
"""
from dataclasses import dataclass, field
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from ..clock import utcnow
from ..curriculum.models import Level, Module, ModuleVersion
from ..exam.models import ExamAttempt
from ..extensions import db
from .models import ModuleProgress

NOT_STARTED, IN_PROGRESS, COMPLETE = "not started", "in progress", "complete"


@dataclass
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


@dataclass
class LevelStanding:
    level: Level
    modules: list = field(default_factory=list)
    unlocked: bool = True
    exam_passed: bool = False

    @property
    def exam_question_pool(self):
        """How many questions the level exam can draw from."""
        return self.level.exam_bank_count + sum(m.version.quiz_question_count for m in self.modules)

    @property
    def has_exam(self):
        return self.exam_question_pool > 0

    @property
    def modules_complete(self):
        return bool(self.modules) and self.completed == len(self.modules)

    @property
    def completed(self):
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
    passed_exams = set(db.session.scalars(
        select(ExamAttempt.level_number).where(ExamAttempt.user_id == user.id,
                                               ExamAttempt.passed.is_(True))))
    by_level = {level.number: LevelStanding(level, exam_passed=level.number in passed_exams)
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
