"""Setting, moving and cancelling assignments, each step written to the assignment's history."""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from ..accounts.models import User
from ..clock import utcnow
from ..curriculum.models import Level, Module
from ..extensions import db
from ..teams.membership import member_ids, remove_member, visible_team
from .models import Assignment, AssignmentEvent

NOTE_LIMIT = 1000


class AssignmentError(ValueError):
    pass


def parse_target(value):
    """'path', 'level:2' or 'module:17' from the form, checked against what is published."""
    kind, __, number = (value or "").partition(":")
    if kind == "path" and not number:
        return "path", None, None
    if kind in ("level", "module") and number.isascii() and number.isdigit() and len(number) < 10:
        if kind == "level":
            if db.session.get(Level, int(number)) is None:
                raise AssignmentError(_("There is no such level."))
            return "level", None, int(number)
        module = db.session.get(Module, int(number))
        if module is None or module.retired_at is not None or module.current_version_id is None:
            raise AssignmentError(_("That module is not published."))
        return "module", module.id, module.level_number
    raise AssignmentError(_("Choose what to assign: the full path, a level or a module."))


def parse_due(value, today=None):
    """A due date from the form's YYYY-MM-DD; not in the past."""
    try:
        due = date.fromisoformat((value or "").strip())
    except ValueError:
        raise AssignmentError(_("Give the due date as a date, for example 2026-12-31.")) from None
    today = today or utcnow().date()
    if due < today:
        raise AssignmentError(_("The due date has already passed; choose today or a later day."))
    if (due - today).days > 3 * 366:
        raise AssignmentError(_("Choose a due date within the next three years."))
    return due


def clean_note(note):
    note = (note or "").strip()
    if len(note) > NOTE_LIMIT:
        raise AssignmentError(_("Keep the note under %(limit)s characters.", limit=NOTE_LIMIT))
    return note


def assign(manager, team, target, due, note="", person_id=None, now=None, today=None):
    """Assign `target` to the whole `team`, or to one of its learners with `person_id`."""
    now = now or utcnow()
    scope, module_id, level_number = parse_target(target)
    due_on = parse_due(due, today or now.date())
    note = clean_note(note)
    if person_id is not None:
        if person_id not in db.session.scalars(member_ids(team.id)).all():
            raise AssignmentError(_("That person is not a learner in this team."))
    assignment = Assignment(team_id=team.id, user_id=person_id,
                            scope=scope, module_id=module_id,
                            level_number=level_number if scope != "path" else None,
                            due_on=due_on, note=note, created_by_id=manager.id, created_at=now)
    db.session.add(assignment)
    db.session.flush()
    record(assignment, manager, "assigned",
           f"due {due_on.isoformat()}" + (f"; note: {note}" if note else ""), now)
    return assignment


def may_manage(user, assignment):
    """Admins manage every assignment; managers those set through the teams they manage."""
    return visible_team(user, assignment.team_id) is not None


def remove_from_team(manager, team, person_id, now=None):
    """Take a learner out of a team and cancel what was assigned to them personally there.

    Whole-team assignments stop covering them by themselves; their own records stay.
    """
    if not remove_member(team, person_id):
        return False
    for assignment in db.session.scalars(select(Assignment).where(
            Assignment.team_id == team.id, Assignment.user_id == person_id,
            Assignment.cancelled_at.is_(None))):
        cancel(manager, assignment, now, reason="left the team")
    return True


def change(manager, assignment, due, note, now=None, today=None):
    """Move the due date and/or change the note; each change goes into the history."""
    now = now or utcnow()
    if assignment.cancelled_at is not None:
        raise AssignmentError(_("This assignment was cancelled; set a new one instead."))
    due = (due or "").strip()
    # Keeping an overdue date while changing the note is fine; a new date must not be past.
    new_due = assignment.due_on if due == assignment.due_on.isoformat() \
        else parse_due(due, today or now.date())
    new_note = clean_note(note)
    changed = False
    if new_due != assignment.due_on:
        record(assignment, manager, "due date moved",
               f"from {assignment.due_on.isoformat()} to {new_due.isoformat()}", now)
        assignment.due_on = new_due
        changed = True
    if new_note != assignment.note:
        record(assignment, manager, "note changed", new_note or "(note removed)", now)
        assignment.note = new_note
        changed = True
    return changed


def cancel(manager, assignment, now=None, reason=""):
    """Cancel an assignment; it leaves dashboards and the cockpit but keeps its history."""
    now = now or utcnow()
    if assignment.cancelled_at is None:
        assignment.cancelled_at = now
        record(assignment, manager, "cancelled", reason, now)


def record(assignment, actor, what, detail="", now=None):
    db.session.add(AssignmentEvent(assignment_id=assignment.id, actor_id=actor.id if actor else None,
                                   at=now or utcnow(), what=what, detail=detail))


def history(assignment_id):
    """The assignment's history, oldest first, with who did each step."""
    return db.session.execute(
        select(AssignmentEvent, User.name)
        .outerjoin(User, User.id == AssignmentEvent.actor_id)
        .where(AssignmentEvent.assignment_id == assignment_id)
        .order_by(AssignmentEvent.at, AssignmentEvent.id)).all()
