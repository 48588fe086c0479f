"""Every route, found from the URL map, asked by six people: anonymous, the learner whose
records the URL names, another learner, that learner's manager, a manager of another team,
and an admin. Each gets the status expected of them, nobody's page shows someone else's
data, and nobody without the right changes anything by posting."""
import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from lms import create_app
from lms.accounts.models import User
from lms.assignments.assigning import assign
from lms.certificates.models import Certificate
from lms.curriculum.files import read_curriculum
from lms.curriculum.models import Module
from lms.curriculum.sync import import_curriculum
from lms.exam.models import ExamAttempt
from lms.extensions import db
from lms.learning.models import ModuleProgress
from lms.notices.notices import notify
from lms.quiz.models import QuizAttempt
from lms.roleplay.models import Reflection, RoleplayRun
from lms.teams.membership import add_member, create_invitation, create_team
from lms.teams.models import TeamMembership

from .conftest import ROLEPLAY, lesson_md, sign_in_as
from .exam_world import EXAM_TREE

PERSONAS = ["anonymous", "alice", "bob", "mona", "otto", "admin"]
ALICE_MARKS = ("Alice Zephyrine", "alice.z@example.com", "ZEPHYR-REFLECTION")
MARKS_OF_BOB = ("Bob Quillfeather", "bob.q@example.com")


@pytest.fixture(scope="module")
def world(tmp_path_factory, databases, migrated_database):
    """One world for the module: Alice's records are only read here, never changed."""
    root = tmp_path_factory.mktemp("authz")
    tree = dict(EXAM_TREE)
    tree["level2/02-talk/lesson.md"] = lesson_md("Talking with Dana")
    tree["level2/02-talk/roleplay.md"] = ROLEPLAY
    for path, text in tree.items():
        (root / "curriculum" / path).parent.mkdir(parents=True, exist_ok=True)
        (root / "curriculum" / path).write_text(text)
    url = databases.copy(migrated_database)
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url,
                      "WTF_CSRF_ENABLED": False, "LMS_CURRICULUM_DIR": str(root / "curriculum"),
                      "LMS_LOCK_LEVELS": False, "LMS_KEY_DIR": str(root / "keys"),
                      "LMS_BASE_URL": "https://academy.example"})
    ids = {}
    with app.app_context():
        import_curriculum(db.session, read_curriculum(root / "curriculum"))
        for key, name, email, role in (
                ("alice", "Alice Zephyrine", "alice.z@example.com", "learner"),
                ("bob", "Bob Quillfeather", "bob.q@example.com", "learner"),
                ("mona", "Mona Manager", "mona@example.com", "manager"),
                ("otto", "Otto Other", "otto@example.com", "manager"),
                ("admin", "Ada Admin", "ada@example.com", "admin")):
            user = User(email=email, name=name, role=role, password_hash="x",
                        created_at=datetime(2026, 1, 1))
            db.session.add(user)
            db.session.flush()
            ids[key] = user.id
        alpha_team, other_team = create_team("Alice's team"), create_team("Other team")
        add_member(alpha_team, "mona@example.com", as_manager=True)
        add_member(alpha_team, "alice.z@example.com")
        add_member(other_team, "otto@example.com", as_manager=True)
        add_member(other_team, "bob.q@example.com")
        ids["team"] = alpha_team.id
        db.session.commit()
        mona = db.session.get(User, ids["mona"])
        item = assign(mona, alpha_team, "level:1", datetime.utcnow().date().isoformat(), "note")
        invitation, ids["token"] = create_invitation(alpha_team, mona)
        ids["invitation"] = invitation.id
        ids["assignment"] = item.id
        ids["notice"] = notify(ids["alice"], "A notice for Alice Zephyrine").id
        ids["alpha"] = db.session.scalar(select(Module.id).where(Module.slug == "alpha"))
        db.session.commit()
    alice = sign_in_as(app.test_client(), ids["alice"])
    # A quiz attempt, then every level 1 module complete, the exam passed: a certificate.
    alice.post("/levels/1/alpha/read")
    page = alice.get("/levels/1/alpha/quiz").get_data(as_text=True)
    ids["quiz"] = int(re.search(r"/quiz/attempts/(\d+)\"", page).group(1))
    with app.app_context():
        paper = db.session.get(QuizAttempt, ids["quiz"]).paper
        alice.post(f"/levels/1/alpha/quiz/attempts/{ids['quiz']}", data={
            f"q{n}": [str(i) for i in q["correct"]] for n, q in enumerate(paper)})
        now = datetime(2026, 1, 1)
        for module_id in db.session.scalars(select(Module.id).where(Module.level_number == 1)):
            if not db.session.scalar(select(ModuleProgress).where(
                    ModuleProgress.user_id == ids["alice"], ModuleProgress.module_id == module_id)):
                db.session.add(ModuleProgress(user_id=ids["alice"], module_id=module_id,
                                              started_at=now, last_visited_at=now,
                                              lesson_read_at=now, quiz_passed_at=now,
                                              completed_at=now))
        db.session.commit()
    response = alice.post("/levels/1/exam/start")
    ids["exam"] = int(response.location.rsplit("/", 1)[1])
    with app.app_context():
        paper = db.session.get(ExamAttempt, ids["exam"]).paper
    alice.post(f"/levels/1/exam/attempts/{ids['exam']}", data={
        "action": "submit", **{f"q{n}": [str(i) for i in q["correct"]] for n, q in enumerate(paper)}})
    alice.post("/levels/2/talk/roleplay/start")
    for _ in range(2):
        html = alice.get("/levels/2/talk/roleplay").get_data(as_text=True)
        action = re.search(r'action="([^"]+/choose)"', html).group(1)
        alice.post(action, data={"scene": re.search(r'name="scene" value="([^"]+)"', html).group(1),
                                 "step": re.search(r'name="step" value="(\d+)"', html).group(1),
                                 "choice": 0})
    alice.post("/levels/2/talk/roleplay/reflection", data={
        "body": "ZEPHYR-REFLECTION I would agree the measure with Dana and book the review with "
                "Marcus for next week.", "action": "submit"})
    with app.app_context():
        ids["run"] = db.session.scalar(select(RoleplayRun.id))
        ids["reflection"] = db.session.scalar(select(Reflection.id))
        ids["code"] = db.session.scalar(select(Certificate.code))
        assert ids["run"] and ids["reflection"] and ids["code"], ids
    yield app, ids
    with app.app_context():
        db.engine.dispose()
    databases.drop(url)


