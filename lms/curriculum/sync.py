"""Bring the database in line with a checked curriculum tree.

The caller owns the transaction: these functions add and flush, the CLI
commits once, so a failure part-way leaves the database as it was.
"""
from dataclasses import dataclass, field

from sqlalchemy import select

from ..clock import utcnow
from .models import Level, Module, ModuleVersion


@dataclass
class ImportReport:
    levels_added: list = field(default_factory=list)
    levels_changed: list = field(default_factory=list)
    modules_added: list = field(default_factory=list)
    modules_changed: list = field(default_factory=list)
    modules_unchanged: list = field(default_factory=list)
    modules_retired: list = field(default_factory=list)
    modules_restored: list = field(default_factory=list)

    @property
    def changed_anything(self):
        return any((self.levels_added, self.levels_changed, self.modules_added,
                    self.modules_changed, self.modules_retired, self.modules_restored))

    def lines(self):
        """Say what the import did, one line per kind of change."""
        said = []
        for label, keys in (("levels added", self.levels_added),
                            ("levels changed", self.levels_changed),
                            ("modules added", self.modules_added),
                            ("modules with a new version", self.modules_changed),
                            ("modules retired (progress kept)", self.modules_retired),
                            ("modules restored", self.modules_restored)):
            if keys:
                said.append(f"{label}: {', '.join(str(k) for k in keys)}")
        if not self.changed_anything:
            said.append("Nothing changed: the database already matches the files.")
        elif self.modules_unchanged:
            said.append(f"modules unchanged: {len(self.modules_unchanged)}")
        return said


def import_curriculum(session, curriculum, now=None):
    """Make the database match `curriculum`; return what changed."""
    now = now or utcnow()
    report = ImportReport()
    levels = {level.number: level for level in session.scalars(select(Level))}
    modules = {(m.level_number, m.slug): m
               for m in session.scalars(select(Module))}
    current = {v.id: v for v in session.scalars(
        select(ModuleVersion).join(Module, Module.current_version_id == ModuleVersion.id))}

    for source in curriculum.levels:
        level = levels.get(source.number)
        if level is None:
            level = Level(number=source.number)
            session.add(level)
            report.levels_added.append(source.number)
        elif level.source_hash != source.source_hash:
            report.levels_changed.append(source.number)
        if level.source_hash != source.source_hash:
            level.title, level.summary = source.title, source.summary
            level.intro_html, level.source_hash = source.intro_html, source.source_hash
            level.exam_settings, level.exam_bank = source.exam, source.exam_bank
            level.exam_bank_count = len(source.exam_bank)
            level.validity_days = source.validity_days
            level.updated_at = now
    session.flush()

    seen = set()
    for level_source in curriculum.levels:
        for source in level_source.modules:
            seen.add((source.level, source.slug))
            module = modules.get((source.level, source.slug))
            if module is None:
                module = Module(level_number=source.level, slug=source.slug)
                session.add(module)
                report.modules_added.append(source.key)
            module.position, module.folder = source.position, source.folder
            if module.retired_at is not None:
                module.retired_at = None
                report.modules_restored.append(source.key)
            version = current.get(module.current_version_id)
            if version is not None and version.source_hash == source.source_hash:
                if source.key not in report.modules_restored:
                    report.modules_unchanged.append(source.key)
                continue
            if version is not None:
                report.modules_changed.append(source.key)
            session.flush()
            module.current_version = _new_version(session, module, source, version, now)

    for key, module in modules.items():
        if key not in seen and module.retired_at is None:
            module.retired_at = now
            report.modules_retired.append(module.key)
    session.flush()
    return report


def _new_version(session, module, source, previous, now):
    lesson = source.lesson
    version = ModuleVersion(
        module_id=module.id, number=(previous.number + 1) if previous else 1,
        source_hash=source.source_hash, created_at=now, title=lesson.title,
        minutes=lesson.minutes, objectives=lesson.objectives, skills=lesson.skills,
        lesson_markdown=lesson.markdown, lesson_html=lesson.html, quiz=source.quiz,
        quiz_question_count=len(source.quiz["questions"]) if source.quiz else 0,
        roleplay=source.roleplay, has_roleplay=source.roleplay is not None)
    session.add(version)
    session.flush()
    return version
