"""A team at a glance: headline numbers, the people × modules matrix, weak spots, a chart.

Everything is read with a fixed number of queries, however many people or
modules the team has: the standings of all members at once (four queries),
the assignments covering them (two), and one aggregate query per figure.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import g, url_for
from flask_babel import gettext as _, ngettext
from sqlalchemy import case, func, select

from ..assignments.dues import (BEHIND, COMPLETE as DUE_COMPLETE, NOTHING_ASSIGNED, ON_TRACK,
                                OVERDUE, covering, dues_of, person_status, short_date)
from ..certificates.models import Certificate
from ..curriculum.models import Module, ModuleVersion
from ..curriculum.questions import N_
from ..exam.models import ExamAttempt
from ..extensions import db
from ..learning.progress import COMPLETE, IN_PROGRESS, NOT_STARTED, standings_of
from ..quiz.models import QuizAttempt
from ..review.models import Review
from ..roleplay.models import Reflection, RoleplayRun
from ..teams.membership import team_people
from .chart import bar_chart
from .tables import Cell, Column, Table

# What a state key reads as on a page (the keys stay English: they are compared and styled).
# Messages (translated where shown, with `words`), by state.
STATUS_TEXT = {ON_TRACK: N_("On track"), BEHIND: N_("Behind"), OVERDUE: N_("Overdue"),
               NOTHING_ASSIGNED: N_("Nothing assigned")}
CELL_TEXT = {COMPLETE: N_("Complete"), IN_PROGRESS: N_("In progress"),
             NOT_STARTED: N_("Not started"), OVERDUE: N_("Overdue")}
CHART_WEEKS = 12


@dataclass
class TeamOverview:
    team: object
    today: date
    people: list
    managers: list
    headline: dict
    tables: dict = field(default_factory=dict)
    chart: object = None
    waiting_reviews: int = 0
    modules: list = field(default_factory=list)
    levels: list = field(default_factory=list)

    def table(self, name):
        return self.tables.get(name)


def team_overview(team, today, view="levels", level=None, notice_days=60, lock_levels=True):
    """Build the cockpit page for `team` as it stands on `today`.

    `view` is "levels" (people × levels) or "modules" (people × modules of
    `level`, or of every level when `level` is None).
    """
    people, managers = team_people(team.id)
    ids = [person.id for person in people]
    standings = standings_of(ids, lock_levels=lock_levels)
    covered = covering(ids, team_id=team.id)  # this team's work only
    dues = dues_of(standings, covered)
    status = {pid: person_status(dues[pid], today) for pid in ids}
    first = standings[ids[0]] if ids else standings_of([0])[0]
    overview = TeamOverview(team=team, today=today, people=people, managers=managers,
                            headline=headline(ids, status, today, notice_days),
                            levels=[lv.level for lv in first],
                            modules=[(lv.level.number, m) for lv in first for m in lv.modules])
    overview.tables["people"] = people_table(people, standings, dues, status, today)
    if view == "modules":
        overview.tables["matrix"] = module_matrix(people, standings, dues, today, level)
    else:
        overview.tables["matrix"] = level_matrix(people, standings, dues, today)
    overview.tables["assignments"] = assignments_table(team, people, dues, today)
    overview.tables["skills"] = weak_skills(ids)
    overview.tables["quizzes"] = weak_quizzes(ids)
    weeks = completions_by_week(standings, today)
    overview.tables["completions"] = completions_table(weeks)
    overview.chart = bar_chart([(label, count) for label, count in weeks],
                               ngettext("Modules completed each week by %(team)s, last "
                                        "%(num)d week",
                                        "Modules completed each week by %(team)s, last "
                                        "%(num)d weeks", CHART_WEEKS, team=team.name))
    overview.waiting_reviews = waiting_reviews(ids)
    return overview


def headline(ids, status, today, notice_days):
    counts = {key: 0 for key in STATUS_TEXT}
    for value in status.values():
        counts[value] += 1
    now = datetime.combine(today, datetime.min.time())
    certificates = {"earned": 0, "expiring": 0}
    quiz_average = exam_average = None
    if ids:
        live = db.session.execute(
            select(func.count(Certificate.id),
                   func.sum(case((Certificate.expires_at <= now + timedelta(days=notice_days),
                                  1), else_=0)))
            .where(Certificate.user_id.in_(ids), Certificate.revoked_at.is_(None),
                   (Certificate.expires_at.is_(None)) | (Certificate.expires_at > now))).one()
        certificates = {"earned": live[0] or 0, "expiring": live[1] or 0}
        quiz_average = db.session.scalar(select(func.avg(QuizAttempt.score)).where(
            QuizAttempt.user_id.in_(ids), QuizAttempt.submitted_at.is_not(None)))
        exam_average = db.session.scalar(select(func.avg(ExamAttempt.score)).where(
            ExamAttempt.user_id.in_(ids), ExamAttempt.submitted_at.is_not(None)))
    return {"people": len(ids), **counts, "certificates": certificates["earned"],
            "expiring": certificates["expiring"],
            "quiz_average": None if quiz_average is None else round(quiz_average),
            "exam_average": None if exam_average is None else round(exam_average)}


def person_link(person):
    """The person's page in the cockpit; url_for once per request, then by substitution."""
    if "cockpit_person_link" not in g:
        g.cockpit_person_link = url_for("cockpit.person", person_id=0)[:-1]
    return g.cockpit_person_link + str(person.id)


