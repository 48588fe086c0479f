"""Sitting a level exam: its page, starting, saving, submitting, the result."""
from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..assessment.papers import question_sheet, read_answers
from ..curriculum.reading import paper_in_language, question_words
from ..certificates.awarding import renewal_due
from ..certificates.issuing import award_certificates
from ..clock import utcnow
from ..extensions import db
from ..learning.access import can_see_attempt, open_level
from .attempts import (close_if_expired, exam_gate_for, exam_settings, finish_exam, renewal_gate,
                       finished_attempts, open_attempt, save_answers, start_exam, why_not_open)
from .models import ExamAttempt

bp = Blueprint("exam", __name__, template_folder="templates")


def load_attempt(level, attempt_id):
    """An exam attempt of this level the current user may see (404 otherwise)."""
    attempt = db.session.get(ExamAttempt, attempt_id)
    if not can_see_attempt(attempt) or attempt.level_number != level.level.number:
        abort(404)
    return attempt


@bp.route("/levels/<int:number>/exam")
@login_required
def overview(number):
    """The level exam's page: its rules, the learner's attempts, and the way in."""
    running = open_attempt(current_user.id, number)
    if running is not None and close_if_expired(running):
        award_certificates(current_user)
        db.session.commit()
        running = None
    standing, level = open_level(number)  # after closing: a pass by the deadline counts
    history = finished_attempts(current_user.id, number)
    renewal = renewal_due(current_user.id, number,
                          current_app.config["LMS_RECERT_NOTICE_DAYS"])
    return render_template("exam/overview.html", level=level, running=running,
                           history=history, settings=exam_settings(level.level),
                           blocked=why_not_open(level), renewal=renewal,
                           gate=gate_for_learner(level, history, renewal))


def gate_for_learner(level, history, renewal):
    """The exam gate for the current learner, in or out of a renewal window."""
    if renewal is None:
        return exam_gate_for(current_user.id, level.level, history)
    return renewal_gate(history, level.level, renewal, current_app.config["LMS_RECERT_NOTICE_DAYS"])


@bp.route("/levels/<int:number>/exam/start", methods=["POST"])
@login_required
def start(number):
    """Start the exam (or return to the one running) and go to its paper."""
    standing, level = open_level(number)
    history = finished_attempts(current_user.id, number)
    running = open_attempt(current_user.id, number)
    renewal = renewal_due(current_user.id, number, current_app.config["LMS_RECERT_NOTICE_DAYS"])
    if running is None and (why_not_open(level)
                            or not gate_for_learner(level, history, renewal).open):
        flash(_("This exam cannot be started right now."), "error")
        return redirect(url_for("exam.overview", number=number))
    attempt = start_exam(current_user.id, level)
    db.session.commit()
    return redirect(url_for("exam.attempt", number=number, attempt_id=attempt.id))


@bp.route("/levels/<int:number>/exam/attempts/<int:attempt_id>")
@login_required
def attempt(number, attempt_id):
    """The paper of a running exam, or the result of a finished one."""
    standing, level = open_level(number)
    attempt = load_attempt(level, attempt_id)
    if close_if_expired(attempt):
        award_certificates(current_user)
        db.session.commit()
        flash(_("Time ran out; your exam was graded with the answers saved by the deadline."), "info")
    if attempt.is_finished:
        return render_template("exam/result.html", level=level, attempt=attempt,
                               own=attempt.user_id == current_user.id)
    if attempt.user_id != current_user.id:
        abort(404)
    seconds_left = max(0, int((attempt.deadline_at - utcnow()).total_seconds()))
    return render_template("exam/take.html", level=level, attempt=attempt,
                           sheet=question_sheet(paper_in_language(attempt.paper, question_words(
                               [m.version for m in level.modules], level.level))),
                           answers=attempt.answers or [],
                           seconds_left=seconds_left)


@bp.route("/levels/<int:number>/exam/attempts/<int:attempt_id>", methods=["POST"])
@login_required
def answer(number, attempt_id):
    """Save the answers so far, or hand in the exam."""
    standing, level = open_level(number)
    attempt = load_attempt(level, attempt_id)
    if attempt.user_id != current_user.id:
        abort(404)
    answers = read_answers(attempt.paper, request.form)
    wants_json = request.accept_mimetypes.best == "application/json"
    if request.form.get("action") == "save":
        saved = save_answers(attempt, answers)
        db.session.commit()
        if wants_json:
            left = int((attempt.deadline_at - utcnow()).total_seconds())
            return jsonify(saved=saved, seconds_left=max(0, left)), (200 if saved else 409)
        if saved:
            flash(_("Your answers are saved. The clock is still running."), "success")
        return redirect(url_for("exam.attempt", number=number, attempt_id=attempt.id))
    if not finish_exam(attempt, answers):
        flash(_("That exam was already submitted; here is its result."), "info")
    elif attempt.ended_by == "deadline":
        flash(_("Your answers arrived after the time limit, so the exam was graded with "
                "the answers saved by the deadline."), "info")
    if attempt.passed:
        for certificate in award_certificates(current_user):
            flash(_("You earned a certificate: %(title)s.", title=certificate.title), "success")
    db.session.commit()
    return redirect(url_for("exam.attempt", number=number, attempt_id=attempt.id))
