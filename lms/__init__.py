"""The customer success academy: `create_app()` assembles the Flask app."""
import os
from pathlib import Path

from flask import Flask
from flask_babel import get_locale, lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from .config import settings_from_env
from .extensions import babel, csrf, db, login_manager, migrate
from .language import LANGUAGES, select_locale

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class DatabaseId(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(test_config=None):
    """Build the app: settings, extensions, blueprints, the `lms` commands."""
    app = Flask(__name__, instance_relative_config=True,
                static_folder=str(PROJECT_ROOT / "static"))
    os.makedirs(app.instance_path, exist_ok=True)
    environ = dict(os.environ)
    if test_config and test_config.get("SECRET_KEY"):
        environ["SECRET_KEY"] = test_config["SECRET_KEY"]
    app.config.from_mapping(settings_from_env(environ, app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    if app.config.get("LMS_PROXY_HOPS"):
        # Behind a load balancer: the visitor's address and scheme come from its headers,
        # so sign-in limits count people, not the balancer.
        hops = app.config["LMS_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)
    # An id in a URL fits the database's integer columns, so a huge one is a 404, not a 500.
    app.url_map.converters["int"] = DatabaseId
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"

    from . import errors, health, language
    from .accounts import views as accounts
    from .admin import views as admin
    from .authoring import views as authoring
    from .certificates import views as certificates
    from .cockpit import views as cockpit
    from .notices import views as notices
    from .exam import views as exam
    from .learning import views as learning
    from .quiz import views as quiz
    from .review import views as review
    from .roleplay import views as roleplay
    from .cli import register_commands

    for blueprint in (accounts.bp, learning.bp, quiz.bp, exam.bp, roleplay.bp, review.bp,
                      certificates.bp, cockpit.bp, authoring.bp, admin.bp, notices.bp, health.bp,
                      errors.bp, language.bp):
        app.register_blueprint(blueprint)
    register_commands(app)

    from .curriculum import reading
    app.jinja_env.globals.update(shown=reading.shown, lesson_html=reading.lesson_html,
                                 level_intro_html=reading.level_intro_html,
                                 reads_original=reading.reads_original)

    @app.context_processor
    def site():
        return {"site_name": app.config["LMS_SITE_NAME"], "language": str(get_locale()),
                "languages": LANGUAGES}

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            # Table alignment from Markdown arrives as sanitised style attributes.
            "style-src-attr 'unsafe-inline'; "
            "script-src 'self'; frame-ancestors 'none'; form-action 'self'")
        return response

    return app
