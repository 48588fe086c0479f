"""Japanese beside English: the interface catalogue, the language choice, translated curriculum
files that must match their originals, and one set of records whatever the language."""
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from sqlalchemy import select
from werkzeug.datastructures import LanguageAccept

from lms import create_app
from lms.curriculum.files import load_curriculum, read_curriculum
from lms.curriculum.models import Module
from lms.curriculum.sync import import_curriculum
from lms.extensions import db
from lms.language import choose_language
from lms.quiz.models import QuizAttempt
from lms.roleplay.models import RoleplayRun
from lms.roleplay.reflections import word_count

from .conftest import ROLEPLAY, lesson_md, quiz_md, sign_in_as

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "lms" / "translations" / "ja" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[-#0 +]*\d*(?:\.\d+)?[sdf]|%%")

LESSON_JA = lesson_md("最初の一歩", 8, body="## なぜ重要なのか\n\n顧客の成果から始めます。\n",
                      objectives=("一つ目を挙げる", "二つ目を行う", "三つ目を説明する"))
QUIZ_JA = """\
## 顧客のビジネスにおける成果はどれですか？

- [ ] 先月のログイン40回
- [x] 新入社員が半分の期間で戦力になる
- [ ] ウェビナーへの参加

> 成果とは顧客のビジネスでの結果であり、当社製品での活動ではありません。

## アカウントが危険な兆候はどれですか？

Dana さんのチャンピオンが連絡してこなくなりました。

- [x] チャンピオンが退職する
- [x] 週ごとの利用が四半期で半減する
- [ ] 契約更新が早めに署名される

> チャンピオンの喪失と利用の減少は、どちらも解約の前に起こります。
"""
ROLEPLAY_JA = ROLEPLAY.replace("## Dana calls", "## Dana さんからの電話 {#dana-calls}") \
    .replace("## What they need", "## 拠点に必要なもの {#what-they-need}") \
    .replace("## Campaign", "## キャンペーン {#campaign}") \
    .replace("## Good end", "## よい結末 {#good-end}") \
    .replace("## Poor end", "## 残念な結末 {#poor-end}") \
    .replace("[Ask what the depots need]", "[拠点に何が必要か尋ねる]") \
    .replace("role: Operations director", "role: オペレーション部門ディレクター") \
    .replace("Dana agrees to a three-depot pilot", "Dana さんは3拠点でのパイロットに同意します。")
TRANSLATED = {
    "level1/01-first-steps/lesson.ja.md": LESSON_JA,
    "level2/01-health/quiz.ja.md": QUIZ_JA,
    "level3/01-talk/roleplay.ja.md": ROLEPLAY_JA,
}


# The catalogue ------------------------------------------------------------------------------

def code_messages():
    """Every message the code and templates mark for translation, as `make translations` finds."""
    method_map = [("lms/**.py", "python"), ("lms/**/templates/**.html", "jinja2"),
                  ("lms/templates/**.html", "jinja2")]
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map,
                                                keywords={"_": None, "gettext": None,
                                                          "ngettext": (1, 2), "_l": None,
                                                          "lazy_gettext": None, "N_": None}):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_string_in_the_interface_has_a_japanese_translation():
    catalogue = read_po(CATALOGUE.open("rb"))
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalogue if m.id}
    missing = sorted(code_messages() - set(translated))
    assert not missing, f"run `make translations` and translate: {missing[:10]}"
    empty = [key for key, m in translated.items()
             if not all(m.string if isinstance(m.string, tuple) else (m.string,))
             or m.fuzzy]
    assert not empty, f"untranslated or fuzzy in {CATALOGUE.name}: {empty[:10]}"


def test_translations_keep_every_placeholder():
    wrong = []
    for message in read_po(CATALOGUE.open("rb")):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        wrong += [ids[0] for s in strings if sorted(PLACEHOLDER.findall(s)) != wanted]
    assert not wrong, wrong[:10]


# Choosing the language ------------------------------------------------------------------------

@pytest.mark.parametrize("chosen, remembered, header, expected", [
    ("ja", None, "en-GB,en;q=0.9", "ja"),      # the person's setting wins
    (None, "ja", "en", "ja"),                   # then this browser's choice
    (None, None, "ja-JP,ja;q=0.9,en;q=0.5", "ja"),  # then the browser's languages
    (None, None, "fr-FR,de;q=0.8", "en"),       # else English
    (None, None, "", "en"),
    ("xx", "yy", "ja", "ja"),                   # unknown choices are ignored
])
def test_the_language_comes_from_setting_then_browser_then_english(chosen, remembered, header,
                                                                  expected):
    accept = LanguageAccept([(part.split(";")[0], 1.0 - i / 10)
                             for i, part in enumerate(header.split(",")) if part])
    assert choose_language(chosen, remembered, accept) == expected


