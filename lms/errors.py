"""Error pages in the site's look."""
from flask import Blueprint, render_template

from .extensions import db

bp = Blueprint("errors", __name__)


@bp.app_errorhandler(400)
def bad_request(error):
    return render_template("errors/400.html"), 400


@bp.app_errorhandler(403)
def forbidden(error):
    return render_template("errors/403.html"), 403


@bp.app_errorhandler(404)
def not_found(error):
    return render_template("errors/404.html"), 404


@bp.app_errorhandler(500)
def server_error(error):
    db.session.rollback()
    return render_template("errors/500.html"), 500
