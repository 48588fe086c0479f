"""Drafts, preview, publishing and history of a module's files.

A draft is shared by every admin editing that file; each save carries the
revision it was made from, and a save from an older revision is refused with
the difference shown, so nobody's text is silently overwritten. Publishing
checks the whole curriculum with the drafts laid over it, through the same
pipeline as `lms import`, and either makes one new version or changes nothing.
"""
import difflib
from dataclasses import dataclass, field

from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer

from ..admin.audit import audit
from ..clock import utcnow
from ..curriculum.files import MODULE_FILES, TRANSLATION_FILES
from ..curriculum.translations import original_name, quiz_with_words, script_with_words
from ..curriculum.models import Module, ModuleVersion, Draft
from ..curriculum.sync import new_version
from ..extensions import db
from .translating import translation_start
from .tree import folder_name, scratch_tree

FILES = MODULE_FILES + TRANSLATION_FILES  # lesson.md ... and lesson.ja.md ...
TEXT_LIMIT = 200_000  # characters in one file



class AuthoringError(ValueError):
    pass


@dataclass
class SaveConflict:
    """Someone saved this file since the editor's copy was loaded."""
    theirs: str
    revision: int
    by: str | None
    at: object


@dataclass
class Check:
    """What the pipeline says about a module with a file's text in it."""
    problems: list = field(default_factory=list)  # [(line or None, message)] in this file
    elsewhere: list = field(default_factory=list)  # problems the change causes in other files
    html: str = ""  # the lesson as learners would see it
    quiz: dict | None = None
    roleplay: dict | None = None

    @property
    def ok(self):
        return not self.problems and not self.elsewhere


def module_files(module):
    """The module's published files: {name: text}."""
    version = module.current_version
    if version is None:
        return {}
    return dict(db.session.scalar(select(ModuleVersion.sources).where(
        ModuleVersion.id == version.id)) or {})


def drafts_of(module_id):
    return {d.name: d for d in db.session.scalars(select(Draft).where(Draft.module_id == module_id))}


def working_text(module, name):
    """What the editor opens: the draft if there is one, else the published file.

    A translation not started yet opens as a copy of its original, with each role-play scene
    heading already carrying the id the translation must keep.
    """
    draft = drafts_of(module.id).get(name)
    if draft is not None:
        return draft.text, draft.revision
    files = module_files(module)
    original, language = original_name(name)
    if language and name not in files and original in files:
        return translation_start(original, files[original]), 0
    return files.get(name, ""), 0


def check_name(name):
    if name not in FILES:
        raise AuthoringError(_("A module has lesson.md, quiz.md and roleplay.md, and their "
                               "translations such as lesson.ja.md; nothing else is edited here."))


def clean_text(text):
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > TEXT_LIMIT:
        raise AuthoringError(_("The file is longer than %(limit)s characters.",
                               limit=f"{TEXT_LIMIT:,}"))
    return text