def test_accept_language_alone_gives_a_japanese_page(client):
    page = client.get("/sign-in", headers={"Accept-Language": "ja-JP,ja;q=0.9"})
    assert '<html lang="ja">' in page.text
    assert "ログイン" in page.text


def test_the_switch_in_the_header_changes_and_remembers_the_language(app, learner, learner_id):
    assert 'aria-pressed="true">English' in learner.get("/").text
    response = learner.post("/language", data={"language": "ja", "next": "/levels/1"})
    assert response.status_code == 302 and response.location == "/levels/1"
    page = learner.get("/levels/1").text
    assert '<html lang="ja">' in page and 'lang="ja" class="link-button"' in page
    with app.app_context():
        from lms.accounts.models import User
        assert db.session.get(User, learner_id).locale == "ja"
    # Another device, signed in as the same person, follows the account's setting.
    other = sign_in_as(app.test_client(), learner_id)
    assert '<html lang="ja">' in other.get("/", headers={"Accept-Language": "en"}).text


def test_the_switch_refuses_other_sites_and_unknown_languages(learner):
    response = learner.post("/language", data={"language": "ja", "next": "https://evil.example/"})
    assert response.location == "/"
    learner.post("/language", data={"language": "klingon"})
    assert '<html lang="ja">' in learner.get("/").text  # unchanged


def test_a_choice_made_before_signing_in_is_kept_on_the_account(app, client, make_user):
    from lms.accounts.models import User
    from .conftest import PASSWORD
    user_id = make_user("learner", email="kenji@example.com")
    client.post("/language", data={"language": "ja"})
    client.post("/sign-in", data={"email": "kenji@example.com", "password": PASSWORD})
    with app.app_context():
        assert db.session.get(User, user_id).locale == "ja"


# Translated curriculum files ------------------------------------------------------------------

def test_translations_are_read_beside_their_originals(make_curriculum):
    curriculum = read_curriculum(make_curriculum(TRANSLATED))
    lesson = curriculum.module(1, "first-steps").translations["ja"]["lesson"]
    assert lesson["title"] == "最初の一歩" and "顧客の成果" in lesson["html"]
    quiz = curriculum.module(2, "health").translations["ja"]["quiz"]
    assert len(quiz) == 2 and "先月のログイン40回" in quiz[0]["options"][0]
    script = curriculum.module(3, "talk").translations["ja"]["roleplay"]
    assert script["scenes"]["dana-calls"]["title"] == "Dana さんからの電話"
    assert "拠点に何が必要か" in script["scenes"]["dana-calls"]["choices"][0]["html"]


BROKEN = [
    ("quiz: another option marked right", "level2/01-health/quiz.ja.md",
     lambda t: t.replace("- [ ] 先月のログイン40回", "- [x] 先月のログイン40回", 1),
     "question 1 marks other options correct"),
    ("quiz: a question missing", "level2/01-health/quiz.ja.md",
     lambda t: t[:t.index("## アカウント")], "1 questions; the original has 2"),
    ("quiz: an option missing", "level2/01-health/quiz.ja.md",
     lambda t: t.replace("- [ ] ウェビナーへの参加\n", ""), "question 1 has 2 options"),
    ("quiz: settings changed", "level2/01-health/quiz.ja.md",
     lambda t: "---\npass_mark: 50\n---\n" + t, "settings in the front matter"),
    ("role-play: a scene without its id", "level3/01-talk/roleplay.ja.md",
     lambda t: t.replace(" {#campaign}", ""), "must end with the original scene's id"),
    ("role-play: a choice leads elsewhere", "level3/01-talk/roleplay.ja.md",
     lambda t: t.replace("(#dana-calls)", "(#campaign)", 1), "lead elsewhere"),
    ("role-play: effects changed", "level3/01-talk/roleplay.ja.md",
     lambda t: t.replace("discovery +2, empathy +1", "discovery +3, empathy +1", 1),
     "effects of the choices in #dana-calls"),
    ("role-play: pass score changed", "level3/01-talk/roleplay.ja.md",
     lambda t: t.replace("pass_score: 60", "pass_score: 40"), "pass_score must be copied"),
    ("lesson: a heading missing", "level1/01-first-steps/lesson.ja.md",
     lambda t: t.replace("## なぜ重要なのか\n\n", ""), "the headings differ"),
    ("lesson: a link added", "level1/01-first-steps/lesson.ja.md",
     lambda t: t + "\n[参考](https://example.com/)\n", "links and images differ"),
    ("lesson: an objective added", "level1/01-first-steps/lesson.ja.md",
     lambda t: t.replace("  - 三つ目を説明する\n", "  - 三つ目を説明する\n  - 四つ目\n"),
     "4 objectives; the original has 3"),
    ("lesson: minutes changed", "level1/01-first-steps/lesson.ja.md",
     lambda t: t.replace("minutes: 8", "minutes: 20"), "minutes is 20"),
    ("a translation without its original", "level1/02-second-steps/quiz.ja.md",
     lambda t: QUIZ_JA, "a translation of quiz.md, which is not here"),
]


