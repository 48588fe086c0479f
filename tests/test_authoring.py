"""Authoring in the browser: drafts, live checks, publishing, conflicts, history, files in
and out, uploads, and learners never hurt by an edit."""
import io
import re
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.admin.models import AuditEvent
from lms.authoring.assets import safe_upload_name
from lms.authoring.editing import SaveConflict, check_text, save_draft
from lms.curriculum.assets import svg_problem
from lms.curriculum.models import Draft, Module, ModuleAsset, ModuleVersion
from lms.extensions import db
from lms.learning.models import ModuleProgress
from lms.quiz.models import QuizAttempt

from .conftest import QUIZ, lesson_md, sign_in_as

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def admin_id(make_user):
    return make_user("admin", email="author@example.com", name="Ada Author")


@pytest.fixture
def admin(app, admin_id):
    return sign_in_as(app.test_client(), admin_id)


def module_id(app, slug):
    with app.app_context():
        return db.session.scalar(select(Module.id).where(Module.slug == slug))


def editor_url(app, slug, name="lesson.md"):
    return f"/admin/curriculum/{module_id(app, slug)}/edit/{name}"


def revision_in(page):
    return int(re.search(r'name="revision" value="(-?\d+)"', page).group(1))


def textarea(page):
    import html
    return html.unescape(re.search(r'<textarea id="text"[^>]*>(.*?)</textarea>', page, re.S).group(1))


def edit_and(admin, app, slug, text, action="save", name="lesson.md", revision=None):
    url = editor_url(app, slug, name)
    if revision is None:
        revision = revision_in(admin.get(url).get_data(as_text=True))
    return admin.post(url, data={"text": text, "revision": str(revision), "action": action})


NEW_LESSON = lesson_md("First steps, rewritten", 9, body="## Why it matters\n\nA brand new paragraph.\n")


def test_a_draft_is_private_until_published_then_learners_see_it(app, admin, learner):
    assert "A brand new paragraph" not in learner.get("/levels/1/first-steps").get_data(as_text=True)
    response = edit_and(admin, app, "first-steps", NEW_LESSON)
    assert response.status_code == 302
    assert "A brand new paragraph" not in learner.get("/levels/1/first-steps").get_data(as_text=True)
    page = admin.get(editor_url(app, "first-steps")).get_data(as_text=True)
    assert "A brand new paragraph" in textarea(page) and "Draft saved" in page
    response = edit_and(admin, app, "first-steps", NEW_LESSON, action="publish")
    assert response.status_code == 302
    page = learner.get("/levels/1/first-steps").get_data(as_text=True)
    assert "A brand new paragraph" in page and "First steps, rewritten" in page
    with app.app_context():
        versions = db.session.scalars(select(ModuleVersion).where(
            ModuleVersion.module_id == module_id(app, "first-steps"))
            .order_by(ModuleVersion.number)).all()
        assert [(v.number, v.origin) for v in versions] == [(1, "import"), (2, "browser")]
        assert versions[1].sources["lesson.md"] == NEW_LESSON
        assert db.session.scalar(select(Draft)) is None
        assert db.session.scalar(select(AuditEvent.action)) == "published"


BROKEN_QUIZ = QUIZ.replace("- [x] New hires productive in half the time",
                           "- [ ] New hires productive in half the time")


def test_a_broken_quiz_shows_its_line_and_cannot_be_published(app, admin):
    url = editor_url(app, "health", "quiz.md")
    response = admin.post("/admin/curriculum/preview", data={
        "module": module_id(app, "health"), "name": "quiz.md", "text": BROKEN_QUIZ})
    problems = response.get_json()["problems"]
    assert problems and all(line for line, _ in problems)
    line = problems[0][0]
    assert BROKEN_QUIZ.splitlines()[line - 1].startswith("##")
    response = edit_and(admin, app, "health", BROKEN_QUIZ, action="publish", name="quiz.md")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Not published" in page and textarea(page) == BROKEN_QUIZ  # the author keeps it
    assert f"Line {line}" in page
    fixed = BROKEN_QUIZ.replace("- [ ] New hires productive", "- [x] New hires productive") \
        .replace("Forty logins", "Forty-two logins")
    assert edit_and(admin, app, "health", fixed, action="publish", name="quiz.md").status_code == 302
    assert "Published version 2" in admin.get(url).get_data(as_text=True)


