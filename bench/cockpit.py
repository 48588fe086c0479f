"""`make bench`: how long the pages that grow with a company take, and how many queries.

Builds a throwaway SQLite database with five levels of twelve modules and a
team of 500 learners at spread-out stages (progress, quiz attempts,
assignments), then times the manager's cockpit in both matrix views, a
person's page and a CSV export, plus a learner's dashboard and a lesson,
through the app in-process (no network). Prints the median of several runs
and the SQL statements each page makes; the query count must not depend on
the team's size.
"""
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import event, insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lms import MIGRATIONS, create_app  # noqa: E402
from lms.accounts.models import User  # noqa: E402
from lms.assignments.models import Assignment  # noqa: E402
from lms.curriculum.files import read_curriculum  # noqa: E402
from lms.curriculum.models import Module  # noqa: E402
from lms.curriculum.sync import import_curriculum  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.learning.models import ModuleProgress  # noqa: E402
from lms.quiz.models import QuizAttempt  # noqa: E402
from lms.teams.models import Team, TeamMembership  # noqa: E402

LEARNERS, LEVELS, MODULES, RUNS = 500, 5, 12, 7
QUIZ = """## Which comes first?

- [x] The customer's outcome
- [ ] The product's features
- [ ] The renewal date

> The outcome comes first because everything else is measured against it; features and dates
> only matter in so far as they move the customer towards what they bought the product for.
"""


def write_curriculum(root):
    for level in range(1, LEVELS + 1):
        folder = root / f"level{level}"
        folder.mkdir(parents=True)
        (folder / "level.md").write_text(f"---\ntitle: Level {level}\nsummary: Level {level}.\n"
                                         f"---\nWelcome to level {level}.\n")
        for n in range(1, MODULES + 1):
            module = folder / f"{n:02d}-module-{n}"
            module.mkdir()
            body = " ".join(["A paragraph about customer outcomes and how to reach them."] * 120)
            (module / "lesson.md").write_text(
                f"---\ntitle: Module {level}.{n}\nminutes: 15\nobjectives:\n  - Name one thing\n"
                "  - Do another thing\n  - Explain a third\nskills:\n  - customer focus\n---\n"
                f"## Why it matters\n\n{body}\n")
            (module / "quiz.md").write_text(QUIZ)


def populate(app):
    rng = random.Random(7)
    now = datetime.utcnow()
    with app.app_context():
        modules = db.session.scalars(select(Module).order_by(Module.level_number,
                                                             Module.position)).all()
        team = Team(name="Customer Success Worldwide")
        manager = User(email="boss@example.com", name="Boss", role="manager",
                       password_hash="x", created_at=now)
        db.session.add_all([team, manager])
        db.session.flush()
        db.session.add(TeamMembership(team_id=team.id, user_id=manager.id, is_manager=True))
        db.session.execute(insert(User), [
            {"email": f"csm{n}@example.com", "name": f"CSM {n:03d}", "role": "learner",
             "password_hash": "x", "created_at": now, "active": True} for n in range(LEARNERS)])
        ids = db.session.scalars(select(User.id).where(User.role == "learner")).all()
        db.session.execute(insert(TeamMembership), [
            {"team_id": team.id, "user_id": uid, "is_manager": False, "joined_at": now}
            for uid in ids])
        progress, attempts = [], []
        for uid in ids:
            reached = rng.randint(0, len(modules))
            for index, module in enumerate(modules[:reached + 1][:len(modules)]):
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
        for level in range(1, LEVELS + 1):
            db.session.add(Assignment(team_id=team.id, scope="level", level_number=level,
                                      due_on=date.today() + timedelta(days=30 * level - 45),
                                      created_at=now - timedelta(days=60), created_by_id=manager.id))
        db.session.commit()
        return team.id, manager.id, ids[0], len(progress), len(attempts)


def measure(client, engine, url):
    statements = []

    def count(*_args):
        statements.append(1)
    client.get(url)  # warm up
    timings = []
    for _ in range(RUNS):
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings) * 1000, len(statements), len(response.data)


def main():
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        write_curriculum(scratch / "curriculum")
        app = create_app({"SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch / 'bench.sqlite3'}",
                          "LMS_CURRICULUM_DIR": str(scratch / "curriculum"),
                          "LMS_KEY_DIR": str(scratch / "keys")})
        with app.app_context():
            upgrade(directory=str(MIGRATIONS))
            import_curriculum(db.session, read_curriculum(scratch / "curriculum"))
            db.session.commit()
            engine = db.engine
        started = time.perf_counter()
        team_id, manager_id, learner_id, progress, attempts = populate(app)
        print(f"Built {LEARNERS} learners x {LEVELS * MODULES} modules: {progress} progress "
              f"records, {attempts} quiz attempts ({time.perf_counter() - started:.1f}s).")
        manager, learner = app.test_client(), app.test_client()
        for client, user_id in ((manager, manager_id), (learner, learner_id)):
            with client.session_transaction() as session:
                session["_user_id"] = str(user_id)
        pages = [
            (manager, "cockpit, people x levels", f"/manage/teams/{team_id}"),
            (manager, "cockpit, people x 60 modules", f"/manage/teams/{team_id}?view=modules"),
            (manager, "cockpit, people x level 1", f"/manage/teams/{team_id}?view=modules&level=1"),
            (manager, "matrix CSV, 60 modules",
             f"/manage/teams/{team_id}/export/matrix.csv?view=modules"),
            (manager, "one person's page", f"/manage/people/{learner_id}"),
            (learner, "learner dashboard", "/"),
            (learner, "a lesson", "/levels/1/module-1"),
        ]
        print(f"\n{'page':34} {'median ms':>10} {'queries':>8} {'KiB':>8}")
        for client, label, url in pages:
            ms, queries, size = measure(client, engine, url)
            print(f"{label:34} {ms:10.1f} {queries:8d} {size / 1024:8.0f}")
        with app.app_context():
            db.engine.dispose()


if __name__ == "__main__":
    main()
