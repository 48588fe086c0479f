"""Dismissing a notice."""
from flask import Blueprint, abort, redirect, url_for
from flask_login import current_user, login_required

from ..extensions import db
from .notices import dismiss

bp = Blueprint("notices", __name__)


@bp.route("/notices/<int:notice_id>/dismiss", methods=["POST"])
@login_required
def dismiss_notice(notice_id):
    """Dismiss one of your notices and go back to the dashboard."""
    if not dismiss(current_user.id, notice_id):
        abort(404)
    db.session.commit()
    return redirect(url_for("learning.dashboard"))
