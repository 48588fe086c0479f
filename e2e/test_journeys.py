"""The four journeys of issue 14, each against its own server and database."""
import re
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import expect

from .conftest import ROOT, answer_key, answer_questions

LEVEL1 = ROOT / "curriculum" / "level1"
FIRST = "what-customer-success-is"
FIRST_FOLDER = LEVEL1 / "01-what-customer-success-is"


def strongest_path(folder):
    """The choice numbers of the best route through a module's role-play."""
    from lms.curriculum.roleplayfile import read_roleplay
    script, problems = read_roleplay((folder / "roleplay.md").read_text(encoding="utf-8"),
                                     str(folder / "roleplay.md"))
    assert not problems, problems
    return [choice for _, choice in script["best"]["path"]]


def fill_account(page, name, email, password):
    """The new-account form, as on the registration and invitation pages."""
    page.fill("#name", name)
    page.fill("#email", email)
    page.fill("#password", password)
    page.fill("#confirm", password)


def reflection_text(words):
    sentence = ("Next month I will agree one outcome measure with Dana and Marcus, track it in "
                "Kestrel's own onboarding records, and book the review before they ask. ")
    text = ""
    while len(text.split()) < words:
        text += sentence
    return text


def test_a_new_learner_reads_fails_passes_plays_and_reflects(visit):
    me = visit("new-learner")
    page = me.go("/register")
    me.check("01-register")
    fill_account(page, "Ava Stone", "ava.stone@kestrel.example.com", "depot tablets rock")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Ava Stone")
    me.check("02-first-dashboard")

    page.click(f"a[href='/levels/1/{FIRST}']")
    expect(page.locator("h1")).to_contain_text("What customer success is")
    me.check("03-lesson")
    page.click("button:has-text('Mark as read')")
    expect(page).to_have_url(re.compile(f"/levels/1/{FIRST}/quiz"))
    me.check()

    key = answer_key(FIRST_FOLDER / "quiz.md")
    answer_questions(page, key, right=False)
    page.click("button:has-text('Submit my answers')")
    expect(page.locator(".result-header")).to_contain_text("Not yet")
    me.check("04-quiz-failed")

    page.click("a:has-text('Try again')")
    answer_questions(page, key, right=True)
    page.click("button:has-text('Submit my answers')")
    expect(page.locator(".result-header")).to_contain_text("Passed")
    me.check("05-quiz-passed")

    page.goto(f"/levels/1/{FIRST}/roleplay")
    me.check()
    page.click("button:has-text('Start the conversation')")
    me.check("06-roleplay-scene")
    for choice in strongest_path(FIRST_FOLDER):
        page.locator("button.choice-button").nth(choice).click()
    expect(page.locator(".debrief")).to_be_visible()
    me.check("07-roleplay-debrief")

    page.fill("#body", reflection_text(90))
    page.click("button[value=submit]")
    expect(page.locator(".flash")).to_contain_text("Reflection submitted")
    me.check("08-reflection-submitted")
    page.goto("/")
    expect(page.locator(".level-card").first).to_contain_text("1 of 12 modules complete")
    me.check()


