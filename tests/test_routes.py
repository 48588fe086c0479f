"""Every route, asked by every role: who gets in, who is sent to sign in.

A new route fails this test until it is given a row here, so no page ships
without its permissions being decided.
"""
import pytest

ROLES = [None, "learner", "manager", "admin"]
ANON, SIGNED_IN = "anonymous", "signed in"

# endpoint: (method, url, {role or group: expected status})
EXPECTED = {
    "static": ("GET", "/static/academy.css", {ANON: 200, SIGNED_IN: 200}),
    "health.healthz": ("GET", "/healthz", {ANON: 200, SIGNED_IN: 200}),
    "accounts.sign_in": ("GET", "/sign-in", {ANON: 200, SIGNED_IN: 302}),
    "accounts.register": ("GET", "/register", {ANON: 200, SIGNED_IN: 302}),
    "accounts.sign_out": ("POST", "/sign-out", {ANON: 302, SIGNED_IN: 302}),
    "language.switch": ("POST", "/language", {ANON: 302, SIGNED_IN: 302}),
    "learning.dashboard": ("GET", "/", {ANON: 302, SIGNED_IN: 200}),
    "learning.level": ("GET", "/levels/2", {ANON: 302, SIGNED_IN: 200}),
    "learning.lesson": ("GET", "/levels/2/health",
                        {ANON: 302, "learner": 302, "manager": 200, "admin": 200}),
    "learning.mark_read": ("POST", "/levels/2/health/read",
                           {ANON: 302, "learner": 403, "manager": 302, "admin": 302}),
    "learning.lesson_file": ("GET", "/levels/1/first-steps/files/map.png",
                             {ANON: 302, SIGNED_IN: 200}),
    # Level 2 is locked for a new learner; its module "health" has a quiz.
    "quiz.take": ("GET", "/levels/2/health/quiz",
                  {ANON: 302, "learner": 302, "manager": 200, "admin": 200}),
    "quiz.submit": ("POST", "/levels/2/health/quiz/attempts/1",
                    {ANON: 302, "learner": 404, "manager": 302, "admin": 302}),
    "quiz.result": ("GET", "/levels/2/health/quiz/attempts/1", {ANON: 302, SIGNED_IN: 404}),
    "exam.overview": ("GET", "/levels/2/exam", {ANON: 302, SIGNED_IN: 200}),
    "exam.start": ("POST", "/levels/2/exam/start", {ANON: 302, SIGNED_IN: 302}),
    "exam.attempt": ("GET", "/levels/2/exam/attempts/1", {ANON: 302, SIGNED_IN: 404}),
    "exam.answer": ("POST", "/levels/2/exam/attempts/1", {ANON: 302, SIGNED_IN: 404}),
    # Level 3 is locked for a new learner; its module "talk" has the role-play.
    "roleplay.play": ("GET", "/levels/3/talk/roleplay",
                      {ANON: 302, "learner": 302, "manager": 200, "admin": 200}),
    "roleplay.start": ("POST", "/levels/3/talk/roleplay/start",
                       {ANON: 302, "learner": 404, "manager": 302, "admin": 302}),
    "roleplay.take_choice": ("POST", "/levels/3/talk/roleplay/runs/1/choose",
                             {ANON: 302, SIGNED_IN: 404}),
    "roleplay.run_debrief": ("GET", "/levels/3/talk/roleplay/runs/1", {ANON: 302, SIGNED_IN: 404}),
    "roleplay.reflect": ("POST", "/levels/3/talk/roleplay/reflection", {ANON: 302, SIGNED_IN: 404}),
    "roleplay.self_assessment": ("POST", "/levels/3/talk/roleplay/self-assessment",
                                 {ANON: 302, SIGNED_IN: 404}),
    "review.queue": ("GET", "/reviews", {ANON: 302, "learner": 403, "manager": 200, "admin": 200}),
    "review.review": ("GET", "/reviews/1", {ANON: 302, SIGNED_IN: 404}),
    "certificates.mine": ("GET", "/certificates", {ANON: 302, SIGNED_IN: 200}),
    "certificates.pdf": ("GET", "/certificates/nope.pdf", {ANON: 302, SIGNED_IN: 404}),
    "certificates.credential": ("GET", "/certificates/nope/credential.jwt",
                                {ANON: 302, SIGNED_IN: 404}),
    # Public, for employers: no sign-in needed (an unknown code is a 404 that says so).
    "certificates.verify": ("GET", "/verify/nope", {ANON: 404, SIGNED_IN: 404}),
    "certificates.issuer": ("GET", "/issuer", {ANON: 200, SIGNED_IN: 200}),
    "certificates.jwks": ("GET", "/.well-known/jwks.json", {ANON: 200, SIGNED_IN: 200}),
    "certificates.revocations": ("GET", "/credentials/revocations", {ANON: 200, SIGNED_IN: 200}),
    "certificates.manage": ("GET", "/admin/certificates",
                            {ANON: 302, "learner": 403, "manager": 403, "admin": 200}),
    "certificates.revoke_certificate": ("POST", "/admin/certificates/nope/revoke",
                                        {ANON: 302, "learner": 403, "manager": 403, "admin": 404}),
    "certificates.reinstate_certificate": ("POST", "/admin/certificates/nope/reinstate",
                                           {ANON: 302, "learner": 403, "manager": 403, "admin": 404}),
    # The cockpit: a team, person or assignment the user may not see is a 404, like a missing one.
    "cockpit.index": ("GET", "/manage", {ANON: 302, "learner": 403, "manager": 200, "admin": 200}),
    "cockpit.new_team": ("POST", "/manage/teams",
                         {ANON: 302, "learner": 403, "manager": 403, "admin": 302}),
    "cockpit.team": ("GET", "/manage/teams/999", {ANON: 302, "learner": 403, "manager": 404, "admin": 404}),
    "cockpit.team_csv": ("GET", "/manage/teams/999/export/people.csv", {ANON: 302, "learner": 403, "manager": 404, "admin": 404}),
    "cockpit.members": ("GET", "/manage/teams/999/members", {ANON: 302, "learner": 403, "manager": 404, "admin": 404}),
    "cockpit.add_person": ("POST", "/manage/teams/999/members", {ANON: 302, "learner": 403, "manager": 404, "admin": 404}),
    "cockpit.remove_person": ("POST", "/manage/teams/999/members/1/remove", {ANON: 302, "learner": 403, "manager": 404, "admin": 404}),
    "cockpit.add_manager": ("POST", "/manage/teams/999/managers", {ANON: 302, "learner": 403, "manager": 403, "admin": 404}),
    "cockpit.remove_manager": ("POST", "/manage/teams/999/managers/1/remove", {ANON: 302, "learner": 403, "manager": 403, "admin": 404}),
    "cockpit.invite": ("POST", "/manage/teams/999/invitations", {ANON: 302, "learner": 403, "manager": 404, "admin": 404}),
    "cockpit.withdraw": ("POST", "/manage/teams/999/invitations/1/withdraw", {ANON: 302, "learner": 403, "manager": 404, "admin": 404}),
    "cockpit.assign_work": ("GET", "/manage/teams/999/assign", {ANON: 302, "learner": 403, "manager": 404, "admin": 404}),
    "cockpit.assignment": ("GET", "/manage/assignments/999", {ANON: 302, "learner": 403, "manager": 404, "admin": 404}),
    "cockpit.cancel_assignment": ("POST", "/manage/assignments/999/cancel", {ANON: 302, "learner": 403, "manager": 404, "admin": 404}),
    "cockpit.person": ("GET", "/manage/people/999", {ANON: 302, "learner": 403, "manager": 404, "admin": 404}),
    "cockpit.person_csv": ("GET", "/manage/people/999/export/modules.csv", {ANON: 302, "learner": 403, "manager": 404, "admin": 404}),
    "cockpit.outbox": ("GET", "/admin/outbox",
                       {ANON: 302, "learner": 403, "manager": 403, "admin": 200}),
    # An invitation link is public; a token nobody issued is a 404 that says so.
    "cockpit.join": ("GET", "/join/nope", {ANON: 404, SIGNED_IN: 404}),
    # Authoring and the admins' area: admins only; a missing module or person is a 404.
    "authoring.tree": ("GET", "/admin/curriculum", {ANON: 302, "learner": 403, "manager": 403, "admin": 200}),
    "authoring.new_module": ("POST", "/admin/curriculum/modules", {ANON: 302, "learner": 403, "manager": 403, "admin": 302}),
    "authoring.module_action": ("POST", "/admin/curriculum/99999/retire", {ANON: 302, "learner": 403, "manager": 403, "admin": 404}),
    "authoring.edit": ("GET", "/admin/curriculum/99999/edit/lesson.md", {ANON: 302, "learner": 403, "manager": 403, "admin": 404}),
    "authoring.preview": ("POST", "/admin/curriculum/preview", {ANON: 302, "learner": 403, "manager": 403, "admin": 404}),
    "authoring.history": ("GET", "/admin/curriculum/99999/edit/lesson.md/history", {ANON: 302, "learner": 403, "manager": 403, "admin": 404}),
    "authoring.restore_version": ("POST", "/admin/curriculum/99999/edit/lesson.md/restore",
                                  {ANON: 302, "learner": 403, "manager": 403, "admin": 404}),
    "authoring.upload": ("POST", "/admin/curriculum/99999/files", {ANON: 302, "learner": 403, "manager": 403, "admin": 404}),
    "authoring.module_file": ("GET", "/admin/curriculum/99999/files/x.png", {ANON: 302, "learner": 403, "manager": 403, "admin": 404}),
    "authoring.download_zip": ("GET", "/admin/curriculum.zip", {ANON: 302, "learner": 403, "manager": 403, "admin": 200}),
    "authoring.upload_zip": ("GET", "/admin/curriculum/upload", {ANON: 302, "learner": 403, "manager": 403, "admin": 200}),
    "admin.users": ("GET", "/admin/users", {ANON: 302, "learner": 403, "manager": 403, "admin": 200}),
    "admin.change_user": ("POST", "/admin/users/99999", {ANON: 302, "learner": 403, "manager": 403, "admin": 404}),
    "admin.audit_log": ("GET", "/admin/audit", {ANON: 302, "learner": 403, "manager": 403, "admin": 200}),
    # A password link is public; one nobody issued is a 404 that says so.
    "admin.reset_password": ("GET", "/reset/nope", {ANON: 404, SIGNED_IN: 404}),
    "notices.dismiss_notice": ("POST", "/notices/999/dismiss", {ANON: 302, SIGNED_IN: 404}),
}


def expected_status(table, role):
    if role in table:
        return table[role]
    return table[ANON] if role is None else table[SIGNED_IN]


def test_every_route_has_a_row(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(EXPECTED), "give new routes a row in EXPECTED"


@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_route_answers_each_role_as_expected(as_role, endpoint, role):
    method, url, table = EXPECTED[endpoint]
    response = as_role(role).open(url, method=method)
    assert response.status_code == expected_status(table, role)
    if response.status_code == 302 and role is None:
        assert response.location.startswith("/sign-in")
