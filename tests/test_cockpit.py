"""Managers: teams and who sees them, assignments and their dates, invitations, the cockpit,
CSV exports that say what the page says, reminders sent once, and flat query counts."""
import csv
import io
import re
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from lms.accounts.models import User
from lms.assignments.assigning import AssignmentError, assign, cancel, change
from lms.assignments.dues import (BEHIND, COMPLETE, DUE_TODAY, NOTHING_ASSIGNED, ON_TRACK,
                                  OVERDUE, UPCOMING, covering, dues_of, person_status)
from lms.assignments.models import Assignment, AssignmentEvent
from lms.cockpit.tables import Table, defuse
from lms.curriculum.models import Module
from lms.extensions import db
from lms.learning.models import ModuleProgress
from lms.learning.progress import standings_of
from lms.notices.models import Notice
from lms.reminders.digests import send_digests
from lms.reminders.mail import deliver, unsent
from lms.reminders.models import OutboxMessage
from lms.teams.membership import (TeamError, accept_invitation, add_member, create_invitation,
                                  create_team, find_invitation)
from lms.teams.models import TeamInvitation, TeamMembership

from .conftest import sign_in_as

SET_ON = datetime(2026, 3, 1, 9, 0)


@pytest.fixture
def world(app, make_user):
    """Two teams, each with its manager and two learners; an admin; someone in no team."""
    ids = {name: make_user(role, name=name.title(), email=f"{name}@example.com")
           for name, role in (("ana", "manager"), ("bo", "manager"), ("admin", "admin"),
                              ("amy", "learner"), ("al", "learner"), ("bea", "learner"),
                              ("bill", "learner"), ("loner", "learner"))}
    with app.app_context():
        a, b = create_team("Alpha"), create_team("Beta")
        for team, boss, people in ((a, "ana", ("amy", "al")), (b, "bo", ("bea", "bill"))):
            add_member(team, f"{boss}@example.com", as_manager=True, now=SET_ON)
            for person in people:
                add_member(team, f"{person}@example.com", now=SET_ON)
        db.session.commit()
        ids.update(alpha=a.id, beta=b.id)
        ids["modules"] = {m.slug: m.id for m in db.session.scalars(select(Module))}
    return ids


def client_for(app, user_id):
    return sign_in_as(app.test_client(), user_id)


def user(user_id):
    return db.session.get(User, user_id)


def team_of(team_id):
    from lms.teams.models import Team
    return db.session.get(Team, team_id)


def set_work(app, world, target, due, team="alpha", person=None, manager="ana", now=SET_ON):
    with app.app_context():
        item = assign(user(world[manager]), team_of(world[team]), target, due.isoformat(),
                      "Finish before the kickoff.", person_id=world[person] if person else None,
                      now=now, today=now.date())
        db.session.commit()
        return item.id


def complete(app, user_id, module_id, when):
    with app.app_context():
        db.session.add(ModuleProgress(user_id=user_id, module_id=module_id, started_at=when,
                                      last_visited_at=when, lesson_read_at=when,
                                      completed_at=when))
        db.session.commit()


def dues_for(app, user_id):
    with app.app_context():
        standings = standings_of([user_id], lock_levels=False)
        return dues_of(standings)[user_id]


# ---- who sees what -------------------------------------------------------------------------

def test_a_manager_sees_only_their_own_teams_people(app, world):
    item = set_work(app, world, "path", date(2026, 6, 1), team="beta", manager="bo")
    ana = client_for(app, world["ana"])
    assert ana.get(f"/manage/teams/{world['alpha']}").status_code == 200
    for url in (f"/manage/teams/{world['beta']}", f"/manage/teams/{world['beta']}/members",
                f"/manage/teams/{world['beta']}/assign",
                f"/manage/teams/{world['beta']}/export/people.csv",
                f"/manage/teams/{world['beta']}/export/matrix.csv",
                f"/manage/people/{world['bea']}", f"/manage/people/{world['bea']}/export/timeline.csv",
                f"/manage/people/{world['loner']}", f"/manage/people/{world['bo']}",
                f"/manage/assignments/{item}"):
        assert ana.get(url).status_code == 404, url
    for url in (f"/manage/teams/{world['beta']}/members",
                f"/manage/teams/{world['beta']}/members/{world['bea']}/remove",
                f"/manage/teams/{world['beta']}/invitations", f"/manage/assignments/{item}/cancel"):
        assert ana.post(url, data={"email": "amy@example.com"}).status_code == 404, url
    page = ana.get("/manage").get_data(as_text=True)
    assert "Alpha" in page and "Beta" not in page
    alpha = ana.get(f"/manage/teams/{world['alpha']}").get_data(as_text=True)
    assert "Amy" in alpha and "Bea" not in alpha
    csv_text = ana.get(f"/manage/teams/{world['alpha']}/export/people.csv").get_data(as_text=True)
    assert "amy@example.com" in csv_text and "bea@example.com" not in csv_text
    with app.app_context():
        assert db.session.scalar(select(Assignment.cancelled_at).where(Assignment.id == item)) is None
        assert db.session.scalar(select(TeamMembership).where(
            TeamMembership.user_id == world["bea"])) is not None