def test_a_learner_sits_the_exam_and_the_certificate_verifies(visit):
    me = visit("candidate")
    me.sign_in("chloe.martin@example.com")
    page = me.go("/levels/1")
    me.check("10-level-complete")
    page.click("a:has-text('Go to the exam')")
    me.check("11-exam-overview")
    page.click("button:has-text('Start the exam')")
    expect(page.locator("fieldset.question")).to_have_count(30)
    me.check("12-exam-questions", full_page=False)
    # The exam draws from the level's exam bank and its modules' quizzes.
    key = answer_key(LEVEL1 / "exam.md")
    for quiz in sorted(LEVEL1.glob("*/quiz.md")):
        key.update(answer_key(quiz))
    answer_questions(page, key)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[value=submit]")
    expect(page.locator("main")).to_contain_text("Passed")
    me.check("13-exam-passed")

    page.goto("/certificates")
    me.check("14-certificates")
    # The PDF opens in the browser's viewer; fetch it with the same session to read it.
    response = page.request.get(page.locator("a:has-text('Download PDF')").get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000
    verify_url = page.locator("a:has-text('Verification page')").first.get_attribute("href")

    stranger = visit("stranger")
    verify = stranger.go(verify_url)
    expect(verify.locator(".verify-status")).to_contain_text("Valid")
    expect(verify.locator(".facts-list")).to_contain_text("Chloé Martin")
    stranger.check("15-verify-valid")


def test_a_manager_invites_assigns_reviews_and_exports(visit, server):
    boss = visit("manager")
    boss.sign_in("manager@example.com")
    page = boss.go("/manage")
    boss.check("20-cockpit")
    page.click("h2 a:has-text('Customer Success EMEA')")
    boss.check("21-team")
    team_url = page.url

    page.click("a:has-text('Members and invitations')")
    page.click("button:has-text('Create invitation link')")
    link = page.input_value("#invitation-link")
    boss.check()

    newcomer = visit("newcomer")
    joining = newcomer.go(link)
    newcomer.check("22-join")
    fill_account(joining, "Noor Haddad", "noor.haddad@example.com", "a long first passphrase")
    joining.click("button:has-text('Create account and join')")
    expect(joining.locator(".flash")).to_contain_text("Customer Success EMEA")

    page.goto(team_url)
    page.click("a:has-text('Assign work')")
    page.select_option("#target", label="Level 3: Career, process and problem-solving (the whole level)")
    page.select_option("#who", label="Noor Haddad (noor.haddad@example.com)")
    page.fill("#due_on", (date.today() + timedelta(days=60)).isoformat())
    page.fill("#note", "Level 3 before the spring business reviews.")
    boss.check("23-assign")
    page.click("button:has-text('Assign')")
    expect(page.locator(".flash")).to_contain_text("Assigned")
    expect(page.locator("main")).to_contain_text("Noor Haddad")
    boss.check()

    page.goto("/reviews")
    boss.check("24-review-queue")
    page.locator("main a.button:has-text('Review')").first.click()
    boss.check("25-review")
    for skill in page.query_selector_all("fieldset.rubric-skill"):
        skill.query_selector("input[value='3']").check()
    page.fill("#feedback", "Clear next step; name the owner at the customer for each action.")
    page.click("button:has-text('Save review')")
    expect(page.locator(".flash")).to_contain_text("Review saved")

    page.goto(team_url)
    with page.expect_download() as download:
        page.locator("a:has-text('Download CSV')").first.click()
    csv = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Amara Okafor" in csv and "Noor Haddad" in csv


def test_an_admin_edits_with_live_preview_publishes_and_revokes(visit):
    admin = visit("admin", width=1400)
    admin.sign_in("admin@example.com")
    page = admin.go("/admin/curriculum")
    admin.check("30-curriculum-tree")
    page.locator("#level-1 a:text('lesson.md')").first.click()
    text = page.input_value("#text")
    marker = "Try this today: write the outcome your customer bought Lumora for on a sticky note."
    page.fill("#text", text.replace("## The core ideas", marker + "\n\n## The core ideas", 1))
    page.type("#text", " ")
    expect(page.locator("#preview")).to_contain_text("sticky note", timeout=15_000)
    admin.check("31-live-preview", full_page=False)
    page.click("button[value=save]")
    page.click("button[value=publish]")
    expect(page.locator(".flash")).to_contain_text("Published")
    admin.check()

    reader = visit("reader")
    reader.sign_in("learner@example.com")
    lesson = reader.go(f"/levels/1/{FIRST}")
    expect(lesson.locator(".prose")).to_contain_text(marker)
    reader.check()

    page.goto("/admin/certificates")
    admin.check("32-certificates-admin")
    row = page.locator("tbody tr", has_text="Avery Quinn").first
    verify_url = row.locator("td a").first.get_attribute("href")
    row.locator("input[name=reason]").fill("Issued in error during the pilot.")
    row.locator("button:has-text('Revoke')").click()
    expect(page.locator(".flash")).to_contain_text("revoked", ignore_case=True)

    stranger = visit("stranger")
    verify = stranger.go(verify_url)
    expect(verify.locator(".verify-status")).to_contain_text("Revoked")
    stranger.check("33-verify-revoked")


def test_a_learner_switches_to_japanese_and_learns_in_it(visit):
    me = visit("japanese-learner")
    me.sign_in("learner@example.com")
    page = me.go("/")
    page.click("button[lang=ja]")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator(".site-nav")).to_contain_text("マイラーニング")
    me.check("40-ja-dashboard")

    page.goto(f"/levels/1/{FIRST}")
    expect(page.locator("h1")).to_contain_text("カスタマーサクセスとは何か")
    me.check("41-ja-lesson", full_page=False)

    page.goto(f"/levels/1/{FIRST}/quiz")
    answer_questions(page, answer_key(FIRST_FOLDER / "quiz.ja.md"))
    page.click("button:has-text('回答を提出')")
    expect(page.locator(".result-header")).to_contain_text("合格")
    me.check("42-ja-quiz-passed")

    page.goto(f"/levels/1/{FIRST}/roleplay")
    page.click("button:has-text('会話を始める')")
    expect(page.locator(".scene, main")).to_contain_text("Dana")
    me.check("43-ja-roleplay", full_page=False)
    for choice in strongest_path(FIRST_FOLDER):
        page.locator("button.choice-button").nth(choice).click()
    expect(page.locator(".debrief")).to_be_visible()
    me.check("44-ja-debrief")

    holder = visit("japanese-holder")
    holder.sign_in("certified@example.com")
    holder.go("/")
    holder.page.click("button[lang=ja]")
    mine = holder.go("/certificates")
    holder.check("45-ja-certificates")
    response = mine.request.get(mine.locator("a.button.primary").first.get_attribute("href"))
    pdf = response.body()
    assert pdf.startswith(b"%PDF") and b"NotoSerifCJK" in pdf.replace(b"-", b"").replace(b" ", b"")
