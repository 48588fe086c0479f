"""Fixtures: an app on a fresh database per test, a small curriculum, users per role."""
import os
import shutil
import textwrap
import uuid
from datetime import datetime

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, event
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from lms import MIGRATIONS, create_app
from lms.accounts.models import User
from lms.curriculum.files import read_curriculum
from lms.curriculum.sync import import_curriculum
from lms.extensions import db

pytest_plugins = ["tests.exam_world"]

PASSWORD = "correct horse battery"
# A cheap hash keeps fixtures fast; the real rules use Werkzeug's default.
FAST_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def lesson_md(title="A lesson", minutes=10, body="## Why it matters\n\nBecause.\n",
              objectives=("Name one thing", "Do another thing", "Explain a third"),
              skills=("customer focus",), extra=""):
    """The text of a lesson.md that passes every check, unless told otherwise."""
    objective_lines = "\n".join(f"  - {o}" for o in objectives)
    skill_lines = "\n".join(f"  - {s}" for s in skills)
    return (f"---\ntitle: {title}\nminutes: {minutes}\nobjectives:\n{objective_lines}\n"
            f"skills:\n{skill_lines}\n{extra}---\n{body}")


QUIZ = """\
## Which of these is an outcome in the customer's business?

- [ ] Forty logins last month
- [x] New hires productive in half the time
- [ ] A webinar attended

> Outcomes are results in the customer's business, not activity in ours.

## Which of these warn that an account is at risk?

Dana's champion has gone quiet.

- [x] The champion leaves the company
- [x] Weekly use halves over a quarter
- [ ] The renewal is signed early

> Losing a champion and a falling trend both come before churn.
"""


ROLEPLAY = """\
---
persona:
  name: Dana Okafor
  role: Operations director
  company: Kestrel Freight
  mood: Impatient
situation: Dana wants depot logins up before the quarterly review.
rubric:
  - discovery
  - empathy
pass_score: 60
reflection: What would you do next with Dana, and why?
reflection_min_words: 10
---
## Dana calls

Dana: "Get the depots logging in."

- [Ask what the depots need](#what-they-need)
  discovery +2, empathy +1
  > You looked for the outcome behind the request.
- [Promise a login campaign](#campaign)
  discovery -1
  > You solved the problem Dana named, not the one she has.

## What they need

Dana: "New starters take three weeks to work alone."

- [Propose a pilot in three depots](#good-end)
  discovery +1, empathy +1
  > A small step Marcus can measure.
- [Go back to the login numbers](#dana-calls)
  empathy -1
  > Back to activity.

## Campaign

Dana: "Fine, send the emails."

- [Send them](#poor-end)
  empathy -1
  > More activity, no outcome.

## Good end

Dana agrees to a three-depot pilot and a date to report to Marcus.

## Poor end

Logins rise for a week; nothing Marcus cares about changes.
"""


def quiz_md(settings="", body=QUIZ):
    """The text of a quiz.md with two questions (one single, one multiple choice)."""
    return (f"---\n{settings}---\n" if settings else "") + body


def level_md(title="A level", summary="What this level is for.", body="Welcome to the level.\n"):
    return f"---\ntitle: {title}\nsummary: {summary}\n---\n{body}"


@pytest.fixture
def make_curriculum(tmp_path):
    """Return a function that writes a curriculum tree and returns its root.

    `files` maps paths under the root to text; levels 1 to 3 get a level.md
    and level 1 two modules unless `files` says otherwise.
    """
    def make(files=None, root_name="curriculum", defaults=True):
        root = tmp_path / root_name
        tree = {}
        if defaults:
            tree = {
                "level1/level.md": level_md("Foundations", "Start here."),
                "level1/01-first-steps/lesson.md": lesson_md("First steps", 8),
                "level1/01-first-steps/map.png": b"\x89PNG\r\n\x1a\n",
                "level1/02-second-steps/lesson.md": lesson_md("Second steps", 12),
                "level2/level.md": level_md("Engagement", "Then this."),
                "level2/01-health/lesson.md": lesson_md("Health scores", 15),
                "level2/01-health/quiz.md": quiz_md(),
                "level3/level.md": level_md("Career", "Later."),
                "level3/01-talk/lesson.md": lesson_md("Talking with Dana", 10),
                "level3/01-talk/roleplay.md": ROLEPLAY,
                "level4/level.md": level_md("Communication", "Much later."),
            }
        tree.update(files or {})
        for path, text in tree.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                target.write_bytes(text)
            elif text is not None:
                target.write_text(textwrap.dedent(text) if text.startswith("\n") else text)
        return root
    return make