def test_the_live_preview_renders_what_learners_get(app, admin):
    response = admin.post("/admin/curriculum/preview", data={
        "module": module_id(app, "first-steps"), "name": "lesson.md",
        "text": lesson_md(body="## Why it matters\n\n<script>alert(1)</script> **Bold** ![A map](map.png)\n")})
    data = response.get_json()
    assert data["problems"] == []
    assert "<strong>Bold</strong>" in data["html"] and "<script>" not in data["html"]
    assert "/levels/1/first-steps/files/map.png" in data["html"]
    broken = admin.post("/admin/curriculum/preview", data={
        "module": module_id(app, "first-steps"), "name": "lesson.md",
        "text": lesson_md(body="## Why\n\n[next](../09-nowhere/)\n")}).get_json()
    assert any("leads nowhere" in message for _, message in broken["problems"])


def test_a_second_save_from_an_old_copy_is_told_not_overwritten(app, admin, make_user):
    other = sign_in_as(app.test_client(), make_user("admin", name="Bo Builder"))
    url = editor_url(app, "first-steps")
    mine = revision_in(admin.get(url).get_data(as_text=True))
    theirs = revision_in(other.get(url).get_data(as_text=True))
    assert edit_and(other, app, "first-steps", NEW_LESSON, revision=theirs).status_code == 302
    my_text = NEW_LESSON.replace("brand new", "very different")
    response = edit_and(admin, app, "first-steps", my_text, revision=mine)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Saved meanwhile by Bo Builder" in page and textarea(page) == my_text
    assert 'class="diff"' in page
    with app.app_context():
        assert db.session.scalar(select(Draft.text)) == NEW_LESSON  # theirs survived
    # Having seen theirs, I save over it deliberately.
    assert edit_and(admin, app, "first-steps", my_text, revision=revision_in(page)).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Draft.text)) == my_text


def test_two_first_saves_at_once_make_one_draft(app, admin_id):
    with app.app_context():
        module = db.session.get(Module, module_id(app, "first-steps"))
        author = db.session.get(User, admin_id)
        save_draft(module, "lesson.md", NEW_LESSON, 0, author)
        second = save_draft(module, "lesson.md", "other", 0, author)
        assert isinstance(second, SaveConflict) and second.theirs == NEW_LESSON
        assert len(db.session.scalars(select(Draft)).all()) == 1


def test_a_draft_older_than_the_published_version_cannot_undo_it(app, admin, make_user, runner,
                                                                  make_curriculum):
    edit_and(admin, app, "first-steps", NEW_LESSON)  # a draft from version 1
    other = sign_in_as(app.test_client(), make_user("admin"))
    theirs = NEW_LESSON.replace("brand new", "published by someone else")
    # Someone else publishes version 2 of the same file through the draft they share...
    page = other.get(editor_url(app, "first-steps")).get_data(as_text=True)
    edit_and(other, app, "first-steps", theirs, action="publish", revision=revision_in(page))
    # ...so a draft started from version 1 elsewhere (e.g. before an import) is stale:
    with app.app_context():
        module = db.session.get(Module, module_id(app, "first-steps"))
        db.session.add(Draft(module_id=module.id, name="quiz.md", text=QUIZ, revision=1,
                             base_version_id=db.session.scalar(select(ModuleVersion.id).where(
                                 ModuleVersion.module_id == module.id, ModuleVersion.number == 1)),
                             updated_at=module.current_version.created_at))
        db.session.commit()
    page = admin.get(editor_url(app, "first-steps", "quiz.md")).get_data(as_text=True)
    assert "A newer version was published after this draft was started" in page
    response = edit_and(admin, app, "first-steps", QUIZ, action="publish", name="quiz.md",
                        revision=revision_in(page))
    assert "has been published since" in response.get_data(as_text=True)
    admin.post(editor_url(app, "first-steps", "quiz.md"),
               data={"action": "rebase", "revision": str(revision_in(page))})
    page = admin.get(editor_url(app, "first-steps", "quiz.md")).get_data(as_text=True)
    assert edit_and(admin, app, "first-steps", QUIZ, action="publish", name="quiz.md",
                    revision=revision_in(page)).status_code == 302
    with app.app_context():
        sources = db.session.get(Module, module_id(app, "first-steps")).current_version.sources
        assert "published by someone else" in sources["lesson.md"] and sources["quiz.md"] == QUIZ


