"""What an assignment means for one person on a given day: done, due, overdue or behind.

Nothing here is stored: a person's dues are read from their standing (the
same progress the learner's pages show) and the assignments that cover them,
so finishing the work completes the assignment by itself. Dates are days in
UTC; pass `today` to work out any day (tests freeze it this way).
"""
from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_skeleton
from flask_babel import get_locale, gettext as _, ngettext
from sqlalchemy import or_, select

from ..accounts.models import User
from ..curriculum.reading import shown
from ..extensions import db
from ..learning.progress import standings_of
from ..teams.models import TeamMembership
from .models import Assignment

# States: keys compared in code and used as CSS classes, never shown as they are.
COMPLETE, OVERDUE, DUE_TODAY, UPCOMING, RETIRED = (
    "complete", "overdue", "due today", "upcoming", "retired")
ON_TRACK, BEHIND, NOTHING_ASSIGNED = "on track", "behind", "nothing assigned"


def short_date(day, year=True):
    """'14 Mar 2026' (or '14 Mar'); in another language, that language's own short form."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return f"{day.day} {day:%b %Y}" if year else f"{day.day} {day:%b}"
    return format_skeleton("yMMMd" if year else "MMMd", day, locale=locale)


@dataclass
class Due:
    """One assignment as it applies to one person."""
    assignment: Assignment
    person_id: int
    title: str
    level_number: int | None
    slug: str | None
    steps: int
    done: int
    completed_at: datetime | None
    started_on: date  # when it was set, or when the person joined the team if later
    due_on: date  # the assignment's date; later for someone who joined after it was set
    locked: bool = False  # the level is not open to the learner yet

    @property
    def is_complete(self):
        return self.steps > 0 and self.done >= self.steps

    def state(self, today):
        if self.is_complete:
            return COMPLETE
        if self.steps == 0:
            return RETIRED
        if today > self.due_on:
            return OVERDUE
        return DUE_TODAY if today == self.due_on else UPCOMING

    def days_left(self, today):
        """Days until the due date; negative once overdue."""
        return (self.due_on - today).days

    def is_behind(self, today):
        """More than one step short of the pace the time gone asks for (and not yet overdue).

        Twelve modules over twelve weeks: after six weeks, five done is on track and
        four is behind. A one-step assignment is never behind, only due or overdue.
        """
        if self.state(today) not in (UPCOMING, DUE_TODAY):
            return False
        span = (self.due_on - self.started_on).days
        if span <= 0:
            return False
        gone = min(1.0, max(0.0, (today - self.started_on).days / span))
        return self.done < gone * self.steps - 1

    def when_text(self, today):
        """'due in 3 days', 'due today', 'overdue by 2 days', 'completed 4 May 2026': shown to
        people, in their language (compare `state`, never this)."""
        state = self.state(today)
        if state == COMPLETE:
            finished = self.completed_at.date() if self.completed_at else None
            if finished is None:
                return _("completed")
            late = (finished - self.due_on).days
            if late > 0:
                return ngettext("completed %(day)s, %(num)d day late",
                                "completed %(day)s, %(num)d days late", late,
                                day=short_date(finished))
            return _("completed %(day)s", day=short_date(finished))
        if state == RETIRED:
            return _("no longer published")
        days = self.days_left(today)
        if days < 0:
            return ngettext("overdue by %(num)d day", "overdue by %(num)d days", -days)
        if days == 0:
            return _("due today")
        return ngettext("due in %(num)d day", "due in %(num)d days", days)

    def sort_key(self):
        return (self.is_complete, self.due_on, self.assignment.id)


def covering(person_ids, team_id=None):
    """The live assignments covering each person: {person id: [(assignment, joined_at)]}.

    One query however many people: assignments set through a team the person is
    a learner in, for the whole team (which covers people who joined after it
    was set) or for them alone. With `team_id`, only that team's assignments.
    """
    person_ids = list(person_ids)
    found = {person_id: [] for person_id in person_ids}
    if not person_ids:
        return found
    query = (select(Assignment, TeamMembership.user_id, TeamMembership.joined_at)
             .join(TeamMembership, TeamMembership.team_id == Assignment.team_id)
             .where(TeamMembership.user_id.in_(person_ids),
                    TeamMembership.is_manager.is_(False), Assignment.cancelled_at.is_(None),
                    or_(Assignment.user_id.is_(None),
                        Assignment.user_id == TeamMembership.user_id))
             .order_by(Assignment.id))
    if team_id is not None:
        query = query.where(Assignment.team_id == team_id)
    for assignment, person_id, joined_at in db.session.execute(query):
        found[person_id].append((assignment, joined_at))
    return found


def due_for(assignment, person_id, standing, joined_at=None, titles=None):
    """Work out one assignment for one person from their standing (a list of LevelStanding).

    An assignment's title is the same for everyone; `titles` ({assignment id: title}) lets a
    caller working out many people word it once.
    """
    titles = {} if titles is None else titles
    started, due_on = assignment.created_at, assignment.due_on
    if assignment.user_id is None and joined_at is not None and joined_at > started:
        # A late joiner gets the time everyone else had, counted from the day they joined.
        started = joined_at
        allowed = assignment.due_on - assignment.created_at.date()
        due_on = max(due_on, joined_at.date() + allowed)
    base = dict(assignment=assignment, person_id=person_id, started_on=started.date(),
                due_on=due_on)
    if assignment.scope == "module":
        for level in standing:
            for module in level.modules:
                if module.module.id == assignment.module_id:
                    done = module.progress is not None and module.progress.is_complete
                    if assignment.id not in titles:
                        titles[assignment.id] = _("Level %(level)s · %(title)s",
                                                  level=level.level.number,
                                                  title=shown(module.version, "title"))
                    return Due(**base, title=titles[assignment.id],
                               level_number=level.level.number, slug=module.module.slug,
                               steps=1, done=int(done), locked=not level.unlocked,
                               completed_at=module.progress.completed_at if done else None)
        return Due(**base, title=_("A module no longer published"), level_number=None, slug=None,
                   steps=0, done=0, completed_at=None)
    levels = [level for level in standing
              if assignment.scope == "path" or level.level.number == assignment.level_number]
    steps = done = 0
    for level in levels:
        exam = 1 if level.has_exam else 0
        steps += len(level.modules) + exam
        done += level.completed + (exam if level.exam_passed else 0)
    completed_at = None
    if steps and done >= steps:  # finished: when the last step was done
        finished = [m.progress.completed_at for level in levels for m in level.modules
                    if m.progress is not None and m.progress.is_complete]
        finished += [level.exam_passed_at for level in levels
                     if level.has_exam and level.exam_passed]
        completed_at = max((t for t in finished if t), default=None)
    number = None if assignment.scope == "path" else assignment.level_number
    if assignment.id in titles:
        title = titles[assignment.id]
    elif assignment.scope == "path":
        title = titles[assignment.id] = _("The full path")
    else:
        named = shown(levels[0].level, "title") if levels else _("no longer published")
        title = titles[assignment.id] = _("Level %(level)s — %(title)s", level=number,
                                          title=named)
    locked = assignment.scope == "level" and any(not level.unlocked for level in levels)
    return Due(**base, title=title, level_number=number, slug=None, steps=steps, done=done,
               locked=locked, completed_at=completed_at)


def dues_of(standings, covered=None):
    """{person id: [Due, ...]} ordered by due date, open work first.

    `standings` is {person id: standing}; `covered` is what `covering` returned
    (every team's assignments, fetched here, when not given).
    """
    covered = covering(standings) if covered is None else covered
    dues, titles = {}, {}
    for person_id, standing in standings.items():
        items = [due_for(assignment, person_id, standing, joined, titles)
                 for assignment, joined in covered.get(person_id, [])]
        dues[person_id] = sorted(items, key=Due.sort_key)
    return dues


def person_status(dues, today):
    """Overdue if anything is overdue, else behind if anything is behind, else on track."""
    if not dues:
        return NOTHING_ASSIGNED
    if any(due.state(today) == OVERDUE for due in dues):
        return OVERDUE
    if any(due.is_behind(today) for due in dues):
        return BEHIND
    return ON_TRACK


def assignment_progress(assignment, today, lock_levels=True):
    """[(person, Due)] for everyone the assignment covers now, by name."""
    query = (select(User, TeamMembership.joined_at)
             .join(TeamMembership, TeamMembership.user_id == User.id)
             .where(TeamMembership.team_id == assignment.team_id,
                    TeamMembership.is_manager.is_(False))
             .order_by(User.name, User.id))
    if assignment.user_id is not None:
        query = query.where(User.id == assignment.user_id)
    rows = db.session.execute(query).all()
    standings = standings_of([person.id for person, _joined in rows], lock_levels=lock_levels)
    return [(person, due_for(assignment, person.id, standings[person.id], joined))
            for person, joined in rows]
