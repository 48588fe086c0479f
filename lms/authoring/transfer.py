"""The curriculum in and out as files: `lms export`, and zips from the admin area."""
import io
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from flask_babel import gettext as _
from sqlalchemy import select, update

from ..admin.audit import audit
from ..curriculum.files import MODULE_FILES, TRANSLATION_FILES, load_curriculum
from ..curriculum.links import FILE_TYPES, module_folder_parts
from ..curriculum.models import Module
from ..curriculum.sync import browser_conflicts, import_curriculum
from ..extensions import db
from .tree import TREE_NAME, write_tree

ZIP_LIMIT = 30 * 1024 * 1024  # the upload itself
UNZIPPED_LIMIT = 100 * 1024 * 1024  # what it may expand to
ENTRY_LIMIT = 3000


class TransferError(ValueError):
    pass


@dataclass
class ExportPlan:
    writes: list = field(default_factory=list)  # paths relative to the target
    removals: list = field(default_factory=list)
    overwrites: list = field(default_factory=list)  # file edits the database does not have
    unknown: list = field(default_factory=list)  # folders the database does not know: left alone


def export_curriculum(directory, force=False, clears_browser_changes=True):
    """Write the published curriculum into `directory` in the layout `lms import` reads.

    Only what the database knows is written or removed: a module folder it does
    not know (work in progress not yet imported) is left alone. A file whose
    text differs from the database while the database has no browser change for
    it holds edits that were never imported; export refuses to overwrite those
    (ExportConflict) unless `force`. With `clears_browser_changes` (the
    curriculum folder itself), the browser changes now live in the files.
    """
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lms-export-") as scratch:
        tree = write_tree(Path(scratch) / TREE_NAME)
        plan = plan_export(tree, target)
        if plan.overwrites and not force:
            raise ExportConflict(plan.overwrites)
        for relative in plan.removals:
            path = target / relative
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        for relative in plan.writes:
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(tree / relative, target / relative)
    if clears_browser_changes:
        db.session.execute(update(Module).values(browser_change_at=None)
                           .where(Module.current_version_id.is_not(None))
                           .execution_options(synchronize_session=False))
        db.session.expire_all()
    return plan


class ExportConflict(ValueError):
    def __init__(self, paths):
        self.paths = paths
        super().__init__("these files hold edits that were never imported: " + ", ".join(paths))


def plan_export(tree, target):
    """What exporting `tree` over `target` would write, remove and overwrite."""
    plan = ExportPlan()
    modules = {(m.level_number, m.slug): m for m in db.session.scalars(select(Module))}
    changed = {key for key, m in modules.items() if m.browser_change_at is not None}
    wanted = {p.relative_to(tree).as_posix() for p in tree.rglob("*") if p.is_file()}
    for relative in sorted(wanted):
        existing = target / relative
        plan.writes.append(relative)
        if existing.is_file() and existing.read_bytes() != (tree / relative).read_bytes():
            if _module_key(relative) not in changed:
                plan.overwrites.append(relative)
    for level in sorted(target.glob("level[1-5]")):
        if not level.is_dir():
            continue
        number = int(level.name[5:])
        for folder in sorted(p for p in level.iterdir() if p.is_dir()):
            parts = module_folder_parts(folder.name)
            key = (number, parts[1]) if parts else None
            if key not in modules:
                plan.unknown.append(folder.relative_to(target).as_posix())
                continue
            for path in sorted(folder.rglob("*")):
                relative = path.relative_to(target).as_posix()
                if path.is_file() and relative not in wanted and _counts(path):
                    plan.removals.append(relative)
                    if key not in changed:
                        plan.overwrites.append(relative)
            if not any((target / w).is_relative_to(folder) for w in wanted):
                plan.removals.append(folder.relative_to(target).as_posix())
    plan.removals = [r for r in plan.removals
                     if not any(r != o and r.startswith(o + "/") for o in plan.removals)]
    return plan


def _counts(path):
    """A file that is part of a module as the pipeline reads it (not notes or drafts)."""
    return path.name in MODULE_FILES + TRANSLATION_FILES or path.suffix.lower() in FILE_TYPES


