"""Which language a page is in: the person's setting, else the browser's, else English."""
from contextlib import contextmanager

from flask import Blueprint, redirect, request, session, url_for
from flask_babel import force_locale
from flask_login import current_user

from .extensions import db

# The languages the interface and curriculum can be read in, named in their own words.
LANGUAGES = {"en": "English", "ja": "日本語"}
DEFAULT = "en"

bp = Blueprint("language", __name__)


def choose_language(chosen, remembered, accept_languages):
    """The language to use: an account's choice, then this browser's, then Accept-Language."""
    for candidate in (chosen, remembered):
        if candidate in LANGUAGES:
            return candidate
    return accept_languages.best_match(LANGUAGES, default=DEFAULT) if accept_languages \
        else DEFAULT


def select_locale():
    """Flask-Babel's locale selector."""
    if not request:
        return DEFAULT
    chosen = current_user.locale if current_user and current_user.is_authenticated else None
    return choose_language(chosen, session.get("language"), request.accept_languages)


@contextmanager
def language_of(person):
    """Write for someone else (a notice, an email) in their language, not the request's.

    `person` is a user or a user id; without a choice of their own it is English, because
    nothing tells us their browser's language outside their own visits.
    """
    if isinstance(person, int):
        from .accounts.models import User
        person = db.session.get(User, person)
    chosen = getattr(person, "locale", None)
    with force_locale(chosen if chosen in LANGUAGES else DEFAULT):
        yield


@bp.route("/language", methods=["POST"])
def switch():
    """Remember the language picked in the header, on the account and in this browser."""
    from .accounts.views import safe_next
    language = request.form.get("language")
    if language in LANGUAGES:
        session["language"] = language
        if current_user.is_authenticated:
            current_user.locale = language
            db.session.commit()
    home = "learning.dashboard" if current_user.is_authenticated else "accounts.sign_in"
    return redirect(safe_next(request.form.get("next")) or url_for(home))
