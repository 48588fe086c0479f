"""One person as their manager sees them: levels, modules, attempts, role-plays, reviews,
certificates, assignments and a timeline of what they did. A fixed number of queries."""
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import url_for
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..assignments.dues import OVERDUE, covering, dues_of, person_status
from ..certificates.models import FINAL, Certificate
from ..curriculum.models import Module, ModuleVersion
from ..exam.models import ExamAttempt
from ..extensions import db
from ..learning.progress import COMPLETE, standings_of
from ..learning.models import ModuleProgress
from ..quiz.models import QuizAttempt
from ..review.models import Review
from ..roleplay.models import Reflection, RoleplayRun
from ..teams.membership import visible_teams
from ..teams.models import Team, TeamMembership
from .overview import CELL_TEXT, of, words
from .tables import Cell, Column, Table

TIMELINE_LIMIT = 200
# What a certificate's status key (Certificate.status) reads as.
CERTIFICATE_STATUS_TEXT = {"valid": _l("valid"), "expired": _l("expired"),
                           "revoked": _l("revoked")}


@dataclass
class PersonOverview:
    person: User
    today: date
    status: str
    teams: list
    standing: list
    tables: dict = field(default_factory=dict)

    def table(self, name):
        return self.tables.get(name)


def day(moment):
    return moment.strftime("%Y-%m-%d") if moment else "—"


def minute(moment):
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "—"


def scored_table(name, caption, what, when, empty, events, rows):
    """A table of scored tries (quiz, exam, role-play), each also a line of the timeline.

    `rows` are (what, when, score in %, passed, what to call it in the timeline).
    """
    table = Table(name, caption, [Column(what), Column(when), Column(_("Score"), numeric=True),
                                  Column(_("Result"))], empty=empty)
    for label, moment, score, passed, event in rows:
        result = _("passed") if passed else _("not passed")
        table.add(label, minute(moment), Cell(f"{score}%", numeric=True),
                  Cell(result, state="complete" if passed else "overdue"))
        events.append((moment, _("%(event)s: %(score)s%%, %(result)s", event=event, score=score,
                                 result=result)))
    return table


