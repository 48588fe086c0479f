"""Every `lms` command, through Flask's CLI runner."""
from pathlib import Path

from sqlalchemy import inspect, select

from lms import create_app
from lms.accounts.models import User
from lms.demo import DEMO_LEARNERS
from lms.cli import DEMO_ACCOUNTS, DEMO_PASSWORD
from lms.extensions import db

from .conftest import lesson_md


def test_init_builds_the_schema_on_an_empty_database(tmp_path, app_config, fresh_database):
    app_config["SQLALCHEMY_DATABASE_URI"] = fresh_database
    app = create_app(app_config)
    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {"user", "level", "module", "module_version", "module_progress",
            "alembic_version"} <= tables


def test_init_demo_creates_the_demo_accounts_once(app, runner):
    for _ in range(2):
        result = runner.invoke(args=["init", "--demo"])
        assert result.exit_code == 0, result.output
    with app.app_context():
        users = db.session.scalars(select(User).order_by(User.id)).all()
        assert [(u.email, u.role) for u in users] == \
            [(e, r) for e, _, r in DEMO_ACCOUNTS] + [("certified@example.com", "learner")] \
            + [(email, "learner") for email, *_ in DEMO_LEARNERS]
        assert all(u.check_password(DEMO_PASSWORD) for u in users[:5])


def test_check_passes_a_clean_tree(runner, make_curriculum):
    result = runner.invoke(args=["check", str(make_curriculum())])
    assert result.exit_code == 0
    assert "4 level(s), 4 module(s), no problems" in result.output


def test_check_lists_problems_and_fails(runner, make_curriculum):
    root = make_curriculum({"level1/01-first-steps/lesson.md": lesson_md(minutes="soon")})
    result = runner.invoke(args=["check", str(root)])
    assert result.exit_code == 1
    assert "curriculum/level1/01-first-steps/lesson.md:3: 'minutes' must be a whole number" \
        in result.output
    assert "1 problem(s) found" in result.output


def test_check_defaults_to_the_configured_folder(runner):
    assert runner.invoke(args=["check"]).exit_code == 0


def test_import_reports_what_changed(app, runner):
    result = runner.invoke(args=["import"])
    assert result.exit_code == 0
    assert "Nothing changed" in result.output


def test_import_of_a_broken_tree_changes_nothing(app, runner, make_curriculum):
    root = make_curriculum({"level1/01-first-steps/lesson.md": "broken"}, root_name="other")
    result = runner.invoke(args=["import", str(root)])
    assert result.exit_code == 1
    assert "nothing was imported" in result.output


