"""Playing a role-play: choices checked by the server, runs kept, reflections and reviews."""
import re

import pytest
from sqlalchemy import select

from lms import create_app
from lms.curriculum.files import read_curriculum
from lms.curriculum.sync import import_curriculum
from lms.extensions import db
from lms.learning.models import ModuleProgress
from lms.review.models import Review
from lms.roleplay.models import Reflection, RoleplayRun
from lms.teams.membership import add_to_team, create_team

from .conftest import sign_in_as

PAGE = "/levels/3/talk/roleplay"
LONG = ("I would call Dana back tomorrow and agree the three depots for the pilot, "
        "then measure days to a first solo shift so Marcus sees the result he bought.")


@pytest.fixture
def open_app(app_config):
    """The app with levels open in any order, so level 3's role-play can be played."""
    app_config["LMS_LOCK_LEVELS"] = False
    app = create_app(app_config)
    with app.app_context():
        import_curriculum(db.session, read_curriculum(app.config["LMS_CURRICULUM_DIR"]))
        db.session.commit()
    return app


@pytest.fixture
def player(open_app, learner_id):
    return sign_in_as(open_app.test_client(), learner_id)


def current_form(client):
    """The scene, step and action of the choices on the page now."""
    page = client.get(PAGE).get_data(as_text=True)
    action = re.search(r'action="([^"]+/choose)"', page).group(1)
    scene = re.search(r'name="scene" value="([^"]+)"', page).group(1)
    step = re.search(r'name="step" value="(\d+)"', page).group(1)
    return action, scene, int(step)


def pick(client, index):
    action, scene, step = current_form(client)
    return client.post(action, data={"scene": scene, "step": step, "choice": index})


def play(client, choices):
    client.post(f"{PAGE}/start")
    for index in choices:
        pick(client, index)


def runs(app):
    with app.app_context():
        return db.session.scalars(select(RoleplayRun).order_by(RoleplayRun.id)).all()


def test_the_intro_shows_the_persona_and_situation(player):
    page = player.get(PAGE).get_data(as_text=True)
    assert "Dana Okafor" in page and "Operations director, Kestrel Freight" in page
    assert "Dana wants depot logins up" in page and "Start the conversation" in page


def test_a_strong_path_passes_with_a_debrief(open_app, player):
    play(player, [0, 0])
    page = player.get(PAGE).get_data(as_text=True)
    assert "Dana agrees to a three-depot pilot" in page
    assert "Passed: 100% of the strongest path" in page
    assert "You looked for the outcome behind the request." in page  # feedback per choice
    assert "3 of 3" in page and "2 of 2" in page  # per-skill bars
    assert "The strongest path through this conversation" in page
    run = runs(open_app)[0]
    assert run.passed and run.scores == {"discovery": 3, "empathy": 2}
    assert run.path == [["dana-calls", 0], ["what-they-need", 0]]


def test_a_poor_path_does_not_pass_and_can_be_replayed(open_app, player):
    play(player, [1, 0])
    page = player.get(PAGE).get_data(as_text=True)
    assert "Logins rise for a week" in page and "Not yet: 0%" in page
    play(player, [0, 0])
    assert [r.passed for r in runs(open_app)] == [False, True]


def test_a_loop_scores_as_if_the_learner_had_gone_straight_on(open_app, player):
    play(player, [0, 1, 0, 0])  # ask, go back, ask again, then the pilot
    run = runs(open_app)[0]
    assert run.path[1] == ["what-they-need", 1]  # the detour stays on record
    assert run.scores == {"discovery": 3, "empathy": 2} and run.percent == 100


def test_forged_and_replayed_choices_are_refused(open_app, player):
    player.post(f"{PAGE}/start")
    action, scene, step = current_form(player)
    assert player.post(action, data={"scene": "good-end", "step": step, "choice": 0}).status_code == 302
    assert player.post(action, data={"scene": scene, "step": step, "choice": 7}).status_code == 302
    assert player.post(action, data={"scene": scene, "step": "x", "choice": 0}).status_code == 302
    assert runs(open_app)[0].step == 0  # none of those moved the conversation
    pick(player, 0)
    replay = player.post(action, data={"scene": scene, "step": step, "choice": 1}, follow_redirects=True)
    assert b"no longer on the table" in replay.data
    run = runs(open_app)[0]
    assert run.scene == "what-they-need" and run.step == 1


