"""Any text either parses or fails with path:line messages: the parsers never raise or hang."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.curriculum.frontmatter import read_front_matter
from lms.curriculum.problems import Problem
from lms.curriculum.quizfile import read_quiz
from lms.curriculum.roleplayfile import read_roleplay
from lms.curriculum.render import render_markdown

from .conftest import QUIZ, ROLEPLAY

FAST = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])

# Lines that look like the formats' own syntax, so the fuzzing reaches deep into the parsers.
PIECES = st.sampled_from([
    "---", "## A heading", "## ", "- [x] right", "- [ ] wrong", "- [X] Right", "- [] odd",
    "> explained because reasons reasons reasons", "", "persona:", "  name: Dana", "rubric:",
    "  - discovery", "pass_score: 60", "pass_score: lots", "reflection: why?", "- [Go](#a-heading)",
    "- [Go](#nowhere)", "  discovery +2, empathy -1", "  discovery +9", "  > feedback here",
    "pass_mark: 80", "shuffle: maybe", "attempts: 0", "cooldown: 2 fortnights", "title: x",
    "minutes: [3", "key: value: more", "\t- tab", "```", "~~~", "<script>x</script>", "# h1",
])
DOCUMENTS = st.one_of(
    st.text(max_size=400),
    st.lists(PIECES, max_size=40).map("\n".join),
    st.lists(st.one_of(PIECES, st.text(max_size=30)), max_size=40).map("\n".join),
)


def check(problems, path):
    assert isinstance(problems, list)
    for problem in problems:
        assert isinstance(problem, Problem) and problem.path == path
        assert problem.line is None or (isinstance(problem.line, int) and problem.line >= 1)
        assert problem.message


@FAST
@given(DOCUMENTS)
def test_any_quiz_text_parses_or_names_its_problems(text):
    quiz, problems = read_quiz(text, "quiz.md")
    check(problems, "quiz.md")
    assert (quiz is None) == bool(problems)


@FAST
@given(DOCUMENTS)
def test_any_roleplay_text_parses_or_names_its_problems(text):
    script, problems = read_roleplay(text, "roleplay.md")
    check(problems, "roleplay.md")
    if script is not None:
        assert script["start"] in script["scenes"]


@FAST
@given(DOCUMENTS)
def test_any_front_matter_reads_or_names_its_problems(text):
    front, problems = read_front_matter(text, "lesson.md")
    check(problems, "lesson.md")
    render_markdown(front.body)


@FAST
@given(st.integers(min_value=0, max_value=len(ROLEPLAY)), st.text(max_size=20))
def test_a_good_roleplay_damaged_anywhere_still_fails_cleanly(at, junk):
    script, problems = read_roleplay(ROLEPLAY[:at] + junk + ROLEPLAY[at:], "roleplay.md")
    check(problems, "roleplay.md")


@FAST
@given(st.integers(min_value=0, max_value=len(QUIZ)), st.text(max_size=20))
def test_a_good_quiz_damaged_anywhere_still_fails_cleanly(at, junk):
    quiz, problems = read_quiz(QUIZ[:at] + junk + QUIZ[at:], "quiz.md")
    check(problems, "quiz.md")