def test_an_admin_sees_every_team_and_person(app, world):
    admin = client_for(app, world["admin"])
    page = admin.get("/manage").get_data(as_text=True)
    assert "Alpha" in page and "Beta" in page
    assert admin.get(f"/manage/people/{world['bea']}").status_code == 200
    assert admin.get(f"/manage/people/{world['loner']}").status_code == 200
    assert admin.get(f"/manage/teams/{world['beta']}/export/matrix.csv").status_code == 200


def test_learners_cannot_open_the_cockpit(app, world):
    amy = client_for(app, world["amy"])
    assert amy.get("/manage").status_code == 403
    assert amy.get(f"/manage/people/{world['amy']}").status_code == 403


def test_a_person_who_leaves_the_team_leaves_the_managers_sight(app, world):
    ana = client_for(app, world["ana"])
    assert ana.get(f"/manage/people/{world['al']}").status_code == 200
    response = ana.post(f"/manage/teams/{world['alpha']}/members/{world['al']}/remove")
    assert response.status_code == 302
    assert ana.get(f"/manage/people/{world['al']}").status_code == 404


def test_managers_add_people_by_email_and_only_admins_name_managers(app, world):
    ana = client_for(app, world["ana"])
    ana.post(f"/manage/teams/{world['alpha']}/members", data={"email": " LONER@example.com "})
    assert ana.get(f"/manage/people/{world['loner']}").status_code == 200
    page = ana.post(f"/manage/teams/{world['alpha']}/members", data={"email": "nobody@x.com"},
                    follow_redirects=True).get_data(as_text=True)
    assert "There is no account for nobody@x.com" in page
    assert ana.post(f"/manage/teams/{world['alpha']}/managers",
                    data={"email": "bo@example.com"}).status_code == 403
    assert ana.post(f"/manage/teams/{world['alpha']}/members/{world['ana']}/remove",
                    follow_redirects=True).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(TeamMembership.is_manager).where(
            TeamMembership.user_id == world["ana"], TeamMembership.team_id == world["alpha"]))
    admin = client_for(app, world["admin"])
    admin.post(f"/manage/teams/{world['alpha']}/managers", data={"email": "bo@example.com"})
    bo = client_for(app, world["bo"])
    assert bo.get(f"/manage/teams/{world['alpha']}").status_code == 200
    page = admin.post(f"/manage/teams/{world['alpha']}/managers", data={"email": "amy@example.com"},
                      follow_redirects=True).get_data(as_text=True)
    assert "only managers and admins manage teams" in page


def test_admins_create_teams_with_unique_names(app, world):
    admin = client_for(app, world["admin"])
    response = admin.post("/manage/teams", data={"name": "Gamma"})
    assert response.status_code == 302 and "/members" in response.location
    page = admin.post("/manage/teams", data={"name": "Gamma"},
                      follow_redirects=True).get_data(as_text=True)
    assert "There is already a team called" in page


# ---- assignments and their dates -----------------------------------------------------------

def test_a_due_date_reads_as_days_to_go_today_and_days_overdue(app, world):
    set_work(app, world, f"module:{world['modules']['first-steps']}", date(2026, 3, 11),
             person="amy")
    (due,) = dues_for(app, world["amy"])
    assert (due.state(date(2026, 3, 1)), due.when_text(date(2026, 3, 1))) == (UPCOMING, "due in 10 days")
    assert due.when_text(date(2026, 3, 10)) == "due in 1 day"
    assert (due.state(date(2026, 3, 11)), due.when_text(date(2026, 3, 11))) == (DUE_TODAY, "due today")
    assert (due.state(date(2026, 3, 12)), due.when_text(date(2026, 3, 12))) == (OVERDUE, "overdue by 1 day")
    assert due.when_text(date(2026, 3, 20)) == "overdue by 9 days"


def test_behind_means_more_than_a_step_short_of_the_pace(app, world):
    set_work(app, world, "level:1", date(2026, 3, 21), person="amy")  # two modules, no exam
    (due,) = dues_for(app, world["amy"])
    assert not due.is_behind(date(2026, 3, 6))  # a quarter of the time gone: half a step due
    assert due.is_behind(date(2026, 3, 16))  # three quarters gone, nothing done
    complete(app, world["amy"], world["modules"]["first-steps"], datetime(2026, 3, 5))
    (due,) = dues_for(app, world["amy"])
    assert not due.is_behind(date(2026, 3, 16)) and not due.is_behind(date(2026, 3, 21))
    assert person_status([due], date(2026, 3, 22)) == OVERDUE
    assert person_status([due], date(2026, 3, 2)) == ON_TRACK
    assert person_status([], date(2026, 3, 2)) == NOTHING_ASSIGNED
    set_work(app, world, f"module:{world['modules']['health']}", date(2026, 3, 21), person="al")
    (single,) = dues_for(app, world["al"])
    assert not single.is_behind(date(2026, 3, 21))  # one step: due or overdue, never behind
    set_work(app, world, "level:1", date(2026, 3, 21), person="al")
    assert person_status(dues_for(app, world["al"]), date(2026, 3, 16)) == BEHIND


