"""Question kinds: how a question is recognised, answered and graded.

A new kind is one new entry in KINDS; the parser, the quiz form and the
grader all look kinds up here by name.
"""
from dataclasses import dataclass
from typing import Callable


def N_(text):
    """Mark text for translation; the page that shows it translates it."""
    return text


@dataclass(frozen=True)
class QuestionKind:
    name: str
    input_type: str  # the HTML input a learner answers with
    detects: Callable[[int], bool]  # given the number of correct options
    grade: Callable[[set, set], float]  # (correct, chosen) -> share of a point
    hint: str  # shown to the learner under the question


def exactly_right(correct, chosen):
    """All or nothing: every correct option chosen and no wrong one."""
    return 1.0 if chosen == correct else 0.0


KINDS = {
    "single": QuestionKind("single", "radio", lambda correct: correct == 1,
                           exactly_right, N_("Choose one.")),
    "multiple": QuestionKind("multiple", "checkbox", lambda correct: correct > 1,
                             exactly_right, N_("Choose every option that applies.")),
}


def kind_for(correct_count):
    """The kind of a question with this many correct options, or None."""
    return next((kind for kind in KINDS.values() if kind.detects(correct_count)), None)