def test_someone_elses_run_is_not_theirs_to_play(open_app, player, make_user):
    player.post(f"{PAGE}/start")
    action, scene, step = current_form(player)
    other = sign_in_as(open_app.test_client(), make_user())
    assert other.post(action, data={"scene": scene, "step": step, "choice": 0}).status_code == 404
    assert runs(open_app)[0].step == 0


def test_a_run_resumes_after_a_reload_or_the_next_day(open_app, player, learner_id):
    play(player, [0])
    tomorrow = sign_in_as(open_app.test_client(), learner_id)  # a new session
    page = tomorrow.get(PAGE).get_data(as_text=True)
    assert "Ask what the depots need" in page  # the transcript
    assert "New starters take three weeks" in page  # the scene now
    assert current_form(tomorrow)[1:] == ("what-they-need", 1)


def test_restarting_keeps_the_unfinished_run(open_app, player):
    play(player, [0])
    player.post(f"{PAGE}/start")
    first, second = runs(open_app)
    assert first.abandoned_at is not None and first.path == [["dana-calls", 0]]
    assert second.is_open and second.scene == "dana-calls"


def test_the_reflection_is_a_draft_until_long_enough_and_submitted(open_app, player):
    assert player.post(f"{PAGE}/reflection", data={"body": "x"}).status_code == 404  # no run yet
    play(player, [0, 0])
    player.post(f"{PAGE}/reflection", data={"body": "A first thought.", "action": "save"})
    response = player.post(f"{PAGE}/reflection", data={"body": "Too short still.", "action": "submit"},
                           follow_redirects=True)
    assert b"Write at least 10 words; this has 3." in response.data
    with open_app.app_context():
        reflection = db.session.scalar(select(Reflection))
        assert reflection.body == "Too short still." and not reflection.is_submitted
    player.post(f"{PAGE}/reflection", data={"body": LONG, "action": "submit"})
    again = player.post(f"{PAGE}/reflection", data={"body": "changed", "action": "save"},
                        follow_redirects=True)
    assert b"already submitted" in again.data
    with open_app.app_context():
        assert db.session.scalar(select(Reflection)).body == LONG


def test_the_module_completes_with_lesson_passing_run_and_reflection(open_app, player):
    play(player, [1, 0])  # a failing run
    refused = player.post(f"{PAGE}/reflection", data={"body": LONG, "action": "submit"},
                          follow_redirects=True)
    assert b"before you submit; your draft is saved" in refused.data
    player.post("/levels/3/talk/read")
    play(player, [0, 0])  # now a passing one
    assert "0 of 1 modules complete" in player.get("/levels/3").get_data(as_text=True)
    player.post(f"{PAGE}/reflection", data={"body": LONG, "action": "submit"})
    assert "1 of 1 modules complete" in player.get("/levels/3").get_data(as_text=True)
    with open_app.app_context():
        reflection = db.session.scalar(select(Reflection))
        assert db.session.get(RoleplayRun, reflection.run_id).passed  # reviewed beside the pass
    with open_app.app_context():
        progress = db.session.scalar(select(ModuleProgress).where(ModuleProgress.completed_at.is_not(None)))
        assert progress.roleplay_passed_at and progress.reflection_submitted_at


# Reviews.

@pytest.fixture
def submitted(open_app, player, learner_id):
    play(player, [0, 0])
    player.post(f"{PAGE}/reflection", data={"body": LONG, "action": "submit"})
    with open_app.app_context():
        return db.session.scalar(select(Reflection)).id


def team(app, manager_email, *members):
    with app.app_context():
        create_team("Team " + manager_email)
        add_to_team("Team " + manager_email, manager_email, as_manager=True)
        for email in members:
            add_to_team("Team " + manager_email, email)
        db.session.commit()


SCORES = {"score-discovery": "3", "score-empathy": "4", "feedback": "Good focus on the pilot."}