def test_create_user_reads_the_password_from_stdin(app, runner):
    result = runner.invoke(args=["create-user", "Dana@Example.com", "--role", "manager",
                                 "--name", "Dana Okafor"], input="a long enough phrase\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "dana@example.com"))
        assert (user.role, user.name) == ("manager", "Dana Okafor")
        assert user.check_password("a long enough phrase")


def test_create_user_refuses_bad_input(app, runner, make_user):
    make_user(email="taken@example.com")
    cases = [
        (["create-user", "taken@example.com"], "a long enough phrase", "already exists"),
        (["create-user", "new@example.com"], "short", "at least 10 characters"),
        (["create-user", "new@example.com", "--role", "king"], "a long enough phrase", "Invalid value"),
        (["create-user", "not-an-email"], "a long enough phrase", "valid email"),
    ]
    for args, password, message in cases:
        result = runner.invoke(args=args, input=password + "\n")
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    with app.app_context():
        assert len(db.session.scalars(select(User)).all()) == 1


def test_upgrading_an_older_database_keeps_its_progress(tmp_path, app_config, fresh_database):
    from datetime import datetime
    from flask_migrate import upgrade
    from sqlalchemy import text
    from lms import MIGRATIONS
    app_config["SQLALCHEMY_DATABASE_URI"] = fresh_database
    app = create_app(app_config)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS), revision="0001")
        now = datetime(2026, 1, 1)
        db.session.execute(text(
            'INSERT INTO "user" (id, email, name, password_hash, role, active, created_at) '
            "VALUES (1, 'a@example.com', 'A', 'x', 'learner', :yes, :now)"),
            {"now": now, "yes": True})
        db.session.execute(text(
            "INSERT INTO level (number, title, summary, intro_html, source_hash, updated_at) "
            "VALUES (1, 'One', 'S', '<p>i</p>', 'h', :now)"), {"now": now})
        db.session.execute(text(
            "INSERT INTO module (id, level_number, slug, position, folder) "
            "VALUES (1, 1, 'first', 1, '01-first')"))
        db.session.execute(text(
            "INSERT INTO module_version (id, module_id, number, source_hash, created_at, title, "
            "minutes, objectives, skills, lesson_markdown, lesson_html) VALUES (1, 1, 1, 'h', "
            ":now, 'First', 10, '[]', '[]', 'Body', '<p>Body</p>')"), {"now": now})
        db.session.execute(text("UPDATE module SET current_version_id = 1"))
        db.session.execute(text(
            "INSERT INTO module_progress (user_id, module_id, started_at, last_visited_at, "
            "lesson_read_at, completed_at) VALUES (1, 1, :now, :now, :now, :now)"), {"now": now})
        db.session.commit()
        # Later migrations rebuild tables that other rows point at (module_version here).
        result = app.test_cli_runner().invoke(args=["init"])
        assert result.exit_code == 0, result.output
        row = db.session.execute(text(
            "SELECT completed_at, quiz_passed_at FROM module_progress")).one()
        assert row[0] is not None and row[1] is None
        assert db.session.execute(text(
            "SELECT m.current_version_id, v.title, v.origin FROM module m "
            "JOIN module_version v ON v.id = m.current_version_id")).one() == (1, "First", "import")
        if db.engine.dialect.name == "sqlite":
            assert db.session.execute(text("PRAGMA foreign_key_check")).all() == []
        db.engine.dispose()


def test_team_commands(app, runner, make_user):
    from lms.teams.membership import manages
    boss = make_user("manager", email="lena@example.com")
    member = make_user("learner", email="sam@example.com")
    assert runner.invoke(args=["team", "create", "EMEA"]).exit_code == 0
    assert "already a team" in runner.invoke(args=["team", "create", "EMEA"]).output
    assert runner.invoke(args=["team", "add", "EMEA", "lena@example.com", "--manager"]).exit_code == 0
    assert runner.invoke(args=["team", "add", "EMEA", "sam@example.com"]).exit_code == 0
    refused = runner.invoke(args=["team", "add", "EMEA", "sam@example.com", "--manager"])
    assert refused.exit_code != 0 and "only managers and admins manage teams" in refused.output
    assert "no team called" in runner.invoke(args=["team", "add", "APAC", "sam@example.com"]).output
    assert "no account" in runner.invoke(args=["team", "add", "EMEA", "nobody@example.com"]).output
    with app.app_context():
        assert manages(boss, member) and not manages(member, boss)


def test_init_demo_puts_the_demo_learner_in_the_demo_managers_team(app, runner):
    from lms.teams.membership import manages
    from lms.accounts.users import find_user
    runner.invoke(args=["init", "--demo"])
    runner.invoke(args=["init", "--demo"])
    with app.app_context():
        assert manages(find_user("manager@example.com").id, find_user("learner@example.com").id)


def test_the_models_and_the_migrations_agree(app, runner):
    """A model change without its migration fails here, not in production."""
    from lms import MIGRATIONS
    result = runner.invoke(args=["db", "check", "-d", str(MIGRATIONS)])
    assert result.exit_code == 0, result.output


