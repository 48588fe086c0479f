"""Certificates: earning exactly one, proving it, revoking it, renewing it."""
import json
from datetime import datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.certificates import awarding
from lms.certificates.awarding import qualifies, refresh_certificates
from lms.certificates.credentials import Site, published_keys, verify_credential
from lms.certificates.models import Certificate
from lms.exam.models import ExamAttempt
from lms.extensions import db
from lms.notices.models import Notice

from .conftest import sign_in_as
from .exam_world import answer_form, attempt, start

SITE = Site("Customer Success Academy", "https://academy.example")


def pass_level_1(client, app):
    _, attempt_id = start(client)
    client.post(f"/levels/1/exam/attempts/{attempt_id}", data=answer_form(attempt(app, attempt_id).paper))


def certificates(app):
    with app.app_context():
        return db.session.scalars(select(Certificate)).all()


@pytest.fixture
def certified(exam_app, candidate):
    client, user_id = candidate
    pass_level_1(client, exam_app)
    (certificate,) = certificates(exam_app)
    return client, user_id, certificate


# Earning.

def test_passing_the_exam_issues_the_level_certificate(exam_app, candidate):
    client, user_id = candidate
    assert certificates(exam_app) == []
    _, attempt_id = start(client)
    response = client.post(f"/levels/1/exam/attempts/{attempt_id}",
                           data=answer_form(attempt(exam_app, attempt_id).paper), follow_redirects=True)
    assert b"You earned a certificate: Level 1: Foundations." in response.data
    (certificate,) = certificates(exam_app)
    assert (certificate.user_id, certificate.level_number, certificate.holder_name) == (user_id, 1, "Sam")
    assert certificate.title == "Level 1: Foundations"
    assert (certificate.expires_at - certificate.issued_at).days == 730
    assert certificate.curriculum == {"level1/alpha": 1, "level1/beta": 1, "level1/gamma": 1}
    assert len(certificate.code) >= 22 and certificate.code.isascii()
    with exam_app.app_context():
        assert db.session.scalar(select(Notice).where(Notice.user_id == user_id)).link == "/certificates"


def test_no_certificate_without_the_exam_or_for_a_failed_one(exam_app, candidate):
    client, _ = candidate
    _, attempt_id = start(client)
    client.post(f"/levels/1/exam/attempts/{attempt_id}",
                data=answer_form(attempt(exam_app, attempt_id).paper, right=False))
    client.get("/certificates")
    assert certificates(exam_app) == []


def test_exactly_one_certificate_when_two_requests_race(exam_app, candidate, monkeypatch):
    client, user_id = candidate
    with exam_app.app_context():
        db.session.add(ExamAttempt(user_id=user_id, level_number=1, started_at=datetime(2026, 1, 1),
                                   deadline_at=datetime(2026, 1, 1), submitted_at=datetime(2026, 1, 1),
                                   paper=[], pass_mark=80, question_count=0, passed=True, score=100))
        db.session.commit()
    # Both requests read "no certificate yet" before either writes one.
    monkeypatch.setattr(awarding, "certificates_of", lambda user_id: {})
    with exam_app.app_context():
        user = db.session.get(User, user_id)
        first = refresh_certificates(user, SITE, exam_app.config["LMS_KEY_DIR"])
        second = refresh_certificates(user, SITE, exam_app.config["LMS_KEY_DIR"])
        db.session.commit()
        assert len(first) == 1 and second == []
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


class Standing:
    """A level's standing, as the qualification rule reads it."""
    def __init__(self, complete=True, exam=True, passed=True, roleplay_modules=()):
        self.modules_complete, self.has_exam, self.exam_passed = complete, exam, passed
        self.modules = [type("M", (), {"module": type("Mod", (), {"id": i}),
                                       "version": type("V", (), {"has_roleplay": True})})
                        for i in roleplay_modules]


def test_qualification_rules():
    assert qualifies(Standing())
    assert not qualifies(Standing(complete=False))
    assert not qualifies(Standing(passed=False))
    assert not qualifies(Standing(exam=False))
    assert not qualifies(Standing(roleplay_modules=[1, 2]), require_review=True, reviewed={1})
    assert qualifies(Standing(roleplay_modules=[1, 2]), require_review=True, reviewed={1, 2})


