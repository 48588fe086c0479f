"""Translations of a module or level, kept beside the originals as `lesson.ja.md` and so on.

A translation carries words only. What a learner's answers and choices mean (which options
are right, which scene a choice leads to, what it does to each skill, the pass marks) always
comes from the original, so a quiz answered in Japanese is graded exactly as in English and a
role-play run is the same run in either language. A translation must therefore match its
original's structure; `structure_problems` says where it does not, in author's words.

What is kept for display (`overlay`) is addressed by position (the nth question, the nth
option) or by scene id, never by the translated text.
"""
import re

from .links import find_links
from .problems import Problem
from .quizfile import read_questions, read_quiz
from .roleplayfile import read_roleplay

LANGUAGES = ("ja",)
# file -> its translation's file name, per language: lesson.md -> lesson.ja.md
TRANSLATED_FILES = ("lesson.md", "quiz.md", "roleplay.md")
LEVEL_FILES = ("level.md", "exam.md")
HEADING = re.compile(r"^(#{2,6})\s")
FENCE = re.compile(r"^ {0,3}(```|~~~)")


def translation_name(name, language):
    """lesson.md -> lesson.ja.md"""
    stem, _, suffix = name.rpartition(".")
    return f"{stem}.{language}.{suffix}"


def original_name(name):
    """lesson.ja.md -> (lesson.md, ja); anything else -> (name, None)."""
    parts = name.split(".")
    if len(parts) == 3 and parts[1] in LANGUAGES:
        return f"{parts[0]}.{parts[2]}", parts[1]
    return name, None


def outline(body):
    """The heading levels of a Markdown body, in order, outside code fences."""
    levels, fenced = [], False
    for line in body.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and (heading := HEADING.match(line)):
            levels.append(len(heading.group(1)))
    return levels


def lesson_problems(original, front, path):
    """A lesson's translation: same minutes, skills, number of objectives, headings, links."""
    problems = []
    say = lambda message, line=None: problems.append(Problem(path, line, message))  # noqa: E731
    values = front.values or {}
    if values.get("minutes") != original.minutes:
        say(f"minutes is {values.get('minutes')!r}; the original says {original.minutes}")
    if values.get("skills") != original.skills:
        say(f"skills must be copied from the original: {', '.join(original.skills)}")
    if len(values.get("objectives") or []) != len(original.objectives):
        say(f"{len(values.get('objectives') or [])} objectives; the original has "
            f"{len(original.objectives)}")
    mine, theirs = outline(front.body), outline(original.markdown)
    if mine != theirs:
        say(f"the headings differ from the original: {_count(mine)} here, {_count(theirs)} "
            "there; keep every ## and ### heading, in the same order", front.body_line)
    mine = [link.target for link in find_links(front.body, front.body_line)]
    theirs = [link.target for link in find_links(original.markdown, 1)]
    if mine != theirs:
        missing = [t for t in theirs if t not in mine]
        extra = [t for t in mine if t not in theirs]
        detail = ("; missing " + ", ".join(missing) if missing else "") + \
                 ("; not in the original " + ", ".join(extra) if extra else "")
        say("the links and images differ from the original" + (detail or
            " in their order"), front.body_line)
    return problems


def _count(levels):
    twos, threes = levels.count(2), levels.count(3)
    return f"{twos} '##' and {threes} '###'"


def quiz_problems(original, translated, path, settings_too=True):
    """Same questions, in order, with the same options marked right."""
    problems = []
    if settings_too and original.get("settings") != translated.get("settings"):
        problems.append(Problem(path, 1, "the settings in the front matter must be copied "
                                "from the original"))
    return problems + question_problems(original["questions"], translated["questions"], path)


def question_problems(originals, translations, path):
    problems = []
    if len(originals) != len(translations):
        problems.append(Problem(path, None, f"{len(translations)} questions; the original has "
                                f"{len(originals)}, in the same order"))
    for number, (a, b) in enumerate(zip(originals, translations), start=1):
        right_a = [o["correct"] for o in a["options"]]
        right_b = [o["correct"] for o in b["options"]]
        if len(right_a) != len(right_b):
            problems.append(Problem(path, None, f"question {number} has {len(right_b)} options; "
                                    f"the original has {len(right_a)}"))
        elif right_a != right_b:
            marks = ", ".join(str(i + 1) for i, right in enumerate(right_a) if right)
            problems.append(Problem(path, None, f"question {number} marks other options "
                                    f"correct; the original marks option(s) {marks}"))
    return problems


