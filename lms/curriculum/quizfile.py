"""Read quiz.md (and a level's exam.md): questions in plain Markdown.

    ---
    pass_mark: 80          # optional settings
    ---
    ## Dana says the depots barely log in. What do you do first?

    An optional scenario paragraph.

    - [ ] A wrong option
    - [x] The right option
    > The explanation, shown after the attempt is submitted.
"""
import hashlib
import re
from dataclasses import dataclass, field

from .fields import (Field, FieldError, attempts_allowed, check_fields, duration_minutes,
                     on_off, whole_number)
from .frontmatter import FrontMatter, read_front_matter
from .problems import Problem
from .questions import kind_for
from .render import render_inline, render_markdown

QUESTION = re.compile(r"^##(?=\s|$)\s*(.*?)\s*#*\s*$")  # "## Question", not "### Note"
OPTION = re.compile(r"^\s*[-*+]\s+\[([ xX])\]\s*(.*?)\s*$")
EXPLANATION = re.compile(r"^\s*>\s?(.*)$")
RUN_ON_OPTION = re.compile(r"\S\s+[-*+]\s+\[[ xX]\]\s")
FENCE = re.compile(r"^ {0,3}(```|~~~)")


QUIZ_FIELDS = {
    "pass_mark": Field(whole_number(1, 100), required=False, default=80),
    "shuffle": Field(on_off, required=False, default=True),
    "attempts": Field(attempts_allowed, required=False, default=None),
    "cooldown": Field(duration_minutes, required=False, default=0),
}


EXAM_SETTINGS = {
    "questions": (whole_number(1, 200), 30),
    "minutes": (whole_number(1, 600), 45),
    "pass_mark": (whole_number(1, 100), 80),
    "attempts": (attempts_allowed, 3),
    "cooldown": (duration_minutes, 24 * 60),
}


def check_exam_settings(value):
    """The `exam:` block of level.md: any of its settings, the rest defaulted."""
    if not isinstance(value, dict):
        raise FieldError("must be indented 'setting: value' lines under 'exam:'")
    unknown = [key for key in value if key not in EXAM_SETTINGS]
    if unknown:
        raise FieldError(f"has an unknown setting '{unknown[0]}'; expected: "
                         + ", ".join(EXAM_SETTINGS))
    settings = {}
    for key, (check, default) in EXAM_SETTINGS.items():
        try:
            settings[key] = check(value[key]) if key in value else default
        except FieldError as error:
            raise FieldError(f"setting '{key}' {error}") from None
    return settings


def default_exam_settings():
    """The exam settings a level gets when level.md sets none."""
    return {key: default for key, (_, default) in EXAM_SETTINGS.items()}


@dataclass
class Question:
    title: str
    line: int
    scenario: list = field(default_factory=list)
    options: list = field(default_factory=list)  # [(text, correct, line)]
    explanation: list = field(default_factory=list)

    @property
    def key(self):
        """A stable id: the question's own words, so edits elsewhere keep it."""
        words = " ".join(self.title.lower().split())
        return hashlib.sha256(words.encode()).hexdigest()[:16]


