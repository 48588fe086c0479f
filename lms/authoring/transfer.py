"""The curriculum in and out as files: `lms export`, and zips from the admin area."""
import io
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from sqlalchemy import update

from ..admin.audit import audit
from ..curriculum.files import load_curriculum
from ..curriculum.models import Module
from ..curriculum.sync import browser_conflicts, import_curriculum
from ..extensions import db
from .tree import TREE_NAME, write_tree

ZIP_LIMIT = 30 * 1024 * 1024  # the upload itself
UNZIPPED_LIMIT = 100 * 1024 * 1024  # what it may expand to
ENTRY_LIMIT = 3000


class TransferError(ValueError):
    pass


def export_curriculum(directory):
    """Write the published curriculum into `directory` in the layout `lms import` reads.

    Level folders in it are replaced; anything else is left alone. Afterwards no
    browser change is outstanding: the files hold them all.
    """
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lms-export-") as scratch:
        tree = write_tree(Path(scratch) / TREE_NAME)
        for old in target.glob("level[0-9]*"):
            if old.is_dir():
                shutil.rmtree(old)
        for level in sorted(tree.iterdir()):
            shutil.copytree(level, target / level.name)
    db.session.execute(update(Module).values(browser_change_at=None)
                       .execution_options(synchronize_session=False))
    db.session.expire_all()
    return target


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
        raise TransferError(f"The zip is larger than {ZIP_LIMIT // 1048576} MB.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise TransferError("That file is not a zip archive.") from None
    entries = archive.infolist()
    if len(entries) > ENTRY_LIMIT:
        raise TransferError(f"The zip holds more than {ENTRY_LIMIT} files.")
    if sum(entry.file_size for entry in entries) > UNZIPPED_LIMIT:
        raise TransferError(f"The zip would expand beyond {UNZIPPED_LIMIT // 1048576} MB.")
    into = Path(into)
    for entry in entries:
        name = entry.filename
        parts = PurePosixPath(name).parts
        if name.startswith(("/", "\\")) or "\\" in name or ".." in parts or ":" in name:
            raise TransferError(f"The zip contains an unsafe path: {name}")
        if (entry.external_attr >> 16) & 0o170000 == 0o120000:
            raise TransferError(f"The zip contains a link: {name}")
        if entry.is_dir() or not parts:
            continue
        target = into.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(entry) as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
    # The levels may sit at the top or inside one folder (curriculum/level1/...).
    if any(p.name.startswith("level") for p in into.iterdir() if p.is_dir()):
        return into
    folders = [p for p in into.iterdir() if p.is_dir() and not p.name.startswith((".", "__"))]
    if len(folders) == 1:
        return folders[0]
    raise TransferError("The zip has no level folders (level1 ... level5) at its top or "
                        "inside one folder.")


def check_upload(data):
    """Unpack and check a zip as a whole: (curriculum, problems, conflicts, scratch dir)."""
    scratch = tempfile.mkdtemp(prefix="lms-upload-")
    try:
        root = unpack(data, scratch)
        curriculum, problems = load_curriculum(root)
    except Exception:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    conflicts = browser_conflicts(db.session, curriculum) if not problems else []
    return curriculum, problems, conflicts, scratch


def import_upload(curriculum, author):
    """Import a checked upload; the browser changes it overwrites stay in history."""
    report = import_curriculum(db.session, curriculum, origin="upload", author=author)
    audit(author, "imported a curriculum zip", "curriculum", None, {"changes": report.lines()})
    return report
