"""The managers' cockpit: teams, members and invitations, assignments, people, CSV exports."""
from flask import (Blueprint, Response, abort, current_app, flash, redirect, render_template,
                   request, session, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.forms import RegisterForm
from ..accounts.guards import admin_required, staff_required
from ..accounts.models import User
from ..admin.audit import audit
from ..accounts.users import AccountError, create_user
from ..assignments.assigning import (AssignmentError, assign, cancel, change, history,
                                     may_manage, remove_from_team)
from ..assignments.dues import assignment_progress
from ..assignments.models import Assignment
from ..clock import utcnow
from ..curriculum.models import Level
from ..extensions import db
from ..learning.progress import published_modules
from ..reminders.models import OutboxMessage
from ..teams.membership import (INVITATION_PROBLEMS, TeamError, accept_invitation, add_member, can_see_person,
                                create_invitation, create_team, find_invitation,
                                open_invitations, remove_member, team_people, team_sizes,
                                visible_team, visible_teams, withdraw_invitation)
from ..teams.models import Team
from .overview import STATUS_TEXT, team_overview
from .person import person_overview

bp = Blueprint("cockpit", __name__, template_folder="templates")


def today():
    return utcnow().date()


def team_or_404(team_id):
    """The team if the current user may see it; a 404 otherwise, so no id is confirmed."""
    team = visible_team(current_user, team_id)
    if team is None:
        abort(404)
    return team


def csv_response(table, filename):
    return Response(table.csv(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}.csv"'})


def whole_number(text, low=0, high=10_000):
    """A small whole number typed by hand, or None (never a 500 for '²' or 10**400)."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        return None
    number = int(text)
    return number if low <= number <= high else None


def slug(text):
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-") or "team"


def matrix_choice():
    """The matrix the manager asked for: ('levels', None) or ('modules', level or None)."""
    view = request.args.get("view", "levels")
    level = request.args.get("level", "")
    if view != "modules":
        return "levels", None
    return "modules", whole_number(level, 1, 99)


def build_overview(team, view, level):
    config = current_app.config
    return team_overview(team, today(), view, level, config["LMS_RECERT_NOTICE_DAYS"],
                         config["LMS_LOCK_LEVELS"])


@bp.route("/manage")
@staff_required
def index():
    """The teams the current user manages (every team for an admin)."""
    teams = visible_teams(current_user)
    counts = team_sizes(team.id for team in teams)
    return render_template("cockpit/index.html", teams=teams, counts=counts)


@bp.route("/manage/teams", methods=["POST"])
@admin_required
def new_team():
    """Admins: create a team, then name its managers on its members page."""
    try:
        team = create_team(request.form.get("name", ""))
        audit(current_user, "created team", team.name)
        db.session.commit()
    except TeamError as error:
        flash(str(error), "error")
        return redirect(url_for("cockpit.index"))
    flash(_("Team created. Name its managers and add its people."), "success")
    return redirect(url_for("cockpit.members", team_id=team.id))


@bp.route("/manage/teams/<int:team_id>")
@staff_required
def team(team_id):
    """One team's cockpit: headline numbers, the matrix, assignments, weak spots, the chart."""
    team = team_or_404(team_id)
    view, level = matrix_choice()
    overview = build_overview(team, view, level)
    return render_template("cockpit/team.html", overview=overview, view=view, level=level,
                           status_text=STATUS_TEXT)


@bp.route("/manage/teams/<int:team_id>/export/<name>.csv")
@staff_required
def team_csv(team_id, name):
    """Any table of the team's cockpit as CSV: the same cells the page shows."""
    team = team_or_404(team_id)
    view, level = matrix_choice()
    overview = build_overview(team, view, level)
    table = overview.table(name)
    if table is None:
        abort(404)
    suffix = f"-{view}" + (f"-level-{level}" if level else "") if name == "matrix" else ""
    return csv_response(table, f"{slug(team.name)}-{name}{suffix}-{today().isoformat()}")


@bp.route("/manage/teams/<int:team_id>/members")
@staff_required
def members(team_id):
    """Who is in the team, who manages it, and the open invitation links."""
    team = team_or_404(team_id)
    people, managers = team_people(team.id)
    new_link = session.pop("new_invitation", None)
    if new_link and new_link.get("team") != team.id:
        new_link = None
    return render_template("cockpit/members.html", team=team, people=people, managers=managers,
                           invitations=open_invitations(team.id), new_link=new_link,
                           now=utcnow())


@bp.route("/manage/teams/<int:team_id>/members", methods=["POST"])
@staff_required
def add_person(team_id):
    """Add someone who already has an account, by email."""
    team = team_or_404(team_id)
    try:
        membership = add_member(team, request.form.get("email", ""), by=current_user)
        db.session.commit()
    except TeamError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        flash(_("%(name)s is now in %(team)s.", name=db.session.get(User, membership.user_id).name,
                team=team.name), "success")
    return redirect(url_for("cockpit.members", team_id=team.id))


@bp.route("/manage/teams/<int:team_id>/members/<int:user_id>/remove", methods=["POST"])
@staff_required
def remove_person(team_id, user_id):
    """Take a learner out of the team; their progress and certificates stay theirs."""
    team = team_or_404(team_id)
    try:
        removed = remove_from_team(current_user, team, user_id)
    except TeamError as error:
        flash(str(error), "error")
        return redirect(url_for("cockpit.members", team_id=team.id))
    if not removed:
        abort(404)
    db.session.commit()
    flash(_("Removed from %(team)s. Their own records are kept.", team=team.name), "success")
    return redirect(url_for("cockpit.members", team_id=team.id))


@bp.route("/manage/teams/<int:team_id>/managers", methods=["POST"])
@admin_required
def add_manager(team_id):
    """Admins: name a manager (or admin) as one of the team's managers."""
    team = team_or_404(team_id)
    try:
        membership = add_member(team, request.form.get("email", ""), as_manager=True)
        audit(current_user, "named a team manager", team.name, None,
              {"manager": db.session.get(User, membership.user_id).email})
        db.session.commit()
        flash(_("Manager added."), "success")
    except TeamError as error:
        db.session.rollback()
        flash(str(error), "error")
    return redirect(url_for("cockpit.members", team_id=team.id))


@bp.route("/manage/teams/<int:team_id>/managers/<int:user_id>/remove", methods=["POST"])
@admin_required
def remove_manager(team_id, user_id):
    team = team_or_404(team_id)
    if not remove_member(team, user_id, managers_too=True):
        abort(404)
    audit(current_user, "removed a team manager", team.name,
          {"manager": db.session.get(User, user_id).email}, None)
    db.session.commit()
    flash(_("Manager removed from %(team)s.", team=team.name), "success")
    return redirect(url_for("cockpit.members", team_id=team.id))


@bp.route("/manage/teams/<int:team_id>/invitations", methods=["POST"])
@staff_required
def invite(team_id):
    """Make a single-use link that signs a new person up straight into the team."""
    team = team_or_404(team_id)
    try:
        invitation, token = create_invitation(team, current_user,
                                              whole_number(request.form.get("days"), 1, 60) or 0)
        db.session.commit()
    except TeamError as error:
        flash(str(error), "error")
        return redirect(url_for("cockpit.members", team_id=team.id))
    # The link is shown once, to its maker: only its hash is stored.
    session["new_invitation"] = {"team": team.id, "url": url_for(
        "cockpit.join", token=token, _external=True), "expires": invitation.expires_at.isoformat()}
    return redirect(url_for("cockpit.members", team_id=team.id))


@bp.route("/manage/teams/<int:team_id>/invitations/<int:invitation_id>/withdraw",
          methods=["POST"])
@staff_required
def withdraw(team_id, invitation_id):
    team = team_or_404(team_id)
    if not withdraw_invitation(team, invitation_id):
        abort(404)
    db.session.commit()
    flash(_("Invitation withdrawn: the link no longer works."), "success")
    return redirect(url_for("cockpit.members", team_id=team.id))


@bp.route("/join/<token>", methods=["GET", "POST"])
def join(token):
    """An invitation link: sign up (or, signed in, just join) straight into the team."""
    invitation = find_invitation(token)
    if invitation is None:
        return render_template("cockpit/join_problem.html", problem=_(
            "This invitation link is not valid. Check you copied all of it, or ask your "
            "manager for a new one.")), 404
    team = db.session.get(Team, invitation.team_id)
    state = invitation.state(utcnow())
    if state != "open":
        return render_template("cockpit/join_problem.html", problem=INVITATION_PROBLEMS[state]), 410
    form = RegisterForm()
    if current_user.is_authenticated:
        if request.method == "POST":
            try:
                accept_invitation(invitation, current_user)
                db.session.commit()
            except TeamError as error:
                db.session.rollback()
                return render_template("cockpit/join_problem.html", problem=str(error)), 410
            flash(_("You have joined %(team)s.", team=team.name), "success")
            return redirect(url_for("learning.dashboard"))
        return render_template("cockpit/join.html", team=team, form=None)
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.name.data, form.password.data)
            accept_invitation(invitation, user)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            form.email.errors.append(_("An account with this email already exists. Sign in "
                                       "first, then open the link again."))
        except (AccountError, TeamError) as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            login_user(user)
            flash(_("Welcome, %(name)s. You are in %(team)s.", name=user.name, team=team.name),
                  "success")
            return redirect(url_for("learning.dashboard"))
    return render_template("cockpit/join.html", team=team, form=form), \
        (422 if request.method == "POST" else 200)


def assignment_choices():
    """What can be assigned: the full path, each level, each published module."""
    levels = db.session.scalars(select(Level).order_by(Level.number)).all()
    modules = published_modules()
    groups = [("", [("path", _("The full path: every level"))])]
    for level in levels:
        options = [(f"level:{level.number}", _("Level %(n)s: %(title)s (the whole level)",
                                               n=level.number, title=level.title))]
        options += [(f"module:{m.id}", m.current_version.title)
                    for m in modules if m.level_number == level.number]
        groups.append((_("Level %(n)s", n=level.number), options))
    return groups


@bp.route("/manage/teams/<int:team_id>/assign", methods=["GET", "POST"])
@staff_required
def assign_work(team_id):
    """Assign a module, a level or the full path to the team or one of its people."""
    team = team_or_404(team_id)
    people, _managers = team_people(team.id)
    form = request.form
    error = None
    if request.method == "POST":
        who = form.get("who", "team")
        try:
            person_id = None if who == "team" else whole_number(who, 1, 2**31 - 1) or -1
            assignment = assign(current_user, team, form.get("target"), form.get("due_on"),
                                form.get("note", ""), person_id=person_id)
            db.session.commit()
        except AssignmentError as problem:
            db.session.rollback()
            error = str(problem)
        else:
            flash(_("Assigned. It is on their dashboards now."), "success")
            return redirect(url_for("cockpit.assignment", assignment_id=assignment.id))
    return render_template("cockpit/assign.html", team=team, people=people,
                           choices=assignment_choices(), form=form, error=error,
                           today=today()), (422 if error else 200)


@bp.route("/manage/assignments/<int:assignment_id>", methods=["GET", "POST"])
@staff_required
def assignment(assignment_id):
    """One assignment: who it covers, its history; move the due date or change the note."""
    item = db.session.get(Assignment, assignment_id)
    if item is None or not may_manage(current_user, item):
        abort(404)
    error = None
    if request.method == "POST":
        try:
            changed = change(current_user, item, request.form.get("due_on"),
                             request.form.get("note", ""))
            db.session.commit()
        except AssignmentError as problem:
            db.session.rollback()
            error = str(problem)
        else:
            flash(_("Saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("cockpit.assignment", assignment_id=item.id))
    team = db.session.get(Team, item.team_id) if item.team_id else None
    person = db.session.get(User, item.user_id) if item.user_id else None
    return render_template("cockpit/assignment.html", item=item, team=team, person=person,
                           progress=assignment_progress(item, today(),
                                                        current_app.config["LMS_LOCK_LEVELS"]),
                           events=history(item.id), error=error, form=request.form,
                           today=today()), (422 if error else 200)


@bp.route("/manage/assignments/<int:assignment_id>/cancel", methods=["POST"])
@staff_required
def cancel_assignment(assignment_id):
    item = db.session.get(Assignment, assignment_id)
    if item is None or not may_manage(current_user, item):
        abort(404)
    cancel(current_user, item)
    db.session.commit()
    flash(_("Assignment cancelled. Its history is kept."), "success")
    return redirect(url_for("cockpit.assignment", assignment_id=item.id))


def viewed_person(person):
    """The person's page as the current user may see it: only teams they can see are named."""
    return person_overview(person, today(), viewer=current_user,
                           lock_levels=current_app.config["LMS_LOCK_LEVELS"])


@bp.route("/manage/people/<int:person_id>")
@staff_required
def person(person_id):
    """Everything one learner has done, for their manager."""
    person = db.session.get(User, person_id)
    if person is None or not can_see_person(current_user, person_id):
        abort(404)
    return render_template("cockpit/person.html", overview=viewed_person(person),
                           status_text=STATUS_TEXT)


@bp.route("/manage/people/<int:person_id>/export/<name>.csv")
@staff_required
def person_csv(person_id, name):
    person = db.session.get(User, person_id)
    if person is None or not can_see_person(current_user, person_id):
        abort(404)
    table = viewed_person(person).table(name)
    if table is None:
        abort(404)
    return csv_response(table, f"{slug(person.name)}-{name}-{today().isoformat()}")


@bp.route("/admin/outbox")
@admin_required
def outbox():
    """Every message the academy has sent or kept, newest first."""
    messages = db.session.scalars(select(OutboxMessage).order_by(
        OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(300)).all()
    return render_template("cockpit/outbox.html", messages=messages,
                           mail_server=current_app.config.get("MAIL_SERVER"))