def test_finishing_the_work_completes_the_assignment_by_itself(app, world):
    set_work(app, world, f"module:{world['modules']['first-steps']}", date(2026, 3, 11),
             person="amy")
    amy = client_for(app, world["amy"])
    assert amy.post("/levels/1/first-steps/read").status_code == 302
    (due,) = dues_for(app, world["amy"])
    assert due.is_complete and due.state(date(2026, 12, 1)) == COMPLETE
    assert "completed" in due.when_text(date(2026, 12, 1))


def test_a_late_finish_says_how_late(app, world):
    set_work(app, world, f"module:{world['modules']['first-steps']}", date(2026, 3, 11),
             person="amy")
    complete(app, world["amy"], world["modules"]["first-steps"], datetime(2026, 3, 14, 10))
    (due,) = dues_for(app, world["amy"])
    assert due.when_text(date(2026, 4, 1)) == "completed 14 Mar 2026, 3 days late"


def test_a_level_assignment_needs_the_level_exam_too(app, world):
    set_work(app, world, "level:2", date(2026, 4, 1), person="amy")
    complete(app, world["amy"], world["modules"]["health"], datetime(2026, 3, 5))
    (due,) = dues_for(app, world["amy"])
    assert (due.done, due.steps, due.is_complete) == (1, 2, False)  # the quiz makes an exam


def test_a_team_assignment_covers_people_who_join_later(app, world):
    set_work(app, world, "level:1", date(2026, 4, 1))
    with app.app_context():
        add_member(team_of(world["alpha"]), "loner@example.com", now=datetime(2026, 3, 20))
        db.session.commit()
    (due,) = dues_for(app, world["loner"])
    assert due.title.startswith("Level 1") and due.started_on == date(2026, 3, 20)
    assert dues_for(app, world["bea"]) == []  # Beta is not covered
    page = client_for(app, world["loner"]).get("/").get_data(as_text=True)
    assert "Your assignments" in page and "Level 1" in page


def test_the_dashboard_lists_assignments_by_due_date_first(app, world):
    set_work(app, world, "path", date(2026, 12, 1), person="amy", now=datetime(2026, 11, 1))
    set_work(app, world, "level:1", date(2026, 11, 10), now=datetime(2026, 11, 1))
    page = client_for(app, world["amy"]).get("/").get_data(as_text=True)
    assert page.index("Your assignments") < page.index("Your path")
    assert page.index("Level 1 —") < page.index("The full path")


def test_assigning_refuses_bad_input_and_keeps_what_was_typed(app, world):
    ana = client_for(app, world["ana"])
    url = f"/manage/teams/{world['alpha']}/assign"
    for form, message in (
            ({"target": "path", "due_on": "2020-01-01"}, "already passed"),
            ({"target": "path", "due_on": "next week"}, "as a date"),
            ({"target": "level:99", "due_on": "2099-01-01"}, "no such level"),
            ({"target": "module:99999", "due_on": "2099-01-01"}, "not published"),
            ({"target": "<script>", "due_on": "2099-01-01"}, "Choose what to assign"),
            ({"target": "path", "due_on": "2027-01-01", "who": str(world["bea"])},
             "not a learner in this team"),
            ({"target": "path", "due_on": "2027-01-01", "note": "x" * 1001}, "under 1000")):
        form.setdefault("note", "Keep this note")
        response = ana.post(url, data=form)
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and message in page, form
        assert form["note"][:50] in page
    with app.app_context():
        assert db.session.scalar(select(Assignment.id)) is None


def test_managers_move_due_dates_cancel_and_see_the_history(app, world):
    item = set_work(app, world, "level:1", date(2026, 3, 11))
    with app.app_context():
        assignment = db.session.get(Assignment, item)
        ana = user(world["ana"])
        with pytest.raises(AssignmentError):
            change(ana, assignment, "2026-03-02", "", now=datetime(2026, 3, 5), today=date(2026, 3, 5))
        # An overdue date may stay while the note changes.
        assert change(ana, assignment, "2026-03-11", "New note", now=datetime(2026, 3, 12),
                      today=date(2026, 3, 12))
        assert change(ana, assignment, "2026-03-20", "New note", now=datetime(2026, 3, 12),
                      today=date(2026, 3, 12))
        cancel(ana, assignment, now=datetime(2026, 3, 13))
        db.session.commit()
        events = db.session.scalars(select(AssignmentEvent.what).where(
            AssignmentEvent.assignment_id == item).order_by(AssignmentEvent.id)).all()
        assert events == ["assigned", "note changed", "due date moved", "cancelled"]
    assert dues_for(app, world["amy"]) == []
    page = client_for(app, world["ana"]).get(f"/manage/assignments/{item}").get_data(as_text=True)
    assert "from 2026-03-11 to 2026-03-20" in page and "Cancelled on" in page


