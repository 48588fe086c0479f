"""Every broken input is reported as path:line with a message an author can act on."""
import pytest

from lms.curriculum.files import load_curriculum, read_curriculum
from lms.curriculum.problems import CurriculumProblems

from .conftest import lesson_md, level_md

LESSON = "curriculum/level1/01-first-steps/lesson.md"


def problems_of(root):
    return [str(p) for p in load_curriculum(root)[1]]


def test_a_clean_tree_has_no_problems(make_curriculum):
    curriculum, problems = load_curriculum(make_curriculum())
    assert problems == []
    assert [level.number for level in curriculum.levels] == [1, 2, 3, 4]
    first = curriculum.module(1, "first-steps")
    assert (first.position, first.folder, first.key) == (1, "01-first-steps", "level1/first-steps")
    assert first.lesson.title == "First steps"
    assert first.lesson.skills == ["customer focus"]


BROKEN_LESSONS = [
    ("no front matter", "# Just a body\n",
     f"{LESSON}:1: the file must start with front matter between '---' lines"),
    ("unclosed front matter", "---\ntitle: x\nminutes: 3\n",
     f"{LESSON}:1: the front matter opened here is never closed with '---'"),
    ("invalid yaml", "---\ntitle: x\nminutes: [3\n---\nbody\n",
     f"{LESSON}:3: the front matter is not valid YAML"),
    ("front matter not a mapping", "---\n- a\n- b\n---\nbody\n",
     f"{LESSON}:2: the front matter must be 'key: value' lines"),
    ("missing title", lesson_md().replace("title: A lesson\n", ""),
     f"{LESSON}:1: the front matter needs 'title'"),
    ("empty title", lesson_md(title="''"),
     f"{LESSON}:2: 'title' must be a non-empty line of text"),
    ("minutes not a number", lesson_md(minutes="ten"),
     f"{LESSON}:3: 'minutes' must be a whole number from 1 to 240"),
    ("minutes zero", lesson_md(minutes=0), f"{LESSON}:3: 'minutes' must be from 1 to 240, not 0"),
    ("objectives not a list", lesson_md().replace(
        "objectives:\n  - Name one thing\n  - Do another thing\n  - Explain a third\n",
        "objectives: learn things\n"),
     f"{LESSON}:4: 'objectives' must be a list of 3 to 5 items"),
    ("too few objectives", lesson_md(objectives=("One", "Two")),
     f"{LESSON}:4: 'objectives' must list 3 to 5 items, not 2"),
    ("unknown skill", lesson_md(skills=("juggling",)),
     f"{LESSON}:8: 'skills' 'juggling' is not a skill"),
    ("skill twice", lesson_md(skills=("empathy", "Empathy")),
     f"{LESSON}:8: 'skills' lists a skill twice"),
    ("mistyped key", lesson_md(extra="minuts: 4\n"),
     f"{LESSON}:10: unknown front matter key 'minuts'"),
    ("key set twice", lesson_md(extra="title: Again\n"),
     f"{LESSON}:10: 'title' is set twice"),
    ("empty body", lesson_md(body="\n\n"),
     f"{LESSON}:11: the lesson has no body after its front matter"),
    ("broken module link", lesson_md(body="Read [the next one](../07-nowhere/).\n"),
     f"{LESSON}:11: broken link: ../07-nowhere/ leads nowhere"),
    ("link outside the curriculum", lesson_md(body="See [this](../../../secrets.txt).\n"),
     f"{LESSON}:11: broken link: ../../../secrets.txt leads nowhere"),
    ("absolute link", lesson_md(body="See [this](/etc/passwd).\n"),
     f"{LESSON}:11: broken link: /etc/passwd leads nowhere"),
    ("link to a quiz file", lesson_md(body="Peek at [answers](quiz.md).\n"),
     f"{LESSON}:11: broken link: quiz.md leads nowhere"),
    ("missing image", lesson_md(body="Intro.\n\n![A journey map](images/map.png)\n"),
     f"{LESSON}:13: broken image: images/map.png leads nowhere"),
    ("image without alt text", lesson_md(body="![](diagram.png)\n"),
     f"{LESSON}:11: the image diagram.png needs alt text"),
    ("remote image", lesson_md(body="![Logo](https://tracker.example/pixel.png)\n"),
     f"{LESSON}:11: the image https://tracker.example/pixel.png must be a file in the module folder"),
    ("missing anchor in the same lesson", lesson_md(body="## Why\n\nSee [below](#how).\n"),
     f"{LESSON}:13: broken link: no heading has the anchor #how"),
    ("missing anchor in another module",
     lesson_md(body="See [that](../02-second-steps/#nope).\n"),
     f"{LESSON}:11: broken link: no heading has the anchor #nope"),
    ("reference-style broken link", lesson_md(body="See [x][ref].\n\n[ref]: ../09-gone/\n"),
     f"{LESSON}:13: broken link: ../09-gone/ leads nowhere"),
]