# Proving.

def test_the_verify_page_is_public_and_says_valid(exam_app, certified):
    _, _, certificate = certified
    page = exam_app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "Valid" in page and "Sam" in page and "Level 1: Foundations" in page
    assert "signature on this certificate" in page


def test_an_unknown_code_says_so(exam_app):
    response = exam_app.test_client().get("/verify/not-a-real-code")
    assert response.status_code == 404 and b"No certificate has this code" in response.data


def test_revoking_and_reinstating(exam_app, certified, make_user):
    client, user_id, certificate = certified
    admin = sign_in_as(exam_app.test_client(), make_user("admin"))
    refused = admin.post(f"/admin/certificates/{certificate.code}/revoke", data={"reason": " "},
                         follow_redirects=True)
    assert b"Give a reason" in refused.data
    admin.post(f"/admin/certificates/{certificate.code}/revoke", data={"reason": "Exam misconduct"})
    page = exam_app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "Revoked" in page
    assert "Exam misconduct" in client.get("/").get_data(as_text=True)  # the learner is told
    assert "Revoked" in client.get("/certificates").get_data(as_text=True)
    revoked = exam_app.test_client().get("/credentials/revocations").json["revokedCredentials"]
    assert revoked == [{"id": f"https://academy.example/verify/{certificate.code}"}]
    admin.post(f"/admin/certificates/{certificate.code}/reinstate")
    assert "Valid" in exam_app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert exam_app.test_client().get("/credentials/revocations").json["revokedCredentials"] == []


def test_an_expired_certificate_says_so(exam_app, certified):
    _, _, certificate = certified
    with exam_app.app_context():
        db.session.get(Certificate, certificate.id).expires_at = datetime(2020, 1, 1)
        db.session.commit()
    assert "Expired" in exam_app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)


def test_downloads_are_the_holders_own(exam_app, certified, make_user):
    client, _, certificate = certified
    pdf = client.get(f"/certificates/{certificate.code}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"
    token = client.get(f"/certificates/{certificate.code}/credential.jwt")
    assert token.status_code == 200 and token.data.decode() == certificate.credential
    other = sign_in_as(exam_app.test_client(), make_user())
    assert other.get(f"/certificates/{certificate.code}.pdf").status_code == 404
    assert other.get(f"/certificates/{certificate.code}/credential.jwt").status_code == 404
    page = client.get("/certificates").get_data(as_text=True)
    assert f"/verify/{certificate.code}" in page and f"/certificates/{certificate.code}.pdf" in page
    assert "linkedin.com/profile/add" in page


def keys(app):
    with app.app_context():
        return published_keys()


def test_the_credential_is_an_open_badge_that_verifies(exam_app, certified):
    _, _, certificate = certified
    verdict = verify_credential(certificate.credential, keys(exam_app))
    assert verdict.ok
    credential = verdict.credential
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["id"] == "https://academy.example/issuer"
    subject = credential["credentialSubject"]
    assert subject["id"].startswith("urn:uuid:") and subject["type"] == ["AchievementSubject"]
    assert subject["identifier"] == [{"type": "IdentityObject", "identityType": "name",
                                      "identityHash": "Sam", "hashed": False}]
    claims = jwt.decode(certificate.credential, options={"verify_signature": False})
    assert claims["sub"] == subject["id"] and claims["jti"] == credential["id"]
    assert claims["iss"] == credential["issuer"]["id"]
    assert jwt.get_unverified_header(certificate.credential)["kid"].startswith(
        "https://academy.example/.well-known/jwks.json#key-")
    assert credential["validUntil"].startswith(str(certificate.expires_at.year))
    assert credential["credentialStatus"]["type"] == "1EdTechRevocationList"
    assert jwt.get_unverified_header(certificate.credential)["alg"] == "RS256"


def flip(token, index):
    """The token with one character changed (base64url stays valid)."""
    replacement = "A" if token[index] != "A" else "B"
    return token[:index] + replacement + token[index + 1:]


@pytest.mark.parametrize("where", ["payload", "signature"])
def test_one_changed_byte_is_caught(exam_app, certified, where):
    _, _, certificate = certified
    header, payload, signature = certificate.credential.split(".")
    index = len(header) + 1 + len(payload) // 2 if where == "payload" else len(certificate.credential) - 10
    verdict = verify_credential(flip(certificate.credential, index), keys(exam_app))
    assert verdict.status == "tampered"


def test_a_credential_signed_with_another_key_is_refused(exam_app, certified):
    _, _, certificate = certified
    claims = jwt.decode(certificate.credential, options={"verify_signature": False})
    kid = jwt.get_unverified_header(certificate.credential)["kid"]
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, impostor, algorithm="RS256", headers={"kid": kid})
    assert verify_credential(forged, keys(exam_app)).status == "tampered"
    forged = jwt.encode(claims, impostor, algorithm="RS256", headers={"kid": "someone-else"})
    assert verify_credential(forged, keys(exam_app)).status == "unknown-key"
    assert verify_credential("not a token", keys(exam_app)).status == "malformed"


