"""Every main page in the light and the dark scheme, on a desk and on a phone.

Each page passes axe (colour contrast included, so the dark scheme is checked too), fits the
screen without scrolling sideways, and the lesson page stays light and loads only from us.
"""
import pytest

from .test_journeys import FIRST

PAGES = {
    "learner@example.com": ["/", "/levels/1", f"/levels/1/{FIRST}", f"/levels/1/{FIRST}/quiz",
                            f"/levels/1/{FIRST}/roleplay", "/levels/1/exam"],
    "certified@example.com": ["/certificates"],
    "manager@example.com": ["/manage", "/reviews"],
    "admin@example.com": ["/admin/curriculum", "/admin/users", "/admin/certificates"],
}
LESSON_BUDGET = 60 * 1024


def sideways_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 375], ids=["desk", "phone"])
def test_pages_in_each_scheme_and_width(shared_visit, scheme, width):
    for email, paths in PAGES.items():
        person = shared_visit(email, width=width, scheme=scheme)
        person.sign_in(email)
        for path in paths:
            page = person.go(path)
            name = path.strip("/").replace("/", "-") or "dashboard"
            person.check(f"look-{scheme}-{width}-{name}" if width == 375 or scheme == "dark"
                         else None)
            assert sideways_overflow(page) <= 1, f"{path} scrolls sideways at {width}px"
        person.close()
    anonymous = shared_visit("anonymous", width=width, scheme=scheme)
    for path in ("/sign-in", "/register"):
        anonymous.go(path)
        anonymous.check()
        assert sideways_overflow(anonymous.page) <= 1


def test_the_lesson_page_is_light_and_loads_only_from_us(shared_visit, shared_server):
    me = shared_visit("weigher")
    me.sign_in("learner@example.com")
    sizes = {}
    me.page.on("response", lambda r: sizes.__setitem__(r.url, len(r.body())))
    me.go(f"/levels/1/{FIRST}")
    me.page.wait_for_load_state("networkidle")
    me.check()
    total = sum(sizes.values())
    assert all(url.startswith(shared_server.base) for url in sizes)
    assert total < LESSON_BUDGET, f"the lesson page weighs {total} bytes: {sizes}"
