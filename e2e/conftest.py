"""Browser journeys: the real server on loopback, a fresh database, Debian's Chromium.

Each journey gets its own server: gunicorn serving `lms:create_app()` exactly as `make run`
does, on a free loopback port, over a new SQLite database built with `lms init --demo` and
`lms import`. Playwright drives the Chromium that apt-get installed (no browser download).

Every page a journey looks at goes through `Visit.check`: axe-core (vendored from npm) must
find no serious or critical WCAG 2.2 AA violation, nothing may load from another host, and
the page must log no console error (a Content-Security-Policy refusal is one). Screenshots go
to e2e/screenshots/ (not committed); the best are copied to docs/screenshots/.
"""
import html
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
SHOTS = Path(os.environ.get("LMS_E2E_SHOTS") or ROOT / "e2e" / "screenshots")
PASSWORD = "academy-demo"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}


def chromium_path():
    found = os.environ.get("LMS_CHROMIUM") or shutil.which("chromium")
    if not found:
        pytest.exit("Chromium is missing: apt-get install chromium (make e2e does it).", 2)
    return found


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn on loopback over its own database, keys and secret."""

    def __init__(self, folder):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'lms.sqlite3'}",
                    "SECRET_KEY": "e2e-" + folder.name, "LMS_KEY_DIR": str(folder / "keys"),
                    "LMS_BASE_URL": self.base, "LMS_CURRICULUM_DIR": str(ROOT / "curriculum")}
        self.lms("init", "--demo")
        self.lms("import")
        self.log = open(folder / "gunicorn.log", "wb")
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{self.port}",
             "lms:create_app()"], cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log)
        self.wait_until_up()

    def lms(self, *args):
        done = subprocess.run([str(BIN / "lms"), *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True)
        assert done.returncode == 0, f"lms {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def wait_until_up(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=2)
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start; see " + self.log.name)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def server(tmp_path):
    """A server of its own for each journey."""
    running = Server(tmp_path)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    """One server for a file of checks that only read pages."""
    running = Server(tmp_path_factory.mktemp("server"))
    yield running
    running.stop()


class Visit:
    """One person's browser tab, with the checks every page must pass."""

    def __init__(self, browser, server, name, width=1280, scheme="light"):
        self.server, self.name = server, name
        self.context = browser.new_context(base_url=server.base, color_scheme=scheme,
                                           viewport={"width": width, "height": 900},
                                           accept_downloads=True)
        self.page = self.context.new_page()
        self.errors, self.foreign = [], []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", self._watch_host)
        self.checked = []

    def _watch_host(self, request):
        if not (request.url.startswith(self.server.base) or request.url.startswith("data:")):
            self.foreign.append(request.url)

    def sign_in(self, email, password=PASSWORD):
        self.page.goto("/sign-in")
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.page.click("main button[type=submit]")
        self.page.wait_for_url(lambda url: "/sign-in" not in url)

    def go(self, path):
        self.page.goto(path)
        return self.page

    def check(self, shot=None, full_page=True):
        """Audit the page as it is now; keep a screenshot named `shot`."""
        page = self.page
        page.wait_for_load_state()
        violations = audit(page)
        assert not violations, f"{page.url}: accessibility\n" + "\n".join(violations)
        assert not self.foreign, f"{page.url}: loaded from another host: {self.foreign}"
        assert not self.errors, f"{page.url}: console errors: {self.errors}"
        self.checked.append(page.url)
        if shot:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=full_page)
        return page

    def close(self):
        self.context.close()


def audit(page):
    """axe-core's serious and critical WCAG 2.2 AA findings on the page, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)  # evaluated by the browser's debugger, so the page's CSP allows it
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                           WCAG_TAGS)
    return [f"  {v['impact']}: {v['id']} ({v['help']}) at "
            + ", ".join(" ".join(node["target"]) for node in v["nodes"][:3])
            for v in result["violations"] if v["impact"] in BLOCKING]


def visits(chromium, server):
    opened = []

    def open_visit(name="visitor", **options):
        opened.append(Visit(chromium, server, name, **options))
        return opened[-1]

    yield open_visit
    for one in opened:
        one.close()


@pytest.fixture
def visit(chromium, server):
    """visit(name, width=..., scheme=...) opens a new tab as a new person."""
    yield from visits(chromium, server)


@pytest.fixture
def shared_visit(chromium, shared_server):
    yield from visits(chromium, shared_server)


def plain(markup):
    """What a reader sees of a bit of rendered HTML: tags dropped, entities decoded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split())


def answer_key(path):
    """{question title as shown: [correct option texts]} for a quiz or exam bank."""
    from lms.curriculum.quizfile import QUIZ_FIELDS, read_questions
    _, questions, problems = read_questions(Path(path).read_text(encoding="utf-8"), str(path),
                                            QUIZ_FIELDS)
    assert not problems, problems
    return {plain(q["title_html"]): {
        "right": [plain(o["html"]) for o in q["options"] if o["correct"]],
        "wrong": [plain(o["html"]) for o in q["options"] if not o["correct"]]}
        for q in questions}


def answer_questions(page, key, right=True):
    """Tick the right (or only wrong) options of every question fieldset on the page."""
    for fieldset in page.query_selector_all("fieldset.question"):
        title = " ".join(fieldset.query_selector(".question-title").inner_text().split())
        wanted = key[title]["right"] if right else key[title]["wrong"][:1]
        for label in fieldset.query_selector_all("label.option"):
            text = " ".join(label.inner_text().split())
            if text in wanted:
                label.query_selector("input").check()
