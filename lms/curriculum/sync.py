"""Bring the database in line with a checked curriculum tree.

The caller owns the transaction: these functions add and flush, the CLI
commits once, so a failure part-way leaves the database as it was.
"""
from dataclasses import dataclass, field

import hashlib

from sqlalchemy import func, select, update

from ..clock import utcnow
from .assets import content_type
from .models import Level, Module, ModuleAsset, ModuleVersion


@dataclass
class ImportReport:
    levels_added: list = field(default_factory=list)
    levels_changed: list = field(default_factory=list)
    modules_added: list = field(default_factory=list)
    modules_changed: list = field(default_factory=list)
    modules_unchanged: list = field(default_factory=list)
    modules_retired: list = field(default_factory=list)
    modules_restored: list = field(default_factory=list)
    files_changed: list = field(default_factory=list)  # images and downloads

    @property
    def changed_anything(self):
        return any((self.levels_added, self.levels_changed, self.modules_added,
                    self.modules_changed, self.modules_retired, self.modules_restored,
                    self.files_changed))

    def lines(self):
        """Say what the import did, one line per kind of change."""
        said = []
        for label, keys in (("levels added", self.levels_added),
                            ("levels changed", self.levels_changed),
                            ("modules added", self.modules_added),
                            ("modules with a new version", self.modules_changed),
                            ("modules retired (progress kept)", self.modules_retired),
                            ("modules restored", self.modules_restored),
                            ("images and downloads changed", self.files_changed)):
            if keys:
                said.append(f"{label}: {', '.join(str(k) for k in keys)}")
        if not self.changed_anything:
            said.append("Nothing changed: the database already matches the files.")
        elif self.modules_unchanged:
            said.append(f"modules unchanged: {len(self.modules_unchanged)}")
        return said


def browser_conflicts(session, curriculum):
    """Modules changed in the browser (and not exported since) that importing would undo.

    Returns [(module key, what the import would do to it)], empty when it is safe.
    """
    found = []
    present = {(m.level, m.slug): m for level in curriculum.levels for m in level.modules}
    changed = session.scalars(select(Module).where(Module.browser_change_at.is_not(None))).all()
    for module in changed:
        source = present.get((module.level_number, module.slug))
        version = module.current_version
        if version is None:
            continue  # never published: importing leaves it alone
        if source is None:
            if module.retired_at is None:
                found.append((module.key, "the files do not have it, so it would be retired"))
        elif module.retired_at is not None:
            found.append((module.key, "retired in the browser; the files would bring it back"))
        elif version is None or version.source_hash != source.source_hash:
            found.append((module.key, "published in the browser; the files hold an older text"))
        elif module.position != source.position:
            found.append((module.key, "moved in the browser; the files have another order"))
        elif _asset_hashes(session, module) != {n: _sha(b) for n, b in source.assets.items()}:
            found.append((module.key, "images changed in the browser; the files differ"))
    return found


def import_curriculum(session, curriculum, now=None, origin="import", author=None):
    """Make the database match `curriculum`; return what changed.

    Afterwards the database equals the files, so no browser change is left
    outstanding (callers check `browser_conflicts` first when that matters).
    """
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
        if level.source_hash != source.source_hash or level.source_text is None:
            level.title, level.summary = source.title, source.summary
            level.intro_html, level.source_hash = source.intro_html, source.source_hash
            level.exam_settings, level.exam_bank = source.exam, source.exam_bank
            level.exam_bank_count = len(source.exam_bank)
            level.validity_days = source.validity_days
            level.source_text, level.exam_source = source.source, source.bank_source or None
            level.translations = source.translations or None
            level.translated_sources = dict(source.translated_files) or None
            level.translated_titles = {
                language: {"title": words["title"], "summary": words["summary"]}
                for language, words in source.translations.items() if "title" in words} or None
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
            session.flush()
            if sync_assets(session, module, source.assets, now, author):
                report.files_changed.append(source.key)
            version = current.get(module.current_version_id)
            if version is not None and version.source_hash == source.source_hash:
                if version.sources is None:  # imported before files were kept
                    version.sources = dict(source.files)
                if source.key not in report.modules_restored:
                    report.modules_unchanged.append(source.key)
                continue
            if version is not None:
                report.modules_changed.append(source.key)
            module.current_version = new_version(session, module, source, version, now,
                                                 origin=origin, author=author)

    for key, module in modules.items():
        # A module created in the browser and not yet published is not in any files yet.
        if key not in seen and module.retired_at is None and module.current_version_id:
            module.retired_at = now
            report.modules_retired.append(module.key)
    session.execute(update(Module).where(Module.browser_change_at.is_not(None))
                    .values(browser_change_at=None).execution_options(synchronize_session=False))
    session.flush()
    for module in modules.values():
        session.refresh(module, ["browser_change_at"])
    return report


def _sha(data):
    return hashlib.sha256(data).hexdigest()


def _asset_hashes(session, module):
    return dict(session.execute(select(ModuleAsset.name, ModuleAsset.sha256).where(
        ModuleAsset.module_id == module.id)).all())


def sync_assets(session, module, assets, now, author=None):
    """Make the module's stored files equal `assets` ({name: bytes}); True if anything changed."""
    stored = {asset.name: asset for asset in session.scalars(
        select(ModuleAsset).where(ModuleAsset.module_id == module.id))}
    changed = False
    for name, data in assets.items():
        digest = _sha(data)
        asset = stored.pop(name, None)
        if asset is not None and asset.sha256 == digest:
            continue
        if asset is None:
            asset = ModuleAsset(module_id=module.id, name=name)
            session.add(asset)
        asset.content, asset.sha256, asset.size = data, digest, len(data)
        asset.content_type, asset.created_at, asset.uploaded_by_id = content_type(name), now, \
            author.id if author else None
        changed = True
    for asset in stored.values():
        session.delete(asset)
        changed = True
    return changed


def new_version(session, module, source, previous, now, origin="import", author=None):
    """A new published version of `module` from a checked ModuleSource."""
    lesson = source.lesson
    version = ModuleVersion(
        module_id=module.id, number=(previous.number + 1) if previous else _next_number(
            session, module),
        source_hash=source.source_hash, created_at=now, title=lesson.title,
        minutes=lesson.minutes, objectives=lesson.objectives, skills=lesson.skills,
        lesson_markdown=lesson.markdown, lesson_html=lesson.html, quiz=source.quiz,
        quiz_question_count=len(source.quiz["questions"]) if source.quiz else 0,
        roleplay=source.roleplay, has_roleplay=source.roleplay is not None,
        sources=dict(source.files), translations=source.translations or None,
        translated_titles={language: {"title": words["lesson"]["title"],
                                      "objectives": words["lesson"]["objectives"]}
                           for language, words in source.translations.items()
                           if "lesson" in words} or None,
        origin=origin,
        author_id=author.id if author else None)
    session.add(version)
    session.flush()
    return version


def _next_number(session, module):
    return (session.scalar(select(func.max(ModuleVersion.number)).where(
        ModuleVersion.module_id == module.id)) or 0) + 1