def test_the_assignment_form_works_end_to_end(app, world):
    ana = client_for(app, world["ana"])
    due = (date.today() + timedelta(days=14)).isoformat()
    response = ana.post(f"/manage/teams/{world['alpha']}/assign",
                        data={"target": "level:1", "who": "team", "due_on": due, "note": "Go"})
    assert response.status_code == 302
    page = ana.get(response.location).get_data(as_text=True)
    assert "Amy" in page and "Al" in page and f"due {due}" in page
    assert ana.post(response.location, data={"due_on": "2000-01-01", "note": "Go"}).status_code == 422


# ---- invitations ---------------------------------------------------------------------------

def make_link(app, world, days=14, now=None):
    with app.app_context():
        invitation, token = create_invitation(team_of(world["alpha"]), user(world["ana"]),
                                              days=days, now=now)
        db.session.commit()
        return invitation.id, token


def register_form(email="newcomer@example.com"):
    return {"name": "New Comer", "email": email, "password": "a long enough passphrase",
            "confirm": "a long enough passphrase"}


def test_an_invitation_signs_a_new_person_up_straight_into_the_team(app, world):
    app.config["LMS_OPEN_REGISTRATION"] = False  # the link works even when sign-up is closed
    ana = client_for(app, world["ana"])
    ana.post(f"/manage/teams/{world['alpha']}/invitations", data={"days": "7"})
    page = ana.get(f"/manage/teams/{world['alpha']}/members").get_data(as_text=True)
    link = re.search(r'value="(https?://[^"]+/join/[^"]+)"', page).group(1)
    assert "/join/" not in ana.get(f"/manage/teams/{world['alpha']}/members").get_data(as_text=True)
    path = link.split("localhost", 1)[-1]
    newcomer = app.test_client()
    assert "Join Alpha" in newcomer.get(path).get_data(as_text=True)
    assert newcomer.post(path, data=register_form()).status_code == 302
    assert newcomer.get("/").status_code == 200  # signed in
    with app.app_context():
        joined = db.session.scalar(select(User).where(User.email == "newcomer@example.com"))
        assert db.session.scalar(select(TeamMembership.team_id).where(
            TeamMembership.user_id == joined.id)) == world["alpha"]
    assert ana.get(f"/manage/people/{joined.id}").status_code == 200
    # Used: a second person gets a clear message and no account.
    other = app.test_client()
    response = other.post(path, data=register_form("second@example.com"))
    assert response.status_code == 410 and "already been used" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "second@example.com")) is None


def test_expired_withdrawn_and_forged_links_say_so(app, world):
    _, old = make_link(app, world, days=1, now=datetime(2026, 1, 1))
    response = app.test_client().get(f"/join/{old}")
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)
    invitation_id, token = make_link(app, world)
    client_for(app, world["ana"]).post(
        f"/manage/teams/{world['alpha']}/invitations/{invitation_id}/withdraw")
    response = app.test_client().get(f"/join/{token}")
    assert response.status_code == 410 and "withdrawn" in response.get_data(as_text=True)
    for forged in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x" * 500, "nope"):
        response = app.test_client().get(f"/join/{forged}")
        assert response.status_code == 404 and "not valid" in response.get_data(as_text=True)
    with app.app_context():  # only a hash of the secret is stored
        assert token not in {row.token_hash for row in db.session.scalars(select(TeamInvitation))}


def test_a_signed_in_person_joins_with_one_click_and_a_link_is_used_once(app, world):
    _, token = make_link(app, world)
    loner = client_for(app, world["loner"])
    assert "Join the team" in loner.get(f"/join/{token}").get_data(as_text=True)
    assert loner.post(f"/join/{token}").status_code == 302
    with app.app_context():
        invitation = find_invitation(token)
        assert invitation.used_by_id == world["loner"]
        with pytest.raises(TeamError, match="already been used"):
            accept_invitation(invitation, user(world["bill"]))


def test_two_people_racing_for_one_link_get_one_seat(app, world):
    _, token = make_link(app, world)
    with app.app_context():
        stale = find_invitation(token)
        db.session.expunge(stale)  # a copy read before the other process used the link
        accept_invitation(find_invitation(token), user(world["loner"]))
        db.session.commit()
        second = stale
        with pytest.raises(TeamError):
            accept_invitation(second, user(world["bill"]))
        db.session.rollback()
        assert db.session.scalar(select(TeamMembership).where(
            TeamMembership.user_id == world["bill"],
            TeamMembership.team_id == world["alpha"])) is None


# ---- the cockpit and its exports -----------------------------------------------------------

