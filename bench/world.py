"""A company for the benchmarks: a team of learners spread over the curriculum's modules."""
import random
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from lms.accounts.models import User
from lms.assignments.models import Assignment
from lms.extensions import db
from lms.curriculum.models import Module
from lms.learning.models import ModuleProgress
from lms.quiz.models import QuizAttempt
from lms.teams.models import Team, TeamMembership


def populate(app, size, password=None, seed=7):
    """A manager and `size` learners at random stages, with attempts and level assignments.

    With a password, everyone can sign in with it (a cheap hash: sign-in is not measured).
    Returns the ids, emails and paths the benchmarks need.
    """
    rng = random.Random(seed)
    now = datetime.utcnow()
    hashed = generate_password_hash(password, method="pbkdf2:sha256:1000") if password else "x"
    with app.app_context():
        modules = db.session.scalars(select(Module).where(Module.retired_at.is_(None)).order_by(
            Module.level_number, Module.position)).all()
        team = Team(name="Customer Success Worldwide")
        manager = User(email="boss@example.com", name="Boss", role="manager",
                       password_hash=hashed, created_at=now)
        db.session.add_all([team, manager])
        db.session.flush()
        db.session.add(TeamMembership(team_id=team.id, user_id=manager.id, is_manager=True))
        db.session.execute(insert(User), [
            {"email": f"csm{n}@example.com", "name": f"CSM {n:03d}", "role": "learner",
             "password_hash": hashed, "created_at": now, "active": True} for n in range(size)])
        ids = db.session.scalars(select(User.id).where(User.role == "learner")
                                 .order_by(User.id)).all()
        db.session.execute(insert(TeamMembership), [
            {"team_id": team.id, "user_id": uid, "is_manager": False, "joined_at": now}
            for uid in ids])
        progress, attempts = [], []
        for uid in ids:
            reached = rng.randint(0, len(modules))
            for index, module in enumerate(modules[:reached + 1]):
                when = now - timedelta(days=rng.randint(1, 80))
                done = index < reached
                progress.append({"user_id": uid, "module_id": module.id, "started_at": when,
                                 "last_visited_at": when, "lesson_read_at": when,
                                 "completed_at": when if done else None,
                                 "quiz_best_score": 100 if done else None})
                attempts.append({"user_id": uid, "module_id": module.id,
                                 "module_version_id": module.current_version_id,
                                 "started_at": when, "submitted_at": when, "paper": [],
                                 "answers": [], "pass_mark": 70, "question_count": 1,
                                 "correct_count": int(done), "score": 100 if done else 0,
                                 "passed": done})
        db.session.execute(insert(ModuleProgress), progress)
        db.session.execute(insert(QuizAttempt), attempts)
        levels = sorted({m.level_number for m in modules})
        for level in levels:
            db.session.add(Assignment(team_id=team.id, scope="level", level_number=level,
                                      due_on=date.today() + timedelta(days=30 * level - 45),
                                      created_at=now - timedelta(days=60),
                                      created_by_id=manager.id))
        db.session.commit()
        first = modules[0]
        return {"team_id": team.id, "manager_id": manager.id, "learner_id": ids[0],
                "manager": manager.email, "learner": "csm0@example.com",
                "progress": len(progress), "attempts": len(attempts),
                "cockpit": f"/manage/teams/{team.id}",
                "lesson": f"/levels/{first.level_number}/{first.slug}",
                "quiz_takers": [f"csm{n}@example.com" for n in range(size)],
                "quiz_slugs": [m.slug for m in modules if m.level_number == 1]}