def test_a_backup_restores_every_record(app, runner, tmp_path, make_user):
    import pytest as _pytest
    from lms.learning.models import ModuleProgress
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        _pytest.skip("PostgreSQL is backed up with pg_dump")
    learner = make_user("learner", email="kept@example.com")
    client = app.test_client()
    from .conftest import sign_in_as
    sign_in_as(client, learner).post("/levels/1/first-steps/read")
    backup = tmp_path / "backups" / "lms.sqlite3"
    result = runner.invoke(args=["backup", str(backup)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["backup", str(backup)]).exit_code != 0  # never overwrites
    make_user("learner", email="after@example.com")  # made after the backup
    result = runner.invoke(args=["restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        emails = set(db.session.scalars(select(User.email)))
        assert "kept@example.com" in emails and "after@example.com" not in emails
        assert db.session.scalar(select(ModuleProgress.lesson_read_at)) is not None
    kept = list(backup.parent.parent.glob("*.before-restore-*")) + list(
        Path(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///"):]).parent.glob(
            "*.before-restore-*"))
    assert kept, "the database restore replaced is kept beside it"
    (tmp_path / "junk").write_text("not a database")
    assert "not" in runner.invoke(args=["restore", str(tmp_path / "junk"), "--yes"]).output


def test_upgrading_keeps_attempts_runs_reflections_and_certificates(app_config, fresh_database):
    """A database made at 0004 (certificates) holding a learner's whole record, upgraded."""
    from datetime import datetime
    from flask_migrate import upgrade
    from sqlalchemy import text
    from lms import MIGRATIONS
    from lms.certificates.models import Certificate
    from lms.exam.models import ExamAttempt
    from lms.quiz.models import QuizAttempt
    from lms.roleplay.models import Reflection, RoleplayRun
    app_config["SQLALCHEMY_DATABASE_URI"] = fresh_database
    app = create_app(app_config)
    now = datetime(2026, 3, 1)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS), revision="0004")
        db.session.execute(text(
            'INSERT INTO "user" (id, email, name, password_hash, role, active, created_at) '
            "VALUES (1, 'a@example.com', 'A', 'x', 'learner', :yes, :now)"), {"now": now, "yes": True})
        db.session.execute(text(
            "INSERT INTO level (number, title, summary, intro_html, source_hash, updated_at, "
            "exam_bank_count, validity_days) VALUES (1, 'One', 'S', '<p>i</p>', 'h', :now, 0, 730)"),
            {"now": now})
        db.session.execute(text(
            "INSERT INTO module (id, level_number, slug, position, folder) "
            "VALUES (1, 1, 'first', 1, '01-first')"))
        db.session.execute(text(
            "INSERT INTO module_version (id, module_id, number, source_hash, created_at, title, "
            "minutes, objectives, skills, lesson_markdown, lesson_html, quiz_question_count, "
            "has_roleplay) VALUES (1, 1, 1, 'h', :now, 'First', 10, '[]', '[]', 'B', '<p>B</p>', "
            "1, :yes)"), {"now": now, "yes": True})
        db.session.execute(text("UPDATE module SET current_version_id = 1"))
        db.session.add_all([
            QuizAttempt(id=1, user_id=1, module_id=1, module_version_id=1, started_at=now,
                        submitted_at=now, paper=[{"q": 1}], answers=[[0]], pass_mark=80,
                        question_count=1, correct_count=1, score=100, passed=True),
            ExamAttempt(id=1, user_id=1, level_number=1, started_at=now, deadline_at=now,
                        submitted_at=now, ended_by="learner", paper=[], answers=[], pass_mark=80,
                        question_count=1, correct_count=1, score=100, passed=True),
            RoleplayRun(id=1, user_id=1, module_id=1, module_version_id=1, started_at=now,
                        finished_at=now, scene="end", step=4, path=[["a", 0]],
                        scores={"discovery": 3}, percent=100, passed=True),
            Certificate(id=1, code="c" * 24, user_id=1, level_number=1, holder_name="A",
                        title="Level 1: One", issued_at=now, curriculum={"level1/first": 1},
                        credential="jwt")])
        db.session.flush()
        db.session.add(Reflection(id=1, user_id=1, module_id=1, run_id=1, body="kept words",
                                  saved_at=now, submitted_at=now))
        db.session.commit()
        result = app.test_cli_runner().invoke(args=["init"])
        assert result.exit_code == 0, result.output
        db.session.expire_all()
        assert db.session.get(QuizAttempt, 1).score == 100
        assert db.session.get(ExamAttempt, 1).passed
        assert db.session.get(RoleplayRun, 1).scores == {"discovery": 3}
        assert db.session.get(Reflection, 1).body == "kept words"
        certificate = db.session.get(Certificate, 1)
        assert certificate.curriculum == {"level1/first": 1} and certificate.revoked_at is None
        assert db.session.execute(text(
            "SELECT origin FROM module_version WHERE id = 1")).scalar() == "import"
        db.engine.dispose()
