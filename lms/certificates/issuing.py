"""The app's way of calling the awarding rules: settings in, certificates out."""
from flask import current_app

from .awarding import refresh_certificates
from .credentials import Site


def site():
    """Who issues, from the settings."""
    return Site(current_app.config["LMS_SITE_NAME"], current_app.config["LMS_BASE_URL"])


def award_certificates(user, now=None, standing=None):
    """Issue, renew or remind about `user`'s certificates after anything that could earn one."""
    return refresh_certificates(
        user, site(), current_app.config["LMS_KEY_DIR"],
        require_review=current_app.config["LMS_REQUIRE_REVIEW"],
        notice_days=current_app.config["LMS_RECERT_NOTICE_DAYS"], now=now, standing=standing)
