"""The learner's path: dashboard, levels, lessons, progress and unlocking."""
import pytest
from sqlalchemy import func, select

from lms import create_app
from lms.extensions import db
from lms.learning.models import ModuleProgress

from .conftest import lesson_md, sign_in_as


def read(client, level, slug):
    return client.post(f"/levels/{level}/{slug}/read")


def test_dashboard_shows_each_level_and_where_to_start(learner):
    page = learner.get("/").get_data(as_text=True)
    assert "Welcome, Jordan Lee" in page
    assert "Start here" in page and "First steps" in page
    for title in ("Foundations", "Engagement", "Career"):
        assert title in page
    assert "0 of 2 modules complete" in page
    assert "Opens after level 1" in page
    assert "Modules for this level are being written." in page  # level 3 has none yet


def test_level_page_lists_modules_with_status_and_minutes(learner):
    page = learner.get("/levels/1").get_data(as_text=True)
    assert "Welcome to the level." in page
    assert page.index("First steps") < page.index("Second steps")
    assert "8 minutes" in page and "12 minutes" in page
    assert page.count("Not started") == 2


def test_lesson_page_has_objectives_body_and_neighbours(learner):
    page = learner.get("/levels/1/first-steps").get_data(as_text=True)
    assert "By the end you can" in page and "Explain a third" in page
    assert '<h2 id="why-it-matters">Why it matters</h2>' in page
    assert 'href="/levels/1/second-steps"' in page
    assert "Mark as read" in page
    page = learner.get("/levels/1/second-steps").get_data(as_text=True)
    assert 'href="/levels/1/first-steps"' in page and "Back to" in page


def test_marking_read_completes_the_module_and_moves_on(app, learner, learner_id):
    response = read(learner, 1, "first-steps")
    assert response.location == "/levels/1/second-steps"
    page = learner.get("/levels/1").get_data(as_text=True)
    assert "1 of 2 modules complete" in page
    assert "You read this lesson on" in learner.get("/levels/1/first-steps").get_data(as_text=True)
    read(learner, 1, "first-steps")  # again: still one record
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ModuleProgress)) == 1


def test_visiting_starts_a_module_and_the_dashboard_offers_to_continue(learner):
    learner.get("/levels/1/second-steps")
    page = learner.get("/").get_data(as_text=True)
    assert "Continue where you left off" in page
    assert page.index("Second steps") < page.index("Up next") < page.index("First steps")


def test_the_next_level_opens_when_this_one_is_complete(learner):
    assert learner.get("/levels/2/health").status_code == 302
    assert read(learner, 2, "health").status_code == 403
    read(learner, 1, "first-steps")
    read(learner, 1, "second-steps")
    assert learner.get("/levels/2/health").status_code == 200
    page = learner.get("/").get_data(as_text=True)
    assert "2 of 2 modules complete" in page and "Opens after level 1" not in page


def test_a_locked_level_says_what_opens_it(learner):
    response = learner.get("/levels/2/health", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Level 2 opens once you complete level 1." in page
    assert 'href="/levels/2/health"' not in page


def test_lock_can_be_switched_off(app_config, make_user):
    app_config["LMS_LOCK_LEVELS"] = False
    client = sign_in_as(create_app(app_config).test_client(), make_user())
    assert client.get("/levels/2/health").status_code == 200


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_staff_can_open_every_level(as_role, role):
    assert as_role(role).get("/levels/2/health").status_code == 200


def test_progress_is_each_learners_own(app, learner, make_user):
    read(learner, 1, "first-steps")
    other = sign_in_as(app.test_client(), make_user())
    assert "0 of 2 modules complete" in other.get("/").get_data(as_text=True)


@pytest.mark.parametrize("url", ["/levels/9", "/levels/1/nope", "/levels/0/first-steps",
                                 "/levels/1/first-steps/files/missing.png"])
def test_unknown_places_are_404_in_the_site_look(learner, url):
    response = learner.get(url)
    assert response.status_code == 404
    assert b"We could not find that page" in response.data


def test_lesson_files_are_served_but_nothing_else(learner):
    assert learner.get("/levels/1/first-steps/files/map.png").status_code == 200
    for sneaky in ("lesson.md", "quiz.md", "../02-second-steps/lesson.md",
                   "..%2F..%2Flevel.md", "%2e%2e/%2e%2e/level1/level.md"):
        assert learner.get(f"/levels/1/first-steps/files/{sneaky}").status_code == 404, sneaky


def test_a_retired_module_disappears_but_its_progress_stays(app, learner, runner):
    from pathlib import Path
    read(learner, 1, "first-steps")
    folder = Path(app.config["LMS_CURRICULUM_DIR"]) / "level1" / "01-first-steps"
    folder.rename(folder.parent.parent.parent / "aside")
    runner.invoke(args=["import"])
    assert learner.get("/levels/1/first-steps").status_code == 404
    assert "0 of 1 modules complete" in learner.get("/").get_data(as_text=True)
    (folder.parent.parent.parent / "aside").rename(folder)
    runner.invoke(args=["import"])
    assert "1 of 2 modules complete" in learner.get("/").get_data(as_text=True)


def test_script_and_onerror_in_a_lesson_never_reach_the_page(app, learner, runner):
    from pathlib import Path
    path = Path(app.config["LMS_CURRICULUM_DIR"]) / "level1" / "01-first-steps" / "lesson.md"
    path.write_text(lesson_md("First steps", body=(
        "Hello.\n\n<script>alert('owned')</script>\n\n"
        '<img src="map.png" onerror="alert(1)" alt="x">\n\n[x](javascript:alert(2))\n')))
    assert runner.invoke(args=["import"]).exit_code == 0
    page = learner.get("/levels/1/first-steps").get_data(as_text=True)
    assert "Hello." in page
    assert "alert(" not in page and "onerror" not in page and "javascript:" not in page
    assert "<script" not in page


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_pages_send_protective_headers(learner):
    headers = learner.get("/").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
