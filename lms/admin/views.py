"""Admins: people (roles, switching accounts off, reset links) and the audit log."""
from datetime import date, datetime, timedelta

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy import func, select

from ..accounts.guards import admin_required
from ..accounts.models import ROLE_TEXT, ROLES, User
from ..extensions import db
from ..language import language_of
from ..reminders.mail import deliver, queue_message
from .models import AuditEvent
from .people import (PAGE, PeopleError, change_role, create_reset, find_people, find_reset,
                     set_active, use_reset)

bp = Blueprint("admin", __name__, template_folder="templates")


def person_or_404(user_id):
    return db.session.get(User, user_id) or abort(404)


@bp.route("/admin/users")
@admin_required
def users():
    """Find people; change a role, switch an account off or on, send a reset link."""
    query = request.args.get("q", "")[:200]
    role = request.args.get("role", "")
    status = request.args.get("status", "")
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    people, total = find_people(query, role, status, page)
    return render_template("admin/users.html", people=people, total=total, query=query,
                           role=role, status=status, page=page, pages=max(1, -(-total // PAGE)),
                           roles=ROLES)


@bp.route("/admin/users/<int:user_id>", methods=["POST"])
@admin_required
def change_user(user_id):
    person = person_or_404(user_id)
    action = request.form.get("action")
    try:
        if action == "role":
            change_role(current_user, person, request.form.get("role", ""))
            flash(_("%(name)s is now a %(role)s.", name=person.name,
                    role=ROLE_TEXT.get(person.role, person.role)), "success")
        elif action in ("deactivate", "reactivate"):
            set_active(current_user, person, action == "reactivate")
            flash(_("%(name)s can no longer sign in; their records are kept.", name=person.name)
                  if action == "deactivate" else _("%(name)s can sign in again.", name=person.name),
                  "success")
        elif action == "reset":
            token = create_reset(current_user, person)
            link = url_for("admin.reset_password", token=token, _external=True)
            with language_of(person):
                message = queue_message(
                    f"reset:{person.id}:{token[:12]}", person, _("Set a new password"),
                    _("Hello %(name)s,\n\nAn admin of the academy sent you this link to set a "
                      "new password. It works once, within 48 hours:\n\n%(link)s\n\nIf you "
                      "did not expect it, ignore it: your password stays as it is.\n",
                      name=person.name, link=link))
            db.session.commit()
            sent = deliver([message]) if current_app.config.get("MAIL_SERVER") else 0
            flash(_("Reset link emailed to %(email)s.", email=person.email) if sent else
                  _("Reset link kept in the outbox for %(email)s (no mail server is set); "
                    "copy it from there to send it yourself.", email=person.email), "success")
        else:
            abort(400)
        db.session.commit()
    except PeopleError as error:
        db.session.rollback()
        flash(str(error), "error")
    return redirect(request.form.get("back") if (request.form.get("back") or "").startswith(
        "/admin/users") else url_for("admin.users"))


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    """Set a new password through a link an admin sent."""
    reset, problem, status = find_reset(token)
    if reset is None:
        return render_template("admin/reset_problem.html", problem=problem), status
    error = None
    if request.method == "POST":
        password = request.form.get("password", "")
        if password != request.form.get("confirm", ""):
            error = _("The two passwords differ.")
        else:
            try:
                person = use_reset(reset, password)
                db.session.commit()
            except PeopleError as problem_text:
                db.session.rollback()
                error = str(problem_text)
            else:
                if current_user.is_authenticated:
                    logout_user()
                flash(_("Password set, %(name)s. Sign in with it now.", name=person.name),
                      "success")
                return redirect(url_for("accounts.sign_in"))
    person = db.session.get(User, reset.user_id)
    return render_template("admin/reset.html", person=person, error=error), \
        (422 if error else 200)


@bp.route("/admin/audit")
@admin_required
def audit_log():
    """Every admin action, newest first, filtered by who, what and when."""
    actor = request.args.get("actor", "")[:200]
    action = request.args.get("action", "")[:60]
    text = request.args.get("q", "")[:200]
    since = parse_day(request.args.get("since"))
    until = parse_day(request.args.get("until"))
    statement = select(AuditEvent)
    if actor:
        statement = statement.where(func.lower(AuditEvent.actor_email).like(f"%{actor.lower()}%"))
    if action:
        statement = statement.where(AuditEvent.action == action)
    if text:
        statement = statement.where(func.lower(AuditEvent.target).like(f"%{text.lower()}%"))
    if since:
        statement = statement.where(AuditEvent.at >= datetime.combine(since, datetime.min.time()))
    if until:
        statement = statement.where(AuditEvent.at < datetime.combine(until + timedelta(days=1),
                                                                     datetime.min.time()))
    events = db.session.scalars(statement.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                                .limit(500)).all()
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(
        AuditEvent.action)).all()
    return render_template("admin/audit.html", events=events, actions=actions, actor=actor,
                           action=action, q=text, since=request.args.get("since", ""),
                           until=request.args.get("until", ""))


def parse_day(value):
    try:
        return date.fromisoformat((value or "").strip()) if value else None
    except ValueError:
        return None