def person_overview(person, today, now=None, viewer=None, lock_levels=True):
    """The person's record; with `viewer`, assignments and teams are those the viewer manages."""
    now = now or datetime.combine(today, datetime.max.time())
    standing = standings_of([person.id], lock_levels=lock_levels)[person.id]
    dues = dues_of({person.id: standing}, covering([person.id]))[person.id]
    titles = {m.module.id: (lv.level.number, m.version.title) for lv in standing for m in lv.modules}
    titles.update({module_id: (number, title) for module_id, number, title in db.session.execute(
        select(Module.id, Module.level_number, ModuleVersion.title)
        .join(ModuleVersion, ModuleVersion.id == Module.current_version_id)
        .where(Module.retired_at.is_not(None)))})
    teams = db.session.scalars(select(Team).join(TeamMembership).where(
        TeamMembership.user_id == person.id, TeamMembership.is_manager.is_(False))
        .order_by(Team.name)).all()
    if viewer is not None and viewer.role != "admin":
        mine = {team.id for team in visible_teams(viewer)}
        teams = [team for team in teams if team.id in mine]
        dues = [due for due in dues if due.assignment.team_id in mine]
    overview = PersonOverview(person, today, person_status(dues, today), teams, standing)
    events = []

    def module_name(module_id):
        number, title = titles.get(module_id, (None, None))
        if title is None:
            return _("A removed module")
        return _("Level %(level)s · %(title)s", level=number, title=title) if number else title

    assigned = Table("assignments", _("Assignments"), [
        Column(_("What")), Column(_("Due")), Column(_("State")), Column(_("Done"), numeric=True),
        Column(_("Note"))], empty=_("Nothing is assigned to this person."))
    for due in dues:
        state = due.state(today)
        assigned.add(Cell(due.title, href=url_for("cockpit.assignment",
                                                  assignment_id=due.assignment.id)),
                     due.due_on.isoformat(),
                     Cell(due.when_text(today), state=state.replace(" ", "-")
                          if state in (OVERDUE, COMPLETE) else None),
                     Cell(of(due.done, due.steps), numeric=True), due.assignment.note or "—")
        events.append((due.assignment.created_at, _("Assigned %(title)s, due %(day)s",
                                                    title=due.title,
                                                    day=due.due_on.isoformat())))
    overview.tables["assignments"] = assigned

    levels = Table("levels", _("Levels"), [Column(_("Level")), Column(_("Status")),
                                           Column(_("Modules complete"), numeric=True),
                                           Column(_("Exam"))])
    modules = Table("modules", _("Modules"), [Column(_("Module")), Column(_("Status")),
                                              Column(_("Best quiz score"), numeric=True),
                                              Column(_("Started")), Column(_("Completed"))])
    for level in standing:
        exam = _("passed %(day)s", day=day(level.exam_passed_at)) if level.exam_passed else (
            _("open") if level.exam_is_next else (_("no exam") if not level.has_exam
                                                  else _("not yet")))
        levels.add(_("Level %(n)s: %(title)s", n=level.level.number, title=level.level.title),
                   Cell(words(CELL_TEXT[level.status]), state=level.status.replace(" ", "-")),
                   Cell(of(level.completed, len(level.modules)), numeric=True), exam)
        for module in level.modules:
            progress = module.progress
            modules.add(Cell(_("Level %(level)s · %(title)s", level=level.level.number,
                               title=module.version.title),
                             href=url_for("learning.lesson", number=level.level.number,
                                          slug=module.module.slug)),
                        Cell(words(CELL_TEXT[module.status]), state=module.status.replace(" ", "-")),
                        Cell(f"{progress.quiz_best_score}%" if progress and
                             progress.quiz_best_score is not None else "—", numeric=True),
                        day(progress.started_at) if progress else "—",
                        day(progress.completed_at) if progress else "—")
    overview.tables["levels"], overview.tables["modules"] = levels, modules

    for row in db.session.execute(select(
            ModuleProgress.module_id, ModuleProgress.started_at, ModuleProgress.lesson_read_at,
            ModuleProgress.completed_at).where(ModuleProgress.user_id == person.id)):
        events.append((row.started_at, _("Started %(module)s", module=module_name(row.module_id))))
        if row.lesson_read_at:
            events.append((row.lesson_read_at, _("Read the lesson of %(module)s",
                                                 module=module_name(row.module_id))))
        if row.completed_at:
            events.append((row.completed_at, _("Completed %(module)s",
                                               module=module_name(row.module_id))))

    quizzes = db.session.scalars(select(QuizAttempt).where(
        QuizAttempt.user_id == person.id, QuizAttempt.submitted_at.is_not(None))
        .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc()))
    overview.tables["quizzes"] = scored_table(
        "quizzes", _("Quiz attempts"), _("Module"), _("Submitted"), _("No quiz attempts yet."),
        events, [(module_name(a.module_id), a.submitted_at, a.score, a.passed,
                  _("Quiz in %(module)s", module=module_name(a.module_id))) for a in quizzes])
    exams = db.session.scalars(select(ExamAttempt).where(
        ExamAttempt.user_id == person.id, ExamAttempt.submitted_at.is_not(None))
        .order_by(ExamAttempt.submitted_at.desc(), ExamAttempt.id.desc()))
    overview.tables["exams"] = scored_table(
        "exams", _("Level exams"), _("Level"), _("Submitted"), _("No exam attempts yet."), events,
        [(_("Level %(n)s", n=a.level_number), a.submitted_at, a.score, a.passed,
          _("Level %(n)s exam", n=a.level_number)) for a in exams])
    runs = db.session.scalars(select(RoleplayRun).where(
        RoleplayRun.user_id == person.id, RoleplayRun.finished_at.is_not(None))
        .order_by(RoleplayRun.finished_at.desc(), RoleplayRun.id.desc()))
    overview.tables["roleplays"] = scored_table(
        "roleplays", _("Role-play runs"), _("Module"), _("Finished"),
        _("No finished role-plays yet."), events,
        [(module_name(r.module_id), r.finished_at, r.percent, r.passed,
          _("Role-play in %(module)s", module=module_name(r.module_id))) for r in runs])

    reflections = Table("reflections", _("Reflections and reviews"), [
        Column(_("Module")), Column(_("Submitted")), Column(_("Review")),
        Column(_("Reviewed by")), Column(_("Rubric"))], empty=_("No reflections submitted yet."))
    for reflection, review, reviewer in db.session.execute(
            select(Reflection, Review, User.name)
            .outerjoin(Review, Review.reflection_id == Reflection.id)
            .outerjoin(User, User.id == Review.reviewer_id)
            .where(Reflection.user_id == person.id, Reflection.submitted_at.is_not(None))
            .order_by(Reflection.submitted_at.desc(), Reflection.id.desc())):
        if review is None:
            reflections.add(Cell(module_name(reflection.module_id),
                                 href=url_for("review.review", reflection_id=reflection.id)),
                            minute(reflection.submitted_at),
                            Cell(_("waiting for review"), state="in-progress"), "—", "—")
        else:
            name = module_name(reflection.module_id)
            reflections.add(Cell(name, href=url_for("review.review", reflection_id=reflection.id)),
                            minute(reflection.submitted_at),
                            _("manager review, %(day)s", day=day(review.created_at))
                            if review.kind == "manager"
                            else _("self review, %(day)s", day=day(review.created_at)),
                            reviewer if review.kind == "manager" else _("self-assessed"),
                            Cell(_("meets the rubric") if review.meets_rubric
                                 else _("below the rubric"),
                                 state="complete" if review.meets_rubric else "overdue"))
            events.append((review.created_at,
                           _("Reflection on %(module)s reviewed (meets the rubric)", module=name)
                           if review.meets_rubric else
                           _("Reflection on %(module)s reviewed (below the rubric)", module=name)))
        events.append((reflection.submitted_at, _("Submitted a reflection on %(module)s",
                                                  module=module_name(reflection.module_id))))
    overview.tables["reflections"] = reflections

    certificates = Table("certificates", _("Certificates"), [
        Column(_("Certificate")), Column(_("Issued")), Column(_("Expires")), Column(_("Status"))],
        empty=_("No certificates yet."))
    for certificate in db.session.scalars(select(Certificate).where(
            Certificate.user_id == person.id).order_by(Certificate.level_number)):
        status = certificate.status(now)
        certificates.add(Cell(certificate.title, href=url_for("certificates.verify",
                                                              code=certificate.code)),
                         day(certificate.issued_at), day(certificate.expires_at),
                         Cell(CERTIFICATE_STATUS_TEXT.get(status, status),
                              state="complete" if status == "valid" else "overdue"))
        events.append((certificate.issued_at, _("Earned final certification")
                       if certificate.level_number == FINAL
                       else _("Earned %(title)s", title=certificate.title)))
    overview.tables["certificates"] = certificates

    timeline = Table("timeline", _("Timeline"), [Column(_("When")), Column(_("What"))],
                     empty=_("No activity yet."))
    for moment, text in sorted((e for e in events if e[0]), key=lambda e: e[0],
                               reverse=True)[:TIMELINE_LIMIT]:
        timeline.add(minute(moment), text)
    overview.tables["timeline"] = timeline
    return overview