def roleplay_problems(original, translated, path):
    """Same rubric and pass score, same scenes by id, same choices, targets and effects."""
    problems = []
    say = lambda message: problems.append(Problem(path, None, message))  # noqa: E731
    for key in ("rubric", "pass_score", "reflection_min_words"):
        if original[key] != translated[key]:
            say(f"{key} must be copied from the original: {original[key]}")
    ours, theirs = list(translated["scenes"]), list(original["scenes"])
    if ours != theirs:
        missing = [s for s in theirs if s not in ours]
        extra = [s for s in ours if s not in theirs]
        if missing or extra:
            say("the scenes differ from the original"
                + ("; missing #" + ", #".join(missing) if missing else "")
                + ("; not in the original #" + ", #".join(extra) if extra else "")
                + "; end each heading with the original scene's id, like {#dana-bristles}")
        else:
            say("the scenes are in another order than the original's")
    for scene_id in theirs:
        if scene_id not in translated["scenes"]:
            continue
        a = original["scenes"][scene_id]["choices"]
        b = translated["scenes"][scene_id]["choices"]
        if [c["to"] for c in a] != [c["to"] for c in b]:
            say(f"the choices in #{scene_id} lead elsewhere than the original's: "
                + ", ".join("#" + c["to"] for c in a))
        elif [c["effects"] for c in a] != [c["effects"] for c in b]:
            say(f"the effects of the choices in #{scene_id} differ from the original's; "
                "copy each effects line as it is")
    return problems


def lesson_overlay(title, objectives, html):
    return {"title": title, "objectives": objectives, "html": html}


def quiz_overlay(questions):
    """What a reader sees of each question, by position."""
    return [{"title_html": q["title_html"], "prompt_html": q["prompt_html"],
             "options": [o["html"] for o in q["options"]],
             "explanation_html": q["explanation_html"]} for q in questions]


def roleplay_overlay(script):
    """What a reader sees of a role-play: the persona, the texts of each scene by id."""
    return {
        "persona": script["persona"],
        "situation_html": script["situation_html"],
        "reflection_html": script["reflection_html"],
        "scenes": {scene_id: {"title": scene["title"], "html": scene["html"],
                              "choices": [{"html": c["html"], "feedback_html": c["feedback_html"]}
                                          for c in scene["choices"]]}
                   for scene_id, scene in script["scenes"].items()},
    }


def quiz_with_words(quiz, words):
    """The original quiz (settings, answer key) with a translation's words laid over it."""
    if not quiz or not words:
        return quiz
    questions = []
    for question, translated in zip(quiz["questions"], words):
        question = {**question, "title_html": translated["title_html"],
                    "prompt_html": translated["prompt_html"],
                    "explanation_html": translated["explanation_html"],
                    "options": [{**option, "html": html} for option, html
                                in zip(question["options"], translated["options"])]}
        questions.append(question)
    return {**quiz, "questions": questions}


def script_with_words(script, words):
    """The original script (ids, targets, effects, scores) with a translation's words over it."""
    if not script or not words:
        return script
    scenes = {}
    for scene_id, scene in script["scenes"].items():
        translated = words["scenes"].get(scene_id)
        if translated:
            scene = {**scene, "title": translated["title"], "html": translated["html"],
                     "choices": [{**choice, "html": w["html"], "feedback_html": w["feedback_html"]}
                                 for choice, w in zip(scene["choices"], translated["choices"])]}
        scenes[scene_id] = scene
    return {**script, "persona": words["persona"], "situation_html": words["situation_html"],
            "reflection_html": words["reflection_html"], "scenes": scenes}


def read_quiz_translation(original, text, path):
    translated, problems = read_quiz(text, path)
    if problems:
        return None, problems
    problems = quiz_problems(original, translated, path)
    return (None if problems else quiz_overlay(translated["questions"])), problems


def read_exam_translation(bank, text, path):
    _, questions, problems = read_questions(text, path)
    if problems:
        return None, problems
    problems = question_problems(bank, questions, path)
    if problems:
        return None, problems
    # An exam paper mixes questions from several files, so the bank is keyed by question.
    return {a["key"]: overlay for a, overlay in zip(bank, quiz_overlay(questions))}, []


SCENE_HEADING = re.compile(r"^##(?=\s|$)")
EXPLICIT_ID = re.compile(r"\{#[a-z0-9][a-z0-9_-]*\}\s*#*\s*$")


def read_roleplay_translation(original, text, path):
    # Translated headings cannot give the original's ids by themselves: each must say it.
    fenced, unnamed = False, []
    for number, line in enumerate(text.splitlines(), start=1):
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and SCENE_HEADING.match(line) and not EXPLICIT_ID.search(line):
            unnamed.append(Problem(path, number, "a translated scene heading must end with "
                                   "the original scene's id, like '## …… {#dana-calls}'"))
    if unnamed:
        return None, unnamed
    translated, problems = read_roleplay(text, path, score=False)
    if problems:
        return None, problems
    problems = roleplay_problems(original, translated, path)
    return (None if problems else roleplay_overlay(translated)), problems
