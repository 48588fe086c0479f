"""`make bench`: the academy's pages against the fastest this stack can serve, on loopback.

In one run:
1. `lms import` of the whole curriculum into a new database, timed as a person runs it
   (median of three fresh databases).
2. A team of 500 learners spread over the 60 modules, with quiz attempts and assignments.
3. gunicorn serving `lms:create_app()` exactly as `make run` does (2 sync workers), then the
   same gunicorn serving bench/ceiling.py: a bare Flask route rendering a template as large
   as the lesson page. That route is the ceiling of Flask + Jinja + gunicorn on this machine.
4. For each page, CLIENTS client processes send requests back to back for SECONDS seconds
   (after a warm-up). Requests per second, median and 95th-percentile latency are reported,
   with throughput as a ratio of the ceiling's. The cockpit's goal is a latency, so it is
   measured with one client: a manager opening the page, not a queue of them.

A quiz submit needs an open attempt, so the attempts are opened first (untimed, by visiting
the quiz page as 120 learners across the 12 level 1 quizzes); the timed part is only the
POSTs that grade them. Results go to bench/results.json.
"""
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
SECONDS = float(os.environ.get("BENCH_SECONDS", 8))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", 4))
WORKERS = os.environ.get("WORKERS", "2")
PASSWORD = "bench-passphrase"
TEAM_SIZE = 500
QUIZ_TAKERS = 120
GOALS = {"lesson": 0.60, "dashboard": 0.40, "quiz_submit": 0.40}
COCKPIT_P50_MS, IMPORT_SECONDS = 250, 3.0


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A signed-in person: a cookie jar and the page's CSRF token."""

    def __init__(self, base, email=None):
        self.base, self.jar = base, CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirects)
        if email:
            token = self.token(self.get("/sign-in"))
            status, _ = self.post("/sign-in", {"csrf_token": token, "email": email,
                                               "password": PASSWORD})
            assert status == 302, f"sign-in as {email} answered {status}"

    def get(self, path):
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode()

    def post(self, path, fields):
        data = urllib.parse.urlencode(fields, doseq=True).encode()
        try:
            with self.opener.open(self.base + path, data=data, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:  # a redirect (no follow) or a refusal
            return error.code, error.read()

    @staticmethod
    def token(page):
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def build_world(folder):
    """A database with the curriculum, a 500-person team and people who can sign in."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'lms.sqlite3'}",
           "SECRET_KEY": "bench", "LMS_KEY_DIR": str(folder / "keys"),
           "LMS_CURRICULUM_DIR": str(ROOT / "curriculum")}
    for command in ("init", "import"):
        subprocess.run([str(BIN / "lms"), command], env=env, check=True, capture_output=True)
    from lms import create_app
    from bench.world import populate
    app = create_app({"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "SECRET_KEY": "bench",
                      "LMS_KEY_DIR": env["LMS_KEY_DIR"]})
    world = populate(app, TEAM_SIZE, PASSWORD)
    return env, world


def timed_import():
    """Median seconds of `lms import` of the whole curriculum into a fresh database."""
    runs = []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as scratch:
            env = {**os.environ, "DATABASE_URL": f"sqlite:///{Path(scratch) / 'x.sqlite3'}",
                   "SECRET_KEY": "bench", "LMS_KEY_DIR": str(Path(scratch) / "keys"),
                   "LMS_CURRICULUM_DIR": str(ROOT / "curriculum")}
            subprocess.run([str(BIN / "lms"), "init"], env=env, check=True, capture_output=True)
            started = time.perf_counter()
            subprocess.run([str(BIN / "lms"), "import"], env=env, check=True,
                           capture_output=True)
            runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def serve(app_spec, env, port):
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", WORKERS, "--bind", f"127.0.0.1:{port}", app_spec],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return process
        except urllib.error.HTTPError:
            return process  # it answers
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{app_spec} did not start")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hammer(job):
    """One client process: requests back to back until the time is up; their latencies."""
    base, kind, arg, seconds = job
    latencies = []
    if kind == "get":
        email, path = arg
        person = Browser(base, email)
        person.get(path)  # warm up
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            person.get(path)
            latencies.append(time.perf_counter() - started)
        return latencies, seconds
    # Quiz submits: POST each prepared attempt once, until they or the time run out.
    prepared = arg
    spent = 0.0
    for email, cookies, path, fields in prepared:
        if spent >= seconds:
            break
        person = Browser(base)
        for cookie in cookies:
            person.jar.set_cookie(cookie)
        started = time.perf_counter()
        status, _ = person.post(path, fields)
        took = time.perf_counter() - started
        assert status == 302, f"quiz submit answered {status}"
        latencies.append(took)
        spent += took
    return latencies, spent


def measure(base, kind, args):
    """Run one client process per item of `args` at once; rps over the busy time, p50, p95."""
    with multiprocessing.Pool(len(args)) as pool:
        results = pool.map(hammer, [(base, kind, arg, SECONDS) for arg in args])
    latencies = sorted(x for got, _ in results for x in got)
    busy = statistics.mean(spent for _, spent in results)
    return {"rps": round(len(latencies) / busy, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1),
            "requests": len(latencies)}


def prepare_quiz_attempts(base, learners, slugs):
    """Open one attempt per learner and quiz (untimed); what each POST will need."""
    prepared = []
    for email in learners:
        person = Browser(base, email)
        for slug in slugs:
            page = person.get(f"/levels/1/{slug}/quiz")
            action = re.search(r'<form method="post" class="quiz-form" action="([^"]+)"', page)
            names = sorted(set(re.findall(r'name="(q\d+)" value="(\d+)"', page)))
            first = {}
            for name, value in names:
                first.setdefault(name, value)
            prepared.append((email, list(person.jar), action.group(1),
                             {"csrf_token": Browser.token(page), "submit_anyway": "1", **first}))
    return prepared


def run():
    results = {}
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as scratch:
        folder = Path(scratch)
        print("Importing the curriculum into fresh databases (3 runs)...", flush=True)
        results["import"] = {"seconds": round(timed_import(), 2)}
        print("Building a team of 500 learners...", flush=True)
        env, world = build_world(folder)

        port = free_port()
        server = serve("lms:create_app()", env, port)
        base = f"http://127.0.0.1:{port}"
        try:
            learner = world["learner"]
            world["lesson_bytes"] = len(Browser(base, learner).get(world["lesson"]).encode())
            results["lesson"] = measure(base, "get", [(learner, world["lesson"])] * CLIENTS)
            results["dashboard"] = measure(base, "get", [(learner, "/")] * CLIENTS)
            # The goal is the page's latency for a manager opening it, so one client: with
            # four, each request would also wait for the others' turn on the two workers.
            results["cockpit_500"] = measure(base, "get", [(world["manager"], world["cockpit"])])
            prepared = prepare_quiz_attempts(base, world["quiz_takers"][:QUIZ_TAKERS],
                                             world["quiz_slugs"])
            shares = [prepared[i::CLIENTS] for i in range(CLIENTS)]
            results["quiz_submit"] = measure(base, "post", shares)
        finally:
            server.terminate()
            server.wait()
        port = free_port()
        server = serve("bench.ceiling:app", {**env, "BENCH_LESSON_BYTES":
                                             str(world["lesson_bytes"])}, port)
        base = f"http://127.0.0.1:{port}"
        try:
            results["ceiling"] = measure(base, "get", [(None, "/")] * CLIENTS)
        finally:
            server.terminate()
            server.wait()

    ceiling = results["ceiling"]["rps"]
    for name in ("ceiling", "lesson", "dashboard", "quiz_submit", "cockpit_500"):
        results[name]["ratio"] = round(results[name]["rps"] / ceiling, 2)
    return results, world


def report(results):
    verdicts = {name: results[name]["ratio"] >= goal for name, goal in GOALS.items()}
    verdicts["cockpit_500"] = results["cockpit_500"]["p50_ms"] < COCKPIT_P50_MS
    verdicts["import"] = results["import"]["seconds"] < IMPORT_SECONDS
    goals = {"lesson": "≥ 60% of ceiling", "dashboard": "≥ 40% of ceiling",
             "quiz_submit": "≥ 40% of ceiling", "cockpit_500": f"p50 < {COCKPIT_P50_MS} ms",
             "import": f"< {IMPORT_SECONDS:.0f} s"}
    print(f"\n{'':13}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'ratio':>8}   goal")
    for name in ("ceiling", "lesson", "dashboard", "quiz_submit", "cockpit_500"):
        r = results[name]
        mark = "" if name == "ceiling" else ("  ok" if verdicts[name] else "  MISSED")
        print(f"{name:13}{r['rps']:9.1f}{r['p50_ms']:9.1f}{r['p95_ms']:9.1f}{r['ratio']:8.2f}"
              f"   {goals.get(name, '')}{mark}")
    print(f"{'import':13}{results['import']['seconds']:>9.2f} s{'':24}   {goals['import']}"
          f"{'  ok' if verdicts['import'] else '  MISSED'}")
    return all(verdicts.values())


def main():
    results, world = run()
    print(f"\n{CLIENTS} client processes, {SECONDS:.0f} s per page, gunicorn with {WORKERS} "
          f"workers, {os.cpu_count()} CPUs; lesson page {world['lesson_bytes'] / 1024:.0f} KiB.")
    met = report(results)
    out = ROOT / "bench" / "results.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nWritten to {out.relative_to(ROOT)}." + ("" if met else " Some goals were missed."))


if __name__ == "__main__":
    main()
