"""The demo team that `lms init --demo` builds, so the cockpit shows something real.

A dozen generated learners at different stages of levels 1 and 2: lessons
read, quizzes failed and passed, role-plays played down different paths,
reflections waiting for review or reviewed, one level exam passed, and
assignments for the team and for one person, some of them overdue. Dates are
relative to the day it runs. Running it again changes nothing.
"""
import random
from datetime import datetime, timedelta

import click
from flask import current_app
from sqlalchemy import select

from .accounts.users import create_user, find_user
from .assignments.assigning import record
from .assignments.models import Assignment
from .certificates.issuing import award_certificates
from .clock import utcnow
from .curriculum.files import load_curriculum
from .curriculum.models import Module
from .curriculum.sync import import_curriculum
from .exam.models import ExamAttempt
from .extensions import db
from .learning.models import ModuleProgress
from .quiz.models import QuizAttempt
from .review.models import Review
from .roleplay.models import Reflection, RoleplayRun
from .roleplay.runs import percent_of_best, score_path
from .teams.models import Team, TeamMembership

DEMO_PASSWORD = "academy-demo"
DEMO_ACCOUNTS = (
    ("learner@example.com", "Jordan Lee", "learner"),
    ("manager@example.com", "Lena Ortiz", "manager"),
    ("admin@example.com", "Academy Admin", "admin"),
)
DEMO_TEAM = "Customer Success EMEA"
CERTIFIED_EMAIL = "certified@example.com"
DEMO_REFLECTION = ("Next month I would agree one measure with the customer's sponsor, track it in "
                   "their own systems as well as in Lumora, and book the review before they ask.")


def certify_demo_learner():
    """certified@example.com: level 1 done and its exam passed, so a certificate exists."""
    user = find_user(CERTIFIED_EMAIL)
    if user is None:
        user = create_user(CERTIFIED_EMAIL, "Avery Quinn", DEMO_PASSWORD, "learner")
        click.echo(f"Created demo learner with a level 1 certificate: {CERTIFIED_EMAIL} / {DEMO_PASSWORD}")
    curriculum, problems = load_curriculum(current_app.config["LMS_CURRICULUM_DIR"])
    if not problems:
        import_curriculum(db.session, curriculum)
    modules = db.session.scalars(db.select(Module).where(
        Module.level_number == 1, Module.retired_at.is_(None)).order_by(Module.position)).all()
    if not modules:
        db.session.commit()
        return
    when = datetime(2026, 1, 15, 10, 0)
    for module in modules:
        if db.session.scalar(db.select(ModuleProgress).where(
                ModuleProgress.user_id == user.id, ModuleProgress.module_id == module.id)):
            continue
        # A real run along the strongest path, so its debrief reads like any other.
        script = module.current_version.roleplay or {}
        best = script.get("best", {"path": [], "ending": script.get("start", "")})
        run = RoleplayRun(user_id=user.id, module_id=module.id,
                          module_version_id=module.current_version_id, started_at=when,
                          finished_at=when, scene=best["ending"], step=len(best["path"]),
                          path=best["path"],
                          scores=score_path(script, best["path"]) if script else {},
                          percent=100, passed=True)
        db.session.add(run)
        db.session.flush()
        db.session.add(Reflection(user_id=user.id, module_id=module.id, run_id=run.id,
                                  body=DEMO_REFLECTION, saved_at=when, submitted_at=when))
        db.session.add(ModuleProgress(user_id=user.id, module_id=module.id, started_at=when,
                                      last_visited_at=when, lesson_read_at=when,
                                      quiz_passed_at=when, quiz_best_score=100,
                                      roleplay_passed_at=when, reflection_submitted_at=when,
                                      completed_at=when))
    if not db.session.scalar(db.select(ExamAttempt).where(ExamAttempt.user_id == user.id)):
        breakdown = [{"title": m.current_version.title, "correct": 2, "total": 2} for m in modules]
        db.session.add(ExamAttempt(user_id=user.id, level_number=1, started_at=when,
                                   deadline_at=when, submitted_at=when, ended_by="learner",
                                   paper=[], answers=[], pass_mark=80,
                                   question_count=2 * len(modules),
                                   correct_count=2 * len(modules), score=100, passed=True,
                                   breakdown=breakdown))
    db.session.flush()
    award_certificates(user)
    db.session.commit()