def test_history_compares_versions_and_restores_one_as_a_draft(app, admin):
    edit_and(admin, app, "first-steps", NEW_LESSON, action="publish")
    history = editor_url(app, "first-steps") + "/history"
    page = admin.get(history).get_data(as_text=True)
    assert "Ada Author" in page and "published here" in page and "lms import" in page
    page = admin.get(history + "?a=1&b=2").get_data(as_text=True)
    assert 'class="diff"' in page and "brand" in page and "diff_chg" in page
    assert admin.get(history + "?a=1&b=9").status_code == 404
    admin.post(editor_url(app, "first-steps") + "/restore", data={"version": "1"})
    page = admin.get(editor_url(app, "first-steps")).get_data(as_text=True)
    assert "brand new" not in textarea(page) and "Draft saved" in page
    edit_and(admin, app, "first-steps", textarea(page), action="publish")
    with app.app_context():
        versions = db.session.scalars(select(ModuleVersion).where(
            ModuleVersion.module_id == module_id(app, "first-steps"))
            .order_by(ModuleVersion.number)).all()
        assert len(versions) == 3 and versions[2].sources == versions[0].sources


def test_export_then_import_changes_nothing_and_shows_the_edit(app, admin, runner, tmp_path):
    original = (Path(app.config["LMS_CURRICULUM_DIR"]) / "level1/01-first-steps/lesson.md").read_text()
    edit_and(admin, app, "first-steps", NEW_LESSON, action="publish")
    out = tmp_path / "exported"
    result = runner.invoke(args=["export", str(out)])
    assert result.exit_code == 0, result.output
    exported = (out / "level1/01-first-steps/lesson.md").read_text()
    assert exported == NEW_LESSON and exported != original
    assert (out / "level1/01-first-steps/map.png").read_bytes().startswith(b"\x89PNG")
    assert (out / "level1/level.md").is_file() and (out / "level3/01-talk/roleplay.md").is_file()
    result = runner.invoke(args=["import", str(out)])
    assert result.exit_code == 0 and "Nothing changed" in result.output, result.output


def test_import_refuses_to_undo_unexported_browser_edits_unless_forced(app, admin, runner):
    edit_and(admin, app, "first-steps", NEW_LESSON, action="publish")
    result = runner.invoke(args=["import"])
    assert result.exit_code != 0
    assert "level1/first-steps: published in the browser" in result.output
    assert "nothing was imported" in result.output
    result = runner.invoke(args=["import", "--force"])
    assert result.exit_code == 0 and "Overwrote browser changes in: level1/first-steps" in result.output
    with app.app_context():
        module = db.session.get(Module, module_id(app, "first-steps"))
        numbers = db.session.scalars(select(ModuleVersion.origin).where(
            ModuleVersion.module_id == module.id).order_by(ModuleVersion.number)).all()
        assert numbers == ["import", "browser", "import"]  # the browser version is kept
        assert module.browser_change_at is None
    assert runner.invoke(args=["import"]).exit_code == 0


def test_retiring_or_moving_in_the_browser_also_guards_the_import(app, admin, runner):
    admin.post(f"/admin/curriculum/{module_id(app, 'second-steps')}/up")
    result = runner.invoke(args=["import"])
    assert "level1/second-steps: moved in the browser" in result.output
    admin.post(f"/admin/curriculum/{module_id(app, 'talk')}/retire")
    assert "level3/talk: retired in the browser" in runner.invoke(args=["import"]).output


# ---- modules: create, retire, move -----------------------------------------------------------

def test_a_new_module_is_hidden_until_published(app, admin, learner):
    response = admin.post("/admin/curriculum/modules",
                          data={"level": "1", "title": "Renewal risk: the early signs", "slug": ""})
    assert response.status_code == 302
    new_id = module_id(app, "renewal-risk-the-early-signs")
    assert f"/admin/curriculum/{new_id}/edit/lesson.md" in response.location
    assert "Renewal risk" not in learner.get("/levels/1").get_data(as_text=True)
    page = admin.get(response.location).get_data(as_text=True)
    assert "No problems" in page
    edit_and(admin, app, "renewal-risk-the-early-signs", textarea(page), action="publish")
    assert "Renewal risk" in learner.get("/levels/1").get_data(as_text=True)
    for form, message in (({"level": "1", "title": "X", "slug": "Bad Slug!"}, "lower-case"),
                          ({"level": "1", "title": "Again", "slug": "first-steps"}, "already has"),
                          ({"level": "9", "title": "X", "slug": ""}, "no such level"),
                          ({"level": "²", "title": "X", "slug": ""}, "no such level"),
                          ({"level": "1", "title": "", "slug": ""}, "Give the module a title")):
        page = admin.post("/admin/curriculum/modules", data=form,
                          follow_redirects=True).get_data(as_text=True)
        assert message in page, form


