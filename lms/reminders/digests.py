"""The daily digests: each learner's due and overdue work, each manager's team's overdue work.

Meant for cron (`lms remind`): a digest is keyed by person and day, so a
second run the same day sends nothing new. Each digest is also left as a
notice on the person's dashboard, replacing the day before's.
"""
from collections import defaultdict

from flask import url_for
from sqlalchemy import select

from ..accounts.models import User
from ..assignments.models import Assignment
from ..assignments.dues import COMPLETE, OVERDUE, covering, dues_of
from ..extensions import db
from ..learning.progress import standings_of
from ..notices.notices import dismiss_about, notify
from ..teams.models import Team, TeamMembership
from .mail import queue_message

WINDOW_DAYS = 7


def learner_digest_lines(dues, today):
    """What a learner must hear about: open work overdue or due within the window."""
    return [f"- {due.title}: {due.when_text(today)}" for due in dues
            if due.state(today) != COMPLETE and due.steps
            and due.days_left(today) <= WINDOW_DAYS]


def send_digests(today, now, base_url):
    """Queue today's digests; returns (learner digests, manager digests) newly queued."""
    covered_ids = set(db.session.scalars(
        select(TeamMembership.user_id).where(TeamMembership.is_manager.is_(False))
        .join(Team, Team.id == TeamMembership.team_id)))
    covered_ids |= set(db.session.scalars(select(Assignment.user_id).where(
        Assignment.user_id.is_not(None), Assignment.cancelled_at.is_(None))))
    people = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_(covered_ids), User.active.is_(True)))} if covered_ids else {}
    standings = standings_of(people, lock_levels=False)
    dues = dues_of(standings, covering(people))
    learners = 0
    for person_id, items in dues.items():
        lines = learner_digest_lines(items, today)
        if not lines:
            continue
        person = people[person_id]
        overdue = sum(1 for due in items if due.state(today) == OVERDUE)
        subject = (f"{overdue} overdue, {len(lines) - overdue} due soon" if overdue
                   else f"{len(lines)} due within {WINDOW_DAYS} days")
        body = "\n".join([f"Hello {person.name},", "",
                          "Here is the work assigned to you that is due soon or overdue:", "",
                          *lines, "", f"Open your dashboard: {base_url}/", ""])
        key = f"digest:learner:{person_id}:{today.isoformat()}"
        if queue_message(key, person, f"Your assignments: {subject}", body, now):
            learners += 1
            dismiss_about(person_id, f"digest:learner:{person_id}:", now)
            notify(person_id, f"Your assignments: {subject}.", link=url_for("learning.dashboard"),
                   key=key, now=now)
    managers = 0
    for manager, teams in overdue_by_manager(people, dues, today).items():
        lines = []
        count = 0
        for team_name, rows in sorted(teams.items()):
            lines += ["", f"{team_name}:"]
            for person, due in rows:
                lines.append(f"- {person.name}: {due.title}, {due.when_text(today)}")
                count += 1
        body = "\n".join([f"Hello {manager.name},", "",
                          "Work in your teams that is past its due date:", *lines, "",
                          f"Open the cockpit: {base_url}/manage", ""])
        key = f"digest:manager:{manager.id}:{today.isoformat()}"
        subject = f"{count} overdue item{'s' if count != 1 else ''} in your teams"
        if queue_message(key, manager, f"Team digest: {subject}", body, now):
            managers += 1
            dismiss_about(manager.id, f"digest:manager:{manager.id}:", now)
            notify(manager.id, f"Team digest: {subject}.", link=url_for("cockpit.index"),
                   key=key, now=now)
    return learners, managers


def overdue_by_manager(people, dues, today):
    """{manager: {team name: [(person, due)]}} for every overdue item of a managed learner."""
    overdue = {pid: [due for due in items if due.state(today) == OVERDUE]
               for pid, items in dues.items()}
    overdue = {pid: items for pid, items in overdue.items() if items}
    if not overdue:
        return {}
    rows = db.session.execute(
        select(TeamMembership.user_id, Team.name, User)
        .join(Team, Team.id == TeamMembership.team_id)
        .join(User, (User.id == TeamMembership.user_id))
        .where(TeamMembership.is_manager.is_(True), User.active.is_(True),
               User.role.in_(("manager", "admin")))).all()
    managers_of = defaultdict(list)  # team name -> managers
    for _, team_name, manager in rows:
        managers_of[team_name].append(manager)
    teams_of = defaultdict(list)  # person -> team names
    for person_id, team_name in db.session.execute(
            select(TeamMembership.user_id, Team.name)
            .join(Team, Team.id == TeamMembership.team_id)
            .where(TeamMembership.is_manager.is_(False),
                   TeamMembership.user_id.in_(list(overdue)))):
        teams_of[person_id].append(team_name)
    digest = defaultdict(lambda: defaultdict(list))
    for person_id, items in overdue.items():
        for team_name in teams_of[person_id]:
            for manager in managers_of[team_name]:
                if manager.id != person_id:
                    digest[manager][team_name] += [(people[person_id], due) for due in items]
    return digest