def test_an_expired_credential_is_refused(exam_app, certified):
    _, _, certificate = certified
    later = certificate.expires_at + timedelta(days=1)
    assert verify_credential(certificate.credential, keys(exam_app), now=later).status == "expired"


def test_lms_verify_checks_a_downloaded_credential(exam_app, certified, tmp_path):
    _, _, certificate = certified
    runner = exam_app.test_cli_runner()
    good, bad, jwks = tmp_path / "good.jwt", tmp_path / "bad.jwt", tmp_path / "jwks.json"
    good.write_text(certificate.credential)
    bad.write_text(flip(certificate.credential, len(certificate.credential) - 10))
    jwks.write_text(json.dumps(keys(exam_app)))
    result = runner.invoke(args=["verify", str(good)])
    assert result.exit_code == 0 and "VALID" in result.output and "Sam" in result.output
    result = runner.invoke(args=["verify", str(bad), "--jwks", str(jwks)])
    assert result.exit_code == 1 and "TAMPERED" in result.output
    with exam_app.app_context():
        db.session.get(Certificate, certificate.id).revoked_at = datetime(2026, 3, 1)
        db.session.commit()
    result = runner.invoke(args=["verify", str(good)])
    assert result.exit_code == 1 and "REVOKED" in result.output


def test_old_credentials_still_verify_after_the_key_is_rotated(exam_app, certified):
    _, _, certificate = certified
    assert exam_app.test_cli_runner().invoke(args=["keys", "rotate"]).exit_code == 0
    published = exam_app.test_client().get("/.well-known/jwks.json").json
    assert len(published["keys"]) == 2
    assert verify_credential(certificate.credential, published).ok


# Renewing.

def test_a_certificate_near_expiry_is_announced_and_renewed_by_the_exam(exam_app, certified):
    client, user_id, certificate = certified
    soon = datetime.utcnow() + timedelta(days=30)
    with exam_app.app_context():
        db.session.get(Certificate, certificate.id).expires_at = soon
        db.session.commit()
    dashboard = client.get("/").get_data(as_text=True)
    assert "Pass the level 1 exam again to renew it" in dashboard
    overview = client.get("/levels/1/exam").get_data(as_text=True)
    assert "Renew your certificate" in overview and "Start the renewal exam" in overview
    pass_level_1(client, exam_app)
    (renewed,) = certificates(exam_app)
    assert renewed.renewed_at is not None and renewed.expires_at > soon + timedelta(days=600)
    assert renewed.code == certificate.code
    verdict = verify_credential(renewed.credential, keys(exam_app))
    assert verdict.ok and verdict.credential["validUntil"][:10] == renewed.expires_at.date().isoformat()


def test_the_demo_has_a_certified_learner(app_config, tmp_path, fresh_database):
    from pathlib import Path
    from lms import create_app
    app_config["SQLALCHEMY_DATABASE_URI"] = fresh_database
    app_config["LMS_CURRICULUM_DIR"] = str(Path(__file__).parent.parent / "curriculum")
    app = create_app(app_config)
    assert app.test_cli_runner().invoke(args=["init", "--demo"]).exit_code == 0
    with app.app_context():
        holder = db.session.scalar(select(User).where(User.email == "certified@example.com"))
        (certificate,) = db.session.scalars(select(Certificate).where(
            Certificate.user_id == holder.id)).all()
        assert certificate.level_number == 1
        assert verify_credential(certificate.credential, published_keys()).ok
        db.engine.dispose()
    client = sign_in_as(app.test_client(), holder.id)
    for url in ("/", "/certificates", "/levels/1", "/levels/1/exam",
                "/levels/1/exam/attempts/1", "/levels/1/what-customer-success-is/roleplay"):
        assert client.get(url).status_code == 200, url


