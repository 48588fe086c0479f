"""Level exams: drawing, the clock kept on the server, attempts, and what passing opens."""
import random
from datetime import datetime, timedelta

from sqlalchemy import func, select

from lms.assessment.gates import exam_gate
from lms.exam.drawing import draw_paper, share_out
from lms.exam.models import ExamAttempt
from lms.extensions import db

from .conftest import lesson_md, sign_in_as
from .exam_world import EXAM_TREE, answer_form, attempt, finished, questions, start


# Drawing, called directly.

def test_shares_are_as_even_as_the_sources_allow():
    rng = random.Random(1)
    assert sorted(share_out([10, 10, 10], 9, rng)) == [3, 3, 3]
    assert share_out([2, 10, 10], 12, rng)[0] == 2 and sum(share_out([2, 10, 10], 12, rng)) == 12
    assert share_out([3, 3], 30, rng) == [3, 3]  # a small pool gives what it has
    assert sorted(share_out([5, 5, 5, 5], 6, rng)) == [1, 1, 2, 2]


def make_sources(count, size):
    from lms.curriculum.quizfile import read_questions
    return [({"key": f"m{s}", "title": f"M{s}"}, read_questions(questions(f"M{s}", size), "x")[1])
            for s in range(count)]


def test_a_paper_is_balanced_across_modules():
    paper = draw_paper(make_sources(3, 10), 12, set(), random.Random(3))
    per_source = {}
    for question in paper:
        per_source[question["source"]["key"]] = per_source.get(question["source"]["key"], 0) + 1
    assert per_source == {"m0": 4, "m1": 4, "m2": 4}


def test_questions_not_yet_seen_come_first():
    sources = make_sources(2, 5)
    seen = {q["key"] for _, qs in sources for q in qs[:3]}
    paper = draw_paper(sources, 4, seen, random.Random(5))
    assert not {q["key"] for q in paper} & seen
    paper = draw_paper(sources, 8, seen, random.Random(5))
    assert len({q["key"] for q in paper} - seen) == 4  # every unseen one, then seen ones


def test_exam_gate_rounds_and_cooldown():
    now = datetime(2026, 1, 2, 12)

    class Done:
        def __init__(self, hours_ago, passed=False):
            self.started_at = now - timedelta(hours=hours_ago, minutes=30)
            self.submitted_at = now - timedelta(hours=hours_ago)
            self.passed = passed
    assert exam_gate([], 3, 1440, now).open
    assert exam_gate([Done(3), Done(2)], 3, 1440, now).used == 2
    closed = exam_gate([Done(3), Done(2), Done(1)], 3, 1440, now)
    assert not closed.open and closed.available_at == now + timedelta(hours=23)
    assert exam_gate([Done(30), Done(29), Done(28)], 3, 1440, now).open  # next round
    assert exam_gate([Done(30), Done(29), Done(28), Done(1)], 3, 1440, now).used == 1
    assert exam_gate([Done(1, passed=True)], 3, 1440, now).reason == "passed"
    assert exam_gate([Done(3), Done(2), Done(1)], 3, 0, now).reason == "cap"
    assert exam_gate([Done(3), Done(2), Done(1)], None, 1440, now).open  # unlimited: no wait


# The exam in the browser.

def test_the_exam_opens_only_when_every_module_is_complete(exam_app, make_user):
    client = sign_in_as(exam_app.test_client(), make_user())
    page = client.get("/levels/1/exam").get_data(as_text=True)
    assert "The exam opens when every module is complete" in page and "Start the exam" not in page
    response, attempt_id = start(client)
    assert attempt_id is None
    with exam_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ExamAttempt)) == 0


def test_a_drawn_exam_shows_no_answers_and_passing_completes_the_level(exam_app, candidate):
    client, _ = candidate
    assert "Start the exam" in client.get("/levels/1/exam").get_data(as_text=True)
    response, attempt_id = start(client)
    page = client.get(response.location).get_data(as_text=True)
    taken = attempt(exam_app, attempt_id)
    assert taken.question_count == 6
    assert "Explained" not in page and "correct" not in page.lower()
    assert "Time is up at" in page and 'data-seconds-left="' in page
    per_source = {}
    for question in taken.paper:
        per_source[question["source"]["key"]] = per_source.get(question["source"]["key"], 0) + 1
    assert max(per_source.values()) - min(per_source.values()) <= 1 and len(per_source) == 4

    response = client.post(f"/levels/1/exam/attempts/{attempt_id}", data=answer_form(taken.paper))
    result = client.get(response.location).get_data(as_text=True)
    assert "Passed: 100%" in result
    assert "Alpha" in result and "Across the level" in result  # the per-module breakdown
    assert "Explained" not in result and "Right " not in result  # the pool stays private
    assert client.get("/levels/2/next").status_code == 200
    assert "exam passed" in client.get("/").get_data(as_text=True)


def test_a_double_submit_is_one_result(exam_app, candidate):
    client, _ = candidate
    _, attempt_id = start(client)
    paper = attempt(exam_app, attempt_id).paper
    first = client.post(f"/levels/1/exam/attempts/{attempt_id}", data=answer_form(paper))
    second = client.post(f"/levels/1/exam/attempts/{attempt_id}", data=answer_form(paper, False))
    assert first.location == second.location
    assert [a.score for a in finished(exam_app)] == [100]


def test_starting_twice_returns_the_running_exam(exam_app, candidate):
    client, _ = candidate
    assert start(client)[1] == start(client)[1]


