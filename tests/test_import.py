"""Files to database: all or nothing, idempotent, and never losing progress."""
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.curriculum.files import read_curriculum
from lms.curriculum.models import Level, Module, ModuleVersion
from lms.curriculum.problems import CurriculumProblems
from lms.curriculum.sync import import_curriculum
from lms.extensions import db
from lms.learning.models import ModuleProgress
from lms.learning.progress import mark_lesson_read
from lms.accounts.models import User

from .conftest import lesson_md


def reimport(app):
    with app.app_context():
        report = import_curriculum(db.session, read_curriculum(app.config["LMS_CURRICULUM_DIR"]))
        db.session.commit()
        return report


def counts(app):
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(model))
                     for model in (Level, Module, ModuleVersion, ModuleProgress))


def test_import_fills_the_database(app):
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.slug == "first-steps"))
        assert module.current_version.title == "First steps"
        assert module.current_version.number == 1
        assert "<h2" in module.current_version.lesson_html
        assert db.session.get(Level, 1).title == "Foundations"
    assert counts(app) == (4, 4, 4, 0)


def test_importing_twice_changes_nothing(app):
    before = counts(app)
    report = reimport(app)
    assert not report.changed_anything
    assert counts(app) == before
    assert report.lines() == ["Nothing changed: the database already matches the files."]


def lesson_path(app, folder="01-first-steps"):
    return Path(app.config["LMS_CURRICULUM_DIR"]) / "level1" / folder / "lesson.md"


def read_first_lesson(app, learner_id):
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.slug == "first-steps"))
        mark_lesson_read(db.session.get(User, learner_id), module)
        db.session.commit()


def test_a_changed_file_is_a_new_version_and_progress_survives(app, learner_id):
    read_first_lesson(app, learner_id)
    lesson_path(app).write_text(lesson_md("First steps, revised", 9))
    report = reimport(app)
    assert report.modules_changed == ["level1/first-steps"]
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.slug == "first-steps"))
        assert module.current_version.number == 2
        assert module.current_version.title == "First steps, revised"
        progress = db.session.scalar(select(ModuleProgress))
        assert progress.module_id == module.id and progress.is_complete
    assert counts(app) == (4, 4, 5, 1)


def test_renumbering_a_module_keeps_its_identity(app, learner_id):
    read_first_lesson(app, learner_id)
    old = lesson_path(app).parent
    old.rename(old.parent / "07-first-steps")
    report = reimport(app)
    assert report.modules_added == [] and report.modules_retired == []
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.slug == "first-steps"))
        assert (module.position, module.folder) == (7, "07-first-steps")
        assert db.session.scalar(select(ModuleProgress)).module_id == module.id


def test_a_removed_module_is_retired_not_deleted_and_comes_back(app, learner_id):
    read_first_lesson(app, learner_id)
    folder = lesson_path(app).parent
    hidden = folder.parent.parent.parent / "kept-aside"
    folder.rename(hidden)
    report = reimport(app)
    assert report.modules_retired == ["level1/first-steps"]
    assert counts(app) == (4, 4, 4, 1)
    hidden.rename(folder)
    report = reimport(app)
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.slug == "first-steps"))
        assert module.retired_at is None and module.current_version.number == 1


def test_a_broken_tree_imports_nothing(app):
    before = counts(app)
    lesson_path(app).write_text(lesson_md(minutes="soon"))
    (lesson_path(app).parent.parent / "03-new-one").mkdir()
    (lesson_path(app).parent.parent / "03-new-one" / "lesson.md").write_text(lesson_md("New"))
    with pytest.raises(CurriculumProblems):
        reimport(app)
    assert counts(app) == before


def test_the_cli_import_rolls_back_on_a_database_failure(app, runner, monkeypatch):
    """A failure half-way through leaves the database as it was."""
    before = counts(app)
    lesson_path(app, "02-second-steps").write_text(lesson_md("Changed"))
    (lesson_path(app).parent.parent / "03-third").mkdir()
    (lesson_path(app).parent.parent / "03-third" / "lesson.md").write_text(lesson_md("Third"))
    from lms.curriculum import sync

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(sync, "new_version", explode)
    result = runner.invoke(args=["import"])
    assert result.exit_code != 0
    assert counts(app) == before


def test_a_restored_module_is_reported_once(app):
    folder = lesson_path(app).parent
    hidden = folder.parent.parent.parent / "kept-aside"
    folder.rename(hidden)
    reimport(app)
    hidden.rename(folder)
    report = reimport(app)
    assert report.modules_restored == ["level1/first-steps"]
    assert "level1/first-steps" not in report.modules_unchanged + report.modules_changed