@pytest.mark.parametrize("case, path, breaks, message", BROKEN, ids=[c[0] for c in BROKEN])
def test_lms_check_says_where_a_translation_breaks_its_original(make_curriculum, case, path,
                                                                 breaks, message):
    files = dict(TRANSLATED)
    files[path] = breaks(files.get(path, ""))
    _, problems = load_curriculum(make_curriculum(files))
    said = [str(p) for p in problems]
    assert any(message in line and Path(path).name in line for line in said), said


# One set of records, graded the same in either language ---------------------------------------

@pytest.fixture
def ja_app(app_config, make_curriculum):
    root = make_curriculum(TRANSLATED, root_name="curriculum-ja")
    app = create_app({**app_config, "LMS_CURRICULUM_DIR": str(root), "LMS_LOCK_LEVELS": False})
    with app.app_context():
        import_curriculum(db.session, read_curriculum(root))
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def add_learner(app, email="yuki@example.com"):
    """A learner in `app` (not the `make_user` fixture: that builds the default app)."""
    from datetime import datetime
    from lms.accounts.models import User
    from .conftest import FAST_HASH
    with app.app_context():
        user = User(email=email, name="Yuki Tanaka", role="learner", password_hash=FAST_HASH,
                    created_at=datetime(2026, 1, 1))
        db.session.add(user)
        db.session.commit()
        return user.id


def in_language(client, language):
    client.post("/language", data={"language": language})
    return client


def right_answers(page):
    """Form data answering every question right, read from the shown options' words."""
    right_words = {"新入社員が半分の期間で戦力になる", "New hires productive in half the time",
                   "チャンピオンが退職する", "The champion leaves the company",
                   "週ごとの利用が四半期で半減する", "Weekly use halves over a quarter"}
    data = {}
    for label in re.findall(r'<label class="option">(.*?)</label>', page, re.S):
        name, value = re.search(r'name="(q\d+)" value="(\d+)"', label).groups()
        if re.search(r"<span>(.*?)</span>", label, re.S).group(1).strip() in right_words:
            data.setdefault(name, []).append(value)
    return data


def test_a_quiz_in_japanese_is_graded_as_in_english_and_is_one_set_of_records(ja_app):
    user_id = add_learner(ja_app)
    client = in_language(sign_in_as(ja_app.test_client(), user_id), "ja")
    page = client.get("/levels/2/health/quiz").text
    assert "顧客のビジネスにおける成果" in page and "Forty logins" not in page
    attempt_id = re.search(r"/quiz/attempts/(\d+)", page).group(1)

    # Switching to English mid-attempt shows the same attempt, in English.
    english = in_language(client, "en").get("/levels/2/health/quiz").text
    assert f"/quiz/attempts/{attempt_id}" in english and "Forty logins" in english

    answers = right_answers(in_language(client, "ja").get("/levels/2/health/quiz").text)
    assert len(answers) == 2
    result = client.post(f"/levels/2/health/quiz/attempts/{attempt_id}", data=answers)
    assert result.status_code == 302
    shown = client.get(result.location).text
    assert "100%" in shown and "チャンピオンの喪失" in shown  # the explanation, in Japanese

    with ja_app.app_context():
        attempts = db.session.scalars(select(QuizAttempt).where(
            QuizAttempt.user_id == user_id)).all()
        assert [(a.score, a.passed) for a in attempts] == [(100, True)]
    # The same answers in English score the same.
    english_answers = right_answers(in_language(client, "en").get("/levels/2/health/quiz").text)
    second = re.search(r"/quiz/attempts/(\d+)", client.get("/levels/2/health/quiz").text).group(1)
    client.post(f"/levels/2/health/quiz/attempts/{second}", data=english_answers)
    with ja_app.app_context():
        scores = db.session.scalars(select(QuizAttempt.score).where(
            QuizAttempt.user_id == user_id)).all()
        assert scores == [100, 100]