def next_due_text(items, today):
    open_items = [due for due in items if due.state(today) != DUE_COMPLETE]
    if not open_items:
        return "—"
    due = open_items[0]
    return words(N_("%(title)s: %(when)s")) % {"title": due.title, "when": due.when_text(today)}


def words(message):
    """A translated text, looked up once per request: the cockpit writes thousands of cells,
    and each Flask-Babel lookup finds the request's catalogue again."""
    cache = g.setdefault("cockpit_words", {})
    if message not in cache:
        cache[message] = _(message)
    return cache[message]


def of(done, total):
    """'3 of 12'."""
    return words(N_("%(done)s of %(total)s")) % {"done": done, "total": total}


def people_table(people, standings, dues, status, today):
    table = Table("people", _("People"), [
        Column(_("Name")), Column(_("Email")), Column(_("Status")),
        Column(_("Modules complete"), numeric=True), Column(_("Levels complete"), numeric=True),
        Column(_("Overdue"), numeric=True), Column(_("Next due")), Column(_("Last active"))],
        empty=_("Nobody is in this team yet."))
    for person in people:
        standing = standings[person.id]
        modules = [m for level in standing for m in level.modules]
        done = sum(level.completed for level in standing)
        last = max((m.progress.last_visited_at for m in modules if m.progress), default=None)
        overdue = sum(1 for due in dues[person.id] if due.state(today) == OVERDUE)
        table.add(Cell(person.name, href=person_link(person)), person.email,
                  Cell(words(STATUS_TEXT[status[person.id]]), state=status[person.id]),
                  Cell(of(done, len(modules)), numeric=True),
                  Cell(of(sum(1 for level in standing if level.is_complete), len(standing)),
                       numeric=True),
                  Cell(str(overdue), state=OVERDUE if overdue else None, numeric=True),
                  next_due_text(dues[person.id], today),
                  last.strftime("%Y-%m-%d") if last else _("never"))
    return table


def overdue_scopes(items, today):
    """What a person's overdue work covers: module ids, level numbers, or the whole path."""
    modules, levels, path = set(), set(), False
    for due in items:
        if due.state(today) != OVERDUE:
            continue
        assignment = due.assignment
        if assignment.scope == "module":
            modules.add(assignment.module_id)
        elif assignment.scope == "level":
            levels.add(assignment.level_number)
        else:
            path = True
    return modules, levels, path


def module_code(level_number, position):
    return f"{level_number}.{position:02d}"


def module_matrix(people, standings, dues, today, level=None):
    columns = [Column(_("Name"))]
    chosen = []
    template = standings[people[0].id] if people else standings_of([0])[0]
    for level_standing in template:
        if level is not None and level_standing.level.number != level:
            continue
        for index, module in enumerate(level_standing.modules, start=1):
            chosen.append((level_standing.level.number, module.module.id))
            columns.append(Column(module_code(level_standing.level.number, index),
                                  module.version.title))
    caption = (_("People × modules: modules of level %(n)s", n=level) if level is not None
               else _("People × modules: every module"))
    table = Table("matrix", caption, columns, empty=_("Nobody is in this team yet."))
    for person in people:
        modules, levels, path = overdue_scopes(dues[person.id], today)
        status = {m.module.id: m.status for lv in standings[person.id] for m in lv.modules}
        cells = [Cell(person.name, href=person_link(person))]
        for level_number, module_id in chosen:
            state = status.get(module_id, NOT_STARTED)
            if state != COMPLETE and (path or level_number in levels or module_id in modules):
                state = OVERDUE
            cells.append(Cell(words(CELL_TEXT[state]), state=state.replace(" ", "-")))
        table.add(*cells)
    return table


