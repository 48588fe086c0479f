"""Several app servers, one site: a learner's journey alternates between two gunicorn
processes on one database, and the same submit raced on both counts once.

This is how `make run` (two workers) and a company's load-balanced servers run: nothing
that must be shared may live in one process's memory.
"""
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from lms import create_app
from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.curriculum.files import read_curriculum
from lms.curriculum.sync import import_curriculum
from lms.exam.models import ExamAttempt
from lms.extensions import db
from lms.quiz.models import QuizAttempt
from lms.roleplay.models import RoleplayRun

from .conftest import ROLEPLAY, lesson_md
from .exam_world import EXAM_TREE

GUNICORN = Path(sys.executable).parent / "gunicorn"
PASSWORD = "a long enough passphrase"


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person's cookies, sent to whichever server a request goes to."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirects)

    def request(self, base, path, data=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(base + path, body, timeout=30) as response:
                return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), error.headers

    def get(self, base, path):
        return self.request(base, path)

    def post(self, base, path, data, token_from=None):
        """POST a form with the CSRF token taken from a page (any server's)."""
        page = self.get(base, token_from or path)[1] if token_from != "" else ""
        return self.request(base, path, {**data, "csrf_token": csrf_token(page)})


def csrf_token(page):
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page)
    return re.search(r'value="([^"]+)"', tag.group(0)).group(1) if tag else ""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def two_servers(app_config, make_curriculum, tmp_path):
    tree = dict(EXAM_TREE)
    tree["level2/02-talk/lesson.md"] = lesson_md("Talking with Dana")
    tree["level2/02-talk/roleplay.md"] = ROLEPLAY
    curriculum = make_curriculum(tree, "servers", defaults=False)
    env = {**os.environ, "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
           "SECRET_KEY": "shared-secret", "LMS_CURRICULUM_DIR": str(curriculum),
           "LMS_KEY_DIR": str(tmp_path / "keys"), "LMS_LOCK_LEVELS": "0",
           "LMS_BASE_URL": "https://academy.example"}
    app_config.update(LMS_CURRICULUM_DIR=str(curriculum), LMS_KEY_DIR=env["LMS_KEY_DIR"],
                      SECRET_KEY="shared-secret", LMS_LOCK_LEVELS=False)
    app = create_app(app_config)
    with app.app_context():
        import_curriculum(db.session, read_curriculum(curriculum))
        for email in ("sam@example.com", "racer@example.com"):
            db.session.add(User(email=email, name="Sam", role="learner", active=True,
                                password_hash=generate_password_hash(PASSWORD),
                                created_at=datetime(2026, 1, 1)))
        db.session.commit()
    assert subprocess.run([str(Path(sys.executable).parent / "lms"), "init"], env=env,
                          capture_output=True).returncode == 0  # the signing key, once
    servers, bases = [], []
    for _ in range(2):
        port = free_port()
        servers.append(subprocess.Popen(
            [str(GUNICORN), "--workers", "1", "--bind", f"127.0.0.1:{port}", "lms:create_app()"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        bases.append(f"http://127.0.0.1:{port}")
    for base in bases:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
    yield app, bases
    for server in servers:
        server.terminate()
        server.wait(10)
    with app.app_context():
        db.engine.dispose()


def sign_in(browser, base, email="sam@example.com"):
    status, _, headers = browser.post(base, "/sign-in", {"email": email, "password": PASSWORD})
    assert status == 302, status


def quiz_answers(app, attempt_id):
    with app.app_context():
        paper = db.session.get(QuizAttempt, attempt_id).paper
    return {f"q{n}": [str(i) for i in q["correct"]] for n, q in enumerate(paper)}


def test_a_learner_moves_between_two_servers_and_nothing_is_lost(two_servers):
    app, (a, b) = two_servers
    sam = Browser()
    sign_in(sam, a)
    assert sam.get(b, "/")[0] == 200  # the session works on the other server
    for n, slug in enumerate(("alpha", "beta", "gamma")):
        first, second = (a, b) if n % 2 == 0 else (b, a)
        assert sam.get(first, f"/levels/1/{slug}")[0] == 200
        assert sam.post(second, f"/levels/1/{slug}/read", {}, token_from=f"/levels/1/{slug}")[0] == 302
        page = sam.get(first, f"/levels/1/{slug}/quiz")[1]
        attempt_id = int(re.search(r"/quiz/attempts/(\d+)\"", page).group(1))
        status, _, headers = sam.post(second, f"/levels/1/{slug}/quiz/attempts/{attempt_id}",
                                      quiz_answers(app, attempt_id),
                                      token_from=f"/levels/1/{slug}/quiz")
        assert status == 302
    # The role-play: started on one server, played on the other, reflected on the first.
    page = "/levels/2/talk/roleplay"
    assert sam.post(a, f"{page}/start", {}, token_from=page)[0] == 302
    for choice in (0, 0):
        html = sam.get(b, page)[1]
        action = re.search(r'action="([^"]+/choose)"', html).group(1)
        scene = re.search(r'name="scene" value="([^"]+)"', html).group(1)
        step = re.search(r'name="step" value="(\d+)"', html).group(1)
        assert sam.post(a, action, {"scene": scene, "step": step, "choice": choice},
                        token_from=page)[0] == 302
    words = "I would agree the measure with Dana and book the review with Marcus next week."
    assert sam.post(b, f"{page}/reflection", {"body": words, "action": "submit"},
                    token_from=page)[0] == 302
    # The exam: started on B, its deadline kept in the database, answered on A.
    status, _, headers = sam.post(b, "/levels/1/exam/start", {}, token_from="/levels/1/exam")
    attempt_id = int(headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        exam = db.session.get(ExamAttempt, attempt_id)
        answers = {f"q{n}": [str(i) for i in q["correct"]] for n, q in enumerate(exam.paper)}
    assert sam.post(a, f"/levels/1/exam/attempts/{attempt_id}", {**answers, "action": "submit"},
                    token_from=f"/levels/1/exam/attempts/{attempt_id}")[0] == 302
    assert "Level 1: Foundations" in sam.get(b, "/certificates")[1]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt).where(
            QuizAttempt.passed.is_(True))) == 3
        run = db.session.scalar(select(RoleplayRun))
        assert run.passed and run.finished_at is not None
        assert db.session.get(ExamAttempt, attempt_id).passed
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_the_same_submit_raced_on_both_servers_counts_once(two_servers):
    app, (a, b) = two_servers
    racer = Browser()
    sign_in(racer, a, "racer@example.com")
    racer.post(a, "/levels/1/alpha/read", {}, token_from="/levels/1/alpha")
    page = racer.get(a, "/levels/1/alpha/quiz")[1]
    attempt_id = int(re.search(r"/quiz/attempts/(\d+)\"", page).group(1))
    form = {**quiz_answers(app, attempt_id), "csrf_token": csrf_token(page)}
    results = []

    def submit(base):
        results.append(racer.request(base, f"/levels/1/alpha/quiz/attempts/{attempt_id}", form)[0])
    threads = [threading.Thread(target=submit, args=(base,)) for base in (a, b, a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(status < 500 for status in results), results
    with app.app_context():
        submitted = db.session.scalars(select(QuizAttempt).where(
            QuizAttempt.submitted_at.is_not(None))).all()
        assert [attempt.id for attempt in submitted] == [attempt_id]
    # Certificates: every module done and the exam passed, then both servers award at once.
    for slug in ("beta", "gamma"):
        racer.post(b, f"/levels/1/{slug}/read", {}, token_from=f"/levels/1/{slug}")
        page = racer.get(a, f"/levels/1/{slug}/quiz")[1]
        quiz_id = int(re.search(r"/quiz/attempts/(\d+)\"", page).group(1))
        racer.post(b, f"/levels/1/{slug}/quiz/attempts/{quiz_id}", quiz_answers(app, quiz_id),
                   token_from=f"/levels/1/{slug}/quiz")
    with app.app_context():  # a passed exam, as if just graded, so the next visits award
        user_id = db.session.scalar(select(User.id).where(User.email == "racer@example.com"))
        db.session.add(ExamAttempt(user_id=user_id, level_number=1, started_at=datetime.utcnow(),
                                   deadline_at=datetime.utcnow(), submitted_at=datetime.utcnow(),
                                   ended_by="learner", paper=[], answers=[], pass_mark=80,
                                   question_count=6, correct_count=6, score=100, passed=True))
        db.session.commit()
    results.clear()
    threads = [threading.Thread(target=lambda base=base: results.append(racer.get(base, "/")[0]))
               for base in (a, b, a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(status == 200 for status in results), results
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate).where(
            Certificate.user_id == user_id)) == 1