class TableReader(HTMLParser):
    """Collect the text of every cell of the <table id=...> on a page."""
    def __init__(self, table_id):
        super().__init__()
        self.table_id, self.inside, self.rows, self.cell = table_id, False, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = []
        elif self.inside and tag == "abbr" and self.cell is not None:
            self.cell.append("")  # the column's full title follows in the CSV heading

    def handle_endtag(self, tag):
        if tag == "table" and self.inside:
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def page_table(html, name):
    reader = TableReader(f"table-{name}")
    reader.feed(html)
    return reader.rows


@pytest.fixture
def frozen(monkeypatch):
    """Freeze the site's clock at a moment: returns a function that moves it."""
    def freeze(moment):
        monkeypatch.setattr("lms.clock.source", lambda: moment.replace(tzinfo=timezone.utc))
    return freeze


@pytest.fixture
def busy_team(app, world, frozen):
    """Alpha on 12 March 2026: level 1 due on the 11th, Al done in time, Amy overdue."""
    frozen(datetime(2026, 3, 12, 9))
    set_work(app, world, "level:1", date(2026, 3, 11))
    set_work(app, world, "path", date(2026, 9, 1), person="al")
    complete(app, world["amy"], world["modules"]["first-steps"], datetime(2026, 3, 5))
    complete(app, world["al"], world["modules"]["first-steps"], datetime(2026, 3, 2))
    complete(app, world["al"], world["modules"]["second-steps"], datetime(2026, 3, 9))
    with app.app_context():
        evil = user(world["amy"])
        evil.name = "=HYPERLINK(\"http://evil\")"
        db.session.commit()
    return world


@pytest.mark.parametrize("view", ["", "?view=modules&level=1", "?view=modules"])
def test_every_cockpit_csv_says_what_the_page_says(app, busy_team, view):
    ana = client_for(app, busy_team["ana"])
    html = ana.get(f"/manage/teams/{busy_team['alpha']}{view}").get_data(as_text=True)
    for name in ("people", "matrix", "assignments", "skills", "quizzes", "completions"):
        response = ana.get(f"/manage/teams/{busy_team['alpha']}/export/{name}.csv{view}")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        shown = page_table(html, name)
        if not shown:  # an empty table shows its message and exports its headings only
            assert len(rows) == 1, name
            continue
        assert len(rows) == len(shown), name
        for got, seen in zip(rows[1:], shown[1:]):
            assert [cell.lstrip("'") if cell.startswith("'=") else cell for cell in got] == seen
        for heading, label in zip(rows[0], shown[0]):
            assert heading.startswith(label)


def test_the_cockpit_shows_states_in_words_as_well_as_colour(app, busy_team):
    html = client_for(app, busy_team["ana"]).get(
        f"/manage/teams/{busy_team['alpha']}?view=modules&level=1").get_data(as_text=True)
    matrix = dict((row[0], row[1:]) for row in page_table(html, "matrix")[1:])
    assert matrix["Al"] == ["Complete", "Complete"]
    assert matrix['=HYPERLINK("http://evil")'] == ["Complete", "Overdue"]
    assert 'class="cell-overdue"' in html
    people = {row[0]: row for row in page_table(html, "people")[1:]}
    assert people["Al"][2] == "On track"
    assert people['=HYPERLINK("http://evil")'][2] == "Overdue"


def test_a_csv_cell_cannot_run_as_a_formula():
    assert defuse("=1+1") == "'=1+1" and defuse("+44 20") == "'+44 20" and defuse("Amy") == "Amy"
    table = Table("t", "T", [])
    assert table.csv() == "\r\n"


def test_unknown_exports_are_not_found(app, world):
    ana = client_for(app, world["ana"])
    assert ana.get(f"/manage/teams/{world['alpha']}/export/secrets.csv").status_code == 404
    assert ana.get(f"/manage/people/{world['amy']}/export/secrets.csv").status_code == 404


def test_the_person_page_shows_their_record_and_exports_it(app, busy_team):
    ana = client_for(app, busy_team["ana"])
    html = ana.get(f"/manage/people/{busy_team['al']}").get_data(as_text=True)
    assert "Timeline" in html and "Completed Level 1 · Second steps" in html
    for name in ("assignments", "levels", "modules", "timeline"):
        rows = list(csv.reader(io.StringIO(ana.get(
            f"/manage/people/{busy_team['al']}/export/{name}.csv").get_data(as_text=True))))
        assert rows[1:] == page_table(html, name)[1:], name


def test_the_weak_spots_and_chart_read_from_the_teams_attempts(app, world):
    from lms.quiz.models import QuizAttempt
    with app.app_context():
        module = db.session.get(Module, world["modules"]["health"])
        for person, passed in (("amy", False), ("amy", True), ("al", False)):
            db.session.add(QuizAttempt(
                user_id=world[person], module_id=module.id,
                module_version_id=module.current_version_id, started_at=SET_ON,
                submitted_at=SET_ON, paper=[], answers=[], pass_mark=70, question_count=2,
                correct_count=2 if passed else 0, score=100 if passed else 0, passed=passed))
        db.session.commit()
    html = client_for(app, world["ana"]).get(f"/manage/teams/{world['alpha']}").get_data(
        as_text=True)
    (heading, row) = page_table(html, "quizzes")
    assert row == ["Health scores", "3", "2", "67%", "2", "33%"]
    assert "<svg" in html and "Modules completed each week" in html