def url_for_rule(rule, endpoint, ids):
    """The rule's URL with Alice's records in it."""
    slug = "talk" if endpoint.startswith("roleplay.") else "alpha"
    number = "2" if endpoint.startswith("roleplay.") else "1"
    attempt = ids["exam"] if endpoint.startswith("exam.") else ids["quiz"]
    values = {"number": number, "slug": slug, "attempt_id": attempt, "run_id": ids["run"],
              "reflection_id": ids["reflection"], "code": ids["code"], "team_id": ids["team"],
              "user_id": ids["alice"], "person_id": ids["alice"], "assignment_id": ids["assignment"],
              "invitation_id": ids["invitation"], "notice_id": ids["notice"],
              "module_id": ids["alpha"], "name": {"cockpit.person_csv": "timeline",
                                                  "cockpit.team_csv": "people"}.get(endpoint,
                                                                                    "lesson.md"), "filename": "academy.css" if endpoint == "static" else "x.png",
              "token": ids["token"], "action": "retire"}
    return re.sub(r"<(?:[a-z]+(?:\([^)]*\))?:)?([a-z_]+)>", lambda m: str(values[m.group(1)]),
                  rule)


A, L, M, AD = "anonymous", ("alice", "bob"), ("mona", "otto"), "admin"
EVERYONE = {p: 200 for p in PERSONAS}
SIGNED_IN = {A: 302, **{p: 200 for p in PERSONAS[1:]}}
ADMIN_ONLY = {A: 302, "alice": 403, "bob": 403, "mona": 403, "otto": 403, AD: 200}
TEAM_STAFF = {A: 302, "alice": 403, "bob": 403, "mona": 200, "otto": 404, AD: 200}
ALICE_ONLY = {A: 302, "alice": 200, "bob": 404, "mona": 404, "otto": 404, AD: 404}
GETS = {
    "accounts.register": {A: 200, **{p: 302 for p in PERSONAS[1:]}},
    "accounts.sign_in": {A: 200, **{p: 302 for p in PERSONAS[1:]}},
    "admin.audit_log": ADMIN_ONLY, "admin.users": ADMIN_ONLY, "authoring.tree": ADMIN_ONLY,
    "authoring.download_zip": ADMIN_ONLY, "authoring.upload_zip": ADMIN_ONLY,
    "certificates.manage": ADMIN_ONLY, "cockpit.outbox": ADMIN_ONLY,
    "authoring.edit": ADMIN_ONLY, "authoring.history": ADMIN_ONLY,
    "authoring.module_file": {**ADMIN_ONLY, AD: 404},
    "admin.reset_password": {p: 404 for p in PERSONAS},  # no reset link was made
    "certificates.credential": {**ALICE_ONLY, AD: 200}, "certificates.pdf": {**ALICE_ONLY, AD: 200},
    "certificates.issuer": EVERYONE, "certificates.jwks": EVERYONE,
    "certificates.revocations": EVERYONE, "certificates.verify": EVERYONE,
    "certificates.mine": SIGNED_IN, "cockpit.index": {**TEAM_STAFF, "otto": 200},
    "cockpit.assign_work": TEAM_STAFF, "cockpit.members": TEAM_STAFF, "cockpit.team": TEAM_STAFF,
    "cockpit.team_csv": TEAM_STAFF, "cockpit.assignment": TEAM_STAFF, "cockpit.person": TEAM_STAFF,
    "cockpit.person_csv": TEAM_STAFF, "cockpit.join": EVERYONE,
    # Admins may open anyone's result; a manager reads a role-play debrief beside the review
    # (and every score on the person page), not the attempt pages themselves.
    "exam.attempt": {**ALICE_ONLY, AD: 200}, "exam.overview": SIGNED_IN, "health.healthz": EVERYONE,
    "learning.dashboard": SIGNED_IN, "learning.level": SIGNED_IN, "learning.lesson": SIGNED_IN,
    "learning.lesson_file": {A: 302, **{p: 404 for p in PERSONAS[1:]}},
    "quiz.result": {**ALICE_ONLY, AD: 200}, "quiz.take": SIGNED_IN,
    "review.queue": {**TEAM_STAFF, "otto": 200},
    "review.review": {A: 302, "alice": 404, "bob": 404, "mona": 200, "otto": 404, AD: 200},
    "roleplay.play": SIGNED_IN, "roleplay.run_debrief": {**ALICE_ONLY, "mona": 200, AD: 200}, "static": EVERYONE,
}
# Pages that show Alice's name to anyone by design: a certificate's public verification.
PUBLIC_ABOUT_ALICE = {"certificates.verify"}
NOT_TEAM = {A: 302, "alice": 403, "bob": 403, "otto": 404}
NOT_ADMIN = {A: 302, "alice": 403, "bob": 403, "mona": 403, "otto": 403}
NOT_ALICE = {A: 302, "bob": 404, "mona": 404, "otto": 404, AD: 404}
# POST: who may not, and what they get (those who may are tested with the feature).
POSTS = {
    "admin.change_user": NOT_ADMIN, "authoring.edit": NOT_ADMIN,
    "authoring.module_action": NOT_ADMIN, "authoring.new_module": NOT_ADMIN,
    "authoring.preview": NOT_ADMIN, "authoring.restore_version": NOT_ADMIN,
    "authoring.upload": NOT_ADMIN, "authoring.upload_zip": NOT_ADMIN,
    "certificates.revoke_certificate": NOT_ADMIN, "certificates.reinstate_certificate": NOT_ADMIN,
    "cockpit.add_manager": {**NOT_ADMIN, "mona": 403}, "cockpit.remove_manager": NOT_ADMIN,
    "cockpit.new_team": NOT_ADMIN,
    "cockpit.add_person": NOT_TEAM, "cockpit.remove_person": NOT_TEAM, "cockpit.invite": NOT_TEAM,
    "cockpit.withdraw": NOT_TEAM, "cockpit.assign_work": NOT_TEAM, "cockpit.assignment": NOT_TEAM,
    "cockpit.cancel_assignment": NOT_TEAM,
    "exam.answer": NOT_ALICE, "notices.dismiss_notice": NOT_ALICE,
    # Someone else's attempt reads as a stale tab: back to the poster's own quiz, nothing graded.
    "quiz.submit": {A: 302, "bob": 302, "mona": 302, "otto": 302, AD: 302},
    "roleplay.take_choice": NOT_ALICE,
    "review.review": {A: 302, "alice": 404, "bob": 404, "otto": 404},
}
# POSTs that act only on the poster's own records, or that anyone may make.
OWN_OR_OPEN = {"accounts.sign_in", "accounts.register", "accounts.sign_out", "admin.reset_password",
               "cockpit.join", "exam.start", "learning.mark_read", "roleplay.reflect",
               "roleplay.self_assessment", "roleplay.start", "language.switch"}