def test_a_role_play_started_in_english_carries_on_in_japanese(ja_app):
    user_id = add_learner(ja_app)
    client = in_language(sign_in_as(ja_app.test_client(), user_id), "en")
    client.post("/levels/3/talk/roleplay/start")
    page = in_language(client, "ja").get("/levels/3/talk/roleplay").text
    assert "Dana さんからの電話" in page and "拠点に何が必要か尋ねる" in page
    run_id, step = re.search(r'/roleplay/runs/(\d+)/choose', page).group(1), \
        re.search(r'name="step" value="(\d+)"', page).group(1)
    client.post(f"/levels/3/talk/roleplay/runs/{run_id}/choose",
                data={"scene": "dana-calls", "step": step, "choice": "0"})
    page = client.get("/levels/3/talk/roleplay").text
    step = re.search(r'name="step" value="(\d+)"', page).group(1)
    client.post(f"/levels/3/talk/roleplay/runs/{run_id}/choose",
                data={"scene": "what-they-need", "step": step, "choice": "0"})
    with ja_app.app_context():
        runs = db.session.scalars(select(RoleplayRun).where(RoleplayRun.user_id == user_id)).all()
        assert len(runs) == 1 and runs[0].scene == "good-end" and runs[0].passed
    debrief = client.get("/levels/3/talk/roleplay").text
    assert "Dana さんは3拠点でのパイロットに同意します。" in debrief


def test_a_lesson_without_a_translation_says_so_and_is_marked_english(ja_app):
    client = in_language(sign_in_as(ja_app.test_client(), add_learner(ja_app)), "ja")
    translated = client.get("/levels/1/first-steps").text
    assert "最初の一歩" in translated and "顧客の成果から始めます" in translated
    assert 'class="prose" lang="en"' not in translated
    original = client.get("/levels/1/second-steps").text
    assert 'class="prose" lang="en"' in original and "Because." in original
    assert "英語" in original  # the note says it is the English original


def test_japanese_counts_two_characters_as_a_word():
    assert word_count("顧客の成果") == 3
    assert word_count("Dana さんと話す") == 1 + 3
    assert word_count("Plain English words here") == 4


def test_the_certificate_pdf_embeds_a_japanese_font():
    from lms.certificates.pdf import certificate_pdf, cjk_font
    if cjk_font() is None:
        pytest.skip("no font with Japanese glyphs here: apt-get install fonts-noto-cjk")
    pdf = certificate_pdf("Customer Success Academy", "田中由紀", "Level 1: 基礎", None,
                          "2026年11月22日", "2028年11月22日", "ABC123",
                          "https://academy.example/verify/ABC123")
    assert b"NotoSerifCJK" in pdf or b"Noto Serif CJK" in pdf


def test_the_editor_shows_missing_current_and_outdated_translations(ja_app, make_curriculum):
    from lms.authoring.translating import translation_states
    with ja_app.app_context():
        ids = {m.slug: m.id for m in db.session.scalars(select(Module))}
        states = translation_states("ja")
        assert states[ids["first-steps"]] == {"lesson.md": "current"}
        assert states[ids["health"]] == {"lesson.md": "missing", "quiz.md": "current"}
        # The original quiz changes; its translation does not: it is now out of date.
        root = Path(ja_app.config["LMS_CURRICULUM_DIR"])
        quiz = root / "level2" / "01-health" / "quiz.md"
        quiz.write_text(quiz.read_text().replace("Forty logins", "Fifty logins"))
        import_curriculum(db.session, read_curriculum(root))
        db.session.commit()
        assert translation_states("ja")[ids["health"]]["quiz.md"] == "outdated"
    admin = ja_app.test_client()
    with ja_app.app_context():
        from datetime import datetime
        from lms.accounts.models import User
        from .conftest import FAST_HASH
        boss = User(email="admin@example.com", name="Admin", role="admin",
                    password_hash=FAST_HASH, created_at=datetime(2026, 1, 1))
        db.session.add(boss)
        db.session.commit()
        sign_in_as(admin, boss.id)
    tree = admin.get("/admin/curriculum").text
    assert "older than the original" in tree and "not translated" in tree
    # A translation not started opens as its original, scene ids already in the headings.
    start = admin.get(f"/admin/curriculum/{ids['first-steps']}/edit/quiz.ja.md")
    assert start.status_code in (200, 404)  # first-steps has no quiz to translate
    editor = admin.get(f"/admin/curriculum/{ids['talk']}/edit/lesson.ja.md").text
    assert "Talking with Dana" in editor