# ---- reminders -----------------------------------------------------------------------------

def remind(app, today):
    with app.app_context(), app.test_request_context("/"):
        now = datetime.combine(today, datetime.min.time()) + timedelta(hours=6)
        counts = send_digests(today, now, "https://academy.example")
        db.session.commit()
        return counts


def test_reminders_go_once_a_day_to_learners_and_managers(app, world):
    set_work(app, world, "level:1", date(2026, 3, 10))  # Alpha: amy and al
    set_work(app, world, "path", date(2026, 6, 1), team="beta", manager="bo")  # far off
    assert remind(app, date(2026, 3, 5)) == (2, 0)  # due in 5 days; nothing overdue yet
    assert remind(app, date(2026, 3, 5)) == (0, 0)  # twice the same day: nothing new
    assert remind(app, date(2026, 3, 12)) == (2, 1)  # overdue: ana hears about Alpha
    with app.app_context():
        messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [m.to_address for m in messages] == [
            "amy@example.com", "al@example.com", "amy@example.com", "al@example.com",
            "ana@example.com"]
        assert "Level 1 — Foundations: overdue by 2 days" in messages[2].body
        assert "Amy: Level 1" in messages[4].body and "Bea" not in messages[4].body
        assert all(m.sent_at is None for m in messages)  # no mail server: kept in the outbox
        # The dashboard shows today's digest only.
        notices = db.session.scalars(select(Notice).where(
            Notice.user_id == world["amy"], Notice.dismissed_at.is_(None))).all()
        assert [n.text for n in notices] == ["Your assignments: 1 overdue, 0 due soon."]
    page = client_for(app, world["ana"]).get("/").get_data(as_text=True)
    assert "Team digest: 2 overdue items in your teams." in page
    outbox = client_for(app, world["admin"]).get("/admin/outbox").get_data(as_text=True)
    assert "kept in the outbox" in outbox and "ana@example.com" in outbox


def test_finished_or_cancelled_work_sends_nothing(app, world):
    item = set_work(app, world, f"module:{world['modules']['first-steps']}", date(2026, 3, 10),
                    person="amy")
    complete(app, world["amy"], world["modules"]["first-steps"], datetime(2026, 3, 4))
    set_work(app, world, "level:2", date(2026, 3, 10), person="al")
    with app.app_context():
        cancel(user(world["ana"]), db.session.get(Assignment, item + 1))
        db.session.commit()
    assert remind(app, date(2026, 3, 12)) == (0, 0)


class FakeSMTP:
    sent, fail = [], False

    def __init__(self, host, port, timeout):
        self.host = host

    def send_message(self, message):
        if FakeSMTP.fail:
            raise OSError("mailbox full")
        FakeSMTP.sent.append(message)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_with_a_mail_server_the_digests_are_emailed(app, world, monkeypatch):
    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    FakeSMTP.sent, FakeSMTP.fail = [], True
    set_work(app, world, "level:1", date(2026, 3, 10))
    remind(app, date(2026, 3, 12))
    config = {"MAIL_SERVER": "smtp.example", "MAIL_PORT": 25, "MAIL_FROM": "academy@example"}
    now = datetime(2026, 3, 12, 7)
    with app.app_context():
        assert deliver(unsent(now), config, now) == 0
        assert all(m.error == "mailbox full" for m in unsent(now))
        FakeSMTP.fail = False
        assert deliver(unsent(now), config, now) == 3  # tried again, and sent
        assert unsent(now) == []
        assert deliver(db.session.scalars(select(OutboxMessage)).all(), config, now) == 0
    assert [m["To"] for m in FakeSMTP.sent] == ["amy@example.com", "al@example.com",
                                                "ana@example.com"]


def test_lms_remind_runs_from_the_command_line_twice_safely(app, world, runner):
    set_work(app, world, "level:1", date.today() - timedelta(days=1),
             now=datetime.utcnow() - timedelta(days=5))
    first = runner.invoke(args=["remind"])
    assert first.exit_code == 0 and "Queued 2 learner digest(s) and 1 manager digest(s)" in first.output
    second = runner.invoke(args=["remind"])
    assert "Queued 0 learner digest(s) and 0 manager digest(s)" in second.output


# ---- scale ---------------------------------------------------------------------------------