@pytest.mark.parametrize("text,expected", [case[1:] for case in BROKEN_LESSONS],
                         ids=[case[0] for case in BROKEN_LESSONS])
def test_broken_lessons_are_named_by_path_and_line(make_curriculum, text, expected):
    root = make_curriculum({"level1/01-first-steps/lesson.md": text})
    problems = problems_of(root)
    assert any(p.startswith(expected) for p in problems), problems


BROKEN_TREES = [
    ("level folder out of range", {"level6/level.md": level_md()},
     "curriculum/level6: is not a level folder; levels are level1 to level5"),
    ("stray folder", {"drafts/notes.md": "x"},
     "curriculum/drafts: is not a level folder"),
    ("missing level.md", {"level5/01-alone/lesson.md": lesson_md()},
     "curriculum/level5: has no level.md"),
    ("level.md without summary", {"level3/level.md": "---\ntitle: Career\n---\nIntro\n"},
     "curriculum/level3/level.md:1: the front matter needs 'summary'"),
    ("badly named module folder", {"level1/3-Bad_Name/lesson.md": lesson_md()},
     "curriculum/level1/3-Bad_Name: is not a module folder; name it NN-slug"),
    ("duplicate slug", {"level1/05-first-steps/lesson.md": lesson_md()},
     "curriculum/level1/05-first-steps: has the same slug as 01-first-steps"),
    ("duplicate number", {"level1/02-other/lesson.md": lesson_md()},
     "curriculum/level1/02-second-steps: has the same number as 02-other"),
    ("module without lesson", {"level1/03-empty/quiz.md": "x"},
     "curriculum/level1/03-empty: has no lesson.md"),
    ("not utf-8", {"level1/01-first-steps/lesson.md": b"---\ntitle: caf\xe9\n---\n"},
     "curriculum/level1/01-first-steps/lesson.md: is not UTF-8 text"),
]


@pytest.mark.parametrize("files,expected", [case[1:] for case in BROKEN_TREES],
                         ids=[case[0] for case in BROKEN_TREES])
def test_broken_trees_are_named_by_path(make_curriculum, files, expected):
    problems = problems_of(make_curriculum(files))
    assert any(p.startswith(expected) for p in problems), problems


def test_every_problem_is_reported_at_once(make_curriculum):
    root = make_curriculum({
        "level1/01-first-steps/lesson.md": lesson_md(minutes="soon"),
        "level2/01-health/lesson.md": lesson_md(skills=("juggling",)),
        "level7/level.md": level_md(),
    })
    problems = problems_of(root)
    assert len(problems) == 3
    assert problems == sorted(problems)


def test_read_curriculum_raises_with_every_problem(make_curriculum):
    root = make_curriculum({"level1/01-first-steps/lesson.md": "no front matter"})
    with pytest.raises(CurriculumProblems) as raised:
        read_curriculum(root)
    assert "lesson.md:1:" in str(raised.value)


def test_a_missing_folder_is_one_problem(tmp_path):
    assert problems_of(tmp_path / "nowhere") == [f"{tmp_path / 'nowhere'}: no curriculum folder here"]


def test_good_links_resolve_and_pass(make_curriculum):
    body = ("## Start\n\nSee [next](../02-second-steps/), [its lesson](../02-second-steps/lesson.md),"
            " [level two](../../level2/), [health](../../level2/01-health/#why-it-matters),"
            " [here](#start), [the web](https://example.com) and [mail](mailto:a@b.c).\n\n"
            "![A map](map.png)\n\n```\n[not a link](../99-nowhere/)\n```\n"
            "Inline `[code](../99-nowhere/)` is not a link either.\n")
    root = make_curriculum({"level1/01-first-steps/lesson.md": lesson_md(body=body),
                            "level1/01-first-steps/map.png": b"\x89PNG\r\n\x1a\n"})
    assert problems_of(root) == []


def test_unreadable_front_matter_is_one_problem_not_many(make_curriculum):
    root = make_curriculum({"level1/01-first-steps/lesson.md": "---\ntitle: [x\n---\nbody\n"})
    assert len([p for p in problems_of(root) if "01-first-steps" in p]) == 1


@pytest.mark.parametrize("validity,days", [("2 years", 730), ("18 months", 540), ("90 days", 90),
                                           ("0", 0), (None, 730)])
def test_level_certificate_validity(make_curriculum, validity, days):
    line = f"validity: {validity}\n" if validity is not None else ""
    root = make_curriculum({"level1/level.md": f"---\ntitle: One\nsummary: S.\n{line}---\nIntro.\n"})
    curriculum, problems = load_curriculum(root)
    assert problems == [] and curriculum.level(1).validity_days == days


@pytest.mark.parametrize("validity", ["forever", "3", "two years", "true"])
def test_a_bad_validity_is_named(make_curriculum, validity):
    root = make_curriculum({"level1/level.md": f"---\ntitle: One\nsummary: S.\nvalidity: {validity}\n---\nI.\n"})
    assert any(str(p).startswith("curriculum/level1/level.md:4: 'validity' must be a time")
               for p in load_curriculum(root)[1])
