"""Taking a module's quiz and reading its results."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..assessment.papers import grade_paper, question_sheet, read_answers, unanswered
from ..certificates.issuing import award_certificates
from ..curriculum.models import ModuleVersion
from ..curriculum.reading import paper_in_language, question_words
from ..extensions import db
from ..learning.access import can_see_attempt, open_module, redirect_if_locked
from .attempts import gate_for, hand_in, open_attempt, submitted_attempts
from .models import QuizAttempt

bp = Blueprint("quiz", __name__, template_folder="templates")


def open_quiz(number, slug):
    """The level and module whose quiz the current user asks for, if they may take it."""
    standing, level, module = open_module(number, slug)
    if not module.version.quiz_question_count:
        abort(404)
    return level, module


def render_quiz(level, module, attempt, gate, history, answers=None, missing=()):
    """Render the quiz page: the open attempt's form, or why there is none."""
    return render_template(
        "quiz/take.html", level=level, module=module, attempt=attempt, gate=gate,
        history=history, settings=module.version.quiz["settings"],
        sheet=question_sheet(shown_paper(attempt, module)) if attempt else None,
        answers=answers or [], missing=missing,
        missing_list=", ".join(str(number + 1) for number in missing))


def shown_paper(attempt, module):
    """The attempt's paper in the reader's language (grading always uses attempt.paper),
    with the words of the version it was laid out from."""
    version = db.session.get(ModuleVersion, attempt.module_version_id) or module.version
    return paper_in_language(attempt.paper, question_words([version]))


@bp.route("/levels/<int:number>/<slug>/quiz")
@login_required
def take(number, slug):
    """The quiz page: the learner's open attempt and their attempt history."""
    level, module = open_quiz(number, slug)
    if not level.unlocked:
        return redirect_if_locked(level)
    history = submitted_attempts(current_user.id, module.module.id)
    gate = gate_for(current_user.id, module.module, history)
    attempt = open_attempt(current_user.id, module.module) if gate.open else None
    db.session.commit()
    return render_quiz(level, module, attempt, gate, history,
                       answers=attempt.answers if attempt else None)


@bp.route("/levels/<int:number>/<slug>/quiz/attempts/<int:attempt_id>", methods=["POST"])
@login_required
def submit(number, slug, attempt_id):
    """Hand in an answer sheet and show its result."""
    level, module = open_quiz(number, slug)
    if not level.unlocked:
        abort(404)
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != current_user.id or attempt.module_id != module.module.id:
        # Also what an old tab sees after the quiz was edited and its draft laid out anew.
        flash(_("That attempt is no longer open; here is the quiz as it is now."), "info")
        return redirect(url_for("quiz.take", number=number, slug=slug))
    answers = read_answers(attempt.paper, request.form)
    outcome = hand_in(attempt, answers, module.module, current_user,
                      submit_anyway=bool(request.form.get("submit_anyway")))
    if outcome == "graded":
        award_certificates(current_user)
    db.session.commit()
    if outcome == "incomplete":
        history = submitted_attempts(current_user.id, module.module.id)
        gate = gate_for(current_user.id, module.module, history)
        return render_quiz(level, module, attempt, gate, history, answers, unanswered(answers)), 422
    if outcome == "closed":
        return redirect(url_for("quiz.take", number=number, slug=slug))
    if outcome == "already":
        flash(_("That attempt was already submitted; here is its result."), "info")
    return redirect(url_for("quiz.result", number=number, slug=slug, attempt_id=attempt.id))


@bp.route("/levels/<int:number>/<slug>/quiz/attempts/<int:attempt_id>")
@login_required
def result(number, slug, attempt_id):
    """A submitted attempt: score, and per question the choice, the answer and why."""
    level, module = open_quiz(number, slug)
    attempt = db.session.get(QuizAttempt, attempt_id)
    if not can_see_attempt(attempt) or attempt.module_id != module.module.id:
        abort(404)
    if not attempt.is_submitted:
        return redirect(url_for("quiz.take", number=number, slug=slug))
    grade = grade_paper(attempt.paper, attempt.answers)
    questions = [{"question": q, "chosen": chosen, "mark": mark}
                 for q, chosen, mark in zip(shown_paper(attempt, module), attempt.answers,
                                            grade.marks)]
    own = attempt.user_id == current_user.id
    gate = gate_for(current_user.id, module.module) if own else None
    return render_template("quiz/result.html", level=level, module=module, attempt=attempt,
                           questions=questions, gate=gate, own=own)
