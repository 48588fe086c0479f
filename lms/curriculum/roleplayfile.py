"""Read roleplay.md: a branching conversation written like a script.

    ---
    persona: {name, role, company, mood}
    situation: ...
    rubric: [discovery, empathy]
    pass_score: 70
    reflection: What would you do next, and why?
    ---
    ## Dana calls about the depots          <- a scene; its id is the heading's slug

    Dana: "Can you get the depots logging in?"

    - [Ask what changed in the depots](#what-changed)
      discovery +2, empathy +1
      > Feedback for the debrief.

    ## What changed                          <- a scene with no choices is an ending

The first scene is where the conversation starts.
"""
import re
from dataclasses import dataclass, field

from markdown.extensions.toc import slugify

from .fields import Field, FieldError, check_fields, skill_list, text, whole_number
from .frontmatter import read_front_matter
from .problems import Problem
from .render import render_inline, render_markdown

SCENE = re.compile(r"^##(?=\s|$)\s*(.*?)\s*#*\s*$")  # "## Title", not "### Aside"
CHOICE = re.compile(r"^ {0,3}[-*+]\s+\[(.+)\]\(\s*#([^)\s]*)\s*\)\s*$")
INDENTED = re.compile(r"^(?: {2,}|\t)(.*)$")
FEEDBACK = re.compile(r"^>\s?(.*)$")
# "## ダナが反発する {#dana-bristles}": a scene may name its id, as a translation must.
EXPLICIT_ID = re.compile(r"\s*\{#([a-z0-9][a-z0-9_-]*)\}\s*$")
EFFECT = re.compile(r"^\s*([a-z][a-z ]*?)\s*([+-]\d+)\s*$")
FENCE = re.compile(r"^ {0,3}(```|~~~)")
PERSONA_KEYS = ("name", "role", "company", "mood")
MAX_EFFECT = 3
# Scoring walks every simple path; a script past this many steps is too tangled to score.
MAX_STEPS_EXPLORED = 200_000


def persona(value):
    """Who the learner talks to: name, role, company and mood, each a line of text."""
    if not isinstance(value, dict):
        raise FieldError("must be indented lines: " + ", ".join(f"{k}:" for k in PERSONA_KEYS))
    missing = [key for key in PERSONA_KEYS if not isinstance(value.get(key), str)
               or not value[key].strip()]
    if missing:
        raise FieldError(f"needs '{missing[0]}'")
    unknown = [key for key in value if key not in PERSONA_KEYS]
    if unknown:
        raise FieldError(f"has an unknown key '{unknown[0]}'; expected: {', '.join(PERSONA_KEYS)}")
    return {key: value[key].strip() for key in PERSONA_KEYS}


ROLEPLAY_FIELDS = {
    "persona": Field(persona),
    "situation": Field(text),
    "rubric": Field(skill_list(2, 4)),
    "pass_score": Field(whole_number(1, 100)),
    "reflection": Field(text),
    "reflection_min_words": Field(whole_number(10, 2000), required=False, default=80),
}


@dataclass
class Choice:
    text: str
    target: str
    line: int
    effects_line: str | None = None
    effects_at: int | None = None
    feedback: list = field(default_factory=list)


@dataclass
class Scene:
    title: str
    line: int
    lines: list = field(default_factory=list)
    choices: list = field(default_factory=list)

    @property
    def id(self):
        explicit = EXPLICIT_ID.search(self.title)
        return explicit.group(1) if explicit else slugify(self.title, "-")

    @property
    def shown_title(self):
        """The heading as a reader sees it, without an explicit `{#id}`."""
        return EXPLICIT_ID.sub("", self.title).strip()


