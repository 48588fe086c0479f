"""The quiz and the role-play with the keyboard alone: Tab, arrows, Space and Enter."""
from playwright.sync_api import expect

from .conftest import answer_key
from .test_journeys import FIRST, FIRST_FOLDER, strongest_path

FOCUSED = "document.activeElement"


def tab_until(page, test, limit=150):
    """Press Tab until `test` (JS, given the focused element) is true; fail if it never is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"el => ({test})(el)", page.evaluate_handle(FOCUSED)):
            return
    raise AssertionError(f"Tab never reached: {test}")


def focus_is_visible(page):
    """The focused element, or the label around it, draws an outline or a ring."""
    return page.evaluate("""() => {
        const el = document.activeElement;
        const looks = [el, el.closest('label')].filter(Boolean).map(getComputedStyle);
        return looks.some(s => (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                               || s.boxShadow !== 'none');
    }""")


def test_the_quiz_by_keyboard(shared_visit):
    me = shared_visit("keyboard-quiz")
    me.sign_in("learner@example.com")
    page = me.go(f"/levels/1/{FIRST}/quiz")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')"), \
        "the first Tab reaches 'Skip to content'"
    assert focus_is_visible(page)
    key = answer_key(FIRST_FOLDER / "quiz.md")
    fieldsets = page.locator("fieldset.question")
    for number in range(fieldsets.count()):
        fieldset = fieldsets.nth(number)
        title = " ".join(fieldset.locator(".question-title").inner_text().split())
        labels = [" ".join(t.split()) for t in fieldset.locator("label.option").all_inner_texts()]
        right = [i for i, text in enumerate(labels) if text in key[title]["right"]]
        kind = fieldset.locator("input").first.get_attribute("type")
        tab_until(page, f"el => el.name === 'q{number}'")
        assert focus_is_visible(page), f"question {number + 1}: focus is invisible"
        if kind == "radio":
            page.keyboard.press("Space")  # checks the first option
            for _ in range(right[0]):
                page.keyboard.press("ArrowDown")  # moves and checks
        else:
            for index in range(len(labels)):
                if index:
                    page.keyboard.press("Tab")
                if index in right:
                    page.keyboard.press("Space")
    tab_until(page, "el => el.textContent.includes('Submit my answers')")
    assert focus_is_visible(page)
    page.keyboard.press("Enter")
    expect(page.locator(".result-header")).to_contain_text("Passed")
    me.check()


def test_the_role_play_by_keyboard(shared_visit):
    me = shared_visit("keyboard-roleplay")
    me.sign_in("learner@example.com")
    page = me.go(f"/levels/1/{FIRST}/roleplay")
    tab_until(page, "el => el.textContent.includes('Start the conversation')")
    page.keyboard.press("Enter")
    for choice in strongest_path(FIRST_FOLDER):
        page.wait_for_selector("button.choice-button")
        tab_until(page, f"el => el.matches('button.choice-button') && "
                        f"[...document.querySelectorAll('button.choice-button')].indexOf(el) === {choice}")
        assert focus_is_visible(page)
        page.keyboard.press("Enter")
    expect(page.locator(".debrief")).to_be_visible()
    me.check()
