"""The admins' area: roles, switching accounts off, password-reset links, the audit log."""
import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from lms.accounts.models import User
from lms.admin.models import AuditEvent, PasswordReset
from lms.extensions import db
from lms.reminders.models import OutboxMessage

from .conftest import PASSWORD, sign_in_as


def setup(app, make_user):
    admin = make_user("admin", email="boss@example.com", name="Boss")
    person = make_user("learner", email="pat@example.com", name="Pat Learner")
    return sign_in_as(app.test_client(), admin), admin, person


def sign_in(app, email, password):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": password})
    return client, response


def test_admins_find_people_and_change_roles_with_an_audit_trail(app, make_user):
    admin, admin_id, person = setup(app, make_user)
    page = admin.get("/admin/users?q=PAT").get_data(as_text=True)
    assert "<td>pat@example.com</td>" in page and "<td>boss@example.com</td>" not in page
    admin.post(f"/admin/users/{person}", data={"action": "role", "role": "manager"})
    with app.app_context():
        assert db.session.get(User, person).role == "manager"
        event = db.session.scalar(select(AuditEvent))
        assert (event.action, event.target, event.before, event.after, event.actor_email) == (
            "changed role", "pat@example.com", {"role": "learner"}, {"role": "manager"},
            "boss@example.com")
    page = admin.post(f"/admin/users/{admin_id}", data={"action": "role", "role": "learner"},
                      follow_redirects=True).get_data(as_text=True)
    assert "cannot take away your own admin role" in page
    page = admin.post(f"/admin/users/{person}", data={"action": "role", "role": "emperor"},
                      follow_redirects=True).get_data(as_text=True)
    assert "Choose learner, manager or admin" in page


def test_a_switched_off_account_cannot_sign_in_and_keeps_its_records(app, make_user):
    admin, admin_id, person = setup(app, make_user)
    session, response = sign_in(app, "pat@example.com", PASSWORD)
    assert response.status_code == 302
    admin.post(f"/admin/users/{person}", data={"action": "deactivate"})
    assert session.get("/").status_code == 302  # the open session no longer works
    _, response = sign_in(app, "pat@example.com", PASSWORD)
    assert "match an account" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, person) is not None
    admin.post(f"/admin/users/{person}", data={"action": "reactivate"})
    _, response = sign_in(app, "pat@example.com", PASSWORD)
    assert response.status_code == 302
    page = admin.post(f"/admin/users/{admin_id}", data={"action": "deactivate"},
                      follow_redirects=True).get_data(as_text=True)
    assert "cannot switch off your own account" in page


def reset_link(app, admin, person):
    admin.post(f"/admin/users/{person}", data={"action": "reset"})
    with app.app_context():
        body = db.session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id.desc())).first()
    return "/reset/" + re.search(r"/reset/(\S+)", body).group(1)


def test_a_reset_link_works_once(app, make_user):
    admin, _, person = setup(app, make_user)
    link = reset_link(app, admin, person)
    visitor = app.test_client()
    assert "Set a new password" in visitor.get(link).get_data(as_text=True)
    response = visitor.post(link, data={"password": "short", "confirm": "short"})
    assert response.status_code == 422
    response = visitor.post(link, data={"password": "a brand new phrase", "confirm": "a brand new phrase"})
    assert response.status_code == 302
    _, response = sign_in(app, "pat@example.com", "a brand new phrase")
    assert response.status_code == 302
    response = app.test_client().get(link)
    assert response.status_code == 410 and "already been used" in response.get_data(as_text=True)


def test_expired_replaced_and_forged_reset_links_say_so(app, make_user, monkeypatch):
    admin, _, person = setup(app, make_user)
    first = reset_link(app, admin, person)
    second = reset_link(app, admin, person)
    assert "already been used or replaced" in app.test_client().get(first).get_data(as_text=True)
    later = datetime.now(timezone.utc) + timedelta(hours=49)
    monkeypatch.setattr("lms.clock.source", lambda: later)
    response = app.test_client().get(second)
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    for forged in ("/reset/nope", second[:-2] + "xx", "/reset/" + "a" * 300):
        response = app.test_client().get(forged)
        assert response.status_code == 404 and "not valid" in response.get_data(as_text=True)
    with app.app_context():  # only a hash of each secret is stored
        hashes = set(db.session.scalars(select(PasswordReset.token_hash)))
        assert second.rsplit("/", 1)[1] not in hashes


def test_the_audit_log_filters_by_action_and_person(app, make_user):
    admin, _, person = setup(app, make_user)
    admin.post(f"/admin/users/{person}", data={"action": "role", "role": "manager"})
    admin.post(f"/admin/users/{person}", data={"action": "deactivate"})
    admin.post("/manage/teams", data={"name": "Gamma"})
    page = admin.get("/admin/audit?action=deactivated+account").get_data(as_text=True)
    assert "deactivated account" in page and "changed role</th>" not in page
    page = admin.get("/admin/audit?q=gamma&since=2000-01-01").get_data(as_text=True)
    assert "created team" in page and "pat@example.com" not in page
    page = admin.get("/admin/audit?actor=nobody").get_data(as_text=True)
    assert "Nothing matches" in page
    assert admin.get("/admin/audit?since=not-a-date").status_code == 200