def test_retiring_keeps_progress_and_never_lowers_a_completed_level(app, admin, learner, learner_id):
    for slug in ("first-steps", "second-steps"):
        learner.post(f"/levels/1/{slug}/read")
    learner.get("/")  # the "module complete" message has been seen
    admin.post(f"/admin/curriculum/{module_id(app, 'second-steps')}/retire")
    page = learner.get("/levels/1").get_data(as_text=True)
    assert "Second steps" not in page
    assert learner.get("/levels/2").status_code == 200  # level 1 still complete: level 2 open
    with app.app_context():
        assert db.session.scalar(select(ModuleProgress.completed_at).where(
            ModuleProgress.module_id == module_id(app, "second-steps"))) is not None
    admin.post(f"/admin/curriculum/{module_id(app, 'second-steps')}/restore")
    assert "Second steps" in learner.get("/levels/1").get_data(as_text=True)


def test_moving_a_module_changes_its_folder_number(app, admin, tmp_path, runner):
    admin.post(f"/admin/curriculum/{module_id(app, 'second-steps')}/up")
    runner.invoke(args=["export", str(tmp_path / "out")])
    assert sorted(p.name for p in (tmp_path / "out/level1").iterdir() if p.is_dir()) == \
        ["01-second-steps", "02-first-steps"]


# ---- learners are never hurt by an edit ----------------------------------------------------

def test_edits_keep_attempts_certificates_and_read_lessons(app, admin, learner, learner_id):
    learner.post("/levels/1/first-steps/read")
    learner.post("/levels/1/second-steps/read")
    page = learner.get("/levels/2/health/quiz").get_data(as_text=True)
    attempt_id = int(re.search(r"/quiz/attempts/(\d+)\"", page).group(1))
    with app.app_context():
        paper = db.session.get(QuizAttempt, attempt_id).paper
    answers = {f"q{n}": [str(i) for i in q["correct"]] for n, q in enumerate(paper)}
    learner.post(f"/levels/2/health/quiz/attempts/{attempt_id}", data=answers)
    reworded = QUIZ.replace("Forty logins last month", "Forty-one logins last month")
    edit_and(admin, app, "health", reworded, action="publish", name="quiz.md")
    edit_and(admin, app, "first-steps", NEW_LESSON, action="publish")
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.passed and attempt.paper == paper
        progress = db.session.scalar(select(ModuleProgress).where(
            ModuleProgress.user_id == learner_id,
            ModuleProgress.module_id == module_id(app, "first-steps")))
        assert progress.lesson_read_at is not None and progress.completed_at is not None
    assert "Forty logins" in learner.get(
        f"/levels/2/health/quiz/attempts/{attempt_id}").get_data(as_text=True)


# ---- uploads --------------------------------------------------------------------------------

EVIL_SVGS = [
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
    b'<use x:href="https://evil.example/a.svg#x"/></svg>',
    b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>hi</p></foreignObject></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill:url(https://evil.example/x)"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect/></a></svg>',
]


@pytest.mark.parametrize("svg", EVIL_SVGS)
def test_unsafe_svgs_are_refused(app, admin, svg):
    assert svg_problem("x.svg", svg)
    response = admin.post(f"/admin/curriculum/{module_id(app, 'first-steps')}/files",
                          data={"file": (io.BytesIO(svg), "chart.svg")}, follow_redirects=True)
    assert "Not uploaded" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ModuleAsset).where(ModuleAsset.name == "chart.svg")) is None