def grow_team(app, world, extra):
    """Add `extra` learners to Alpha, each with progress in every module and a quiz attempt."""
    from lms.quiz.models import QuizAttempt
    with app.app_context():
        modules = db.session.scalars(select(Module)).all()
        people = [User(email=f"grown{n}-{extra}@example.com", name=f"Grown {n}", role="learner",
                       password_hash="x", created_at=SET_ON) for n in range(extra)]
        db.session.add_all(people)
        db.session.flush()
        for person in people:
            db.session.add(TeamMembership(team_id=world["alpha"], user_id=person.id,
                                          joined_at=SET_ON))
            for module in modules:
                db.session.add(ModuleProgress(user_id=person.id, module_id=module.id,
                                              started_at=SET_ON, last_visited_at=SET_ON,
                                              completed_at=SET_ON))
                db.session.add(QuizAttempt(user_id=person.id, module_id=module.id,
                                           module_version_id=module.current_version_id,
                                           started_at=SET_ON, submitted_at=SET_ON, paper=[],
                                           answers=[], pass_mark=70, question_count=2,
                                           correct_count=1, score=50, passed=False))
        db.session.commit()


@pytest.mark.parametrize("view", ["", "?view=modules"])
def test_the_cockpit_makes_the_same_queries_for_a_big_team(app, world, count_queries, view):
    set_work(app, world, "level:1", date(2026, 3, 11))
    set_work(app, world, "path", date(2026, 9, 1), person="al")
    ana = client_for(app, world["ana"])
    url = f"/manage/teams/{world['alpha']}{view}"

    def queries():
        ana.get(url)
        with count_queries() as counter:
            assert ana.get(url).status_code == 200
        return counter.count

    small = queries()
    grow_team(app, world, 60)
    assert queries() == small
    assert small <= 20


def test_the_person_page_makes_the_same_queries_however_busy(app, world, count_queries):
    ana = client_for(app, world["ana"])
    url = f"/manage/people/{world['amy']}"
    ana.get(url)
    with count_queries() as counter:
        ana.get(url)
    small = counter.count
    set_work(app, world, "level:1", date(2026, 3, 11))
    complete(app, world["amy"], world["modules"]["first-steps"], datetime(2026, 3, 5))
    complete(app, world["amy"], world["modules"]["health"], datetime(2026, 3, 6))
    with count_queries() as counter:
        assert ana.get(url).status_code == 200
    assert counter.count == small


# ---- the demo ------------------------------------------------------------------------------

def test_the_demo_team_has_people_at_every_stage(app, runner):
    assert runner.invoke(args=["init", "--demo"]).exit_code == 0
    assert runner.invoke(args=["init", "--demo"]).exit_code == 0  # idempotent
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.email == "manager@example.com"))
        team_id = db.session.scalar(select(TeamMembership.team_id).where(
            TeamMembership.user_id == manager.id))
        learners = db.session.scalars(select(TeamMembership.user_id).where(
            TeamMembership.team_id == team_id, TeamMembership.is_manager.is_(False))).all()
        assert len(learners) == 13
        dues = dues_of(standings_of(learners, lock_levels=False), covering(learners))
        today = date.today()
        states = {due.state(today) for items in dues.values() for due in items}
        assert {OVERDUE, COMPLETE} <= states
    client = client_for(app, manager.id)
    page = client.get(f"/manage/teams/{team_id}").get_data(as_text=True)
    assert "Overdue" in page and "Amara Okafor" in page


# ---- from the fresh-eyes review: boundaries between teams and crafted input ---------------

def test_a_manager_cannot_pull_someone_elses_person_into_view(app, world):
    ana = client_for(app, world["ana"])
    for email, message in (("bea@example.com", "already in another team"),
                           ("bo@example.com", "only an admin can add them"),
                           ("admin@example.com", "only an admin can add them")):
        page = ana.post(f"/manage/teams/{world['alpha']}/members", data={"email": email},
                        follow_redirects=True).get_data(as_text=True)
        assert message in page, email
    assert ana.get(f"/manage/people/{world['bea']}").status_code == 404
    admin = client_for(app, world["admin"])
    admin.post(f"/manage/teams/{world['alpha']}/members", data={"email": "bea@example.com"})
    assert ana.get(f"/manage/people/{world['bea']}").status_code == 200


def test_each_team_sees_and_chases_only_its_own_assignments(app, world):
    with app.app_context():  # Bea is in both teams
        add_member(team_of(world["alpha"]), "bea@example.com", now=SET_ON)
        db.session.commit()
    beta_work = set_work(app, world, "path", date(2026, 3, 5), team="beta", manager="bo",
                         person="bea")
    set_work(app, world, "level:1", date(2026, 3, 5))
    ana = client_for(app, world["ana"])
    assert ana.get(f"/manage/assignments/{beta_work}").status_code == 404
    assert ana.post(f"/manage/assignments/{beta_work}/cancel").status_code == 404
    html = ana.get(f"/manage/teams/{world['alpha']}").get_data(as_text=True)
    titles = [row[0] for row in page_table(html, "assignments")[1:]]
    assert titles == ["Level 1 — Foundations"]
    person = ana.get(f"/manage/people/{world['bea']}").get_data(as_text=True)
    assert "The full path" not in person and "Beta" not in person
    with app.app_context(), app.test_request_context("/"):
        send_digests(date(2026, 3, 12), datetime(2026, 3, 12, 6), "https://a.example")
        db.session.commit()
        bodies = {m.to_address: m.body for m in db.session.scalars(select(OutboxMessage))}
    assert "The full path" not in bodies["ana@example.com"]
    assert "The full path" in bodies["bo@example.com"] and "Level 1" not in bodies["bo@example.com"]
    assert "The full path" in bodies["bea@example.com"] and "Level 1" in bodies["bea@example.com"]