def _split_questions(body, first_line, path, problems):
    questions, current, stage, in_fence = [], None, "scenario", False
    for offset, raw in enumerate(body.splitlines()):
        number = first_line + offset
        if FENCE.match(raw):
            in_fence = not in_fence
        heading = None if in_fence else QUESTION.match(raw)
        if heading:
            current = Question(heading.group(1), number)
            questions.append(current)
            stage = "scenario"
            continue
        if not raw.strip():
            if current and stage == "scenario" and current.scenario:
                current.scenario.append("")
            continue
        if current is None:
            problems.append(Problem(path, number, "text before the first question; "
                                    "start each question with a '## ' heading"))
            current = Question("", number)  # swallow the rest of the stray block
            continue
        option = None if in_fence else OPTION.match(raw)
        explanation = None if in_fence else EXPLANATION.match(raw)
        if option and stage in ("scenario", "options"):
            stage = "options"
            current.options.append((option.group(2), option.group(1) != " ", number))
        elif explanation and stage in ("options", "explanation"):
            stage = "explanation"
            current.explanation.append(explanation.group(1))
        elif stage == "scenario":
            if RUN_ON_OPTION.search(raw):
                problems.append(Problem(path, number, "an option runs on from the text before "
                                        "it; start each '- [ ]' option on a line of its own"))
            current.scenario.append(raw)
        elif option:
            problems.append(Problem(path, number, "an option after the explanation; "
                                    "put every option before the '> ' explanation"))
        else:
            problems.append(Problem(path, number, "unexpected text after the options; the "
                                    "explanation goes in a '> ' blockquote after them"))
    return [q for q in questions if q.title or q.options or q.scenario]


def _check_question(question, path):
    problems = []
    say = lambda line, message: problems.append(Problem(path, line, message))  # noqa: E731
    if not question.title.strip():
        say(question.line, "a question needs its text on the '## ' line")
    if len(question.options) < 2:
        say(question.line, f"the question has {len(question.options)} option(s); "
            "give at least two as '- [ ]' lines")
    seen = {}
    for text, _, line in question.options:
        if not text:
            say(line, "an option has no text")
            continue
        normal = " ".join(text.lower().split())
        if normal in seen:
            say(line, f"the option '{text}' repeats line {seen[normal]}")
        seen.setdefault(normal, line)
    correct = sum(1 for _, is_correct, _ in question.options if is_correct)
    if question.options and correct == 0:
        say(question.line, "no option is marked correct; mark the right one(s) with [x]")
    elif len(question.options) >= 2 and correct == len(question.options):
        say(question.line, "every option is marked correct; a question needs a wrong option")
    if not "".join(question.explanation).strip():
        say(question.line, "the question has no explanation; add a '> ' blockquote after the options")
    return problems


def read_questions(text, path, settings_fields=None):
    """Parse a quiz or exam bank; return (settings, [question dicts], problems).

    Question dicts are what the database keeps and the grader uses:
    key, kind, title, title_html, prompt_html, options [{html, correct}],
    explanation_html.
    """
    lines = text.splitlines()
    if lines and lines[0].strip() == "---":
        front, problems = read_front_matter(text, path)
    else:
        front, problems = FrontMatter(values={}, body=text, body_line=1), []
    settings, field_problems = check_fields(front, settings_fields or {}, path)
    problems += field_problems
    questions = _split_questions(front.body, front.body_line, path, problems)
    if not questions and not problems:
        problems.append(Problem(path, front.body_line, "no questions; start each with '## '"))
    parsed, keys = [], {}
    for question in questions:
        question_problems = _check_question(question, path)
        if question.title and question.key in keys:
            question_problems.append(Problem(path, question.line,
                                             f"the same question is asked on line {keys[question.key]}"))
        keys.setdefault(question.key, question.line)
        problems += question_problems
        if question_problems:
            continue
        correct = sum(1 for _, is_correct, _ in question.options if is_correct)
        parsed.append({
            "key": question.key,
            "kind": kind_for(correct).name,
            "title": question.title,
            "title_html": render_inline(question.title),
            "prompt_html": render_markdown("\n".join(question.scenario).strip())[0]
            if "".join(question.scenario).strip() else "",
            "options": [{"html": render_inline(text), "correct": is_correct}
                        for text, is_correct, _ in question.options],
            "explanation_html": render_markdown("\n".join(question.explanation))[0],
        })
    return settings, parsed, problems


def read_quiz(text, path):
    """Parse a module's quiz.md; return (quiz dict or None, problems)."""
    settings, questions, problems = read_questions(text, path, QUIZ_FIELDS)
    if problems:
        return None, problems
    return {"settings": settings, "questions": questions}, []