def test_uploads_are_checked_named_safely_and_served_safely(app, admin, learner):
    url = f"/admin/curriculum/{module_id(app, 'first-steps')}/files"
    for data, name, message in ((b"\0" * (2 * 1024 * 1024 + 1), "big.png", "larger than 2 MB"),
                                (b"GIF89a not a png", "fake.png", "not really a .png"),
                                (b"MZ...", "tool.exe", "PNG, JPEG, WebP or SVG")):
        page = admin.post(url, data={"file": (io.BytesIO(data), name)},
                          follow_redirects=True).get_data(as_text=True)
        assert message in page, name
    page = admin.post(url, data={"file": (io.BytesIO(PNG), "../../Etc/My Chart (v2).PNG")},
                      follow_redirects=True).get_data(as_text=True)
    assert "my-chart-v2.png" in page
    assert safe_upload_name("..\\..\\x.svg") == "x.svg"
    good_svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="5" height="5" fill="#2b59c3"/></svg>'
    admin.post(url, data={"file": (io.BytesIO(good_svg), "diagram.svg")})
    edit_and(admin, app, "first-steps", lesson_md(
        body="## Why\n\n![A chart](my-chart-v2.png) ![A diagram](diagram.svg)\n"), action="publish")
    response = learner.get("/levels/1/first-steps/files/diagram.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert learner.get("/levels/1/first-steps/files/my-chart-v2.png").data == PNG
    assert learner.get("/levels/1/first-steps/files/../../secret").status_code == 404


# ---- zips -----------------------------------------------------------------------------------

def zip_of(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_the_curriculum_downloads_as_a_zip_and_uploads_back(app, admin):
    response = admin.get("/admin/curriculum.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert "curriculum/level1/01-first-steps/lesson.md" in names
    page = admin.post("/admin/curriculum/upload", data={
        "archive": (io.BytesIO(response.data), "curriculum.zip")}, follow_redirects=True)
    assert "Nothing changed" in page.get_data(as_text=True)


def test_an_upload_with_one_bad_file_imports_nothing(app, admin):
    archive = zipfile.ZipFile(io.BytesIO(admin.get("/admin/curriculum.zip").data))
    files = {name: archive.read(name) for name in archive.namelist()}
    files["curriculum/level1/01-first-steps/lesson.md"] = NEW_LESSON.encode()
    files["curriculum/level2/01-health/quiz.md"] = BROKEN_QUIZ.encode()
    response = admin.post("/admin/curriculum/upload",
                          data={"archive": (io.BytesIO(zip_of(files)), "c.zip")})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "nothing was imported" in page and "quiz.md" in page
    with app.app_context():
        assert db.session.scalar(select(ModuleVersion).where(ModuleVersion.number == 2)) is None


@pytest.mark.parametrize("files, message", [
    ({"../level1/x.md": b"x"}, "unsafe path"),
    ({"/etc/passwd": b"x"}, "unsafe path"),
    ({"notes/readme.txt": b"x", "other/readme.txt": b"y"}, "no level folders"),
])
def test_unsafe_or_odd_zips_are_refused(app, admin, files, message):
    response = admin.post("/admin/curriculum/upload",
                          data={"archive": (io.BytesIO(zip_of(files)), "c.zip")})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    response = admin.post("/admin/curriculum/upload",
                          data={"archive": (io.BytesIO(b"not a zip"), "c.zip")})
    assert "not a zip archive" in response.get_data(as_text=True)


def test_an_upload_over_browser_edits_asks_first(app, admin):
    data = admin.get("/admin/curriculum.zip").data
    edit_and(admin, app, "first-steps", NEW_LESSON, action="publish")
    response = admin.post("/admin/curriculum/upload", data={"archive": (io.BytesIO(data), "c.zip")})
    assert response.status_code == 409 and "level1/first-steps" in response.get_data(as_text=True)
    response = admin.post("/admin/curriculum/upload", data={
        "archive": (io.BytesIO(data), "c.zip"), "overwrite": "yes"}, follow_redirects=True)
    assert "modules with a new version: level1/first-steps" in response.get_data(as_text=True)


def test_no_one_but_an_admin_can_publish(app, as_role):
    for role in ("learner", "manager"):
        client = as_role(role)
        url = editor_url(app, "first-steps")
        assert client.post(url, data={"text": NEW_LESSON, "revision": "0",
                                      "action": "publish"}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(Draft)) is None


def test_check_text_is_the_pipelines_verdict(app):
    with app.app_context():
        module = db.session.get(Module, module_id(app, "talk"))
        check = check_text(module, "roleplay.md", "---\npersona: {}\n---\n")
        assert check.problems and not check.ok
        assert check_text(module, "roleplay.md", module.current_version.sources["roleplay.md"]).ok


def test_a_restart_keeps_browser_changes(app, admin, runner):
    edit_and(admin, app, "first-steps", NEW_LESSON, action="publish")
    result = runner.invoke(args=["import", "--keep-browser-changes"])
    assert result.exit_code == 0 and "Not imported" in result.output
    with app.app_context():
        module = db.session.get(Module, module_id(app, "first-steps"))
        assert module.current_version.number == 2


# ---- from the fresh-eyes review --------------------------------------------------------------

def test_export_leaves_unknown_work_alone_and_will_not_overwrite_unimported_edits(app, admin,
                                                                                   runner):
    home = Path(app.config["LMS_CURRICULUM_DIR"])
    (home / "level2/02-in-progress").mkdir()
    (home / "level2/02-in-progress/lesson.md").write_text("half written")
    (home / "level1/01-first-steps/notes-for-authors.md").write_text("keep me")
    lesson = home / "level1/02-second-steps/lesson.md"
    lesson.write_text(lesson.read_text() + "\nAn edit in git, never imported.\n")
    edit_and(admin, app, "first-steps", NEW_LESSON, action="publish")
    result = runner.invoke(args=["export"])
    assert result.exit_code != 0
    assert "level1/02-second-steps/lesson.md: changed in the files and never imported" in result.output
    assert (home / "level1/01-first-steps/lesson.md").read_text() != NEW_LESSON  # nothing written
    result = runner.invoke(args=["export", "--force"])
    assert result.exit_code == 0, result.output
    assert "level2/02-in-progress: not in the database, left alone" in result.output
    assert (home / "level2/02-in-progress/lesson.md").read_text() == "half written"
    assert (home / "level1/01-first-steps/notes-for-authors.md").read_text() == "keep me"
    assert (home / "level1/01-first-steps/lesson.md").read_text() == NEW_LESSON
    assert "never imported" not in lesson.read_text()


def test_exporting_elsewhere_keeps_the_import_guard(app, admin, runner, tmp_path):
    edit_and(admin, app, "first-steps", NEW_LESSON, action="publish")
    result = runner.invoke(args=["export", str(tmp_path / "copy")])
    assert "not the curriculum folder" in result.output
    assert runner.invoke(args=["import"]).exit_code != 0  # the browser edit is still guarded


def test_a_first_save_made_after_someone_published_is_stale(app, admin, make_user):
    url = editor_url(app, "first-steps")
    page = admin.get(url).get_data(as_text=True)
    base = re.search(r'name="base" value="(\d*)"', page).group(1)
    other = sign_in_as(app.test_client(), make_user("admin"))
    edit_and(other, app, "first-steps", NEW_LESSON, action="publish")
    mine = NEW_LESSON.replace("brand new", "mine")
    response = admin.post(url, data={"text": mine, "revision": "0", "base": base,
                                     "action": "publish"})
    assert response.status_code == 422
    assert "has been published since" in response.get_data(as_text=True)


def test_publishing_one_file_leaves_the_other_drafts(app, admin):
    edit_and(admin, app, "health", NEW_LESSON.replace("First steps", "Health"))
    reworded = QUIZ.replace("Forty logins", "Forty-one logins")
    edit_and(admin, app, "health", reworded, action="publish", name="quiz.md")
    with app.app_context():
        assert db.session.scalars(select(Draft.name)).all() == ["lesson.md"]
        sources = db.session.get(Module, module_id(app, "health")).current_version.sources
        assert "Forty-one" in sources["quiz.md"] and "brand new" not in sources["lesson.md"]


def test_a_save_during_a_publish_is_kept(app, admin, monkeypatch):
    import lms.authoring.editing as editing
    edit_and(admin, app, "first-steps", NEW_LESSON)
    original = editing.new_version

    def meanwhile(*args, **kwargs):
        db.session.execute(text_update)
        return original(*args, **kwargs)
    from sqlalchemy import update
    text_update = update(Draft).values(text="saved meanwhile", revision=Draft.revision + 1)
    monkeypatch.setattr(editing, "new_version", meanwhile)
    response = edit_and(admin, app, "first-steps", NEW_LESSON, action="publish")
    assert response.status_code == 422
    assert "saved this draft while it was being published" in response.get_data(as_text=True)


def test_restore_and_discard_do_not_replace_someone_elses_draft(app, admin):
    edit_and(admin, app, "first-steps", NEW_LESSON, action="publish")
    edit_and(admin, app, "first-steps", NEW_LESSON.replace("brand", "newer"))
    page = admin.post(editor_url(app, "first-steps") + "/restore", data={"version": "1"},
                      follow_redirects=True).get_data(as_text=True)
    assert "already has a draft" in page
    response = admin.post(editor_url(app, "first-steps"), data={"action": "discard",
                                                                 "revision": "0"})
    assert "Someone saved this draft" in response.get_data(as_text=True)
    with app.app_context():
        assert "newer" in db.session.scalar(select(Draft.text))


def test_a_partial_zip_asks_before_retiring_modules(app, admin):
    archive = zipfile.ZipFile(io.BytesIO(admin.get("/admin/curriculum.zip").data))
    files = {n: archive.read(n) for n in archive.namelist() if "/level3/01-talk/" not in n}
    response = admin.post("/admin/curriculum/upload",
                          data={"archive": (io.BytesIO(zip_of(files)), "c.zip")})
    assert response.status_code == 409
    assert "level3/talk" in response.get_data(as_text=True) and "retired" in response.get_data(
        as_text=True)


def test_diff_labels_are_escaped(app, admin, make_user):
    evil = sign_in_as(app.test_client(), make_user("admin", name="<img src=x onerror=alert(1)>"))
    url = editor_url(app, "first-steps")
    mine = revision_in(admin.get(url).get_data(as_text=True))
    edit_and(evil, app, "first-steps", NEW_LESSON)
    page = edit_and(admin, app, "first-steps", "mine", revision=mine).get_data(as_text=True)
    assert "<img src=x" not in page and "&lt;img src=x" in page


def test_a_zip_with_a_file_where_a_folder_goes_is_refused(app, admin):
    data = zip_of({"curriculum/level1/x": b"a", "curriculum/level1/x/y.md": b"b"})
    response = admin.post("/admin/curriculum/upload", data={"archive": (io.BytesIO(data), "c.zip")})
    assert response.status_code == 422 and "could not be unpacked" in response.get_data(as_text=True)


def test_an_unpublished_module_survives_an_import(app, admin, runner):
    admin.post("/admin/curriculum/modules", data={"level": "1", "title": "Work in progress"})
    assert runner.invoke(args=["import"]).exit_code == 0
    with app.app_context():
        module = db.session.get(Module, module_id(app, "work-in-progress"))
        assert module.retired_at is None and db.session.scalar(select(Draft.module_id)) == module.id


def test_linked_files_in_the_curriculum_are_not_served(app, runner, tmp_path):
    home = Path(app.config["LMS_CURRICULUM_DIR"])
    secret = tmp_path / "secret.txt"
    secret.write_text("password")
    (home / "level1/01-first-steps/secret.txt").symlink_to(secret)
    runner.invoke(args=["import"])
    with app.app_context():
        assert db.session.scalar(select(ModuleAsset).where(ModuleAsset.name == "secret.txt")) is None


def test_an_svg_that_loads_a_stylesheet_is_refused():
    assert svg_problem("x.svg", b'<?xml-stylesheet href="https://e.example/x.css"?>'
                                b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    assert svg_problem("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><rect '
                                b'style="fill:u\\72l(https://e.example)"/></svg>')


def test_a_certificate_keeps_the_versions_it_certified(exam_app, candidate, make_user):
    from lms.certificates.credentials import published_keys, verify_credential
    from lms.certificates.models import Certificate
    from .exam_world import answer_form, attempt, start
    client, _ = candidate
    _, attempt_id = start(client)
    client.post(f"/levels/1/exam/attempts/{attempt_id}",
                data=answer_form(attempt(exam_app, attempt_id).paper))
    admin = sign_in_as(exam_app.test_client(), make_user("admin"))
    with exam_app.app_context():
        alpha = db.session.scalar(select(Module.id).where(Module.slug == "alpha"))
        before = db.session.scalar(select(Certificate)).curriculum
    url = f"/admin/curriculum/{alpha}/edit/lesson.md"
    admin.post(url, data={"text": lesson_md("Alpha, reworded"), "revision": "0",
                          "action": "publish"})
    with exam_app.app_context():
        certificate = db.session.scalar(select(Certificate))
        assert before == {"level1/alpha": 1, "level1/beta": 1, "level1/gamma": 1}
        assert certificate.curriculum == before
        assert db.session.scalar(select(ModuleVersion.number).where(
            ModuleVersion.id == db.session.get(Module, alpha).current_version_id)) == 2
        assert verify_credential(certificate.credential, published_keys()).ok
