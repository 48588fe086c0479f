"""Taking a quiz: grading, secrecy of the answer key, attempts, and completion."""
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.assessment.gates import quiz_gate
from lms.assessment.papers import build_paper, grade_paper, read_answers
from lms.curriculum.quizfile import read_quiz
from lms.extensions import db
from lms.learning.models import ModuleProgress
from lms.quiz.models import QuizAttempt

from .conftest import quiz_md, sign_in_as

QUIZ_URL = "/levels/2/health/quiz"


def unlock_level_2(client):
    for slug in ("first-steps", "second-steps"):
        client.post(f"/levels/1/{slug}/read")


@pytest.fixture
def ready(learner):
    """A learner who has opened level 2, whose module 'health' has the quiz."""
    unlock_level_2(learner)
    return learner


def open_attempt_id(client):
    page = client.get(QUIZ_URL).get_data(as_text=True)
    return int(re.search(r"/quiz/attempts/(\d+)\"", page).group(1))


def form_for(app, attempt_id, right=True):
    """Form data answering every question of an attempt, rightly or wrongly."""
    with app.app_context():
        paper = db.session.get(QuizAttempt, attempt_id).paper
    data = {}
    for number, question in enumerate(paper):
        wrong = [i for i in range(len(question["options"])) if i not in question["correct"]]
        data[f"q{number}"] = [str(i) for i in (question["correct"] if right else wrong[:1])]
    return data


def submit(client, app, right=True, extra=None):
    attempt_id = open_attempt_id(client)
    data = {**form_for(app, attempt_id, right), **(extra or {})}
    return attempt_id, client.post(f"{QUIZ_URL}/attempts/{attempt_id}", data=data)


def attempts(app):
    with app.app_context():
        return db.session.scalars(select(QuizAttempt).where(
            QuizAttempt.submitted_at.is_not(None)).order_by(QuizAttempt.id)).all()


def set_quiz(app, runner, settings):
    path = Path(app.config["LMS_CURRICULUM_DIR"]) / "level2" / "01-health" / "quiz.md"
    path.write_text(quiz_md(settings))
    assert runner.invoke(args=["import"]).exit_code == 0


# Grading rules, called directly.

QUESTIONS = read_quiz(quiz_md(), "q")[0]["questions"]


class FixedOrder:
    def shuffle(self, items):
        pass


def test_single_and_multiple_choice_grading():
    paper = build_paper(QUESTIONS, FixedOrder(), shuffle=False)
    assert paper[0]["correct"] == [1] and paper[1]["correct"] == [0, 1]
    assert grade_paper(paper, [[1], [0, 1]]).percent == 100
    assert grade_paper(paper, [[0], [0, 1]]).marks == [0.0, 1.0]
    assert grade_paper(paper, [[1], [0]]).marks == [1.0, 0.0]  # multiple: all or nothing
    assert grade_paper(paper, [[1], [0, 1, 2]]).marks == [1.0, 0.0]  # a wrong extra costs it
    assert grade_paper(paper, [[], []]).percent == 0


def test_shuffled_papers_keep_the_answer_key_with_the_options():
    import random
    paper = build_paper(QUESTIONS, random.Random(7))
    for question in paper:
        source = next(q for q in QUESTIONS if q["key"] == question["key"])
        right = {o["html"] for o in source["options"] if o["correct"]}
        assert {question["options"][i] for i in question["correct"]} == right


def test_submitted_values_are_cleaned():
    from werkzeug.datastructures import MultiDict
    paper = build_paper(QUESTIONS, FixedOrder(), shuffle=False)
    form = MultiDict([("q0", "1"), ("q0", "2"), ("q1", "0"), ("q1", "9"), ("q1", "x"), ("q7", "1")])
    assert read_answers(paper, form) == [[], [0]]  # two radios = no answer; junk dropped


# Taking the quiz in the browser.