# (email, name, level 1 modules complete, level 2 modules complete, level 1 exam passed)
DEMO_LEARNERS = (
    ("amara.okafor@example.com", "Amara Okafor", 12, 6, True),
    ("ben.hartley@example.com", "Ben Hartley", 12, 2, True),
    ("chloe.martin@example.com", "Chloé Martin", 12, 0, False),
    ("dev.patel@example.com", "Dev Patel", 10, 0, False),
    ("elena.rossi@example.com", "Elena Rossi", 9, 0, False),
    ("farid.haddad@example.com", "Farid Haddad", 7, 0, False),
    ("grace.kim@example.com", "Grace Kim", 6, 0, False),
    ("hugo.lambert@example.com", "Hugo Lambert", 4, 0, False),
    ("ines.duarte@example.com", "Inês Duarte", 3, 0, False),
    ("jonas.weber@example.com", "Jonas Weber", 1, 0, False),
    ("kavya.rao@example.com", "Kavya Rao", 0, 0, False),
    ("liam.byrne@example.com", "Liam Byrne", 0, 0, False),
)
DEMO_FEEDBACK = ("Clear next step and a measure the sponsor can check. Next time, name who at "
                 "the customer owns each action and by when.")


def seed_demo_team(team_name, manager_email, password, learner_email, reflection, now=None):
    """Fill the demo team with learners, activity and assignments; returns learners created."""
    now = now or utcnow()
    team = db.session.scalar(select(Team).where(Team.name == team_name))
    manager = find_user(manager_email)
    if team is None or manager is None:
        return 0
    modules = {level: db.session.scalars(select(Module).where(
        Module.level_number == level, Module.retired_at.is_(None),
        Module.current_version_id.is_not(None)).order_by(Module.position)).all()
        for level in (1, 2)}
    if not modules[1]:
        return 0
    rng = random.Random(2026)
    created = 0
    for index, (email, name, done1, done2, exam) in enumerate(DEMO_LEARNERS):
        if find_user(email) is not None:
            continue
        user = create_user(email, name, password)
        db.session.add(TeamMembership(team_id=team.id, user_id=user.id,
                                      joined_at=now - timedelta(days=80)))
        start = now - timedelta(days=70 - index)
        plan = [(m, True) for m in modules[1][:done1]] + [(m, True) for m in modules[2][:done2]]
        if done1 < len(modules[1]):
            plan.append((modules[1][done1], False))  # started the next one
        for step, (module, complete) in enumerate(plan):
            when = start + timedelta(days=4 * step + rng.randint(0, 2), hours=rng.randint(8, 17))
            when = min(when, now - timedelta(hours=2 + step))
            add_module_activity(user, module, when, complete, rng, reflection, manager)
        if exam:
            when = start + timedelta(days=4 * done1 + 3)
            db.session.add(ExamAttempt(user_id=user.id, level_number=1, started_at=when,
                                       deadline_at=when + timedelta(minutes=45),
                                       submitted_at=when + timedelta(minutes=31),
                                       ended_by="learner", paper=[], answers=[], pass_mark=80,
                                       question_count=30, correct_count=26, score=87,
                                       passed=True, breakdown=[]))
        db.session.flush()
        award_certificates(user)
        created += 1
    if created:
        assign_demo_work(team, manager, modules, learner_email, now)
    db.session.commit()
    return created


