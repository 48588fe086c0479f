"""Rules for playing a role-play: starting, choosing, scoring, the debrief."""
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import undefer

from ..clock import utcnow
from ..curriculum.models import ModuleVersion
from ..extensions import db
from ..learning.progress import progress_for, refresh_completion
from .models import RoleplayRun


def script_of(run):
    """The script a run is played against: its own version's, even after edits.

    One query loads the version with its script; later calls for the same
    version are answered from the session.
    """
    return db.session.get(ModuleVersion, run.module_version_id,
                          options=[undefer(ModuleVersion.roleplay)]).roleplay


def open_run(user_id, module_id):
    """The learner's conversation in progress in a module, or None."""
    return db.session.scalar(select(RoleplayRun).where(
        RoleplayRun.user_id == user_id, RoleplayRun.module_id == module_id,
        RoleplayRun.finished_at.is_(None), RoleplayRun.abandoned_at.is_(None)))


def finished_runs(user_id, module_id):
    """The learner's finished runs in a module, newest first."""
    return db.session.scalars(select(RoleplayRun).where(
        RoleplayRun.user_id == user_id, RoleplayRun.module_id == module_id,
        RoleplayRun.finished_at.is_not(None)).order_by(RoleplayRun.finished_at.desc(),
                                                        RoleplayRun.id.desc())).all()


def start_run(user_id, module, now=None):
    """Start a conversation from its first scene; an unfinished one is set aside, kept."""
    now = now or utcnow()
    running = open_run(user_id, module.id)
    if running is not None:
        running.abandoned_at = now
        db.session.flush()
    version = module.current_version
    run = RoleplayRun(user_id=user_id, module_id=module.id, module_version_id=version.id,
                      started_at=now, scene=version.roleplay["start"], step=0, path=[])
    try:
        with db.session.begin_nested():
            db.session.add(run)
    except IntegrityError:  # another tab started one at the same moment: use it
        run = open_run(user_id, module.id)
    return run


def loop_free(path):
    """The path with every detour cut out: coming back to a scene undoes what came since."""
    kept = []
    for scene_id, index in path:
        seen = [step[0] for step in kept]
        if scene_id in seen:
            kept = kept[:seen.index(scene_id)]
        kept.append([scene_id, index])
    return kept


def score_path(script, path):
    """Per-skill scores of a path, counted on its loop-free version.

    A learner who goes round a loop is scored as if they had gone straight
    on, so no run can beat the strongest path by circling.
    """
    scores = {skill: 0 for skill in script["rubric"]}
    for scene_id, index in loop_free(path):
        for skill, amount in script["scenes"][scene_id]["choices"][index]["effects"].items():
            scores[skill] += amount
    return scores


def percent_of_best(script, scores):
    """The run's total as a share of the strongest path's total, 0 to 100."""
    best = script["best"]["total"]
    total = sum(scores.values())
    if best is None or best <= 0:
        return 100 if total >= 0 else 0
    return max(0, min(100, round(100 * total / best)))


def choose(run, scene_id, step, index, user, module, now=None):
    """Take choice `index` in the run's current scene: "moved", "finished" or "stale".

    The form names the scene and step it was shown at; a choice from an
    old page, a replayed request or an edited form is refused as "stale".
    """
    now = now or utcnow()
    if not run.is_open or scene_id != run.scene or step != run.step:
        return "stale"
    script = script_of(run)
    choices = script["scenes"][run.scene]["choices"]
    if not 0 <= index < len(choices):
        return "stale"
    target = choices[index]["to"]
    moved = db.session.execute(
        update(RoleplayRun)
        .where(RoleplayRun.id == run.id, RoleplayRun.step == step,
               RoleplayRun.finished_at.is_(None), RoleplayRun.abandoned_at.is_(None))
        .values(step=step + 1, scene=target, path=run.path + [[scene_id, index]])
        .execution_options(synchronize_session=False)).rowcount
    db.session.refresh(run)
    if not moved:
        return "stale"
    if script["scenes"][target]["choices"]:
        return "moved"
    finish(run, script, user, module, now)
    return "finished"


def finish(run, script, user, module, now):
    """Score a run that reached an ending, and record a pass on the learner's progress."""
    run.scores = score_path(script, run.path)
    run.percent = percent_of_best(script, run.scores)
    run.passed = run.percent >= script["pass_score"]
    run.finished_at = now
    progress = progress_for(user, module, now)
    progress.last_visited_at = now
    if run.passed and progress.roleplay_passed_at is None:
        progress.roleplay_passed_at = now
    refresh_completion(progress, module.current_version, now)
    db.session.flush()


def transcript(script, path):
    """The conversation so far: each scene the learner saw and what they chose there."""
    return [{"scene": script["scenes"][scene_id], "choice": script["scenes"][scene_id]["choices"][index]}
            for scene_id, index in path]


def debrief(script, run):
    """What a finished run did: bars per skill, and the feedback on every choice taken."""
    bars = []
    for skill in script["rubric"]:
        best = script["skill_max"][skill]
        value = run.scores[skill]
        bars.append({"skill": skill, "value": value, "best": best,
                     "percent": max(0, min(100, round(100 * value / best))) if best > 0 else 0})
    return {"bars": bars, "steps": transcript(script, run.path),
            "ending": script["scenes"][run.scene],
            "best_steps": transcript(script, script["best"]["path"])}
