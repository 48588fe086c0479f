"""Loading what the current user may study, or stopping the request."""
from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .progress import find_level, learner_standing


def standing_for_current_user():
    """The current user's standing in every level."""
    return learner_standing(current_user, current_app.config["LMS_LOCK_LEVELS"])


def open_level(number):
    """The current user's standing and the level asked for (404 if there is none)."""
    standing = standing_for_current_user()
    level = find_level(standing, number)
    if level is None:
        abort(404)
    return standing, level


def open_module(number, slug):
    """The current user's standing, the level and the module asked for (404 if none)."""
    standing, level = open_level(number)
    module = level.standing(slug)
    if module is None:
        abort(404)
    return standing, level, module


def redirect_if_locked(level):
    """Send the learner to a locked level's page, saying what opens it."""
    number = level.level.number
    flash(_("Level %(number)s opens once you complete level %(previous)s.",
            number=number, previous=number - 1), "info")
    return redirect(url_for("learning.level", number=number))


def can_see_attempt(attempt):
    """A learner sees their own attempts; an admin sees everyone's."""
    return attempt is not None and (attempt.user_id == current_user.id
                                    or current_user.role == "admin")
