"""Settings read from the environment, with defaults that work on a laptop."""
import os
import secrets
from pathlib import Path

FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_flag(environ, name, default):
    """Read an on/off setting: 0, false, no and off (any case) mean off."""
    value = environ.get(name)
    if value is None:
        return default
    return value.strip().lower() not in FALSE_WORDS


def instance_secret_key(instance_path):
    """Return the secret key kept in the instance folder, creating it once.

    Several workers may start at the same moment, so the file is created
    exclusively and a loser of that race reads the winner's key.
    """
    path = Path(instance_path) / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def settings_from_env(environ, instance_path):
    """Build the app's configuration from environment variables."""
    database_url = environ.get("DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "lms.sqlite3")
    )
    # Heroku-style URLs still say postgres://, which SQLAlchemy no longer accepts.
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url[len("postgres://"):]
    # psycopg (version 3) is the driver installed; a bare postgresql:// means it.
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    curriculum_dir = Path(environ.get("LMS_CURRICULUM_DIR") or "curriculum")
    return {
        "SECRET_KEY": environ.get("SECRET_KEY") or instance_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "LMS_CURRICULUM_DIR": str(curriculum_dir.resolve()),
        "LMS_SITE_NAME": environ.get("LMS_SITE_NAME") or "Customer Success Academy",
        # Where the site is published: certificates, QR codes and credentials point here.
        "LMS_BASE_URL": environ.get("LMS_BASE_URL") or "http://127.0.0.1:5000",
        "LMS_RECERT_NOTICE_DAYS": int(environ.get("LMS_RECERT_NOTICE_DAYS") or 60),
        # The private keys that sign credentials; they never leave this folder.
        "LMS_KEY_DIR": environ.get("LMS_KEY_DIR") or str(Path(instance_path) / "keys"),
        "LMS_OPEN_REGISTRATION": env_flag(environ, "LMS_OPEN_REGISTRATION", True),
        "LMS_LOCK_LEVELS": env_flag(environ, "LMS_LOCK_LEVELS", True),
        # Whether a level certificate waits for managers to review its reflections.
        "LMS_REQUIRE_REVIEW": env_flag(environ, "LMS_REQUIRE_REVIEW", False),
        # Proxies (load balancers) in front of the app whose X-Forwarded-For/-Proto to trust.
        "LMS_PROXY_HOPS": int(environ.get("LMS_PROXY_HOPS") or 0),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env_flag(environ, "LMS_SECURE_COOKIES", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env_flag(environ, "LMS_SECURE_COOKIES", False),
        # Email for reminders; without MAIL_SERVER, messages wait in the admins' outbox.
        "MAIL_SERVER": environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(environ.get("MAIL_PORT") or 25),
        "MAIL_USE_TLS": env_flag(environ, "MAIL_USE_TLS", False),
        "MAIL_USERNAME": environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": environ.get("MAIL_PASSWORD") or None,
        "MAIL_FROM": environ.get("MAIL_FROM") or "academy@localhost",
        # The largest request: a curriculum zip (30 MB) with room for the form around it.
        "MAX_CONTENT_LENGTH": 32 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "en",
        # A token lives as long as the session: an exam may run for hours.
        "WTF_CSRF_TIME_LIMIT": None,
    }
