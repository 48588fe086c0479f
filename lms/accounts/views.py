"""Register, sign in, sign out."""
from urllib.parse import urlsplit

from flask import (Blueprint, abort, current_app, flash, redirect, render_template,
                   request, session, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from ..language import LANGUAGES
from ..extensions import db, login_manager
from .models import User
from .forms import RegisterForm, SignInForm
from .throttle import blocked_for, record_failure, record_success
from .users import AccountError, authenticate, create_user

bp = Blueprint("accounts", __name__, template_folder="templates")


@login_manager.user_loader
def load_user(user_id):
    """Flask-Login's loader: the user stored in the session, if any."""
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def safe_next(target):
    """Follow ?next= only to a path on this site, never to another host."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    form = SignInForm()
    if form.validate_on_submit():
        address = request.remote_addr or "unknown"
        wait = blocked_for(form.email.data, address)
        if wait:
            form.password.errors.append(_(
                "Too many failed attempts. Try again in %(n)s minutes, or ask an admin for a "
                "password link.", n=wait))
            return render_template("accounts/sign_in.html", form=form,
                                   can_register=current_app.config["LMS_OPEN_REGISTRATION"]), 429
        record_failure(form.email.data, address)  # counted first, so racing tries all count
        db.session.commit()
        user = authenticate(form.email.data, form.password.data)
        if user is not None:
            record_success(form.email.data, address)
            language = session.get("language")
            if user.locale is None and language in LANGUAGES:
                user.locale = language  # picked in the header before signing in
            db.session.commit()
            session.clear()  # a new session at sign-in: nothing planted before it carries over
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("learning.dashboard"))
        # One message for a wrong password and an unknown email alike.
        form.password.errors.append(_("That email and password don't match an account."))
    return render_template("accounts/sign_in.html", form=form,
                           can_register=current_app.config["LMS_OPEN_REGISTRATION"])


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create a learner account and sign it in (when registration is open)."""
    if not current_app.config["LMS_OPEN_REGISTRATION"]:
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.name.data, form.password.data)
            if session.get("language") in LANGUAGES:
                user.locale = session["language"]
            db.session.commit()
        except IntegrityError:
            # Someone registered the same email between our check and our insert.
            db.session.rollback()
            form.email.errors.append(_("An account with this email already exists. Sign in instead."))
        except AccountError as error:
            form.email.errors.append(str(error))
        else:
            login_user(user)
            flash(_("Welcome, %(name)s. Your first lesson is waiting.", name=user.name), "success")
            return redirect(url_for("learning.dashboard"))
    return render_template("accounts/register.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@login_required
def sign_out():
    """Sign out (a POST, so no link or image can do it behind your back)."""
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.sign_in"))
