"""The quiz.md grammar: what it accepts, and every way it can be broken."""
import pytest

from lms.curriculum.files import load_curriculum
from lms.curriculum.quizfile import read_quiz

from .conftest import QUIZ, quiz_md

PATH = "curriculum/level2/01-health/quiz.md"


def test_a_quiz_parses_into_questions_with_kinds_and_defaults():
    quiz, problems = read_quiz(quiz_md(), "quiz.md")
    assert problems == []
    assert quiz["settings"] == {"pass_mark": 80, "shuffle": True, "attempts": None, "cooldown": 0}
    first, second = quiz["questions"]
    assert first["kind"] == "single" and second["kind"] == "multiple"
    assert [o["correct"] for o in first["options"]] == [False, True, False]
    assert second["prompt_html"] == "<p>Dana's champion has gone quiet.</p>"
    assert "Outcomes are results" in first["explanation_html"]


def test_settings_are_read():
    quiz, _ = read_quiz(quiz_md("pass_mark: 70\nshuffle: false\nattempts: 3\ncooldown: 2 hours\n"), "q")
    assert quiz["settings"] == {"pass_mark": 70, "shuffle": False, "attempts": 3, "cooldown": 120}
    quiz, _ = read_quiz(quiz_md("attempts: unlimited\ncooldown: 45\n"), "q")
    assert quiz["settings"]["attempts"] is None and quiz["settings"]["cooldown"] == 45


def test_question_markup_is_rendered_and_sanitised():
    body = ("## Is *this* right? <script>x()</script>\n\n- [x] **Yes** <img src=x onerror=y()>\n"
            "- [ ] No\n\n> Because `code`.\n")
    quiz, problems = read_quiz(body, "q")
    question = quiz["questions"][0]
    assert question["title_html"].startswith("Is <em>this</em> right?")
    assert "<script" not in question["title_html"]
    assert question["options"][0]["html"].startswith("<strong>Yes</strong>")
    assert "onerror" not in question["options"][0]["html"]
    assert "<code>code</code>" in question["explanation_html"]


BROKEN = [
    ("no correct option", "## Q?\n- [ ] a\n- [ ] b\n> why\n",
     "1: no option is marked correct; mark the right one(s) with [x]"),
    ("every option correct", "## Q?\n- [x] a\n- [x] b\n> why\n",
     "1: every option is marked correct"),
    ("one option", "## Q?\n- [x] a\n> why\n", "1: the question has 1 option(s); give at least two"),
    ("no options", "## Q?\n\nJust a scenario.\n\n> why\n", "1: the question has 0 option(s)"),
    ("empty question", "##\n- [x] a\n- [ ] b\n> why\n", "1: a question needs its text on the '## ' line"),
    ("no explanation", "## Q?\n- [x] a\n- [ ] b\n", "1: the question has no explanation"),
    ("duplicate options", "## Q?\n- [x] Call Dana\n- [ ] call  dana\n> why\n",
     "3: the option 'call  dana' repeats line 2"),
    ("empty option", "## Q?\n- [x] a\n- [ ] \n> why\n", "3: an option has no text"),
    ("text after options", "## Q?\n- [x] a\n- [ ] b\nstray words\n> why\n",
     "4: unexpected text after the options"),
    ("option after explanation", "## Q?\n- [x] a\n- [ ] b\n> why\n- [ ] c\n",
     "5: an option after the explanation"),
    ("option run on from the scenario", "## Q?\nDana asks. - [x] a\n- [ ] b\n> why\n",
     "2: an option runs on from the text before it"),
    ("text before the first question", "Intro text.\n## Q?\n- [x] a\n- [ ] b\n> why\n",
     "1: text before the first question"),
    ("no questions at all", "\n\n", "1: no questions; start each with '## '"),
    ("the same question twice", "## Q?\n- [x] a\n- [ ] b\n> why\n## q?\n- [x] a\n- [ ] b\n> why\n",
     "5: the same question is asked on line 1"),
    ("unknown setting", "---\npassmark: 70\n---\n" + QUIZ, "2: unknown front matter key 'passmark'"),
    ("pass mark too high", "---\npass_mark: 120\n---\n" + QUIZ, "2: 'pass_mark' must be from 1 to 100, not 120"),
    ("pass mark zero", "---\npass_mark: 0\n---\n" + QUIZ, "2: 'pass_mark' must be from 1 to 100, not 0"),
    ("shuffle not a flag", "---\nshuffle: sometimes\n---\n" + QUIZ, "2: 'shuffle' must be true or false"),
    ("attempts not a number", "---\nattempts: lots\n---\n" + QUIZ, "2: 'attempts' must be a whole number"),
    ("cooldown not a time", "---\ncooldown: soon\n---\n" + QUIZ, "2: 'cooldown' must be a time"),
]


@pytest.mark.parametrize("text,expected", [case[1:] for case in BROKEN],
                         ids=[case[0] for case in BROKEN])
def test_broken_quizzes_are_named_by_path_and_line(make_curriculum, text, expected):
    root = make_curriculum({"level2/01-health/quiz.md": text})
    problems = [str(p) for p in load_curriculum(root)[1]]
    assert any(p.startswith(f"{PATH}:{expected}") for p in problems), problems


def test_a_fenced_block_in_a_scenario_is_not_parsed_as_questions():
    body = "## Q?\n\n```\n## not a question\n- [x] not an option\n```\n\n- [x] a\n- [ ] b\n> why\n"
    quiz, problems = read_quiz(body, "q")
    assert problems == [] and len(quiz["questions"]) == 1
    assert "## not a question" in quiz["questions"][0]["prompt_html"]


LEVEL = "curriculum/level2/level.md"


@pytest.mark.parametrize("exam,expected", [
    ("exam:\n  questions: 10\n  minutes: 20\n", None),
    ("exam:\n  questons: 10\n", "4: 'exam' has an unknown setting 'questons'"),
    ("exam:\n  minutes: 0\n", "4: 'exam' setting 'minutes' must be from 1 to 600, not 0"),
    ("exam:\n  cooldown: forever\n", "4: 'exam' setting 'cooldown' must be a time"),
    ("exam: 30\n", "4: 'exam' must be indented 'setting: value' lines under 'exam:'"),
])
def test_level_exam_settings(make_curriculum, exam, expected):
    root = make_curriculum({"level2/level.md": f"---\ntitle: Two\nsummary: S.\n{exam}---\nIntro.\n"})
    curriculum, problems = load_curriculum(root)
    if expected is None:
        assert problems == []
        assert curriculum.level(2).exam == {"questions": 10, "minutes": 20, "pass_mark": 80,
                                            "attempts": 3, "cooldown": 1440}
    else:
        assert [str(p) for p in problems] and str(problems[0]).startswith(f"{LEVEL}:{expected}")


def test_an_exam_bank_is_read_and_checked(make_curriculum):
    root = make_curriculum({"level2/exam.md": QUIZ})
    curriculum, problems = load_curriculum(root)
    assert problems == [] and len(curriculum.level(2).exam_bank) == 2
    root = make_curriculum({"level2/exam.md": "## Q?\n- [x] a\n> why\n"})
    assert "curriculum/level2/exam.md:1: the question has 1 option(s)" in \
        str(load_curriculum(root)[1][0])


def test_a_subheading_in_a_scenario_is_not_a_new_question():
    quiz, problems = read_quiz("## Q?\n\n### Context\n\nSome.\n\n- [x] a\n- [ ] b\n\n> why\n", "q")
    assert problems == [] and len(quiz["questions"]) == 1