def _split_scenes(body, first_line, path, problems):
    scenes, scene, choice, in_fence = [], None, None, False
    for offset, raw in enumerate(body.splitlines()):
        number = first_line + offset
        if FENCE.match(raw):
            in_fence = not in_fence
        heading = None if in_fence else SCENE.match(raw)
        if heading:
            scene, choice = Scene(heading.group(1), number), None
            scenes.append(scene)
            continue
        if scene is None:
            if raw.strip():
                problems.append(Problem(path, number, "text before the first scene; start "
                                        "each scene with a '## ' heading"))
                scene = Scene("", number)  # swallow the stray block
            continue
        option = None if in_fence else CHOICE.match(raw)
        if option:
            choice = Choice(option.group(1).strip(), option.group(2), number)
            scene.choices.append(choice)
            continue
        if choice is None:
            scene.lines.append(raw)
            continue
        if not raw.strip():
            continue
        indented = INDENTED.match(raw)
        if not indented:
            problems.append(Problem(path, number, "text after the choices; a scene's lines "
                                    "come before its choices"))
            continue
        content = indented.group(1)
        feedback = FEEDBACK.match(content)
        if feedback:
            choice.feedback.append(feedback.group(1))
        elif choice.effects_line is None and not choice.feedback:
            choice.effects_line, choice.effects_at = content, number
        else:
            problems.append(Problem(path, number, "unexpected line in a choice; a choice has "
                                    "an effects line, then '> ' feedback"))
    return [s for s in scenes if s.title or s.lines]


def _read_effects(choice, rubric, path, problems):
    if choice.effects_line is None:
        problems.append(Problem(path, choice.line, "the choice needs an effects line under it, "
                                "like 'discovery +2, empathy -1'"))
        return {}
    effects = {}
    for part in choice.effects_line.split(","):
        match = EFFECT.match(part)
        if not match:
            problems.append(Problem(path, choice.effects_at, f"'{part.strip()}' is not an effect; "
                                    "write a skill and a number, like 'discovery +2'"))
            continue
        skill, amount = match.group(1).strip(), int(match.group(2))
        if skill not in rubric:
            problems.append(Problem(path, choice.effects_at, f"'{skill}' is not in this "
                                    f"role-play's rubric ({', '.join(rubric)})"))
        elif skill in effects:
            problems.append(Problem(path, choice.effects_at, f"'{skill}' appears twice"))
        elif not amount or abs(amount) > MAX_EFFECT:
            problems.append(Problem(path, choice.effects_at, f"'{skill}' must change by "
                                    f"1 to {MAX_EFFECT} up or down, not {amount}"))
        else:
            effects[skill] = amount
    return effects


def _check_graph(scenes, path, problems):
    ids = [scene.id for scene in scenes]
    by_id = {}
    for scene in scenes:
        if not scene.title.strip():
            problems.append(Problem(path, scene.line, "a scene needs a title on its '## ' line"))
        elif scene.id in by_id:
            problems.append(Problem(path, scene.line, f"the scene id #{scene.id} is used by "
                                    f"line {by_id[scene.id].line} too; give the scenes different titles"))
        else:
            by_id[scene.id] = scene
        for choice in scene.choices:
            if choice.target not in by_id and choice.target not in ids:
                problems.append(Problem(path, choice.line, f"the choice leads to #{choice.target}, "
                                        "but no scene has that id"))
    endings = {scene.id for scene in scenes if not scene.choices}
    if scenes and not endings:
        problems.append(Problem(path, scenes[0].line, "the role-play has no ending; a scene "
                                "without choices ends the conversation"))
    if not scenes or scenes[0].id not in by_id or by_id[scenes[0].id] is not scenes[0]:
        return by_id  # the first scene's own problem is reported already
    if not scenes[0].choices:
        problems.append(Problem(path, scenes[0].line, "the first scene is where the "
                                "conversation starts, so it needs choices"))
        return by_id
    reached, frontier = {scenes[0].id}, [scenes[0].id]
    while frontier:
        for choice in by_id[frontier.pop()].choices:
            if choice.target in by_id and choice.target not in reached:
                reached.add(choice.target)
                frontier.append(choice.target)
    ends, changed = set(endings), True
    while changed:
        changed = False
        for scene in by_id.values():
            if scene.id not in ends and any(c.target in ends for c in scene.choices):
                ends.add(scene.id)
                changed = True
    for scene in by_id.values():
        if scene.id not in reached:
            problems.append(Problem(path, scene.line, f"no choice leads to the scene #{scene.id}"))
        elif scene.id not in ends:
            problems.append(Problem(path, scene.line, f"from the scene #{scene.id} no ending can be "
                                    "reached; the conversation would go round for ever"))
    return by_id


