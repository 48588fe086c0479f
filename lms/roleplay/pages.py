"""What the role-play page shows a learner, gathered in one place."""
from ..accounts.models import User
from ..curriculum.models import ModuleVersion
from ..curriculum.reading import script_in_language
from ..extensions import db
from ..review.reviews import review_of, self_assessed
from ..review.rubric import rubric_with_levels
from .models import RoleplayRun
from .reflections import reflection_of, word_count
from .runs import debrief, finished_runs, open_run, script_of as original_script_of, transcript


def script_of(run):
    """The script a run is played against, in the reader's language."""
    return script_in_language(original_script_of(run),
                              db.session.get(ModuleVersion, run.module_version_id))


def roleplay_page(user, module):
    """The learner's run in progress or last debrief, their reflection and its review.

    The reflection and its review are shown with the rubric and prompt of
    the run it reflects on, even if the role-play was edited since.
    """
    run = open_run(user.id, module.id)
    runs = finished_runs(user.id, module.id)
    script = script_of(run or runs[0]) if (run or runs) else script_in_language(
        module.current_version.roleplay, module.current_version)
    reflection = reflection_of(user.id, module.id)
    review = review_of(reflection.id) if reflection else None
    reflected = script_of(db.session.get(RoleplayRun, reflection.run_id)) if reflection else script
    if not (reflection and reflection.is_submitted):
        reflected = script_of(runs[0]) if runs else script  # a draft answers the latest prompt
    return {
        "script": script, "run": run, "runs": runs,
        "said": transcript(script, run.path) if run else None,
        "last": debrief(script_of(runs[0]), runs[0]) if runs and not run else None,
        "passed_once": any(r.passed for r in runs),
        "reflection": reflection, "review": review, "reflected": reflected,
        "reviewer": db.session.get(User, review.reviewer_id) if review else None,
        "words": word_count(reflection.body) if reflection else 0,
        "rubric": rubric_with_levels(reflected["rubric"]),
        "self_assess": reflection is not None and reflection.is_submitted and review is None
        and self_assessed(user.id),
    }