def save_draft(module, name, text, revision, author, now=None, base_version_id=...):
    """Save the editor's text as the draft; a SaveConflict if someone saved in between.

    `revision` is the draft revision the editor loaded (0: there was no draft);
    `base_version_id` the published version the editor showed, so a first save
    made after someone else published is recognised as stale at publishing.
    """
    check_name(name)
    text = clean_text(text)
    now = now or utcnow()
    if base_version_id is ...:
        base_version_id = module.current_version_id
    if revision == 0:
        draft = Draft(module_id=module.id, name=name, text=text, revision=1,
                      base_version_id=base_version_id, updated_by_id=author.id,
                      updated_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(draft)
        except IntegrityError:
            return conflict_for(module.id, name)
        return draft
    saved = db.session.execute(
        update(Draft).where(Draft.module_id == module.id, Draft.name == name,
                            Draft.revision == revision)
        .values(text=text, revision=revision + 1, updated_by_id=author.id, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if not saved:
        return conflict_for(module.id, name)
    draft = drafts_of(module.id)[name]
    db.session.refresh(draft)
    return draft


def conflict_for(module_id, name):
    from ..accounts.models import User
    draft = db.session.scalar(select(Draft).where(Draft.module_id == module_id, Draft.name == name))
    if draft is None:  # the draft was published or discarded meanwhile
        module = db.session.get(Module, module_id)
        return SaveConflict(module_files(module).get(name, ""), 0, None, None)
    db.session.refresh(draft)
    by = db.session.get(User, draft.updated_by_id) if draft.updated_by_id else None
    return SaveConflict(draft.text, draft.revision, by.name if by else None, draft.updated_at)


def discard_draft(module, name, author, revision):
    """Throw the draft away, but only the one the author saw (not a newer save)."""
    gone = db.session.execute(delete(Draft).where(
        Draft.module_id == module.id, Draft.name == name, Draft.revision == revision)
        .execution_options(synchronize_session=False)).rowcount
    if not gone and drafts_of(module.id).get(name) is not None:
        raise AuthoringError(_("Someone saved this draft after you opened it; look at their "
                               "version before discarding it."))
    if gone:
        audit(author, "discarded a draft", f"{module.key}/{name}")


def check_text(module, name, text):
    """Check one file's text in place, with the module's other drafts, as publishing would.

    Quick: the other modules are written with their lessons only (enough for links).
    """
    check_name(name)
    changes = {n: d.text for n, d in drafts_of(module.id).items()}
    changes[name] = clean_text(text) or None
    with scratch_tree({module.id: changes}, light_except=module.id) as (root, curriculum, problems):
        return _check_result(module, name, curriculum, problems, root.name)


def _check_result(module, name, curriculum, problems, root_name):
    prefix = f"{root_name}/level{module.level_number}/{folder_name(module)}/"
    check = Check()
    for problem in problems:
        if problem.path == prefix + name:
            check.problems.append((problem.line, problem.message))
        elif problem.path.startswith(prefix) or problem.path == prefix.rstrip("/"):
            file = problem.path[len(prefix):] or _("the module folder")
            check.problems.append((None, f"{file}: {problem.message}"))
    source = curriculum.module(module.level_number, module.slug)
    if source is not None:
        check.html = source.lesson.html if source.lesson else ""
        check.quiz, check.roleplay = source.quiz, source.roleplay
        language = original_name(name)[1]
        if language:  # a translation previews in its own words over the original's structure
            words = source.translations.get(language, {})
            if "lesson" in words:
                check.html = words["lesson"]["html"]
            check.quiz = quiz_with_words(source.quiz, words.get("quiz"))
            check.roleplay = script_with_words(source.roleplay, words.get("roleplay"))
    return check


def publish(module, author, name, now=None):
    """Publish the draft of one file as a new version, or raise AuthoringError saying why.

    Other files' drafts stay drafts. The whole curriculum is checked with the
    draft in place (a renamed heading can break another module's link), and a
    draft made from an older version than the one now published is refused, so
    nobody's publish is undone.
    """
    now = now or utcnow()
    check_name(name)
    draft = drafts_of(module.id).get(name)
    if draft is None:
        raise AuthoringError(_("There is nothing to publish: %(name)s has no draft.", name=name))
    draft_id, revision = draft.id, draft.revision  # as read now, whatever changes meanwhile
    if draft.base_version_id != module.current_version_id:
        raise AuthoringError(_(
            "This draft of %(name)s was started from version %(started)s, but version "
            "%(published)s has been published since. Compare the two below, bring across what "
            "you need, confirm the draft is up to date, then publish.",
            name=name, started=_number(draft.base_version_id),
            published=_number(module.current_version_id)))
    changes = {name: draft.text or None}
    with scratch_tree({module.id: changes}) as (root, curriculum, problems):
        check = _check_result(module, "", curriculum, problems, root.name)
        others = [str(p) for p in problems
                  if not p.path.startswith(f"{root.name}/level{module.level_number}/"
                                           f"{folder_name(module)}")]
        if check.problems or others:
            raise AuthoringError(_("Not published: the checks found problems.") + " "
                                 + " ".join([m for __, m in check.problems] + others[:10]))
        source = curriculum.module(module.level_number, module.slug)
        previous = module.current_version
        if previous is not None and previous.source_hash == source.source_hash:
            raise AuthoringError(_("The draft of %(name)s is the same as the published file: "
                                   "nothing to publish. Discard the draft if you do not need "
                                   "it.", name=name))
        try:
            with db.session.begin_nested():
                version = new_version(db.session, module, source, previous, now,
                                      origin="browser", author=author)
        except IntegrityError:
            raise AuthoringError(_("Someone published this module at the same moment. Reload "
                                   "the page to see their version.")) from None
    removed = db.session.execute(delete(Draft).where(
        Draft.id == draft_id, Draft.revision == revision)
        .execution_options(synchronize_session=False)).rowcount
    if not removed:  # saved again while this publish was running: keep that text, publish nothing
        raise AuthoringError(_("Someone saved this draft while it was being published; nothing "
                               "was published. Look at their text and publish again."))
    module.current_version = version
    module.browser_change_at = now
    audit(author, "published", f"{module.key}/{name}",
          {"version": previous.number if previous else None}, {"version": version.number})
    db.session.flush()
    return version


def _number(version_id):
    return db.session.scalar(select(ModuleVersion.number).where(ModuleVersion.id == version_id)) \
        if version_id else _("none")


def rebase_draft(module, name, author, now=None):
    """Keep a stale draft's text but mark it as made from the version now published."""
    draft = drafts_of(module.id).get(name)
    if draft is not None:
        draft.base_version_id = module.current_version_id
        draft.revision += 1
        draft.updated_by_id, draft.updated_at = author.id, now or utcnow()


def file_history(module, name):
    """[(version, text)] for every published version whose `name` differed from the one before."""
    versions = db.session.scalars(select(ModuleVersion).where(
        ModuleVersion.module_id == module.id).options(undefer(ModuleVersion.sources))
        .order_by(ModuleVersion.number)).all()
    history, previous = [], object()
    for version in versions:
        text = (version.sources or {}).get(name)
        if version.sources is not None and text != previous:
            history.append((version, text))
        previous = text
    return list(reversed(history))


def version_text(module, number, name):
    version = db.session.scalar(select(ModuleVersion).where(
        ModuleVersion.module_id == module.id, ModuleVersion.number == number)
        .options(undefer(ModuleVersion.sources)))
    if version is None or version.sources is None:
        return None, None
    return version, version.sources.get(name)


def restore_as_draft(module, name, number, author, now=None):
    """Make an earlier published version of a file the draft (publishing it is a new version)."""
    version, text = version_text(module, number, name)
    if version is None:
        raise AuthoringError(_("There is no such version of this module."))
    now = now or utcnow()
    draft = drafts_of(module.id).get(name)
    if draft is not None:
        raise AuthoringError(_("%(name)s already has a draft; publish or discard it before "
                               "restoring an earlier version, so nobody's work is replaced.",
                               name=name))
    draft = Draft(module_id=module.id, name=name, revision=0)
    db.session.add(draft)
    draft.text = text or ""
    draft.revision += 1
    draft.base_version_id = module.current_version_id
    draft.updated_by_id, draft.updated_at = author.id, now
    audit(author, "restored as draft", f"{module.key}/{name}", None, {"from version": number})
    return draft


def side_by_side(old, new, old_label, new_label):
    """A side-by-side HTML table of two texts (escaped), changes only with some context."""
    return difflib.HtmlDiff().make_table(
        (old or "").splitlines(), (new or "").splitlines(), str(escape(old_label)),
        str(escape(new_label)),
        context=True, numlines=3)