def strongest_paths(script):
    """The best total, the best path and each skill's best, over paths with no detours.

    Runs are scored on their loop-free path too, so nothing can beat these.
    """
    scenes, rubric = script["scenes"], script["rubric"]
    best = {"total": None, "path": [], "ending": None}
    skill_max = {skill: None for skill in rubric}
    steps = 0

    def walk(scene_id, visited, path, sums):
        nonlocal steps
        steps += 1
        if steps > MAX_STEPS_EXPLORED:
            raise OverflowError
        scene = scenes[scene_id]
        if not scene["choices"]:
            total = sum(sums.values())
            if best["total"] is None or total > best["total"]:
                best.update(total=total, path=list(path), ending=scene_id)
            for skill in rubric:
                if skill_max[skill] is None or sums[skill] > skill_max[skill]:
                    skill_max[skill] = sums[skill]
            return
        for index, choice in enumerate(scene["choices"]):
            if choice["to"] in visited:
                continue
            added = {skill: sums[skill] + choice["effects"].get(skill, 0) for skill in rubric}
            path.append([scene_id, index])
            walk(choice["to"], visited | {choice["to"]}, path, added)
            path.pop()

    walk(script["start"], {script["start"]}, [], {skill: 0 for skill in rubric})
    return best, {skill: value or 0 for skill, value in skill_max.items()}


def read_roleplay(text, path, score=True):
    """Parse a module's roleplay.md; return (script dict or None, problems).

    `score=False` skips walking every path for the best score: a translation is scored by
    its original, whose choices and effects it must match.
    """
    front, problems = read_front_matter(text, path)
    settings, field_problems = check_fields(front, ROLEPLAY_FIELDS, path)
    problems += field_problems
    scenes = _split_scenes(front.body, front.body_line, path, problems)
    if not scenes and front.values is not None:
        problems.append(Problem(path, front.body_line, "no scenes; start each with '## '"))
    rubric = settings.get("rubric") or []
    effects = {}
    for scene in scenes:
        for choice in scene.choices:
            effects[id(choice)] = _read_effects(choice, rubric, path, problems) if rubric else {}
            if not "".join(choice.feedback).strip():
                problems.append(Problem(path, choice.line, "the choice has no feedback; add an "
                                        "indented '> ' line saying what it did"))
    by_id = _check_graph(scenes, path, problems)
    if problems:
        return None, problems
    script = {
        "persona": settings["persona"],
        "situation_html": render_markdown(settings["situation"])[0],
        "rubric": rubric,
        "pass_score": settings["pass_score"],
        "reflection_html": render_markdown(settings["reflection"])[0],
        "reflection_min_words": settings["reflection_min_words"],
        "start": scenes[0].id,
        "scenes": {scene.id: {
            "title": scene.shown_title,
            "html": render_markdown("\n".join(scene.lines).strip())[0],
            "choices": [{"html": render_inline(c.text), "to": c.target, "effects": effects[id(c)],
                         "feedback_html": render_markdown("\n".join(c.feedback))[0]}
                        for c in scene.choices],
        } for scene in by_id.values()},
    }
    if not score:
        return script, []
    try:
        best, skill_max = strongest_paths(script)
    except OverflowError:
        return None, [Problem(path, front.body_line, "the conversation has too many routes to "
                              "score; join some branches back together")]
    if best["total"] is None or best["total"] <= 0:
        return None, [Problem(path, scenes[0].line, "no path through the conversation scores "
                              "above zero; give the strong choices positive effects")]
    script["best"], script["skill_max"] = best, skill_max
    return script, []
