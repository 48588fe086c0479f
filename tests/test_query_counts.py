"""List pages make a fixed number of queries however many learners and modules there are."""
from datetime import datetime

from sqlalchemy import select

from lms.curriculum.files import read_curriculum
from lms.curriculum.models import Module
from lms.curriculum.sync import import_curriculum
from lms.extensions import db
from lms.learning.models import ModuleProgress

from .conftest import lesson_md, level_md, sign_in_as


def queries_for(client, url, count_queries):
    client.get(url)  # the first visit to a lesson also creates its progress record
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    return counter.count


def grow(app, make_curriculum, make_user, learners=40):
    """Twelve modules a level, and many learners with progress in all of them."""
    files = {f"level{lv}/{n:02d}-module-{n}/lesson.md": lesson_md(f"Module {lv}.{n}")
             for lv in (1, 2) for n in range(1, 13)}
    files.update({f"level{lv}/level.md": level_md(f"Level {lv}") for lv in (1, 2)})
    root = make_curriculum(files, root_name="big", defaults=False)
    with app.app_context():
        import_curriculum(db.session, read_curriculum(root))
        db.session.commit()
        modules = db.session.scalars(select(Module.id)).all()
    ids = [make_user() for _ in range(learners)]
    with app.app_context():
        now = datetime(2026, 5, 1)
        db.session.add_all(ModuleProgress(user_id=u, module_id=m, started_at=now,
                                          last_visited_at=now, lesson_read_at=now,
                                          completed_at=now) for u in ids for m in modules)
        db.session.commit()
    return ids


def test_dashboard_level_and_lesson_queries_do_not_grow(app, learner, count_queries,
                                                        make_curriculum, make_user):
    small = {url: queries_for(learner, url, count_queries)
             for url in ("/", "/levels/1", "/levels/1/first-steps")}
    ids = grow(app, make_curriculum, make_user)
    big_client = sign_in_as(app.test_client(), ids[0])
    big = {url: queries_for(big_client, url, count_queries)
           for url in ("/", "/levels/1", "/levels/1/module-1")}
    assert list(small.values()) == list(big.values())
    # user; levels, passed exams, progress, modules; certificates, last exam passes;
    # assignments set for the learner and for their teams; notices
    assert small["/"] <= 10


def test_the_review_queue_makes_the_same_queries_for_one_or_many(app, count_queries, make_user):
    from lms.curriculum.models import Module
    from lms.roleplay.models import Reflection, RoleplayRun
    admin = sign_in_as(app.test_client(), make_user("admin"))

    def add_reflections(count):
        ids = [make_user() for _ in range(count)]
        with app.app_context():
            module = db.session.scalar(select(Module).where(Module.slug == "talk"))
            now = datetime(2026, 5, 1)
            for user_id in ids:
                run = RoleplayRun(user_id=user_id, module_id=module.id,
                                  module_version_id=module.current_version_id, started_at=now,
                                  finished_at=now, scene="good-end", step=2, path=[],
                                  scores={}, percent=100, passed=True)
                db.session.add(run)
                db.session.flush()
                db.session.add(Reflection(user_id=user_id, module_id=module.id, run_id=run.id,
                                          body="text", saved_at=now, submitted_at=now))
            db.session.commit()

    add_reflections(1)
    one = queries_for(admin, "/reviews", count_queries)
    add_reflections(25)
    assert queries_for(admin, "/reviews", count_queries) == one