def test_the_answer_key_never_reaches_the_browser_before_submission(app, ready):
    attempt_id = open_attempt_id(ready)
    page = ready.get(QUIZ_URL).get_data(as_text=True)
    assert "Outcomes are results" not in page and "come before churn" not in page
    assert "correct" not in page.lower()
    with app.app_context():
        paper = db.session.get(QuizAttempt, attempt_id).paper
    for question in paper:  # right and wrong options are marked up identically
        shapes = {re.sub(r'value="\d+"', "", re.search(
            r'(<input[^>]*value="%d"[^>]*>)' % i, page.split(question["title_html"])[1]).group(1))
            for i in range(len(question["options"]))}
        assert len(shapes) == 1


def test_fail_read_why_then_pass(app, ready):
    attempt_id, response = submit(ready, app, right=False)
    result = ready.get(response.location).get_data(as_text=True)
    assert "Not yet: 0%" in result
    assert "Outcomes are results" in result and "Your answer" in result
    assert "Try again" in result
    _, response = submit(ready, app, right=True)
    result = ready.get(response.location).get_data(as_text=True)
    assert "Passed: 100%" in result
    history = ready.get(QUIZ_URL).get_data(as_text=True)
    assert history.count("Review") == 2
    recorded = attempts(app)
    assert [a.score for a in recorded] == [0, 100]
    assert all(a.module_version_id and a.seconds_taken is not None for a in recorded)


def test_a_double_submit_is_one_attempt(app, ready):
    attempt_id, first = submit(ready, app)
    again = ready.post(f"{QUIZ_URL}/attempts/{attempt_id}", data=form_for(app, attempt_id, False))
    assert again.location == first.location
    assert len(attempts(app)) == 1 and attempts(app)[0].score == 100


def test_two_tabs_share_one_open_attempt(app, ready):
    assert open_attempt_id(ready) == open_attempt_id(ready)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1


def test_someone_elses_attempt_is_not_found(app, ready, make_user):
    attempt_id, response = submit(ready, app)
    other = sign_in_as(app.test_client(), make_user())
    unlock_level_2(other)
    assert other.get(response.location).status_code == 404
    open_id = open_attempt_id(ready)
    stolen = other.post(f"{QUIZ_URL}/attempts/{open_id}", data=form_for(app, open_id))
    assert stolen.status_code == 302 and stolen.location == QUIZ_URL
    with app.app_context():
        assert db.session.get(QuizAttempt, open_id).submitted_at is None
    admin = sign_in_as(app.test_client(), make_user("admin"))
    assert admin.get(response.location).status_code == 200