def test_a_role_play_translation_starts_with_every_scene_id():
    from lms.authoring.translating import translation_start
    started = translation_start("roleplay.md", ROLEPLAY)
    assert "## Dana calls {#dana-calls}" in started and "## Poor end {#poor-end}" in started
    assert translation_start("lesson.md", "## Why\n") == "## Why\n"


def test_notices_and_emails_are_written_in_the_recipients_language(app, make_user):
    from flask_babel import gettext
    from lms.accounts.models import User
    from lms.language import language_of
    yuki, jordan = make_user("learner"), make_user("learner")
    with app.app_context():
        db.session.get(User, yuki).locale = "ja"
        db.session.commit()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with language_of(yuki):
            assert gettext("Sign out") == "ログアウト"
        with language_of(jordan):
            assert gettext("Sign out") == "Sign out"
        assert gettext("Sign out") == "Sign out"


def test_translated_words_go_only_on_the_question_they_translate(app):
    """A paper keeps its own words when the question changed since, or when two files share
    a title: the learner always reads what they are graded on."""
    import random
    from lms.assessment.papers import build_paper
    from lms.curriculum.quizfile import read_quiz
    from lms.curriculum.reading import paper_in_language
    original, _ = read_quiz(quiz_md(), "quiz.md")
    translated, _ = read_quiz(QUIZ_JA, "quiz.ja.md")
    from lms.curriculum.translations import quiz_overlay
    words = quiz_overlay(translated["questions"])
    paper = build_paper(original["questions"], random.Random(3))
    pairs = {q["key"]: [(q, w)] for q, w in zip(original["questions"], words)}
    with app.test_request_context(headers={"Accept-Language": "ja"}):
        shown = paper_in_language(paper, pairs)
        assert all("先月" in " ".join(q["options"]) or "チャンピオン" in " ".join(q["options"])
                   for q in shown)
        for q, s in zip(paper, shown):  # the same options, in the paper's order, translated
            assert s["correct"] == q["correct"] and len(s["options"]) == len(q["options"])
        # The quiz was edited after the attempt began: an option was added to question 1.
        edited = [dict(q) for q in original["questions"]]
        edited[0] = {**edited[0], "options": edited[0]["options"] + [
            {"html": "A new option", "correct": False}]}
        stale = {q["key"]: [(q, w)] for q, w in zip(edited, words)}
        kept = paper_in_language(paper, stale)
        first = next(i for i, q in enumerate(paper) if q["key"] == edited[0]["key"])
        assert kept[first] == paper[first]
        # An older paper, laid out before option order was recorded, keeps its words too.
        old = [{k: v for k, v in q.items() if k != "order"} for q in paper]
        assert paper_in_language(old, pairs) == old


def test_export_keeps_a_levels_translations(app_config, make_curriculum, tmp_path):
    """Downloading the curriculum and uploading it again must not lose level.ja.md."""
    from lms.authoring.tree import write_tree
    level_ja = "---\ntitle: 基礎\nsummary: ここから始めます。\n---\nレベルへようこそ。\n"
    root = make_curriculum({**TRANSLATED, "level1/level.ja.md": level_ja},
                           root_name="curriculum-levels")
    app = create_app({**app_config, "LMS_CURRICULUM_DIR": str(root)})
    with app.app_context():
        import_curriculum(db.session, read_curriculum(root))
        db.session.commit()
        write_tree(tmp_path / "out")
        assert (tmp_path / "out" / "level1" / "level.ja.md").read_text() == level_ja
        again = read_curriculum(tmp_path / "out")
        assert again.level(1).translations["ja"]["title"] == "基礎"
        db.engine.dispose()