def level_matrix(people, standings, dues, today):
    template = standings[people[0].id] if people else standings_of([0])[0]
    columns = [Column(_("Name"))] + [Column(_("Level %(n)s", n=lv.level.number), lv.level.title)
                                     for lv in template]
    table = Table("matrix", _("People × levels"), columns,
                  empty=_("Nobody is in this team yet."))
    level_modules = {lv.level.number: {m.module.id for m in lv.modules} for lv in template}
    for person in people:
        modules, levels, path = overdue_scopes(dues[person.id], today)
        cells = [Cell(person.name, href=person_link(person))]
        for level in standings[person.id]:
            state = level.status
            overdue = state != COMPLETE and (path or level.level.number in levels or bool(
                modules and level_modules[level.level.number] & modules))
            if state == COMPLETE:
                text = words(CELL_TEXT[COMPLETE])
            elif not level.modules:
                text = words(N_("Not published"))
            else:
                text = of(level.completed, len(level.modules))
                if level.exam_is_next:
                    text = words(N_("%(done)s of %(total)s, exam next")) % {
                        "done": level.completed, "total": len(level.modules)}
                if overdue:
                    state, text = OVERDUE, words(N_("Overdue: %(progress)s")) % {
                        "progress": text}
                elif state == NOT_STARTED:
                    text = words(CELL_TEXT[NOT_STARTED])
            cells.append(Cell(text, state=state.replace(" ", "-")))
        table.add(*cells)
    return table


def assignments_table(team, people, dues, today):
    """Every live assignment covering someone in the team, with how many have finished it."""
    by_assignment = defaultdict(list)
    for person in people:
        for due in dues[person.id]:
            by_assignment[due.assignment.id].append(due)
    names = {person.id: person.name for person in people}
    table = Table("assignments", _("Assignments"), [
        Column(_("What")), Column(_("For")), Column(_("Due")), Column(_("Complete"), numeric=True),
        Column(_("Overdue"), numeric=True), Column(_("Note"))],
        empty=_("Nothing is assigned yet. Assign a module, a level or the full path below."))
    rows = sorted(by_assignment.values(), key=lambda items: (items[0].due_on, items[0].assignment.id))
    for items in rows:
        assignment = items[0].assignment
        target = team.name if assignment.user_id is None else names.get(
            assignment.user_id, _("someone"))
        complete = sum(1 for due in items if due.is_complete)
        overdue = sum(1 for due in items if due.state(today) == OVERDUE)
        table.add(Cell(items[0].title, href=url_for("cockpit.assignment",
                                                    assignment_id=assignment.id)),
                  target, assignment.due_on.isoformat(),
                  Cell(of(complete, len(items)), numeric=True,
                       state="complete" if complete == len(items) else None),
                  Cell(str(overdue), numeric=True, state=OVERDUE if overdue else None),
                  assignment.note or "—")
    return table