def test_a_late_sheet_is_graded_as_it_stood_at_the_deadline(exam_app, candidate):
    client, _ = candidate
    _, attempt_id = start(client)
    paper = attempt(exam_app, attempt_id).paper
    saved = client.post(f"/levels/1/exam/attempts/{attempt_id}",
                        data=answer_form(paper, right=False, action="save"),
                        headers={"Accept": "application/json"})
    assert saved.status_code == 200 and saved.json["saved"] is True
    with exam_app.app_context():
        db.session.get(ExamAttempt, attempt_id).deadline_at = datetime.utcnow() - timedelta(minutes=5)
        db.session.commit()
    refused = client.post(f"/levels/1/exam/attempts/{attempt_id}",
                          data=answer_form(paper, action="save"), headers={"Accept": "application/json"})
    assert refused.status_code == 409 and refused.json["saved"] is False
    response = client.post(f"/levels/1/exam/attempts/{attempt_id}", data=answer_form(paper))
    result = client.get(response.location).get_data(as_text=True)
    done = attempt(exam_app, attempt_id)
    assert done.score == 0 and done.ended_by == "deadline" and done.submitted_at == done.deadline_at
    assert "Graded as it stood at the time limit." in result


def test_an_abandoned_exam_is_graded_when_its_time_is_up(exam_app, candidate):
    client, _ = candidate
    _, attempt_id = start(client)
    with exam_app.app_context():
        running = db.session.get(ExamAttempt, attempt_id)
        running.answers = [q["correct"] for q in running.paper]  # saved in time, all right
        running.deadline_at = datetime.utcnow() - timedelta(minutes=2)
        db.session.commit()
    assert "You passed this exam" in client.get("/levels/1/exam").get_data(as_text=True)
    assert attempt(exam_app, attempt_id).score == 100
    assert attempt(exam_app, attempt_id).ended_by == "deadline"


def test_attempts_run_in_rounds_with_a_cooldown(exam_app, candidate):
    client, _ = candidate
    for _ in range(2):
        _, attempt_id = start(client)
        client.post(f"/levels/1/exam/attempts/{attempt_id}",
                    data=answer_form(attempt(exam_app, attempt_id).paper, right=False))
    page = client.get("/levels/1/exam").get_data(as_text=True)
    assert "You can sit the exam again from" in page
    assert start(client)[1] is None
    with exam_app.app_context():
        for past in db.session.scalars(select(ExamAttempt)):
            past.started_at -= timedelta(hours=2)
            past.submitted_at -= timedelta(hours=2)
        db.session.commit()
    assert start(client)[1] is not None


def test_a_later_attempt_draws_questions_not_seen_before(exam_app, candidate):
    client, _ = candidate
    _, first_id = start(client)
    first = attempt(exam_app, first_id)
    client.post(f"/levels/1/exam/attempts/{first_id}", data=answer_form(first.paper, right=False))
    _, second_id = start(client)
    seen = {q["key"] for q in first.paper}
    second = attempt(exam_app, second_id)
    pool = {}
    for tree_path, text in EXAM_TREE.items():
        if tree_path.endswith(("quiz.md", "exam.md")):
            from lms.curriculum.quizfile import read_questions
            pool[tree_path] = {q["key"] for q in read_questions(text, tree_path)[1]}
    drawn = {q["key"] for q in second.paper}
    for keys in pool.values():  # within each source, nothing seen while something unseen is left
        if drawn & keys & seen:
            assert keys - seen <= drawn
    # 11 in the pool, 6 seen: the extra picks go where unseen questions are left.
    assert len(drawn - seen) == 5


def test_extra_picks_go_where_fresh_questions_are():
    assert share_out([3, 3, 3, 2], 6, random.Random(2), fresh=[1, 2, 2, 0]) == [1, 2, 2, 1]


def test_someone_elses_exam_is_not_found(exam_app, candidate, make_user):
    client, _ = candidate
    response, attempt_id = start(client)
    other = sign_in_as(exam_app.test_client(), make_user())
    assert other.get(response.location).status_code == 404
    assert other.post(response.location, data={"action": "submit"}).status_code == 404


def test_a_module_added_after_the_exam_does_not_lock_later_levels(exam_app, candidate, runner):
    from pathlib import Path
    client, _ = candidate
    _, attempt_id = start(client)
    client.post(f"/levels/1/exam/attempts/{attempt_id}", data=answer_form(attempt(exam_app, attempt_id).paper))
    new = Path(exam_app.config["LMS_CURRICULUM_DIR"]) / "level1" / "04-delta"
    new.mkdir()
    (new / "lesson.md").write_text(lesson_md("Delta"))
    assert exam_app.test_cli_runner().invoke(args=["import"]).exit_code == 0
    assert client.get("/levels/2/next").status_code == 200  # what was earned stays earned
    assert "3 of 4 modules complete" in client.get("/").get_data(as_text=True)


def test_the_dashboard_points_to_a_pending_exam(exam_app, candidate):
    client, _ = candidate
    page = client.get("/").get_data(as_text=True)
    assert "The level 1 exam" in page and "You are up to date" not in page


def test_saves_stop_at_the_deadline_but_the_final_sheet_has_a_grace(exam_app, candidate):
    client, _ = candidate
    _, attempt_id = start(client)
    paper = attempt(exam_app, attempt_id).paper
    with exam_app.app_context():
        db.session.get(ExamAttempt, attempt_id).deadline_at = datetime.utcnow() - timedelta(seconds=10)
        db.session.commit()
    save = client.post(f"/levels/1/exam/attempts/{attempt_id}",
                       data=answer_form(paper, action="save"), headers={"Accept": "application/json"})
    assert save.status_code == 409
    client.post(f"/levels/1/exam/attempts/{attempt_id}", data=answer_form(paper))
    done = attempt(exam_app, attempt_id)
    assert done.ended_by == "learner" and done.score == 100  # 10 s late: within the grace
