"""Registering, signing in and out, with clear messages and no account enumeration."""
import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.accounts.users import password_problem
from lms.extensions import db

from .conftest import PASSWORD

GOOD = {"name": "Priya Raman", "email": "priya@example.com",
        "password": "vintage harbor crate", "confirm": "vintage harbor crate"}


def test_register_signs_the_new_learner_in(app, client):
    response = client.post("/register", data=GOOD, follow_redirects=True)
    assert b"Welcome, Priya Raman" in response.data
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.email, user.role) == ("priya@example.com", "learner")
        assert user.password_hash != GOOD["password"]
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("change,message", [
    ({"email": "not-an-email"}, b"Enter a valid email address."),
    ({"password": "short", "confirm": "short"}, b"Use at least 10 characters."),
    ({"password": "password123", "confirm": "password123"}, b"too easy to guess"),
    ({"password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"}, b"too easy to guess"),
    ({"password": "priya-the-wine-queen", "confirm": "priya-the-wine-queen",
      "email": "priya-the-wine@example.com"}, b"from your email address"),
    ({"confirm": "something else entirely"}, b"The two passwords differ."),
    ({"name": ""}, b"This field is required."),
])
def test_register_rejects_bad_input_and_keeps_what_was_typed(app, client, change, message):
    response = client.post("/register", data={**GOOD, **change})
    assert response.status_code == 200
    assert message in response.data
    assert b'value="Priya Raman"' in response.data or change.get("name") == ""
    assert GOOD["password"].encode() not in response.data  # never echoed back
    with app.app_context():
        assert db.session.scalar(select(User)) is None


def test_register_refuses_a_taken_email_whatever_its_case(app, client, make_user):
    make_user(email="priya@example.com")
    response = client.post("/register", data={**GOOD, "email": " Priya@Example.COM "})
    assert b"An account with this email already exists" in response.data
    with app.app_context():
        assert len(db.session.scalars(select(User)).all()) == 1


def test_registration_can_be_closed(app_config):
    from lms import create_app
    app_config["LMS_OPEN_REGISTRATION"] = False
    client = create_app(app_config).test_client()
    assert client.get("/register").status_code == 404
    assert client.post("/register", data=GOOD).status_code == 404
    assert b"Create an account" not in client.get("/sign-in").data


def test_sign_in_and_out(client, make_user):
    make_user(email="dana@example.com")
    response = client.post("/sign-in", data={"email": "DANA@example.com", "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/"
    assert client.get("/").status_code == 200
    assert client.get("/sign-out").status_code == 405  # signing out is a POST
    response = client.post("/sign-out", follow_redirects=True)
    assert b"You are signed out." in response.data
    assert client.get("/").status_code == 302


def test_wrong_password_and_unknown_email_say_the_same(client, make_user):
    make_user(email="dana@example.com")
    wrong = client.post("/sign-in", data={"email": "dana@example.com", "password": "nope nope nope"})
    unknown = client.post("/sign-in", data={"email": "nobody@example.com", "password": "nope nope nope"})
    message = b"That email and password don&#39;t match an account."
    assert message in wrong.data and message in unknown.data
    assert b"nope nope nope" not in wrong.data


def test_a_deactivated_account_cannot_sign_in(client, make_user):
    make_user(email="gone@example.com", active=False)
    response = client.post("/sign-in", data={"email": "gone@example.com", "password": PASSWORD})
    assert response.status_code == 200 and b"match an account" in response.data


@pytest.mark.parametrize("next_url,expected", [
    ("/levels/1", "/levels/1"),
    ("https://evil.example/phish", "/"),
    ("//evil.example", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_sign_in_follows_next_only_on_this_site(client, make_user, next_url, expected):
    make_user(email="dana@example.com")
    response = client.post("/sign-in", query_string={"next": next_url},
                           data={"email": "dana@example.com", "password": PASSWORD})
    assert response.location == expected


def test_forms_need_a_csrf_token(app_config, make_user):
    from lms import create_app
    app_config["WTF_CSRF_ENABLED"] = True
    client = create_app(app_config).test_client()
    make_user(email="dana@example.com")
    response = client.post("/sign-in", data={"email": "dana@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert client.post("/register", data=GOOD).status_code == 400


def test_password_rules():
    assert password_problem("a fine long phrase") is None
    assert password_problem("x" * 9) == "Use at least 10 characters."
    assert "email" in password_problem("jordanlee-rocks", "jordanlee@example.com")


def test_a_registration_race_on_one_email_makes_one_account(app, client, make_user, monkeypatch):
    """Both requests pass the form's check; the database's unique email decides."""
    from lms.accounts import forms, users
    make_user(email="priya@example.com")
    monkeypatch.setattr(forms, "find_user", lambda email: None)
    monkeypatch.setattr(users, "find_user", lambda email: None)
    response = client.post("/register", data=GOOD)
    assert response.status_code == 200
    assert b"An account with this email already exists" in response.data
    with app.app_context():
        assert len(db.session.scalars(select(User)).all()) == 1