def weak_skills(ids):
    """Rubric skills across the team's role-plays, weakest first.

    Each finished run's score in a skill is taken as a share of the best that
    module's role-play allows, so skills compare across modules; managers'
    review scores (1 to 4) sit beside them.
    """
    table = Table("skills", _("Role-play skills, weakest first"), [
        Column(_("Skill")), Column(_("Average in role-plays"), numeric=True),
        Column(_("Runs"), numeric=True), Column(_("Average review score"), numeric=True),
        Column(_("Reviews"), numeric=True)], empty=_("No finished role-plays yet."))
    if not ids:
        return table
    runs = db.session.execute(select(RoleplayRun.module_version_id, RoleplayRun.scores).where(
        RoleplayRun.user_id.in_(ids), RoleplayRun.finished_at.is_not(None))).all()
    versions = {row.module_version_id for row in runs}
    best = {}
    if versions:
        best = {vid: (script or {}).get("skill_max", {}) for vid, script in db.session.execute(
            select(ModuleVersion.id, ModuleVersion.roleplay).where(ModuleVersion.id.in_(versions)))}
    played = defaultdict(list)
    for version_id, scores in runs:
        for skill, value in (scores or {}).items():
            top = best.get(version_id, {}).get(skill)
            if top:
                played[skill].append(max(0.0, min(1.0, value / top)))
    reviewed = defaultdict(list)
    for (scores,) in db.session.execute(
            select(Review.scores).join(Reflection, Reflection.id == Review.reflection_id)
            .where(Reflection.user_id.in_(ids))):
        for skill, value in (scores or {}).items():
            reviewed[skill].append(value)
    skills = set(played) | set(reviewed)

    def weakness(skill):
        share = sum(played[skill]) / len(played[skill]) if played[skill] else 1.0
        return (share, skill)

    for skill in sorted(skills, key=weakness):
        share = played[skill]
        marks = reviewed[skill]
        table.add(words(skill),  # a skill's name is in the catalogue (curriculum/fields.py)
                  Cell(f"{round(100 * sum(share) / len(share))}%" if share else "—", numeric=True),
                  Cell(str(len(share)), numeric=True),
                  Cell(_("%(score).1f of 4", score=sum(marks) / len(marks)) if marks else "—",
                       numeric=True),
                  Cell(str(len(marks)), numeric=True))
    return table


def weak_quizzes(ids):
    """Module quizzes by how often the team's attempts fail, most failed first."""
    table = Table("quizzes", _("Quizzes that fail most"), [
        Column(_("Module")), Column(_("Attempts"), numeric=True), Column(_("Failed"), numeric=True),
        Column(_("Fail rate"), numeric=True), Column(_("People"), numeric=True),
        Column(_("Average score"), numeric=True)], empty=_("No quiz attempts yet."))
    if not ids:
        return table
    failed = func.sum(case((QuizAttempt.passed.is_(False), 1), else_=0))
    rows = db.session.execute(
        select(ModuleVersion.title, func.count(QuizAttempt.id), failed,
               func.count(func.distinct(QuizAttempt.user_id)), func.avg(QuizAttempt.score))
        .join(Module, Module.id == QuizAttempt.module_id)
        .join(ModuleVersion, ModuleVersion.id == Module.current_version_id)
        .where(QuizAttempt.user_id.in_(ids), QuizAttempt.submitted_at.is_not(None))
        .group_by(QuizAttempt.module_id, ModuleVersion.title)).all()
    rows.sort(key=lambda row: (-(row[2] or 0) / row[1], -row[1], row[0]))
    for title, attempts, fails, people, average in rows:
        table.add(title, Cell(str(attempts), numeric=True), Cell(str(fails or 0), numeric=True),
                  Cell(f"{round(100 * (fails or 0) / attempts)}%", numeric=True,
                       state="overdue" if (fails or 0) * 2 > attempts else None),
                  Cell(str(people), numeric=True), Cell(f"{round(average or 0)}%", numeric=True))
    return table


def week_start(day):
    return day - timedelta(days=day.weekday())


def completions_by_week(standings, today, weeks=CHART_WEEKS):
    """[(week label, modules completed that week)] for the last `weeks` weeks, oldest first."""
    last = week_start(today)
    starts = [last - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    counts = dict.fromkeys(starts, 0)
    for standing in standings.values():
        for level in standing:
            for module in level.modules:
                if module.progress is not None and module.progress.completed_at is not None:
                    start = week_start(module.progress.completed_at.date())
                    if start in counts:
                        counts[start] += 1
    return [(short_date(start, year=False), counts[start]) for start in starts]


def completions_table(weeks):
    table = Table("completions", _("Modules completed each week"), [
        Column(_("Week starting")), Column(_("Modules completed"), numeric=True)])
    for label, count in weeks:
        table.add(label, Cell(str(count), numeric=True))
    return table


def waiting_reviews(ids):
    """Reflections from the team waiting for a review."""
    if not ids:
        return 0
    return db.session.scalar(
        select(func.count(Reflection.id))
        .outerjoin(Review, Review.reflection_id == Reflection.id)
        .where(Reflection.user_id.in_(ids), Reflection.submitted_at.is_not(None),
               Review.id.is_(None)))

