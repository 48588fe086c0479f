"""A level whose exam can be sat: three modules with quizzes and an exam bank.

Registered as a pytest plugin in conftest.py, so its fixtures serve the exam
and certificate tests alike.
"""
from datetime import datetime

import pytest
from sqlalchemy import select

from lms import create_app
from lms.curriculum.files import read_curriculum
from lms.curriculum.models import Module
from lms.curriculum.sync import import_curriculum
from lms.exam.models import ExamAttempt
from lms.extensions import db
from lms.learning.models import ModuleProgress

from .conftest import lesson_md, level_md, sign_in_as


def questions(prefix, count):
    return "".join(f"## {prefix} question {i}?\n\n- [x] Right {prefix} {i}\n- [ ] Wrong {prefix} {i}\n\n"
                   f"> Explained {prefix} {i}.\n\n" for i in range(1, count + 1))


EXAM_TREE = {
    "level1/level.md": level_md("Foundations", "Start here.").replace(
        "---\nWelcome", "exam:\n  questions: 6\n  minutes: 10\n  attempts: 2\n  cooldown: 1 hour\n---\nWelcome"),
    "level1/exam.md": questions("Bank", 2),
    "level2/level.md": level_md("Engagement", "Next."),
    "level2/01-next/lesson.md": lesson_md("Next level"),
}
for n, name in enumerate(("alpha", "beta", "gamma"), 1):
    EXAM_TREE[f"level1/0{n}-{name}/lesson.md"] = lesson_md(name.title())
    EXAM_TREE[f"level1/0{n}-{name}/quiz.md"] = questions(name.title(), 3)


@pytest.fixture
def exam_app(app_config, make_curriculum):
    app_config["LMS_CURRICULUM_DIR"] = str(make_curriculum(EXAM_TREE, "exam", defaults=False))
    app = create_app(app_config)
    with app.app_context():
        import_curriculum(db.session, read_curriculum(app_config["LMS_CURRICULUM_DIR"]))
        db.session.commit()
    return app


@pytest.fixture
def candidate(exam_app):
    """A learner with every module of level 1 complete; returns (client, user id)."""
    from lms.accounts.models import User
    with exam_app.app_context():
        user = User(email="sam@example.com", name="Sam", role="learner", password_hash="x",
                    created_at=datetime(2026, 1, 1))
        db.session.add(user)
        db.session.flush()
        now = datetime(2026, 1, 1)
        for module_id in db.session.scalars(select(Module.id).where(Module.level_number == 1)):
            db.session.add(ModuleProgress(user_id=user.id, module_id=module_id, started_at=now,
                                          last_visited_at=now, lesson_read_at=now,
                                          quiz_passed_at=now, completed_at=now))
        db.session.commit()
        return sign_in_as(exam_app.test_client(), user.id), user.id


def start(client):
    response = client.post("/levels/1/exam/start")
    return response, int(response.location.rsplit("/", 1)[1]) if "/attempts/" in response.location else None


def attempt(app, attempt_id):
    with app.app_context():
        return db.session.get(ExamAttempt, attempt_id)


def answer_form(paper, right=True, action="submit"):
    data = {"action": action}
    for number, question in enumerate(paper):
        data[f"q{number}"] = [str(i) for i in question["correct"]] if right else \
            [str(next(i for i in range(len(question["options"])) if i not in question["correct"]))]
    return data


def finished(app):
    with app.app_context():
        return db.session.scalars(select(ExamAttempt).where(ExamAttempt.submitted_at.is_not(None))).all()
