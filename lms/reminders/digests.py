"""The daily digests: each learner's due and overdue work, each manager's team's overdue work.

Meant for cron (`lms remind`): a digest is keyed by person and day, so a
second run the same day sends nothing new. Each digest is also left as a
notice on the person's dashboard, replacing the day before's. The text is
marked for translation; outside a request (cron) it is written in English.
"""
from collections import defaultdict

from flask import url_for
from flask_babel import gettext as _, ngettext
from sqlalchemy import select, update

from ..accounts.models import User
from ..assignments.dues import COMPLETE, OVERDUE, covering, dues_of
from ..extensions import db
from ..language import language_of
from ..learning.progress import standings_of
from ..notices.models import Notice
from ..notices.notices import notify
from ..teams.models import Team, TeamMembership
from .mail import queue_message

WINDOW_DAYS = 7


def learner_digest_lines(dues, today):
    """What a learner must hear about: open work overdue or due within the window."""
    return [_("- %(title)s: %(when)s", title=due.title, when=due.when_text(today)) for due in dues
            if due.state(today) != COMPLETE and due.steps
            and due.days_left(today) <= WINDOW_DAYS]


def send_digests(today, now, base_url, lock_levels=True):
    """Queue today's digests; returns (learner digests, manager digests) newly queued.

    A digest notice from an earlier day is dismissed first: today's replaces it,
    and someone with nothing due any more is not left with yesterday's news.
    """
    dismiss_stale_digests(today, now)
    people = {user.id: user for user in db.session.scalars(
        select(User).where(User.active.is_(True), User.id.in_(
            select(TeamMembership.user_id).where(TeamMembership.is_manager.is_(False)))))}
    standings = standings_of(people, lock_levels=lock_levels)
    dues = dues_of(standings, covering(people))
    learners = 0
    for person_id, items in dues.items():
        person = people[person_id]
        with language_of(person):
            learners += _learner_digest(person, items, today, now, base_url)
    managers = 0
    for manager, teams in overdue_by_manager(people, dues, today).items():
        with language_of(manager):
            lines = []
            count = 0
            for team_name, rows in sorted(teams.items()):
                lines += ["", _("%(team)s:", team=team_name)]
                for person, due in rows:
                    lines.append(_("- %(name)s: %(title)s, %(when)s", name=person.name,
                                   title=due.title, when=due.when_text(today)))
                    count += 1
            body = "\n".join([_("Hello %(name)s,", name=manager.name), "",
                              _("Work in your teams that is past its due date:"), *lines, "",
                              _("Open the cockpit: %(url)s", url=f"{base_url}/manage"), ""])
            key = f"digest:manager:{manager.id}:{today.isoformat()}"
            subject = ngettext("%(num)d overdue item in your teams",
                               "%(num)d overdue items in your teams", count)
            if queue_message(key, manager, _("Team digest: %(subject)s", subject=subject), body,
                             now):
                managers += 1
                notify(manager.id, _("Team digest: %(subject)s.", subject=subject),
                       link=url_for("cockpit.index"), key=key, now=now)
    return learners, managers


def dismiss_stale_digests(today, now):
    """Dismiss every open digest notice from an earlier day, in one statement."""
    db.session.execute(
        update(Notice)
        .where(Notice.key.startswith("digest:"), Notice.dismissed_at.is_(None),
               ~Notice.key.endswith(f":{today.isoformat()}"))
        .values(dismissed_at=now)
        .execution_options(synchronize_session=False))


def overdue_by_manager(people, dues, today):
    """{manager: {team name: [(person, due)]}}: each overdue item goes to the managers of the
    team it was assigned through, and to nobody else."""
    overdue = [(pid, due) for pid, items in dues.items() for due in items
               if due.state(today) == OVERDUE]
    if not overdue:
        return {}
    teams = defaultdict(lambda: ("", []))
    for team_id, team_name, manager in db.session.execute(
            select(TeamMembership.team_id, Team.name, User)
            .join(Team, Team.id == TeamMembership.team_id)
            .join(User, User.id == TeamMembership.user_id)
            .where(TeamMembership.is_manager.is_(True), User.active.is_(True),
                   User.role.in_(("manager", "admin")))):
        teams[team_id] = (team_name, teams[team_id][1] + [manager])
    digest = defaultdict(lambda: defaultdict(list))
    for person_id, due in overdue:
        team_name, managers = teams[due.assignment.team_id]
        for manager in managers:
            if manager.id != person_id:
                digest[manager][team_name].append((people[person_id], due))
    return digest



def _learner_digest(person, items, today, now, base_url):
    """Queue one learner's digest and notice (in their language); 1 if it is new today."""
    lines = learner_digest_lines(items, today)
    if not lines:
        return 0
    overdue = sum(1 for due in items if due.state(today) == OVERDUE)
    subject = (_("%(overdue)s overdue, %(soon)s due soon", overdue=overdue,
                 soon=len(lines) - overdue) if overdue
               else ngettext("%(count)s due within %(num)d day",
                             "%(count)s due within %(num)d days", WINDOW_DAYS,
                             count=len(lines)))
    body = "\n".join([_("Hello %(name)s,", name=person.name), "",
                      _("Here is the work assigned to you that is due soon or overdue:"), "",
                      *lines, "", _("Open your dashboard: %(url)s", url=f"{base_url}/"), ""])
    key = f"digest:learner:{person.id}:{today.isoformat()}"
    if not queue_message(key, person, _("Your assignments: %(subject)s", subject=subject), body,
                         now):
        return 0
    notify(person.id, _("Your assignments: %(subject)s.", subject=subject),
           link=url_for("learning.dashboard"), key=key, now=now)
    return 1