def test_leaving_a_team_cancels_what_was_assigned_there_personally(app, world):
    item = set_work(app, world, "path", date(2026, 6, 1), person="amy")
    client_for(app, world["ana"]).post(
        f"/manage/teams/{world['alpha']}/members/{world['amy']}/remove")
    assert dues_for(app, world["amy"]) == []
    with app.app_context():
        assert db.session.get(Assignment, item).cancelled_at is not None
        assert db.session.scalars(select(AssignmentEvent.detail).where(
            AssignmentEvent.assignment_id == item, AssignmentEvent.what == "cancelled")).one() \
            == "left the team"


def test_a_late_joiner_gets_the_same_time_from_the_day_they_join(app, world):
    set_work(app, world, "level:1", date(2026, 3, 11))  # ten days from 1 March
    with app.app_context():
        add_member(team_of(world["alpha"]), "loner@example.com", now=datetime(2026, 5, 4, 12))
        db.session.commit()
    (due,) = dues_for(app, world["loner"])
    assert due.due_on == date(2026, 5, 14) and due.state(date(2026, 5, 4)) == UPCOMING
    (early,) = dues_for(app, world["amy"])
    assert early.due_on == date(2026, 3, 11)


@pytest.mark.parametrize("field, value", [("who", "²"), ("who", "9" * 400), ("target", "level:²"),
                                          ("target", "module:" + "9" * 40)])
def test_crafted_numbers_get_a_message_not_an_error(app, world, field, value):
    form = {"target": "path", "who": "team", "due_on": "2099-01-01", field: value}
    response = client_for(app, world["ana"]).post(f"/manage/teams/{world['alpha']}/assign",
                                                  data=form)
    assert response.status_code == 422


def test_crafted_invitation_lengths_and_huge_ids(app, world):
    ana = client_for(app, world["ana"])
    for days in ("²", "0", "99999999999999999999", "-3"):
        page = ana.post(f"/manage/teams/{world['alpha']}/invitations", data={"days": days},
                        follow_redirects=True).get_data(as_text=True)
        assert "between 1 and 60 days" in page
    assert ana.get(f"/manage/teams/{world['alpha']}?view=modules&level=²").status_code == 200
    for url in ("/manage/teams/99999999999999999999", "/manage/people/9223372036854775808",
                "/manage/assignments/99999999999", "/reviews/99999999999999"):
        assert ana.get(url).status_code == 404, url


def test_yesterdays_digest_notice_goes_when_nothing_is_due(app, world):
    item = set_work(app, world, "level:1", date(2026, 3, 10))
    remind(app, date(2026, 3, 12))
    with app.app_context():
        cancel(user(world["ana"]), db.session.get(Assignment, item))
        db.session.commit()
    remind(app, date(2026, 3, 13))
    with app.app_context():
        assert db.session.scalars(select(Notice).where(Notice.dismissed_at.is_(None))).all() == []


def test_a_link_is_not_used_up_by_someone_already_in_the_team(app, world):
    _, token = make_link(app, world)
    amy = client_for(app, world["amy"])
    response = amy.post(f"/join/{token}")
    assert response.status_code == 410 and "already in this team" in response.get_data(as_text=True)
    with app.app_context():
        assert find_invitation(token).used_at is None


def test_work_in_a_level_not_yet_open_says_so(app, world):
    set_work(app, world, f"module:{world['modules']['health']}", date(2026, 6, 1), person="amy")
    page = client_for(app, world["amy"]).get("/").get_data(as_text=True)
    assert "opens after level 1" in page


def test_lms_remind_reads_the_sites_clock(app, world, runner, frozen):
    set_work(app, world, "level:1", date(2026, 3, 10))
    frozen(datetime(2026, 3, 12, 6))
    assert "Queued 2 learner digest(s) and 1 manager digest(s)" in runner.invoke(
        args=["remind"]).output
    with app.app_context():
        keys = db.session.scalars(select(OutboxMessage.key)).all()
    assert all(key.endswith(":2026-03-12") for key in keys)


def test_the_team_list_makes_the_same_queries_for_many_teams(app, world, count_queries):
    admin = client_for(app, world["admin"])
    admin.get("/manage")
    with count_queries() as counter:
        admin.get("/manage")
    few = counter.count
    with app.app_context():
        for n in range(10):
            create_team(f"Team {n}")
        db.session.commit()
    with count_queries() as counter:
        admin.get("/manage")
    assert counter.count == few
