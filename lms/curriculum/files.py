"""Read a curriculum tree into plain data, finding every problem at once.

    curriculum/levelN/level.md
    curriculum/levelN/NN-slug/lesson.md   (quiz.md and roleplay.md beside it)

A module's identity is its level and slug; the NN prefix only orders it, so
modules can be renumbered without losing anyone's progress.
"""
import hashlib
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from .fields import LESSON_FIELDS, Field, check_fields, text, validity_days
from .frontmatter import read_front_matter
from .assets import content_problem, name_problem
from .links import (FILE_TYPES, IMAGE_TYPES, LEVEL_FOLDER, find_links, is_external,
                    module_folder_parts, resolve)
from .problems import CurriculumProblems, Problem, in_order
from .quizfile import default_exam_settings, check_exam_settings, read_questions, read_quiz
from .render import render_markdown
from .roleplayfile import read_roleplay
from .translations import (LANGUAGES, lesson_overlay, lesson_problems, read_exam_translation,
                           read_quiz_translation, read_roleplay_translation, translation_name)

LEVELS = range(1, 6)
# Part of every content hash: bump it when the pipeline's output changes, so
# the next import re-renders everything into new versions.
PIPELINE_VERSION = "6"
# Files beside lesson.md that a later part of the pipeline owns.
MODULE_FILES = ("lesson.md", "quiz.md", "roleplay.md")
# Their translations, beside them: lesson.ja.md and so on.
TRANSLATION_FILES = tuple(translation_name(name, language) for language in LANGUAGES
                          for name in MODULE_FILES)
LEVEL_FIELDS = {
    "title": Field(text),
    "summary": Field(text),
    "exam": Field(check_exam_settings, required=False, default=None),
    "validity": Field(validity_days, required=False, default=730),
}


@dataclass
class Lesson:
    title: str
    minutes: int
    objectives: list
    skills: list
    markdown: str
    html: str
    anchors: set = field(default_factory=set, repr=False)


@dataclass
class ModuleSource:
    level: int
    position: int
    slug: str
    folder: str
    lesson: Lesson | None
    quiz: dict | None = None  # {"settings": {...}, "questions": [...]}
    roleplay: dict | None = None  # the script: persona, rubric, scenes, best path
    files: dict = field(default_factory=dict, repr=False)  # file name -> text
    assets: dict = field(default_factory=dict, repr=False)  # path in the folder -> bytes
    # language -> {"lesson": {...}, "quiz": [...], "roleplay": {...}}: words for display only
    translations: dict = field(default_factory=dict, repr=False)

    @property
    def key(self):
        """The module's identity: level and slug, never a database id."""
        return f"level{self.level}/{self.slug}"

    @property
    def source_hash(self):
        """A fingerprint of every file that makes up the module."""
        digest = hashlib.sha256(PIPELINE_VERSION.encode() + b"\0")
        for name in sorted(self.files):
            digest.update(name.encode() + b"\0" + self.files[name].encode() + b"\0")
        return digest.hexdigest()


@dataclass
class LevelSource:
    number: int
    title: str
    summary: str
    intro_markdown: str
    intro_html: str
    source: str = field(repr=False, default="")
    modules: list = field(default_factory=list)
    exam: dict = field(default_factory=default_exam_settings)
    validity_days: int = 730  # how long its certificate stays valid; 0: for ever
    exam_bank: list = field(default_factory=list)  # questions from exam.md
    bank_source: str = field(repr=False, default="")
    # language -> {"title", "summary", "intro_html", "exam": {question key: words}}
    translations: dict = field(default_factory=dict, repr=False)
    translated_files: dict = field(default_factory=dict, repr=False)  # level.ja.md -> text

    @property
    def source_hash(self):
        text = "\0".join((PIPELINE_VERSION, self.source, self.bank_source,
                          *(f"{name}\0{self.translated_files[name]}"
                            for name in sorted(self.translated_files))))
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Curriculum:
    root: Path
    levels: list

    def module(self, level, slug):
        """Find a module by its identity, or None."""
        for candidate in self.level(level).modules if self.level(level) else []:
            if candidate.slug == slug:
                return candidate
        return None

    def level(self, number):
        """Find a level by its number, or None."""
        return next((level for level in self.levels if level.number == number), None)


