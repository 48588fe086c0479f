"""Translations in the editor: how a new one starts, and which are missing or out of date."""
import re

from markdown.extensions.toc import slugify
from sqlalchemy import select

from ..curriculum.files import MODULE_FILES
from ..curriculum.models import Module, ModuleVersion
from ..curriculum.translations import translation_name
from ..extensions import db

SCENE_LINE = re.compile(r"^(##(?=\s|$)\s*)(.*?)\s*#*\s*$")


def translation_start(name, text):
    """The original's text as a translator's starting point."""
    if name != "roleplay.md":
        return text
    lines, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        heading = None if fenced else SCENE_LINE.match(line)
        if heading and heading.group(2) and "{#" not in line:
            line = f"{heading.group(1)}{heading.group(2)} {{#{slugify(heading.group(2), '-')}}}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def translation_states(language="ja"):
    """{module id: {original file: "current" | "outdated" | "missing"}} for one language.

    A translation is out of date when its original changed in a later published version than
    the translation did; only files the module has are listed.
    """
    states, history = {}, {}
    published = dict(db.session.execute(
        select(Module.id, ModuleVersion.number)
        .join(ModuleVersion, ModuleVersion.id == Module.current_version_id)).all())
    for module_id, number, sources in db.session.execute(
            select(ModuleVersion.module_id, ModuleVersion.number, ModuleVersion.sources)
            .order_by(ModuleVersion.module_id, ModuleVersion.number)):
        if number <= published.get(module_id, 0):
            history.setdefault(module_id, []).append(sources or {})
    for module_id, versions in history.items():
        changed, previous = {}, {}
        for number, sources in enumerate(versions):
            for name, text in sources.items():
                if previous.get(name) != text:
                    changed[name] = number
            previous = sources
        latest = versions[-1]
        states[module_id] = {}
        for original in MODULE_FILES:
            if original not in latest:
                continue
            translation = translation_name(original, language)
            if translation not in latest:
                states[module_id][original] = "missing"
            elif changed[original] > changed[translation]:
                states[module_id][original] = "outdated"
            else:
                states[module_id][original] = "current"
    return states
