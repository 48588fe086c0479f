"""The words a learner reads: their language's translation where there is one, else the original.

Only words change. Grading keys, option positions, scene ids, effects and pass marks are the
original's, so records are one set whatever the language (see translations.py).
"""
from flask import has_request_context
from flask_babel import get_locale

from .translations import script_with_words

ORIGINAL = "en"


def reading_language():
    """The language of the page being built: the interface's."""
    if not has_request_context():
        return ORIGINAL
    locale = get_locale()
    return locale.language if locale else ORIGINAL


def _titles(thing, language):
    return ((thing.translated_titles or {}).get(language) or {}) if thing is not None else {}


def shown(thing, field):
    """A module version's or level's `title`, `objectives` or `summary` in the reader's language."""
    language = reading_language()
    if language != ORIGINAL:
        value = _titles(thing, language).get(field)
        if value:
            return value
    return getattr(thing, field)


def is_translated(thing):
    """Whether the reader sees `thing` in their language (always so when they read English)."""
    language = reading_language()
    return language == ORIGINAL or bool(_titles(thing, language))


def words_of(thing, part):
    """A version's (or level's) translated `part` for the reader's language, or None."""
    language = reading_language()
    if language == ORIGINAL or thing is None:
        return None
    return ((thing.translations or {}).get(language) or {}).get(part)


def reads_original(thing, part):
    """True when the reader asked for another language and `part` has no translation yet."""
    return reading_language() != ORIGINAL and words_of(thing, part) is None


def lesson_html(version):
    words = words_of(version, "lesson")
    return words["html"] if words else version.lesson_html


def level_intro_html(level):
    return words_of(level, "intro_html") or level.intro_html


def question_words(versions=(), level=None):
    """{question key: its words} in the reader's language, from module quizzes and an exam bank."""
    words = {}
    language = reading_language()
    if language == ORIGINAL:
        return words
    for version in versions:
        translated = words_of(version, "quiz")
        if translated and version.quiz:
            words.update({q["key"]: w for q, w in zip(version.quiz["questions"], translated)})
    if level is not None:
        words.update(words_of(level, "exam") or {})
    return words


def paper_in_language(paper, words):
    """An attempt's paper with its words swapped for the translation; grading data untouched.

    Papers laid out before translations existed do not record the original order of their
    options, so they keep their original words.
    """
    if not words:
        return paper
    shown_paper = []
    for question in paper:
        translated = words.get(question["key"])
        if translated is None or "order" not in question:
            shown_paper.append(question)
            continue
        question = dict(question)
        question.update(title_html=translated["title_html"],
                        prompt_html=translated["prompt_html"],
                        explanation_html=translated["explanation_html"],
                        options=[translated["options"][i] for i in question["order"]])
        shown_paper.append(question)
    return shown_paper


def script_in_language(script, version):
    """A role-play script with the reader's translation laid over it, or the script itself."""
    return script_with_words(script, words_of(version, "roleplay"))
