"""The published curriculum in the database: levels, modules and their versions."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class Level(db.Model):
    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500))
    intro_html: Mapped[str] = mapped_column(Text, deferred=True)
    source_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]
    # The level exam: settings from level.md, extra questions from exam.md.
    exam_settings: Mapped[dict | None] = mapped_column(JSON)
    exam_bank: Mapped[list | None] = mapped_column(JSON, deferred=True)
    exam_bank_count: Mapped[int] = mapped_column(default=0, server_default="0")
    validity_days: Mapped[int] = mapped_column(default=730, server_default="730")
    # The files as written, so `lms export` can write them back.
    source_text: Mapped[str | None] = mapped_column(Text, deferred=True)
    exam_source: Mapped[str | None] = mapped_column(Text, deferred=True)
    # language -> {title, summary, intro_html, exam: {question key: words}}
    translations: Mapped[dict | None] = mapped_column(JSON, deferred=True)
    translated_sources: Mapped[dict | None] = mapped_column(JSON, deferred=True)  # level.ja.md ...
    # language -> {title, summary}: small, so lists of levels read it with no extra query
    translated_titles: Mapped[dict | None] = mapped_column(JSON)


class Module(db.Model):
    """A module, identified by level and slug; its content lives in versions."""
    __table_args__ = (UniqueConstraint("level_number", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    level_number: Mapped[int] = mapped_column(ForeignKey("level.number"))
    slug: Mapped[str] = mapped_column(String(80))
    position: Mapped[int]
    folder: Mapped[str] = mapped_column(String(90))
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("module_version.id", use_alter=True))
    # Set when the module's folder disappears; progress on it is kept.
    retired_at: Mapped[datetime | None]
    # Set by any change made in the browser, cleared by `lms export`: until the files
    # have it, `lms import` would undo it, so it refuses without --force.
    browser_change_at: Mapped[datetime | None]

    current_version: Mapped["ModuleVersion | None"] = relationship(
        foreign_keys=[current_version_id], post_update=True)

    @property
    def key(self):
        return f"level{self.level_number}/{self.slug}"


class ModuleVersion(db.Model):
    """One imported state of a module's files, kept so nothing earned is orphaned."""
    __table_args__ = (UniqueConstraint("module_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    number: Mapped[int]
    source_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int]
    objectives: Mapped[list] = mapped_column(JSON)
    skills: Mapped[list] = mapped_column(JSON)
    # Large columns load only where a page shows them, not on list pages.
    lesson_markdown: Mapped[str] = mapped_column(Text, deferred=True)
    lesson_html: Mapped[str] = mapped_column(Text, deferred=True)
    quiz: Mapped[dict | None] = mapped_column(JSON, deferred=True)
    quiz_question_count: Mapped[int] = mapped_column(default=0, server_default="0")
    roleplay: Mapped[dict | None] = mapped_column(JSON, deferred=True)
    has_roleplay: Mapped[bool] = mapped_column(default=False, server_default="0")
    # The module's files as published: {"lesson.md": text, "quiz.md": text, ...}.
    sources: Mapped[dict | None] = mapped_column(JSON, deferred=True)
    # language -> {"lesson": {...}, "quiz": [...], "roleplay": {...}}: words for display only
    translations: Mapped[dict | None] = mapped_column(JSON, deferred=True)
    # language -> {title, objectives}: small, so lists of modules read it with no extra query
    translated_titles: Mapped[dict | None] = mapped_column(JSON)
    origin: Mapped[str] = mapped_column(String(16), default="import", server_default="import")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    module: Mapped[Module] = relationship(foreign_keys=[module_id])


class ModuleAsset(db.Model):
    """An image or download that lives in a module's folder, served from the database."""
    __table_args__ = (UniqueConstraint("module_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))  # a path inside the module folder
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class Draft(db.Model):
    """An unpublished edit of one of a module's files, shared by the admins editing it.

    `revision` goes up with every save, so a save made from an older copy is
    caught instead of overwriting someone else's; `base_version_id` is the
    published version it started from.
    """
    __table_args__ = (UniqueConstraint("module_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    name: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("module_version.id"))
    revision: Mapped[int] = mapped_column(default=1)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime]