def client_for(app, ids, persona):
    client = app.test_client()
    return client if persona == A else sign_in_as(client, ids[persona])


def rules(app, method):
    return sorted((rule for rule in app.url_map.iter_rules() if method in rule.methods),
                  key=lambda rule: rule.endpoint)


def test_every_route_is_in_the_matrix(world):
    app, _ = world
    assert {r.endpoint for r in rules(app, "GET")} == set(GETS), "give new GET routes a row"
    assert {r.endpoint for r in rules(app, "POST")} == set(POSTS) | OWN_OR_OPEN, \
        "give new POST routes a row"


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_answers_each_person_as_expected_and_leaks_nothing(world, persona):
    app, ids = world
    client = client_for(app, ids, persona)
    wrong, leaks = [], []
    for rule in rules(app, "GET"):
        url = url_for_rule(rule.rule, rule.endpoint, ids)
        response = client.get(url)
        expected = GETS[rule.endpoint][persona]
        if response.status_code != expected:
            wrong.append(f"{rule.endpoint} {url}: {response.status_code}, expected {expected}")
        body = response.get_data(as_text=True) if response.mimetype.startswith(("text/", "application/json")) else ""
        if persona in ("bob", "otto", A) and rule.endpoint not in PUBLIC_ABOUT_ALICE:
            leaks += [f"{rule.endpoint} shows {mark}" for mark in ALICE_MARKS if mark in body]
        if persona in ("alice", "mona"):
            leaks += [f"{rule.endpoint} shows {mark}" for mark in MARKS_OF_BOB if mark in body]
    assert wrong == [] and leaks == []


