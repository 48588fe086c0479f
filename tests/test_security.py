"""Security that holds everywhere: sign-in throttling, sessions, CSRF, headers, hostile Markdown."""
import re
from datetime import datetime, timedelta, timezone

import pytest

from lms.curriculum.quizfile import read_quiz
from lms.curriculum.render import render_inline, render_markdown
from lms.curriculum.roleplayfile import read_roleplay

from .conftest import PASSWORD, ROLEPLAY
from .test_roleplay import open_app, player  # noqa: F401  (fixtures)


def attempt(client, email, password):
    return client.post("/sign-in", data={"email": email, "password": password})


def test_repeated_failures_slow_down_one_account_without_telling_who_exists(app, make_user):
    make_user("learner", email="real@example.com")
    client = app.test_client()
    for _ in range(5):
        assert attempt(client, "real@example.com", "wrong guess").status_code == 200
        assert attempt(client, "ghost@example.com", "wrong guess").status_code == 200
    blocked = attempt(client, "real@example.com", PASSWORD)  # even the right password waits
    ghost = attempt(client, "ghost@example.com", PASSWORD)
    assert blocked.status_code == ghost.status_code == 429
    assert "Too many failed attempts" in blocked.get_data(as_text=True)
    assert blocked.get_data(as_text=True).count("Too many") == ghost.get_data(as_text=True).count(
        "Too many")
    assert attempt(app.test_client(), "other@example.com", "x").status_code == 200


def test_the_wait_ends_and_a_success_clears_the_count(app, make_user, monkeypatch):
    make_user("learner", email="real@example.com")
    client = app.test_client()
    for _ in range(4):
        attempt(client, "real@example.com", "wrong")
    assert attempt(client, "real@example.com", PASSWORD).status_code == 302
    client = app.test_client()
    for _ in range(5):
        attempt(client, "real@example.com", "wrong")
    assert attempt(client, "real@example.com", PASSWORD).status_code == 429
    later = datetime.now(timezone.utc) + timedelta(minutes=16)
    monkeypatch.setattr("lms.clock.source", lambda: later)
    assert attempt(client, "real@example.com", PASSWORD).status_code == 302


def test_one_address_guessing_many_accounts_is_slowed(app):
    client = app.test_client()
    for n in range(30):
        attempt(client, f"user{n}@example.com", "guess")
    assert attempt(client, "another@example.com", "guess").status_code == 429


def test_signing_in_starts_a_new_session(app, make_user):
    make_user("learner", email="real@example.com")
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    attempt(client, "real@example.com", PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session and session.get("_user_id")


def test_forms_without_a_csrf_token_are_refused(app_config, make_curriculum):
    from lms import create_app
    from lms.curriculum.files import read_curriculum
    from lms.curriculum.sync import import_curriculum
    from lms.extensions import db
    app_config["WTF_CSRF_ENABLED"] = True
    app = create_app(app_config)
    with app.app_context():
        import_curriculum(db.session, read_curriculum(app.config["LMS_CURRICULUM_DIR"]))
        db.session.commit()
    client = app.test_client()
    posts = sorted({rule.rule for rule in app.url_map.iter_rules() if "POST" in rule.methods})
    assert len(posts) > 30
    for rule in posts:
        url = re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", lambda m: "retire" if m.group(1) == "action" else "1", rule)
        response = client.post(url, data={"email": "x@example.com", "password": "x"})
        assert response.status_code == 400, (rule, response.status_code)
    with app.app_context():
        db.engine.dispose()


def test_every_response_carries_the_security_headers(app, learner):
    for response in (learner.get("/"), learner.get("/levels/1"), app.test_client().get("/sign-in"),
                     learner.get("/no-such-page")):
        headers = response.headers
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in headers["Content-Security-Policy"].split("script-src")[1] \
            .split(";")[0]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY" and headers["Referrer-Policy"] == "same-origin"


def test_cookies_are_http_only_lax_and_secure_behind_https(app, make_user):
    make_user("learner", email="real@example.com")
    app.config["SESSION_COOKIE_SECURE"] = True
    response = app.test_client().post("/sign-in", data={"email": "real@example.com",
                                                         "password": PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("HttpOnly" in c and "SameSite=Lax" in c for c in cookies)
    assert any(c.startswith("session=") and "Secure" in c for c in cookies)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "javascript:alert(1)", "http:/evil.example"])
def test_sign_in_never_redirects_off_site(app, make_user, target):
    make_user("learner", email="real@example.com")
    response = app.test_client().post(f"/sign-in?next={target}",
                                      data={"email": "real@example.com", "password": PASSWORD})
    assert response.status_code == 302 and response.location in ("/", "http://localhost/")


HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](data:text/html,<script>alert(1)</script>)",
    '<svg onload="alert(1)"><circle r="5"/></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!-- --><script>alert(1)</script><!-- -->",
    "--><script>alert(1)</script>",
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<form action="https://evil.example"><input name=x></form>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<details open ontoggle="alert(1)">x</details>',
    "<object data=x></object><embed src=x>",
    "<base href='https://evil.example/'>",
    "<meta http-equiv='refresh' content='0;url=https://evil.example'>",
    "> " * 200 + "deep",
    "- " * 200 + "deep",
    "[" * 500 + "x" + "]" * 500,
]
DANGER = re.compile(r"<script|<iframe|<object|<embed|<form|<base|<meta|<svg|<math|<style|"
                    r"\son\w+\s*=|javascript:|data:text|data:image", re.I)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_is_harmless_in_every_place_it_is_rendered(text):
    html, _ = render_markdown(text)
    assert not DANGER.search(html), html
    assert not DANGER.search(render_inline(text))
    quiz, problems = read_quiz(f"## {text}\n\n{text}\n\n- [x] {text}\n- [ ] plain\n- [ ] other\n\n"
                               f"> {text} " + "explained " * 10 + "\n", "quiz.md")
    if quiz is None:  # some inputs break the question's own syntax; the title then carries it
        quiz, problems = read_quiz(f"## A question\n\n{text}\n\n- [x] right\n- [ ] plain\n"
                                   f"- [ ] other\n\n> {text} " + "explained " * 10 + "\n", "quiz.md")
    assert quiz is not None, problems
    if quiz:
        question = quiz["questions"][0]
        for fragment in (question["title_html"], question["prompt_html"],
                         question["explanation_html"], *[o["html"] for o in question["options"]]):
            assert not DANGER.search(fragment), fragment
    script, problems = read_roleplay(ROLEPLAY.replace('Dana: "Get the depots logging in."', text)
                                     .replace("You looked for the outcome behind the request.", text),
                                     "roleplay.md")
    assert script is not None, problems
    if script:
        scene = script["scenes"][script["start"]]
        for fragment in (scene["html"], scene["choices"][0]["feedback_html"]):
            assert not DANGER.search(fragment), fragment