class Databases:
    """Throwaway databases for tests: SQLite files, or, when LMS_TEST_DATABASE_URL names
    a PostgreSQL server (make test-pg), databases created on it and dropped after."""

    def __init__(self, folder, server_url):
        self.folder, self.server_url = folder, server_url
        self.admin = None
        if server_url.startswith("postgresql"):
            self.admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        self.made = []

    def url(self, name):
        if self.admin is None:
            return f"sqlite:///{self.folder / (name + '.sqlite3')}"
        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    def empty(self, name=None):
        """The URL of a new, empty database."""
        name = name or f"t_{uuid.uuid4().hex[:12]}"
        if self.admin is not None:
            with self.admin.connect() as connection:
                connection.execute(sql(f'CREATE DATABASE "{name}"'))
            self.made.append(name)
        return self.url(name)

    def copy(self, template):
        """The URL of a new database holding what the template database holds."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        if self.admin is None:
            shutil.copy(self.folder / f"{template}.sqlite3", self.folder / f"{name}.sqlite3")
        else:
            with self.admin.connect() as connection:
                connection.execute(sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
            self.made.append(name)
        return self.url(name)

    def drop(self, url):
        name = make_url(url).database
        if self.admin is not None and name in self.made:
            with self.admin.connect() as connection:
                connection.execute(sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            self.made.remove(name)

    def close(self):
        for name in list(self.made):
            self.drop(self.url(name))
        if self.admin is not None:
            self.admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    # Never DATABASE_URL: that may name a real site's database, and tests drop databases.
    found = Databases(tmp_path_factory.mktemp("databases"),
                      os.environ.get("LMS_TEST_DATABASE_URL", ""))
    yield found
    found.close()


@pytest.fixture
def fresh_database(databases):
    """The URL of an empty database of the kind the suite runs on, dropped afterwards."""
    url = databases.empty()
    yield url
    databases.drop(url)


@pytest.fixture(scope="session")
def migrated_database(databases):
    """A database brought to the current schema by the real migrations, once."""
    url = databases.empty("lms_template")
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        db.engine.dispose()
    return "lms_template"


@pytest.fixture
def app_config(tmp_path, databases, migrated_database, make_curriculum):
    url = databases.copy(migrated_database)
    yield {
        "TESTING": True,
        "SECRET_KEY": "test",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "LMS_CURRICULUM_DIR": str(make_curriculum()),
        "LMS_LOCK_LEVELS": True,
        "LMS_OPEN_REGISTRATION": True,
        "LMS_KEY_DIR": str(tmp_path / "keys"),
        "LMS_BASE_URL": "https://academy.example",
    }
    databases.drop(url)


@pytest.fixture
def app(app_config):
    """The app on a fresh database holding the small test curriculum."""
    app = create_app(app_config)
    with app.app_context():
        import_curriculum(db.session, read_curriculum(app.config["LMS_CURRICULUM_DIR"]))
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Return a function that adds a user and returns its id."""
    counter = iter(range(1, 10_000))

    def make(role="learner", email=None, name=None, active=True):
        with app.app_context():
            user = User(email=email or f"{role}{next(counter)}@example.com",
                        name=name or role.title(), role=role, active=active,
                        password_hash=FAST_HASH, created_at=datetime(2026, 1, 1))
            db.session.add(user)
            db.session.commit()
            return user.id
    return make


def sign_in_as(client, user_id):
    """Sign a test client in as a user without going through the form."""
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return client


@pytest.fixture
def as_role(app, make_user):
    """Return a function giving a signed-in client for a role (or None: anonymous)."""
    def client_for(role):
        client = app.test_client()
        if role is not None:
            sign_in_as(client, make_user(role))
        return client
    return client_for


@pytest.fixture
def learner_id(make_user):
    return make_user("learner", email="learner@example.com", name="Jordan Lee")


@pytest.fixture
def learner(app, learner_id):
    return sign_in_as(app.test_client(), learner_id)


@pytest.fixture
def count_queries(app):
    """Return a context manager that counts the SQL statements run inside it."""
    class Counter:
        def __init__(self):
            self.statements = []

        def __enter__(self):
            with app.app_context():
                self.engine = db.engine
            event.listen(self.engine, "before_cursor_execute", self.record)
            return self

        def record(self, conn, cursor, statement, *args):
            self.statements.append(statement)

        def __exit__(self, *exc):
            event.remove(self.engine, "before_cursor_execute", self.record)

        @property
        def count(self):
            return len(self.statements)
    return Counter
