"""Playing a module's role-play, its debrief, and the reflection after it."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..certificates.issuing import award_certificates
from ..extensions import db
from ..learning.access import open_module, redirect_if_locked
from ..review.reviews import ReviewError, can_review, record_review, self_assessed
from ..review.rubric import read_scores
from .models import RoleplayRun
from .pages import roleplay_page
from .reflections import ReflectionError, reflection_of, save_reflection
from .pages import script_of as shown_script_of
from .runs import choose, debrief, finished_runs, script_of, start_run

bp = Blueprint("roleplay", __name__, template_folder="templates")


def open_roleplay(number, slug):
    """The level and module whose role-play the current user asks for (404 if none)."""
    standing, level, module = open_module(number, slug)
    if not module.version.has_roleplay:
        abort(404)
    return level, module


def here(level, module):
    return url_for("roleplay.play", number=level.level.number, slug=module.module.slug)


@bp.route("/levels/<int:number>/<slug>/roleplay")
@login_required
def play(number, slug):
    """The conversation in progress, or the last run's debrief and the reflection."""
    level, module = open_roleplay(number, slug)
    if not level.unlocked:
        return redirect_if_locked(level)
    return render_template("roleplay/play.html", level=level, module=module,
                           **roleplay_page(current_user, module.module))


@bp.route("/levels/<int:number>/<slug>/roleplay/start", methods=["POST"])
@login_required
def start(number, slug):
    """Start the conversation, or start it again (the unfinished run is kept)."""
    level, module = open_roleplay(number, slug)
    if not level.unlocked:
        abort(404)
    start_run(current_user.id, module.module)
    db.session.commit()
    return redirect(here(level, module))


@bp.route("/levels/<int:number>/<slug>/roleplay/runs/<int:run_id>/choose", methods=["POST"])
@login_required
def take_choice(number, slug, run_id):
    """Take one of the current scene's choices; old or forged choices are refused."""
    level, module = open_roleplay(number, slug)
    run = db.session.get(RoleplayRun, run_id)
    if run is None or run.user_id != current_user.id or run.module_id != module.module.id \
            or not level.unlocked:
        abort(404)
    step, index = request.form.get("step", ""), request.form.get("choice", "")
    if not (step.isascii() and step.isdecimal() and index.isascii() and index.isdecimal()):
        outcome = "stale"
    else:
        outcome = choose(run, request.form.get("scene", ""), int(step), int(index),
                         current_user, module.module)
    if outcome == "finished":
        award_certificates(current_user)
    db.session.commit()
    if outcome == "stale":
        flash(_("That choice is no longer on the table; here is where the conversation stands."),
              "info")
    return redirect(here(level, module) + ("#debrief" if outcome == "finished" else "#now"))


@bp.route("/levels/<int:number>/<slug>/roleplay/runs/<int:run_id>")
@login_required
def run_debrief(number, slug, run_id):
    """The debrief of one finished run: the learner's, their manager's or an admin's view."""
    level, module = open_roleplay(number, slug)
    run = db.session.get(RoleplayRun, run_id)
    if run is None or run.module_id != module.module.id or run.finished_at is None:
        abort(404)
    if run.user_id != current_user.id and current_user.role != "admin":
        reflection = reflection_of(run.user_id, run.module_id)
        if reflection is None or not can_review(current_user, reflection):
            abort(404)
    script = shown_script_of(run)
    return render_template("roleplay/run.html", level=level, module=module, run=run,
                           script=script, result=debrief(script, run))


@bp.route("/levels/<int:number>/<slug>/roleplay/reflection", methods=["POST"])
@login_required
def reflect(number, slug):
    """Save the reflection as a draft, or submit it."""
    level, module = open_roleplay(number, slug)
    runs = finished_runs(current_user.id, module.module.id)
    if not runs or not level.unlocked:
        abort(404)
    submit = request.form.get("action") == "submit"
    passing = next((run for run in runs if run.passed), None)
    try:
        save_reflection(current_user, module.module, passing if submit and passing else runs[0],
                        request.form.get("body", ""), submit=submit and passing is not None,
                        min_words=script_of(runs[0])["reflection_min_words"])
        award_certificates(current_user)
        if submit and passing is None:
            flash(_("Finish the conversation at or above the pass score before you submit; "
                    "your draft is saved."), "error")
        else:
            flash(_("Reflection submitted.") if submit else _("Draft saved."), "success")
    except ReflectionError as error:
        flash(str(error), "error")
    db.session.commit()
    return redirect(here(level, module) + "#reflection")


@bp.route("/levels/<int:number>/<slug>/roleplay/self-assessment", methods=["POST"])
@login_required
def self_assessment(number, slug):
    """A learner nobody manages scores their own reflection against the rubric."""
    level, module = open_roleplay(number, slug)
    reflection = reflection_of(current_user.id, module.module.id)
    if reflection is None or not reflection.is_submitted or not self_assessed(current_user.id):
        abort(404)
    rubric = script_of(db.session.get(RoleplayRun, reflection.run_id))["rubric"]
    scores, missing = read_scores(rubric, request.form)
    if missing:
        flash(_("Score every skill: %(skills)s.", skills=", ".join(missing)), "error")
        return redirect(here(level, module) + "#review")
    try:
        record_review(current_user, reflection, scores, request.form.get("feedback", ""), "self")
        db.session.commit()
        flash(_("Self-assessment saved."), "success")
    except ReviewError as error:
        flash(str(error), "error")
    return redirect(here(level, module) + "#review")

