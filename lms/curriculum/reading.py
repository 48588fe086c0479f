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
    """{question key: [(original, its words)]} in the reader's language, from module quizzes
    and an exam bank. Keys are made from a question's title, so two files may share one;
    `paper_in_language` takes the candidate whose original is what the paper shows."""
    words = {}
    if reading_language() == ORIGINAL:
        return words
    for version in versions:
        translated = words_of(version, "quiz")
        if translated and version.quiz:
            for question, question_words_ in zip(version.quiz["questions"], translated):
                words.setdefault(question["key"], []).append((question, question_words_))
    if level is not None and words_of(level, "exam"):
        for question in level.exam_bank or []:
            translated = words_of(level, "exam").get(question["key"])
            if translated:
                words.setdefault(question["key"], []).append((question, translated))
    return words


def _matches(question, original, translated):
    """Whether `translated` (the words of `original`) can be laid over this paper's question:
    the paper shows exactly that original, option for option."""
    options = [option["html"] for option in original["options"]]
    return (question["title_html"] == original["title_html"]
            and len(translated["options"]) == len(options)
            and all(i < len(options) for i in question["order"])
            and [options[i] for i in question["order"]] == question["options"])


def paper_in_language(paper, words):
    """An attempt's paper with its words swapped for the translation; grading data untouched.

    A question keeps its own words unless a translation of exactly what it shows exists:
    papers laid out before translations (no recorded option order), questions edited since
    the attempt began, or two files sharing a title all fall back to the paper's words.
    """
    if not words:
        return paper
    shown_paper = []
    for question in paper:
        candidates = words.get(question["key"], []) if "order" in question else []
        translated = next((w for original, w in candidates if _matches(question, original, w)),
                          None)
        if translated is None:
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
