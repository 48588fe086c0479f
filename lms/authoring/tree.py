"""The published curriculum written out as files, so the file pipeline can check it.

Browser edits never get a checker of their own: a draft is written into a
scratch copy of the curriculum and read by the same code `lms check` and
`lms import` use, so what the editor says and what learners get cannot differ.
"""
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, undefer

from ..curriculum.files import load_curriculum
from ..curriculum.models import Level, Module, ModuleAsset, ModuleVersion
from ..extensions import db

TREE_NAME = "curriculum"


class NotExportable(ValueError):
    pass


def folder_name(module):
    return f"{module.position:02d}-{module.slug}"


def write_tree(root, changes=None, light_except=None):
    """Write the published curriculum under `root` (which is created).

    `changes` is {module id: {file name: text, or None to drop the file}}: drafts
    laid over the published files (a module with changes is written even if it
    was never published). With `light_except` set to a module id, every other
    module gets only its lesson.md: enough to check links into it, and quick.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    changes = changes or {}
    levels = db.session.scalars(select(Level).options(
        undefer(Level.source_text), undefer(Level.exam_source),
        undefer(Level.translated_sources)).order_by(Level.number)).all()
    for level in levels:
        if level.source_text is None:
            raise NotExportable(_("level %(number)s was imported before its files were kept; "
                                  "run `lms import` once first", number=level.number))
        folder = root / f"level{level.number}"
        folder.mkdir()
        (folder / "level.md").write_text(level.source_text, encoding="utf-8")
        if level.exam_source:
            (folder / "exam.md").write_text(level.exam_source, encoding="utf-8")
        for name, text in (level.translated_sources or {}).items():  # level.ja.md, exam.ja.md
            (folder / name).write_text(text, encoding="utf-8")
    modules = db.session.scalars(
        select(Module).where(Module.retired_at.is_(None))
        .options(joinedload(Module.current_version).undefer(ModuleVersion.sources))
        .order_by(Module.level_number, Module.position)).all()
    written = []
    for module in modules:
        version = module.current_version
        if version is None and module.id not in changes:
            continue  # created in the browser and not yet published
        if version is not None and version.sources is None:
            raise NotExportable(_("%(module)s was imported before its files were kept; "
                                  "run `lms import` once first", module=module.key))
        files = dict(version.sources) if version else {}
        for name, text in changes.get(module.id, {}).items():
            if text is None:
                files.pop(name, None)
            else:
                files[name] = text
        light = light_except is not None and module.id != light_except
        if light:
            files = {name: lesson_outline(text) for name, text in files.items()
                     if name == "lesson.md"}
        folder = root / f"level{module.level_number}" / folder_name(module)
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        written.append((module, folder, light))
    full = [module.id for module, __, light in written if not light]
    if full:
        for module_id, name, content in db.session.execute(
                select(ModuleAsset.module_id, ModuleAsset.name, ModuleAsset.content)
                .where(ModuleAsset.module_id.in_(full))):
            folder = next(f for m, f, __ in written if m.id == module_id)
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    # A lesson that links to an image in a lightly written module still needs the file there.
    light_ids = [module.id for module, __, light in written if light]
    if light_ids:
        for module_id, name in db.session.execute(
                select(ModuleAsset.module_id, ModuleAsset.name)
                .where(ModuleAsset.module_id.in_(light_ids))):
            folder = next(f for m, f, __ in written if m.id == module_id)
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(b"")
    return root


FENCE = re.compile(r"^ {0,3}(```|~~~)")


def lesson_outline(text):
    """A lesson cut to its front matter and headings: enough for links into it to be checked
    (anchors come from headings), and quick to render. Used for modules not being edited."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---" or "---" not in [l.strip() for l in lines[1:]]:
        return text
    end = 1 + [l.strip() for l in lines[1:]].index("---")
    kept, in_fence = lines[:end + 1], False
    for line in lines[end + 1:]:
        if FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and line.startswith("#"):
            kept += [line, ""]
    return "\n".join(kept) + "\n"


@contextmanager
def scratch_tree(changes=None, light_except=None):
    """A throwaway copy of the curriculum with `changes` applied, read and checked.

    Yields (root, Curriculum, problems).
    """
    with tempfile.TemporaryDirectory(prefix="lms-tree-") as scratch:
        root = write_tree(Path(scratch) / TREE_NAME, changes, light_except)
        curriculum, problems = load_curriculum(root)
        yield root, curriculum, problems