def _module_key(relative):
    parts = PurePosixPath(relative).parts
    if len(parts) >= 3 and parts[0].startswith("level") and parts[0][5:].isdigit():
        folder = module_folder_parts(parts[1])
        if folder:
            return (int(parts[0][5:]), folder[1])
    return None


def curriculum_zip():
    """The published curriculum as a zip of files (curriculum/levelN/...)."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="lms-zip-") as scratch:
        tree = write_tree(Path(scratch) / TREE_NAME)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(tree.rglob("*")):
                if path.is_file():
                    archive.write(path, (Path(TREE_NAME) / path.relative_to(tree)).as_posix())
    return buffer.getvalue()


def unpack(data, into):
    """Unpack an uploaded zip safely into `into`; return the curriculum root inside it.

    Refused: not a zip, too big, too many files, expanding too far, absolute
    paths, paths that climb out ('..'), links.
    """
    if len(data) > ZIP_LIMIT:
        raise TransferError(_("The zip is larger than %(megabytes)s MB.",
                              megabytes=ZIP_LIMIT // 1048576))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise TransferError(_("That file is not a zip archive.")) from None
    entries = archive.infolist()
    if len(entries) > ENTRY_LIMIT:
        raise TransferError(_("The zip holds more than %(count)s files.", count=ENTRY_LIMIT))
    if sum(entry.file_size for entry in entries) > UNZIPPED_LIMIT:
        raise TransferError(_("The zip would expand beyond %(megabytes)s MB.",
                              megabytes=UNZIPPED_LIMIT // 1048576))
    into = Path(into)
    for entry in entries:
        name = entry.filename
        parts = PurePosixPath(name).parts
        if name.startswith(("/", "\\")) or "\\" in name or ".." in parts or ":" in name:
            raise TransferError(_("The zip contains an unsafe path: %(name)s", name=name))
        if (entry.external_attr >> 16) & 0o170000 == 0o120000:
            raise TransferError(_("The zip contains a link: %(name)s", name=name))
        if entry.is_dir() or not parts:
            continue
        target = into.joinpath(*parts)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(entry) as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
        except (OSError, zipfile.BadZipFile, RuntimeError) as error:
            raise TransferError(_("The zip could not be unpacked at %(name)s: %(error)s",
                                  name=name, error=error)) from None
    # The levels may sit at the top or inside one folder (curriculum/level1/...).
    if any(p.name.startswith("level") for p in into.iterdir() if p.is_dir()):
        return into
    folders = [p for p in into.iterdir() if p.is_dir() and not p.name.startswith((".", "__"))]
    if len(folders) == 1:
        return folders[0]
    raise TransferError(_("The zip has no level folders (level1 ... level5) at its top or "
                          "inside one folder."))


def check_upload(data):
    """Unpack and check a zip as a whole: (curriculum, problems, conflicts, scratch dir)."""
    scratch = tempfile.mkdtemp(prefix="lms-upload-")
    try:
        root = unpack(data, scratch)
        curriculum, problems = load_curriculum(root)
    except Exception:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    conflicts = []
    if not problems:
        conflicts = browser_conflicts(db.session, curriculum) + [
            (key, _("not in the zip, so it would be retired (hidden from learners)"))
            for key in would_retire(curriculum)]
    return curriculum, problems, conflicts, scratch


def would_retire(curriculum):
    """Published modules the tree lacks: importing it would retire them."""
    present = {(m.level, m.slug) for level in curriculum.levels for m in level.modules}
    return [m.key for m in db.session.scalars(select(Module).where(
        Module.retired_at.is_(None), Module.current_version_id.is_not(None))
        .order_by(Module.level_number, Module.position))
        if (m.level_number, m.slug) not in present and m.browser_change_at is None]


def import_upload(curriculum, author):
    """Import a checked upload; the browser changes it overwrites stay in history."""
    report = import_curriculum(db.session, curriculum, origin="upload", author=author)
    audit(author, "imported a curriculum zip", "curriculum", None, {"changes": report.lines()})
    return report