def snapshot(app, ids):
    """Everything a forbidden POST could change, read back."""
    from lms.assignments.models import Assignment
    from lms.curriculum.models import Draft, ModuleVersion
    from lms.notices.models import Notice
    from lms.review.models import Review
    from lms.teams.models import Team, TeamInvitation
    with app.app_context():
        count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
        return {
            "counts": [count(m) for m in (TeamMembership, Team, TeamInvitation, Assignment, Review,
                                          ModuleVersion, Draft, Module, Certificate, QuizAttempt,
                                          ExamAttempt, RoleplayRun, Reflection, User)],
            "revoked": db.session.scalar(select(Certificate.revoked_at)),
            "quiz": db.session.get(QuizAttempt, ids["quiz"]).answers,
            "exam": db.session.get(ExamAttempt, ids["exam"]).answers,
            "run": db.session.get(RoleplayRun, ids["run"]).path,
            "users": [(u.role, u.active) for u in db.session.scalars(select(User).order_by(User.id))],
            "assignment": (db.session.get(Assignment, ids["assignment"]).cancelled_at,
                           db.session.get(Assignment, ids["assignment"]).due_on),
            "invitation": db.session.get(TeamInvitation, ids["invitation"]).revoked_at,
            "notice": db.session.get(Notice, ids["notice"]).dismissed_at,
            "modules": [(m.retired_at, m.position) for m in db.session.scalars(
                select(Module).order_by(Module.id))],
        }


@pytest.mark.parametrize("persona", PERSONAS)
def test_nobody_without_the_right_changes_anything_by_posting(world, persona):
    app, ids = world
    client = client_for(app, ids, persona)
    before = snapshot(app, ids)
    wrong = []
    for rule in rules(app, "POST"):
        expected = POSTS.get(rule.endpoint, {}).get(persona)
        if expected is None:
            continue
        url = url_for_rule(rule.rule, rule.endpoint, ids)
        response = client.post(url, data={"role": "admin", "action": "deactivate",
                                          "email": "bob.q@example.com", "name": "Hijack",
                                          "text": "x", "choice": "0", "scene": "dana-calls",
                                          "step": "0", "reason": "x", "due_on": "2099-01-01",
                                          "target": "path", "feedback": "x", "module": ids["alpha"],
                                          "days": "7", "version": "1"})
        if response.status_code != expected:
            wrong.append(f"{rule.endpoint} {url}: {response.status_code}, expected {expected}")
    assert wrong == []
    assert snapshot(app, ids) == before