def test_a_manager_reviews_their_team_and_the_learner_sees_it(open_app, player, submitted, make_user):
    boss = make_user("manager", email="lena@example.com")
    team(open_app, "lena@example.com", "learner@example.com")
    manager = sign_in_as(open_app.test_client(), boss)
    queue = manager.get("/reviews").get_data(as_text=True)
    assert "Jordan Lee" in queue and f"/reviews/{submitted}" in queue
    page = manager.get(f"/reviews/{submitted}").get_data(as_text=True)
    assert LONG in page and "Proficient" in page and "Dana agrees to a three-depot pilot" in page
    missing = manager.post(f"/reviews/{submitted}", data={"score-discovery": "3", "feedback": "x"})
    assert missing.status_code == 422 and b"Score every skill: empathy" in missing.data
    assert manager.post(f"/reviews/{submitted}", data=SCORES).status_code == 302
    assert "Nothing is waiting for you" in manager.get("/reviews").get_data(as_text=True)
    learner_page = player.get(PAGE).get_data(as_text=True)
    assert "Feedback on your reflection" in learner_page and "Good focus on the pilot." in learner_page
    assert "Reviewed by Manager" in learner_page
    manager.post(f"/reviews/{submitted}", data={**SCORES, "feedback": "Second go"})
    with open_app.app_context():
        assert [r.feedback for r in db.session.scalars(select(Review))] == ["Good focus on the pilot."]


def test_a_manager_cannot_review_outside_their_teams(open_app, submitted, make_user):
    outsider = make_user("manager", email="other@example.com")
    team(open_app, "other@example.com")  # a team without our learner
    client = sign_in_as(open_app.test_client(), outsider)
    assert "Jordan Lee" not in client.get("/reviews").get_data(as_text=True)
    assert client.get(f"/reviews/{submitted}").status_code == 404
    assert client.post(f"/reviews/{submitted}", data=SCORES).status_code == 404
    with open_app.app_context():
        run_id = db.session.get(Reflection, submitted).run_id
    assert client.get(f"{PAGE}/runs/{run_id}").status_code == 404


def test_an_admin_reviews_anyone_and_a_learner_reviews_no_one(open_app, player, submitted, make_user):
    admin = sign_in_as(open_app.test_client(), make_user("admin"))
    assert "Jordan Lee" in admin.get("/reviews").get_data(as_text=True)
    assert admin.post(f"/reviews/{submitted}", data=SCORES).status_code == 302
    assert player.get("/reviews").status_code == 403
    assert player.get(f"/reviews/{submitted}").status_code == 404


def test_a_learner_without_a_manager_assesses_themselves(open_app, player, submitted):
    page = player.get(PAGE).get_data(as_text=True)
    assert "Assess your reflection" in page and "Exemplary" in page
    player.post(f"{PAGE}/self-assessment", data={**SCORES, "feedback": "Next time, ask sooner."})
    page = player.get(PAGE).get_data(as_text=True)
    assert "Your self-assessment" in page and "Next time, ask sooner." in page
    with open_app.app_context():
        assert db.session.scalar(select(Review)).kind == "self"


def test_a_learner_with_a_manager_waits_for_them(open_app, player, submitted, make_user):
    make_user("manager", email="lena@example.com")
    team(open_app, "lena@example.com", "learner@example.com")
    page = player.get(PAGE).get_data(as_text=True)
    assert "Assess your reflection" not in page and "Your manager will review" in page
    assert player.post(f"{PAGE}/self-assessment", data=SCORES).status_code == 404


def test_an_admin_does_not_review_their_own_reflection(open_app, make_user):
    admin_id = make_user("admin")
    admin = sign_in_as(open_app.test_client(), admin_id)
    play(admin, [0, 0])
    admin.post(f"{PAGE}/reflection", data={"body": LONG, "action": "submit"})
    with open_app.app_context():
        own = db.session.scalar(select(Reflection)).id
    assert admin.get(f"/reviews/{own}").status_code == 404
    assert f"/reviews/{own}" not in admin.get("/reviews").get_data(as_text=True)


def test_a_manager_who_is_no_longer_one_leaves_the_learner_to_self_assess(open_app, player,
                                                                           submitted, make_user):
    from lms.accounts.models import User
    boss = make_user("manager", email="lena@example.com")
    team(open_app, "lena@example.com", "learner@example.com")
    with open_app.app_context():
        db.session.get(User, boss).role = "learner"
        db.session.commit()
    assert "Assess your reflection" in player.get(PAGE).get_data(as_text=True)
