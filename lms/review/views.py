"""The review queue and the review of one reflection."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..accounts.models import User
from ..curriculum.models import Module, ModuleVersion
from ..certificates.issuing import award_certificates
from ..extensions import db
from ..roleplay.models import Reflection, RoleplayRun
from ..roleplay.runs import debrief, script_of
from .reviews import ReviewError, can_review, record_review, review_of, review_queue
from .rubric import read_scores, rubric_with_levels

bp = Blueprint("review", __name__, template_folder="templates")


@bp.route("/reviews")
@login_required
def queue():
    """Reflections waiting for the current manager's (or any admin's) review, oldest first."""
    if current_user.role not in ("manager", "admin"):
        abort(403)
    return render_template("review/queue.html", waiting=review_queue(current_user))


@bp.route("/reviews/<int:reflection_id>", methods=["GET", "POST"])
@login_required
def review(reflection_id):
    """One reflection beside the learner's run and debrief, with the rubric to score it."""
    reflection = db.session.get(Reflection, reflection_id)
    if reflection is None or not reflection.is_submitted or not can_review(current_user, reflection):
        abort(404)
    run = db.session.get(RoleplayRun, reflection.run_id)
    script = script_of(run)
    existing = review_of(reflection.id)
    scores, missing, feedback = {}, [], ""
    if request.method == "POST" and existing is None:
        scores, missing = read_scores(script["rubric"], request.form)
        feedback = request.form.get("feedback", "")
        if not missing:
            try:
                record_review(current_user, reflection, scores, feedback)
                award_certificates(db.session.get(User, reflection.user_id))
                db.session.commit()
                flash(_("Review saved; the learner can see it on the module page."), "success")
                return redirect(url_for("review.queue"))
            except ReviewError as error:
                flash(str(error), "error")
        else:
            flash(_("Score every skill: %(skills)s.", skills=", ".join(missing)), "error")
    module = db.session.get(Module, reflection.module_id)
    return render_template(
        "review/review.html", reflection=reflection, run=run, script=script,
        learner=db.session.get(User, reflection.user_id), module=module,
        title=db.session.get(ModuleVersion, module.current_version_id).title,
        result=debrief(script, run), existing=existing,
        reviewer=db.session.get(User, existing.reviewer_id) if existing else None,
        rubric=rubric_with_levels(script["rubric"]), scores=scores, missing=missing,
        feedback=feedback), (422 if request.method == "POST" and existing is None else 200)