class _Reader:
    """Walks one tree, collecting problems instead of stopping at the first."""

    def __init__(self, root):
        self.root = Path(root)
        self.problems = []
        self.pending_anchors = []  # (path, line, destination) to check at the end

    def display(self, path):
        return (Path(self.root.name) / Path(path).relative_to(self.root)).as_posix()

    def problem(self, path, line, message):
        self.problems.append(Problem(self.display(path), line, message))

    def read_text(self, path):
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.problem(path, None, "is not UTF-8 text")
            return None

    def read(self):
        """Read the whole tree into a Curriculum."""
        if not self.root.is_dir():
            self.problems.append(Problem(str(self.root), None, "no curriculum folder here"))
            return Curriculum(self.root, [])
        levels = []
        for entry in sorted(self.root.iterdir()):
            if entry.name.startswith(".") or not entry.is_dir():
                continue
            match = LEVEL_FOLDER.match(entry.name)
            if not match or int(match.group(1)) not in LEVELS:
                self.problem(entry, None, "is not a level folder; levels are level1 to level5")
                continue
            level = self.read_level(entry, int(match.group(1)))
            if level:
                levels.append(level)
        self.check_anchors(levels)
        return Curriculum(self.root, sorted(levels, key=lambda level: level.number))

    def read_level(self, folder, number):
        """Read a level folder: level.md, exam.md and its modules."""
        path = folder / "level.md"
        if not path.is_file():
            self.problem(folder, None, "has no level.md (its title, summary and introduction)")
            return None
        source = self.read_text(path)
        if source is None:
            return None
        front, problems = read_front_matter(source, self.display(path))
        values, field_problems = check_fields(front, LEVEL_FIELDS, self.display(path))
        self.problems += problems + field_problems
        html = self.render(path, folder, front)
        level = LevelSource(number, values.get("title", ""), values.get("summary", ""),
                            front.body, html, source)
        level.exam = values.get("exam") or default_exam_settings()
        level.validity_days = values.get("validity", 730)
        bank = folder / "exam.md"
        if bank.is_file():
            level.bank_source = self.read_text(bank) or ""
            _, level.exam_bank, problems = read_questions(level.bank_source, self.display(bank))
            self.problems += problems
        self.read_level_translations(folder, level)
        positions, slugs = {}, {}
        for entry in sorted(folder.iterdir()):
            if entry.name.startswith(".") or not entry.is_dir():
                continue
            parts = module_folder_parts(entry.name)
            if parts is None:
                self.problem(entry, None, "is not a module folder; name it NN-slug, "
                             "like 05-discovery (lower case, digits and hyphens)")
                continue
            position, slug = parts
            if position in positions:
                self.problem(entry, None, f"has the same number as {positions[position]}")
            if slug in slugs:
                self.problem(entry, None, f"has the same slug as {slugs[slug]}; "
                             "a slug is the module's identity and must be unique in its level")
            positions.setdefault(position, entry.name)
            slugs.setdefault(slug, entry.name)
            module = self.read_module(entry, number, position, slug)
            if module:
                level.modules.append(module)
        return level

    def read_module(self, folder, level, position, slug):
        """Read a module folder: its lesson and quiz."""
        path = folder / "lesson.md"
        if not path.is_file():
            self.problem(folder, None, "has no lesson.md")
            return None
        files = {}
        for name in MODULE_FILES:
            if (folder / name).is_file():
                text = self.read_text(folder / name)
                if text is not None:
                    files[name] = text
        if "lesson.md" not in files:
            return None
        display = self.display(path)
        front, problems = read_front_matter(files["lesson.md"], display)
        values, field_problems = check_fields(front, LESSON_FIELDS, display)
        self.problems += problems + field_problems
        if not front.body.strip():
            self.problem(path, front.body_line, "the lesson has no body after its front matter")
        html, anchors = self.render(path, folder, front, with_anchors=True)
        lesson = Lesson(values.get("title", ""), values.get("minutes", 0),
                        values.get("objectives", []), values.get("skills", []),
                        front.body, html, anchors)
        quiz = None
        if "quiz.md" in files:
            quiz, problems = read_quiz(files["quiz.md"], self.display(folder / "quiz.md"))
            self.problems += problems
        roleplay = None
        if "roleplay.md" in files:
            roleplay, problems = read_roleplay(files["roleplay.md"],
                                               self.display(folder / "roleplay.md"))
            self.problems += problems
        module = ModuleSource(level, position, slug, folder.name, lesson, quiz, roleplay, files,
                              self.read_assets(folder))
        self.read_module_translations(folder, module)
        return module

    def read_translated(self, folder, name, language, original_present):
        """The text of `name`'s translation into `language`, or None."""
        path = folder / translation_name(name, language)
        if not path.is_file():
            return None, path
        if not original_present:
            self.problem(path, None, f"is a translation of {name}, which is not here")
            return None, path
        return self.read_text(path), path

    def read_module_translations(self, folder, module):
        """Read lesson.ja.md and its siblings, each checked against its original."""
        for language in LANGUAGES:
            words = {}
            for name in ("lesson.md", "quiz.md", "roleplay.md"):
                text, path = self.read_translated(folder, name, language, name in module.files)
                if text is None:
                    continue
                module.files[path.name] = text
                display = self.display(path)
                if name == "lesson.md":
                    front, problems = read_front_matter(text, display)
                    values, field_problems = check_fields(front, LESSON_FIELDS, display)
                    problems += field_problems
                    if not problems:
                        problems = lesson_problems(module.lesson, front, display)
                    html = self.render(path, folder, front)
                    if not problems:
                        words["lesson"] = lesson_overlay(values["title"], values["objectives"],
                                                         html)
                elif name == "quiz.md" and module.quiz:
                    words["quiz"], problems = read_quiz_translation(module.quiz, text, display)
                elif name == "roleplay.md" and module.roleplay:
                    words["roleplay"], problems = read_roleplay_translation(module.roleplay,
                                                                            text, display)
                else:
                    problems = []  # the original has problems of its own, reported already
                self.problems += problems
            if words:
                module.translations[language] = words

    def read_level_translations(self, folder, level):
        """Read level.ja.md and exam.ja.md beside the originals."""
        for language in LANGUAGES:
            words = {}
            text, path = self.read_translated(folder, "level.md", language, True)
            if text is not None:
                level.translated_files[path.name] = text
                display = self.display(path)
                front, problems = read_front_matter(text, display)
                values, field_problems = check_fields(front, LEVEL_FIELDS, display)
                problems += field_problems
                if not problems and (values.get("exam") or default_exam_settings()) != level.exam:
                    problems.append(Problem(display, 1, "the exam settings must be copied from "
                                            "the original"))
                html = self.render(path, folder, front)
                self.problems += problems
                if not problems:
                    words.update(title=values["title"], summary=values["summary"],
                                 intro_html=html)
            text, path = self.read_translated(folder, "exam.md", language,
                                              bool(level.bank_source))
            if text is not None:
                level.translated_files[path.name] = text
                words["exam"], problems = read_exam_translation(level.exam_bank, text,
                                                                self.display(path))
                self.problems += problems
            if words:
                level.translations[language] = {key: value for key, value in words.items()
                                                if value is not None}

    def read_assets(self, folder):
        """The images and downloads in a module's folder, each checked."""
        assets = {}
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder).as_posix()
            if path.is_symlink() or not path.is_file() or relative in MODULE_FILES + \
                    TRANSLATION_FILES or any(
                    part.startswith(".") for part in path.relative_to(folder).parts):
                continue
            if path.suffix.lower() not in FILE_TYPES:
                continue  # notes, drafts and the like are not published
            problem = name_problem(relative) or content_problem(relative, path.read_bytes())
            if problem:
                self.problem(path, None, problem)
            else:
                assets[relative] = path.read_bytes()
        return assets

    def render(self, path, folder, front, with_anchors=False):
        """Check the body's links and images, then render it."""
        display = self.display(path)
        for link in find_links(front.body, front.body_line):
            self.check_link(path, display, folder, link)
        html, anchors = render_markdown(front.body, partial(self.link_url, folder))
        return (html, anchors) if with_anchors else html

    def link_url(self, folder, target):
        """The site URL a relative link in `folder` leads to, or None."""
        destination = resolve(self.root, folder, target)
        return destination.url if destination else None

    def check_link(self, path, display, folder, link):
        """Report a link or image that leads nowhere or breaks the rules."""
        what = "image" if link.is_image else "link"
        if link.is_image and not link.text.strip():
            self.problems.append(Problem(display, link.line,
                                         f"the image {link.target} needs alt text: ![what it shows]({link.target})"))
        if is_external(link.target):
            if link.is_image:
                self.problems.append(Problem(display, link.line,
                                             f"the image {link.target} must be a file in the module folder, not a web address"))
            return
        destination = resolve(self.root, folder, link.target)
        if destination is None:
            self.problems.append(Problem(display, link.line, f"broken {what}: {link.target} leads nowhere"))
        elif link.is_image and (destination.kind != "file"
                                or Path(destination.file).suffix.lower() not in IMAGE_TYPES):
            self.problems.append(Problem(display, link.line,
                                         f"the image {link.target} is not a .png, .jpg, .gif, .webp or .svg file"))
        elif destination.anchor and destination.kind in ("anchor", "module"):
            self.pending_anchors.append((display, link.line, path, destination))

    def check_anchors(self, levels):
        """Check `#anchor` links once every lesson's headings are known."""
        anchors = {(m.level, m.slug): m.lesson.anchors for lv in levels for m in lv.modules}
        for display, line, path, destination in self.pending_anchors:
            if destination.kind == "anchor":
                parts = module_folder_parts(path.parent.name)
                key = (int(LEVEL_FOLDER.match(path.parent.parent.name).group(1)), parts[1]) \
                    if parts and path.name == "lesson.md" else None
            else:
                key = (destination.level, destination.slug)
            known = anchors.get(key)
            if known is not None and destination.anchor not in known:
                self.problems.append(Problem(display, line,
                                             f"broken link: no heading has the anchor #{destination.anchor}"))


def load_curriculum(root):
    """Read and check a curriculum tree; return (Curriculum, problems)."""
    reader = _Reader(root)
    curriculum = reader.read()
    return curriculum, in_order(reader.problems)


def read_curriculum(root):
    """Read a curriculum tree, raising CurriculumProblems if anything is wrong."""
    curriculum, problems = load_curriculum(root)
    if problems:
        raise CurriculumProblems(problems)
    return curriculum
