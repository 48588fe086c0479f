"""`make load`: 50 simulated learners for a minute against gunicorn on loopback.

Run through scripts/with-postgres (DATABASE_URL points at a throwaway cluster). Builds the
schema, imports the curriculum, creates the learners, starts gunicorn, and has each learner
sign in and then read lessons, open and submit quizzes and open role-plays as fast as the
server answers. Afterwards every quiz submission that got a result must be in the database.
Prints requests per second, latency percentiles and any error responses.
"""
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

LEARNERS = int(os.environ.get("LOAD_LEARNERS", 50))
SECONDS = int(os.environ.get("LOAD_SECONDS", 60))
WORKERS = int(os.environ.get("LOAD_WORKERS", 4))
PASSWORD = "load-test-passphrase"


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgresql"):
        raise SystemExit("Run it with make load (a throwaway PostgreSQL cluster).")
    from sqlalchemy import func, select
    from werkzeug.security import generate_password_hash
    from lms import create_app
    from lms.accounts.models import User
    from lms.curriculum.models import Module
    from lms.extensions import db
    from lms.quiz.models import QuizAttempt

    scratch = Path(tempfile.mkdtemp(prefix="lms-load-"))
    env = {**os.environ, "SECRET_KEY": "load", "LMS_KEY_DIR": str(scratch / "keys"),
           "LMS_LOCK_LEVELS": "0"}
    for command in (["init"], ["import"]):
        subprocess.run([str(BIN / "lms"), *command], env=env, check=True, capture_output=True)
    app = create_app({"SECRET_KEY": "load", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        hashed = generate_password_hash(PASSWORD)
        db.session.add_all(User(email=f"csm{n}@load.example", name=f"CSM {n}", role="learner",
                                password_hash=hashed, created_at=datetime.utcnow())
                           for n in range(LEARNERS))
        db.session.commit()
        modules = [(m.level_number, m.slug, m.current_version.quiz_question_count > 0,
                    m.current_version.has_roleplay)
                   for m in db.session.scalars(select(Module).where(Module.retired_at.is_(None)))]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", str(WORKERS), "--bind",
                               f"127.0.0.1:{port}", "lms:create_app()"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            break
        except OSError:
            time.sleep(0.1)
    timings, errors, graded = [], [], []
    lock = threading.Lock()
    stop_at = time.monotonic() + SECONDS

    def learner(n):
        rng = random.Random(n)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()),
                                             NoRedirects)

        def call(path, data=None):
            body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
            started = time.perf_counter()
            try:
                with opener.open(base + path, body, timeout=30) as response:
                    status, text = response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                status, text = error.code, error.read().decode()
            except OSError as error:
                status, text = 599, str(error)
            with lock:
                timings.append(time.perf_counter() - started)
                if status >= 500 or status in (400, 401, 403, 429):
                    errors.append((path, status))
            return status, text

        def token(page):
            tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page)
            return re.search(r'value="([^"]+)"', tag.group(0)).group(1) if tag else ""

        page = call("/sign-in")[1]
        status, _ = call("/sign-in", {"email": f"csm{n}@load.example", "password": PASSWORD,
                                      "csrf_token": token(page)})
        if status != 302:
            with lock:
                errors.append(("/sign-in failed", status))
            return
        while time.monotonic() < stop_at:
            level, slug, has_quiz, has_roleplay = rng.choice(modules)
            call("/")
            status, page = call(f"/levels/{level}/{slug}")
            call(f"/levels/{level}/{slug}/read", {"csrf_token": token(page)})
            if has_quiz:
                status, page = call(f"/levels/{level}/{slug}/quiz")
                found = re.search(r'/quiz/attempts/(\d+)"', page)
                if found:
                    form = {"csrf_token": token(page), "submit_anyway": "1"}
                    for number in range(len(re.findall(r'name="q(\d+)"', page)) or 1):
                        form[f"q{number}"] = "0"
                    status, _ = call(f"/levels/{level}/{slug}/quiz/attempts/{found.group(1)}", form)
                    if status == 302:
                        with lock:
                            graded.append(int(found.group(1)))
            if has_roleplay:
                call(f"/levels/{level}/{slug}/roleplay")

    threads = [threading.Thread(target=learner, args=(n,)) for n in range(LEARNERS)]
    started = time.monotonic()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(10)
    elapsed = time.monotonic() - started
    with app.app_context():
        stored = set(db.session.scalars(select(QuizAttempt.id).where(
            QuizAttempt.submitted_at.is_not(None))))
        total = db.session.scalar(select(func.count()).select_from(QuizAttempt))
        db.engine.dispose()
    ordered = sorted(timings)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    print(f"{LEARNERS} learners, {elapsed:.0f} s, gunicorn {WORKERS} workers on PostgreSQL")
    print(f"{len(timings)} requests, {len(timings) / elapsed:.0f} per second; latency median "
          f"{statistics.median(ordered) * 1000:.0f} ms, p95 {p(0.95):.0f} ms, p99 {p(0.99):.0f} ms")
    print(f"quiz submissions graded: {len(set(graded))}; in the database: "
          f"{len(stored & set(graded))} ({total} attempts in all)")
    missing = set(graded) - stored
    if not graded:
        errors.append(("no quiz submission was graded", 0))
    if errors or missing:
        print(f"PROBLEMS: {len(errors)} error responses {errors[:5]}; missing attempts {sorted(missing)[:5]}")
        raise SystemExit(1)
    print("No error responses; nothing lost.")


if __name__ == "__main__":
    main()