def test_unanswered_questions_are_pointed_out_and_choices_kept(app, ready):
    attempt_id = open_attempt_id(ready)
    data = form_for(app, attempt_id)
    data.pop("q1")
    response = ready.post(f"{QUIZ_URL}/attempts/{attempt_id}", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "You have not answered question 2 yet." in page
    assert 'value="%s"\n               checked' % data["q0"][0] in page
    assert attempts(app) == []
    response = ready.post(f"{QUIZ_URL}/attempts/{attempt_id}", data={**data, "submit_anyway": "1"})
    assert response.status_code == 302 and attempts(app)[0].score == 50


def test_a_cooldown_after_failing_says_until_when(app, ready, runner):
    set_quiz(app, runner, "cooldown: 30 minutes\n")
    attempt_id, _ = submit(ready, app, right=False)
    page = ready.get(QUIZ_URL).get_data(as_text=True)
    assert "You can try again from" in page and "Submit my answers" not in page
    ready.post(f"{QUIZ_URL}/attempts/{attempt_id}", data=form_for(app, attempt_id))
    assert len(attempts(app)) == 1


def test_the_attempt_cap(app, ready, runner):
    set_quiz(app, runner, "attempts: 2\n")
    submit(ready, app, right=False)
    submit(ready, app, right=False)
    page = ready.get(QUIZ_URL).get_data(as_text=True)
    assert "You have used all 2 attempts" in page
    assert len(attempts(app)) == 2


def test_quiz_gate_rules():
    now = datetime(2026, 1, 1, 12)

    class Attempt:
        def __init__(self, minutes_ago, passed):
            self.submitted_at = now - timedelta(minutes=minutes_ago)
            self.passed = passed
    assert quiz_gate([], None, 0, now).open
    assert quiz_gate([Attempt(5, False)], None, 0, now).open
    closed = quiz_gate([Attempt(5, False)], None, 30, now)
    assert not closed.open and closed.available_at == now + timedelta(minutes=25)
    assert quiz_gate([Attempt(5, True)], None, 30, now).open  # no wait after a pass
    assert quiz_gate([Attempt(40, False)], None, 30, now).open
    assert quiz_gate([Attempt(9, False), Attempt(5, False)], 2, 0, now).reason == "cap"


def test_the_module_completes_with_lesson_read_and_quiz_passed(app, ready):
    submit(ready, app, right=True)
    assert "0 of 1 modules complete" in ready.get("/levels/2").get_data(as_text=True)
    ready.post("/levels/2/health/read")
    assert "1 of 1 modules complete" in ready.get("/levels/2").get_data(as_text=True)
    with app.app_context():
        progress = db.session.scalar(select(ModuleProgress).where(
            ModuleProgress.quiz_passed_at.is_not(None)))
        assert progress.completed_at is not None and progress.quiz_best_score == 100


def test_reading_first_sends_the_learner_to_the_quiz(app, ready):
    response = ready.post("/levels/2/health/read")
    assert response.location == QUIZ_URL
    submit(ready, app, right=False)
    assert "0 of 1 modules complete" in ready.get("/levels/2").get_data(as_text=True)
    submit(ready, app, right=True)
    submit(ready, app, right=False)  # a later failure takes nothing away
    assert "1 of 1 modules complete" in ready.get("/levels/2").get_data(as_text=True)
    assert "best score 100%" in ready.get("/levels/2/health").get_data(as_text=True)


def test_an_edited_quiz_lays_out_a_fresh_attempt(app, ready, runner):
    with app.app_context():
        first_version = db.session.get(QuizAttempt, open_attempt_id(ready)).module_version_id
    set_quiz(app, runner, "pass_mark: 60\n")
    with app.app_context():
        drafts = db.session.scalars(select(QuizAttempt)).all()
        assert len(drafts) == 0 or drafts[0].module_version_id == first_version
    second = open_attempt_id(ready)
    with app.app_context():
        attempt = db.session.get(QuizAttempt, second)
        assert attempt.pass_mark == 60 and attempt.module_version_id != first_version
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1


@pytest.mark.parametrize("junk", ["²", "١", "-1", "1.0", " 1", "99999999999999999999"])
def test_crafted_option_values_are_ignored_not_a_crash(app, ready, junk):
    attempt_id = open_attempt_id(ready)
    response = ready.post(f"{QUIZ_URL}/attempts/{attempt_id}", data={"q0": junk, "submit_anyway": "1"})
    assert response.status_code == 302
    assert attempts(app)[0].answers[0] == []


def test_reading_and_passing_at_once_still_completes_the_module(app, ready):
    """Each request sees only its own step; completion is decided on the stored row."""
    from sqlalchemy import update
    from lms.curriculum.models import Module
    from lms.learning.progress import refresh_completion
    submit(ready, app)  # the quiz is passed; the lesson is not read yet
    with app.app_context():
        module = db.session.scalar(select(Module).where(Module.slug == "health"))
        progress = db.session.scalar(select(ModuleProgress).where(
            ModuleProgress.module_id == module.id))
        assert progress.lesson_read_at is None and progress.completed_at is None
        # Meanwhile another request marks the lesson read, behind this one's back.
        db.session.execute(update(ModuleProgress).where(ModuleProgress.id == progress.id)
                           .values(lesson_read_at=datetime(2026, 5, 1)))
        refresh_completion(progress, module.current_version, datetime(2026, 5, 1, 0, 1))
        assert progress.completed_at == datetime(2026, 5, 1, 0, 1)