def test_hostile_text_from_learners_and_managers_is_escaped(open_app, player, learner_id,  # noqa: F811
                                                            make_user):
    """Reflections, names and review feedback are shown as text, never as HTML."""
    from lms.roleplay.models import Reflection
    from lms.extensions import db
    from lms.teams.membership import add_member, create_team
    from sqlalchemy import select
    from .conftest import sign_in_as
    from .test_roleplay import PAGE, play
    evil = '<script>alert(1)</script><img src=x onerror=alert(2)> ' + "word " * 12
    play(player, [0, 0])
    player.post(f"{PAGE}/reflection", data={"body": evil, "action": "submit"})
    manager = make_user("manager", email="boss@example.com", name="<b onmouseover=alert(3)>Boss")
    with open_app.app_context():
        team = create_team("<i>Team</i>")
        add_member(team, "boss@example.com", as_manager=True)
        add_member(team, "learner@example.com")
        db.session.commit()
        reflection_id = db.session.scalar(select(Reflection.id))
    boss = sign_in_as(open_app.test_client(), manager)
    boss.post(f"/reviews/{reflection_id}", data={"feedback": evil, **{
        f"score-{skill}": "3" for skill in ("discovery", "empathy")}})
    pages = [boss.get(f"/reviews/{reflection_id}"), player.get(PAGE), boss.get("/manage"),
             boss.get(f"/manage/people/{learner_id}"), boss.get("/")]
    for response in pages:
        body = response.get_data(as_text=True)
        assert "<script>alert(1)" not in body and "<img src=x onerror" not in body
        assert "<b onmouseover" not in body and "<i>Team</i>" not in body


@pytest.mark.parametrize("text", HOSTILE[:12])
def test_hostile_markdown_in_the_editors_preview_is_harmless(app, make_user, text):
    from lms.curriculum.models import Module
    from lms.extensions import db
    from sqlalchemy import select
    from .conftest import lesson_md, sign_in_as
    admin = sign_in_as(app.test_client(), make_user("admin"))
    with app.app_context():
        module_id = db.session.scalar(select(Module.id).where(Module.slug == "first-steps"))
    for name, body in (("lesson.md", lesson_md(body=f"## Why\n\n{text}\n")),
                       ("quiz.md", f"## {text}\n\n- [x] {text}\n- [ ] b\n- [ ] c\n\n> {text} why\n")):
        data = admin.post("/admin/curriculum/preview", data={
            "module": module_id, "name": name, "text": body}).get_json()
        assert not DANGER.search(data["html"]), data["html"]


def test_a_stranger_cannot_lock_someone_out_from_another_address(app, make_user):
    make_user("learner", email="real@example.com")
    attacker = app.test_client()
    for _ in range(6):
        attempt(attacker, "real@example.com", "guess")
    assert attempt(attacker, "real@example.com", PASSWORD).status_code == 429
    owner = app.test_client()
    response = owner.post("/sign-in", data={"email": "real@example.com", "password": PASSWORD},
                          environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert response.status_code == 302


def test_behind_a_load_balancer_each_visitor_is_counted_apart(app_config, make_curriculum):
    from lms import create_app
    from lms.extensions import db
    app_config["LMS_PROXY_HOPS"] = 1
    app = create_app(app_config)
    client = app.test_client()
    for n in range(30):  # thirty visitors, one balancer address
        client.post("/sign-in", data={"email": f"u{n}@example.com", "password": "x"},
                    headers={"X-Forwarded-For": f"203.0.113.{n}"})
    response = client.post("/sign-in", data={"email": "v@example.com", "password": "x"},
                           headers={"X-Forwarded-For": "198.51.100.1"})
    assert response.status_code == 200  # not 429: the balancer's address is not the visitor's
    with app.app_context():
        db.engine.dispose()


def test_a_new_password_from_a_reset_link_lifts_the_wait(app, make_user):
    from lms.accounts.models import User
    from lms.admin.people import create_reset, find_reset, use_reset
    from lms.extensions import db
    person = make_user("learner", email="real@example.com")
    admin = make_user("admin")
    client = app.test_client()
    for _ in range(5):
        attempt(client, "real@example.com", "guess")
    assert attempt(client, "real@example.com", PASSWORD).status_code == 429
    with app.app_context():
        token = create_reset(db.session.get(User, admin), db.session.get(User, person))
        use_reset(find_reset(token)[0], "a brand new passphrase")
        db.session.commit()
    assert attempt(client, "real@example.com", "a brand new passphrase").status_code == 302