def give_final(app, user_id):
    """Certificates for levels 2 to 5 as if earned, so the final certification is due."""
    with app.app_context():
        for number in range(2, 6):
            db.session.add(Certificate(code=f"code-{number}-{user_id}", user_id=user_id,
                                       level_number=number, holder_name="Sam", title=f"Level {number}",
                                       issued_at=datetime.utcnow(), curriculum={}, credential="x",
                                       expires_at=datetime.utcnow() + timedelta(days=300 + number)))
        db.session.commit()
        changed = refresh_certificates(db.session.get(User, user_id), SITE, app.config["LMS_KEY_DIR"])
        db.session.commit()
        return changed


def test_the_final_certification_falls_and_returns_with_a_level_certificate(exam_app, certified, make_user):
    client, user_id, level_one = certified
    (final,) = give_final(exam_app, user_id)
    assert final.is_final and final.title == "Certified Customer Success Manager"
    assert final.expires_at.date() == (datetime.utcnow() + timedelta(days=302)).date()  # the earliest
    admin = sign_in_as(exam_app.test_client(), make_user("admin"))
    admin.post(f"/admin/certificates/{level_one.code}/revoke", data={"reason": "Misconduct"})
    with exam_app.app_context():
        final = db.session.get(Certificate, final.id)
        assert final.revoked_at is not None and final.revoke_reason == "Level 1 certificate revoked"
    assert "Revoked" in exam_app.test_client().get(f"/verify/{final.code}").get_data(as_text=True)
    again = admin.post(f"/admin/certificates/{level_one.code}/revoke", data={"reason": "Twice"},
                       follow_redirects=True)
    assert b"already revoked" in again.data
    admin.post(f"/admin/certificates/{level_one.code}/reinstate")
    with exam_app.app_context():
        assert db.session.get(Certificate, final.id).revoked_at is None


def test_a_revoked_certificate_page_does_not_show_whose_it_was(exam_app, certified, make_user):
    _, _, certificate = certified
    admin = sign_in_as(exam_app.test_client(), make_user("admin"))
    admin.post(f"/admin/certificates/{certificate.code}/revoke", data={"reason": "Misconduct"})
    page = exam_app.test_client().get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "Revoked" in page and "Sam" not in page and "Misconduct" not in page


def test_renewing_early_keeps_the_time_left_and_reminders_are_said_once(exam_app, certified):
    client, user_id, certificate = certified
    soon = datetime.utcnow() + timedelta(days=30)
    with exam_app.app_context():
        db.session.get(Certificate, certificate.id).expires_at = soon
        db.session.commit()
    client.get("/")
    client.get("/certificates")
    assert exam_app.test_cli_runner().invoke(args=["remind"]).exit_code == 0
    with exam_app.app_context():
        reminders = db.session.scalars(select(Notice).where(Notice.key.like("renew:%"))).all()
        assert len(reminders) == 1
    pass_level_1(client, exam_app)
    (renewed,) = certificates(exam_app)
    assert renewed.expires_at.date() == (soon + timedelta(days=730)).date()
    with exam_app.app_context():
        reminder = db.session.scalars(select(Notice).where(Notice.key.like("renew:%"))).one()
        assert reminder.dismissed_at is not None  # the renewal made it out of date
    assert "was renewed" in client.get("/").get_data(as_text=True)


def test_lms_remind_tells_learners_who_are_not_visiting(exam_app, certified):
    _, user_id, certificate = certified
    with exam_app.app_context():
        db.session.get(Certificate, certificate.id).expires_at = datetime.utcnow() + timedelta(days=10)
        db.session.commit()
    result = exam_app.test_cli_runner().invoke(args=["remind"])
    assert "Checked 1 learner(s)" in result.output
    with exam_app.app_context():
        assert db.session.scalar(select(Notice).where(Notice.key.like("renew:%"))).user_id == user_id
