"""Modules as an author sees them in the tree: create one, retire or restore it, move it."""
import re

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..admin.audit import audit
from ..clock import utcnow
from ..curriculum.links import module_folder_parts
from ..curriculum.models import Draft, Level, Module
from ..extensions import db
from .editing import AuthoringError
from .tree import folder_name

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
NEW_LESSON = """---
title: {title}
minutes: 15
objectives:
  - Explain the one idea this module is about
  - Apply it to a customer of your own
  - Spot the mistake people make with it
skills:
  - customer focus
---
## Why it matters

Write the lesson here.
"""


def create_module(level_number, title, slug, author, now=None):
    """A new module at the end of its level, with a lesson draft to start from (unpublished)."""
    now = now or utcnow()
    title = " ".join((title or "").split())
    if not title or len(title) > 200:
        raise AuthoringError(_("Give the module a title (up to 200 characters)."))
    slug = (slug or "").strip().lower() or re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    slug = slug[:60].strip("-")
    if not SLUG.match(slug) or module_folder_parts(f"01-{slug}") is None:
        raise AuthoringError(_("The slug may use lower-case letters, digits and single hyphens, "
                               "like 'renewal-risk'."))
    if db.session.get(Level, level_number) is None:
        raise AuthoringError(_("There is no such level."))
    if db.session.scalar(select(Module.id).where(Module.level_number == level_number,
                                                 Module.slug == slug)):
        raise AuthoringError(_("Level %(level)s already has a module '%(slug)s' (perhaps "
                               "retired); choose another slug.", level=level_number, slug=slug))
    position = (db.session.scalar(select(func.max(Module.position)).where(
        Module.level_number == level_number)) or 0) + 1
    if position > 99:
        raise AuthoringError(_("A level holds at most 99 modules."))
    module = Module(level_number=level_number, slug=slug, position=position,
                    folder=f"{position:02d}-{slug}", browser_change_at=now)
    db.session.add(module)
    db.session.flush()
    safe_title = title.replace('"', "'")
    db.session.add(Draft(module_id=module.id, name="lesson.md", revision=1,
                         text=NEW_LESSON.format(title=f'"{safe_title}"'), base_version_id=None,
                         updated_by_id=author.id, updated_at=now))
    audit(author, "created module", module.key, None, {"title": title, "position": position})
    return module


def retire(module, author, now=None):
    """Hide a module from learners; progress and certificates that name it are kept."""
    if module.retired_at is None:
        module.retired_at = module.browser_change_at = now or utcnow()
        audit(author, "retired module", module.key)


def restore(module, author, now=None):
    if module.retired_at is not None:
        taken = set(db.session.scalars(select(Module.position).where(
            Module.level_number == module.level_number, Module.retired_at.is_(None))))
        if module.position in taken:  # its place was filled while it was away
            module.position = max(taken) + 1
            module.folder = folder_name(module)
        module.retired_at = None
        module.browser_change_at = now or utcnow()
        audit(author, "restored module", module.key)


def move(module, direction, author, now=None):
    """Swap the module with its live neighbour above (-1) or below (+1) in the level."""
    siblings = db.session.scalars(select(Module).where(
        Module.level_number == module.level_number, Module.retired_at.is_(None))
        .order_by(Module.position)).all()
    if module not in siblings:
        return False
    other = siblings.index(module) + direction
    if direction not in (-1, 1) or not 0 <= other < len(siblings):
        return False
    neighbour = siblings[other]
    module.position, neighbour.position = neighbour.position, module.position
    now = now or utcnow()
    for item in (module, neighbour):
        item.folder = folder_name(item)
        item.browser_change_at = now
    audit(author, "moved module", module.key, {"position": neighbour.position},
          {"position": module.position})
    return True
