"""`make bench`: how long the pages that grow with a company take, and how many queries.

Builds a throwaway SQLite database with five levels of twelve modules and a
team of 500 learners at spread-out stages (progress, quiz attempts,
assignments), then times the manager's cockpit in both matrix views, a
person's page and a CSV export, plus a learner's dashboard and a lesson,
through the app in-process (no network). Prints the median of several runs
and the SQL statements each page makes; the query count must not depend on
the team's size.
"""
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.world import populate  # noqa: E402
from lms import MIGRATIONS, create_app  # noqa: E402
from lms.curriculum.files import read_curriculum  # noqa: E402
from lms.curriculum.sync import import_curriculum  # noqa: E402
from lms.extensions import db  # noqa: E402

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
        world = populate(app, LEARNERS)
        team_id, manager_id, learner_id = world["team_id"], world["manager_id"], world["learner_id"]
        progress, attempts = world["progress"], world["attempts"]
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
