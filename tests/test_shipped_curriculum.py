"""The curriculum we ship passes its checks and clears the bar in CONTENT.md."""
import re
from pathlib import Path

import pytest

from lms.curriculum.files import load_curriculum

ROOT = Path(__file__).resolve().parent.parent / "curriculum"
CURRICULUM, PROBLEMS = load_curriculum(ROOT)
MODULES = [m for level in CURRICULUM.levels for m in level.modules]
WORLD = ("Lumora", "Kestrel Freight", "Harbor & Vine", "Meridian Health", "Sakura Robotics")


def test_the_shipped_curriculum_has_no_problems():
    assert [str(p) for p in PROBLEMS] == []


def test_all_five_levels_are_introduced():
    assert [level.number for level in CURRICULUM.levels] == [1, 2, 3, 4, 5]
    for level in CURRICULUM.levels:
        assert 100 <= len(level.intro_markdown.split()) <= 400, level.number


def test_level_1_starts_with_what_customer_success_is():
    assert CURRICULUM.module(1, "what-customer-success-is") is not None


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.key)
def test_each_lesson_clears_the_bar(module):
    body = module.lesson.markdown
    prose = re.sub(r"^\s*\|.*\|\s*$", "", body, flags=re.M)  # tables are not prose
    assert 900 <= len(prose.split()) <= 1600
    headings = [h.lower() for h in re.findall(r"^## (.+)$", body, flags=re.M)]
    for section in ("why", "example", "mistakes", "takeaways", "further reading"):
        assert any(section in h for h in headings), f"no section about {section!r}"
    assert any(name in body for name in WORLD), "the example belongs in the shared world"