def add_module_activity(user, module, when, complete, rng, reflection, manager):
    version = module.current_version
    script = version.roleplay or {}
    progress = ModuleProgress(user_id=user.id, module_id=module.id, started_at=when,
                              last_visited_at=when, lesson_read_at=when)
    db.session.add(progress)
    if version.quiz_question_count:
        count = version.quiz_question_count
        failed_first = rng.random() < 0.35
        if failed_first:
            wrong = max(3, count // 2)
            add_quiz(user, module, when, count, count - wrong, False)
        if complete:
            score_right = count - rng.randint(0, 1)
            add_quiz(user, module, when + timedelta(minutes=25), count, score_right, True)
            progress.quiz_passed_at = when + timedelta(minutes=25)
            progress.quiz_best_score = round(100 * score_right / count)
        elif failed_first:
            progress.quiz_best_score = round(100 * (count - max(3, count // 2)) / count)
    if script and complete:
        played = when + timedelta(minutes=50)
        path, ending = walk(script, rng)
        scores = score_path(script, path)
        percent = percent_of_best(script, scores)
        if percent < script["pass_score"]:  # a failed first run, then the strong path
            db.session.add(RoleplayRun(user_id=user.id, module_id=module.id,
                                       module_version_id=version.id, started_at=played,
                                       finished_at=played, scene=ending, step=len(path),
                                       path=path, scores=scores, percent=percent, passed=False))
            played += timedelta(minutes=15)
            path, ending = script["best"]["path"], script["best"]["ending"]
            scores = score_path(script, path)
            percent = percent_of_best(script, scores)
        run = RoleplayRun(user_id=user.id, module_id=module.id, module_version_id=version.id,
                          started_at=played, finished_at=played, scene=ending, step=len(path),
                          path=path, scores=scores, percent=percent, passed=True)
        db.session.add(run)
        db.session.flush()
        submitted = played + timedelta(minutes=20)
        saved = Reflection(user_id=user.id, module_id=module.id, run_id=run.id, body=reflection,
                           saved_at=submitted, submitted_at=submitted)
        db.session.add(saved)
        db.session.flush()
        if rng.random() < 0.6:
            marks = {skill: rng.choice((2, 3, 3, 4)) for skill in script["rubric"]}
            db.session.add(Review(reflection_id=saved.id, reviewer_id=manager.id, kind="manager",
                                  scores=marks, feedback=DEMO_FEEDBACK,
                                  created_at=submitted + timedelta(days=1)))
        progress.roleplay_passed_at = played
        progress.reflection_submitted_at = submitted
    if complete:
        progress.completed_at = progress.reflection_submitted_at or when + timedelta(minutes=30)
        progress.last_visited_at = progress.completed_at


def add_quiz(user, module, when, count, right, passed):
    db.session.add(QuizAttempt(user_id=user.id, module_id=module.id,
                               module_version_id=module.current_version_id, started_at=when,
                               submitted_at=when + timedelta(minutes=12), paper=[], answers=[],
                               pass_mark=70, question_count=count, correct_count=right,
                               score=round(100 * right / count), passed=passed))


def walk(script, rng):
    """A path through the role-play taking random choices, ending at an ending."""
    scene, path = script["start"], []
    for _ in range(50):
        choices = script["scenes"][scene]["choices"]
        if not choices:
            break
        index = rng.randrange(len(choices))
        path.append([scene, index])
        scene = choices[index]["to"]
    if script["scenes"][scene]["choices"]:  # a walk that never ended: take the strong one
        return script["best"]["path"], script["best"]["ending"]
    return path, scene


def assign_demo_work(team, manager, modules, learner_email, now):
    """Level 1 for the team, overdue; a level 2 module due next week; the path for one person."""
    today = now.date()
    items = [dict(team_id=team.id, scope="level", level_number=1, due_on=today - timedelta(days=5),
                  note="Level 1 is our shared foundation: finish it, exam included.",
                  created_at=now - timedelta(days=60))]
    if modules[2]:
        health = next((m for m in modules[2] if "health" in m.slug), modules[2][0])
        items.append(dict(team_id=team.id, scope="module", module_id=health.id, level_number=2,
                          due_on=today + timedelta(days=6),
                          note="We review our own health score model on the team call after this.",
                          created_at=now - timedelta(days=14)))
    learner = find_user(learner_email)
    if learner is not None:
        items.append(dict(team_id=team.id, user_id=learner.id, scope="path", due_on=today + timedelta(days=180),
                          note="Your certification goal for the half-year.",
                          created_at=now - timedelta(days=10)))
    for item in items:
        assignment = Assignment(created_by_id=manager.id, **item)
        db.session.add(assignment)
        db.session.flush()
        record(assignment, manager, "assigned", f"due {assignment.due_on.isoformat()}",
               assignment.created_at)
