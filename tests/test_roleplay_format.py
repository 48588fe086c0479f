"""The roleplay.md grammar: scenes, choices, effects, and every way to break it."""
import pytest

from lms.curriculum.files import load_curriculum
from lms.curriculum.roleplayfile import read_roleplay

from .conftest import ROLEPLAY

PATH = "curriculum/level3/01-talk/roleplay.md"
FRONT, BODY = ROLEPLAY.split("---\n## Dana calls", 1)
BODY = "## Dana calls" + BODY


def test_a_script_parses_into_scenes_with_a_strongest_path():
    script, problems = read_roleplay(ROLEPLAY, "rp")
    assert problems == []
    assert script["start"] == "dana-calls"
    assert list(script["scenes"]) == ["dana-calls", "what-they-need", "campaign", "good-end", "poor-end"]
    first = script["scenes"]["dana-calls"]["choices"][0]
    assert first["to"] == "what-they-need" and first["effects"] == {"discovery": 2, "empathy": 1}
    assert "outcome behind the request" in first["feedback_html"]
    assert script["best"] == {"total": 5, "path": [["dana-calls", 0], ["what-they-need", 0]],
                              "ending": "good-end"}
    assert script["skill_max"] == {"discovery": 3, "empathy": 2}
    assert script["persona"]["name"] == "Dana Okafor"


def replace(old, new, text=ROLEPLAY):
    assert old in text
    return text.replace(old, new, 1)


BROKEN = [
    ("link to a missing scene", replace("(#campaign)", "(#campain)"),
     "22: the choice leads to #campain, but no scene has that id"),
    ("unreachable scene", replace("- [Send them](#poor-end)", "- [Send them](#good-end)"),
     "49: no choice leads to the scene #poor-end"),
    ("a loop with no way out", replace("- [Propose a pilot in three depots](#good-end)",
                                       "- [Propose a pilot in three depots](#campaign)").replace(
        "- [Send them](#poor-end)", "- [Send them](#what-they-need)"),
     "15: from the scene #dana-calls no ending can be reached"),
    ("no ending", FRONT + "---\n## Only\n\nHi.\n\n- [Again](#only)\n  discovery +1\n  > Round.\n",
     "15: the role-play has no ending"),
    ("skill not in the rubric", replace("discovery -1\n", "clarity -1\n"),
     "23: 'clarity' is not in this role-play's rubric (discovery, empathy)"),
    ("effect too big", replace("discovery -1\n", "discovery -5\n"),
     "23: 'discovery' must change by 1 to 3 up or down, not -5"),
    ("not an effect", replace("discovery -1\n", "much better\n"),
     "23: 'much better' is not an effect"),
    ("no effects line", replace("  discovery -1\n", ""),
     "22: the choice needs an effects line under it"),
    ("no feedback", replace("  > You solved the problem Dana named, not the one she has.\n", ""),
     "22: the choice has no feedback"),
    ("duplicate scene ids", replace("## Campaign", "## What they need"),
     "37: the scene id #what-they-need is used by line 26 too"),
    ("text after the choices", replace("  > More activity, no outcome.\n",
                                       "  > More activity, no outcome.\nDana hangs up.\n"),
     "44: text after the choices"),
    ("missing persona", replace("persona:\n  name: Dana Okafor\n  role: Operations director\n"
                                "  company: Kestrel Freight\n  mood: Impatient\n", ""),
     "1: the front matter needs 'persona'"),
    ("persona without a mood", replace("  mood: Impatient\n", ""), "2: 'persona' needs 'mood'"),
    ("missing reflection prompt", replace("reflection: What would you do next with Dana, and why?\n", ""),
     "1: the front matter needs 'reflection'"),
    ("rubric of one skill", replace("  - empathy\n", ""), "8: 'rubric' must list 2 to 4 items, not 1"),
    ("rubric skill unknown", replace("  - empathy\n", "  - charm\n"), "8: 'rubric' 'charm' is not a skill"),
    ("pass score out of range", replace("pass_score: 60", "pass_score: 0"),
     "11: 'pass_score' must be from 1 to 100, not 0"),
    ("text before the first scene", replace("## Dana calls", "Hello.\n\n## Dana calls"),
     "15: text before the first scene"),
]


@pytest.mark.parametrize("text,expected", [case[1:] for case in BROKEN],
                         ids=[case[0] for case in BROKEN])
def test_broken_roleplays_are_named_by_path_and_line(make_curriculum, text, expected):
    root = make_curriculum({"level3/01-talk/roleplay.md": text})
    problems = [str(p) for p in load_curriculum(root)[1]]
    assert any(p.startswith(f"{PATH}:{expected}") for p in problems), problems


def test_a_loop_with_a_way_out_is_allowed():
    script, problems = read_roleplay(ROLEPLAY, "rp")  # what-they-need loops back to dana-calls
    assert problems == [] and script["scenes"]["what-they-need"]["choices"][1]["to"] == "dana-calls"


def test_a_subheading_inside_a_scene_is_part_of_the_scene():
    script, problems = read_roleplay(replace("Dana: \"New starters", "### Aside\n\nDana: \"New starters"), "rp")
    assert problems == [] and "<h3" in script["scenes"]["what-they-need"]["html"]


@pytest.mark.parametrize("text,expected", [
    (FRONT + "---\n##\n\nHello.\n\n- [On](#end)\n  discovery +1\n  > Fine.\n\n## End\n\nBye.\n",
     "rp:15: a scene needs a title"),
    (FRONT + "---\n## Only\n\nHello and goodbye.\n", "rp:15: the first scene is where the conversation starts"),
    (ROLEPLAY.replace("+2", "-2").replace("+1", "-1"), "rp:15: no path through the conversation scores above zero"),
], ids=["untitled first scene", "first scene is an ending", "nothing scores above zero"])
def test_scripts_that_could_never_be_finished_or_passed(text, expected):
    _, problems = read_roleplay(text, "rp")
    assert any(str(p).startswith(expected) for p in problems), problems
