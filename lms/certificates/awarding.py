"""Earning certificates: who qualifies, issuing exactly once, renewing, revoking.

A level certificate is due when every module of the level is complete and
its exam passed (and, with LMS_REQUIRE_REVIEW on, every role-play reflection
of the level reviewed by a manager as meeting the rubric). The final
certification is due with all five. Certificates issue themselves: views
call `refresh_certificates` after anything that could complete a level.
"""
import secrets
from datetime import timedelta

from flask_babel import format_date, get_locale, gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..clock import utcnow
from ..exam.models import ExamAttempt
from ..extensions import db
from ..language import language_of
from ..learning.progress import learner_standing
from ..notices.notices import dismiss_about, notify
from ..review.models import Review
from ..roleplay.models import Reflection
from .credentials import open_badge, sign_credential
from .models import FINAL, Certificate

LEVELS = 5
FINAL_TITLE = "Certified Customer Success Manager"


def _long_day(moment):
    """'05 March 2026'; in another language, that language's long date."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return f"{moment:%d %B %Y}"
    return format_date(moment, "long")


def new_code():
    """A verification code: 128 random bits, never sequential, never guessable."""
    return secrets.token_urlsafe(16)


def find_certificate(code):
    """The certificate with this verification code, or None."""
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def is_revoked(credential):
    """Whether a credential's certificate is revoked (or unknown here), by its id."""
    certificate = find_certificate(credential.get("id", "").rsplit("/", 1)[-1])
    return certificate is None or certificate.revoked_at is not None


def certificates_of(user_id):
    """The learner's certificates by level number (0: the final certification)."""
    return {c.level_number: c for c in db.session.scalars(
        select(Certificate).where(Certificate.user_id == user_id))}


def _reviewed_modules(user_id):
    """Modules whose reflection a manager (or admin) reviewed as meeting the rubric."""
    rows = db.session.execute(
        select(Reflection.module_id, Review)
        .join(Review, Review.reflection_id == Reflection.id)
        .where(Reflection.user_id == user_id, Review.kind == "manager")).all()
    return {module_id for module_id, review in rows if review.meets_rubric}


def qualifies(level, require_review=False, reviewed=frozenset()):
    """Whether a level's standing earns its certificate."""
    if not (level.modules_complete and level.has_exam and level.exam_passed):
        return False
    if require_review:
        return all(m.module.id in reviewed for m in level.modules if m.version.has_roleplay)
    return True


def renewal_opens(certificate, notice_days):
    """When the certificate's renewal window opens (None when it never expires)."""
    if certificate.expires_at is None:
        return None
    return certificate.expires_at - timedelta(days=notice_days)


def _expiry(level, start):
    """When a certificate for `level` starting at `start` expires (None: never)."""
    return start + timedelta(days=level.validity_days) if level.validity_days else None


def _versions(level):
    """The module versions a certificate for this level standing certifies."""
    return {m.module.key: m.version.number for m in level.modules}


def _description(level):
    return (f"Completed every module of level {level.number}, {level.title}, of the customer "
            "success curriculum (lessons, quizzes and role-plays) and passed the level exam.")


def _sign(certificate, site, key_dir, description):
    certificate.credential = sign_credential(open_badge(certificate, site, description),
                                             key_dir)


def _issue(user, number, title, expires_at, curriculum, site, key_dir, description, now):
    certificate = Certificate(code=new_code(), user_id=user.id, level_number=number,
                              holder_name=user.name, title=title, issued_at=now,
                              expires_at=expires_at, curriculum=curriculum, credential="")
    _sign(certificate, site, key_dir, description)
    try:
        # The unique (learner, level) constraint decides a race: one certificate.
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:
        return None
    with language_of(user):
        notify(user.id, _("You earned a certificate: %(title)s.", title=title),
               link="/certificates", key=f"issued:{certificate.id}")
    return certificate


def refresh_certificates(user, site, key_dir, require_review=False, notice_days=60,
                         now=None, standing=None):
    """Issue, renew or remind about the learner's certificates; return the new or renewed ones.

    Pass the learner's `standing` when the caller has it already.
    """
    now = now or utcnow()
    standing = standing if standing is not None else learner_standing(user, lock_levels=False)
    held = certificates_of(user.id)
    reviewed = _reviewed_modules(user.id) if require_review else frozenset()
    last_pass = dict(db.session.execute(
        select(ExamAttempt.level_number, func.max(ExamAttempt.submitted_at))
        .where(ExamAttempt.user_id == user.id, ExamAttempt.passed.is_(True))
        .group_by(ExamAttempt.level_number)).all())
    changed = []
    for level in standing:
        number = level.level.number
        certificate = held.get(number)
        if certificate is None:
            if qualifies(level, require_review, reviewed):
                issued = _issue(user, number, f"Level {number}: {level.level.title}",
                                _expiry(level.level, now), _versions(level), site, key_dir,
                                _description(level.level), now)
                if issued is not None:
                    held[number] = issued
                    changed.append(issued)
            continue
        opens = renewal_opens(certificate, notice_days)
        if certificate.revoked_at is not None or opens is None or now < opens:
            continue
        passed = last_pass.get(number)
        if passed and passed >= opens and passed > (certificate.renewed_at or certificate.issued_at):
            certificate.renewed_at = now
            # Renewing early keeps the time left: the new term runs from the old expiry.
            certificate.expires_at = _expiry(level.level, max(now, certificate.expires_at))
            certificate.curriculum = _versions(level)
            _sign(certificate, site, key_dir, _description(level.level))
            dismiss_about(user.id, f"renew:{certificate.id}:", now)
            with language_of(user):
                notify(user.id, _("Your certificate was renewed: %(title)s.",
                                  title=certificate.title),
                       link="/certificates", key=f"renewed:{certificate.id}:{now:%Y%m%d%H%M%S}")
            changed.append(certificate)
        else:
            with language_of(user):
                notify(user.id, _("%(title)s expires on %(day)s. Pass the level %(n)s exam "
                                  "again to renew it.", title=certificate.title,
                                  day=_long_day(certificate.expires_at), n=number),
                       link=f"/levels/{number}/exam",
                       key=f"renew:{certificate.id}:{certificate.expires_at:%Y%m%d}")
    changed += _refresh_final(user, held, site, key_dir, now)
    db.session.flush()
    return changed


def _refresh_final(user, held, site, key_dir, now):
    levels = [held.get(number) for number in range(1, LEVELS + 1)]
    if not all(c is not None and c.status(now) == "valid" for c in levels):
        return []
    expiries = [c.expires_at for c in levels if c.expires_at is not None]
    expires = min(expiries) if expiries else None
    final = held.get(FINAL)
    description = "Completed all five levels of the customer success curriculum."
    if final is None:
        versions = {key: n for c in levels for key, n in c.curriculum.items()}
        issued = _issue(user, FINAL, FINAL_TITLE, expires, versions, site, key_dir,
                        description, now)
        return [issued] if issued else []
    if final.revoked_at is None and final.expires_at != expires:
        final.expires_at, final.renewed_at = expires, now
        _sign(final, site, key_dir, description)
        return [final]
    return []


class RevocationError(ValueError):
    pass


def _final_of(certificate):
    return db.session.scalar(select(Certificate).where(
        Certificate.user_id == certificate.user_id, Certificate.level_number == FINAL))


def _follows(certificate):
    """The reason a final certification gives when it falls with a level certificate."""
    return f"Level {certificate.level_number} certificate revoked"


def revoke(certificate, reason, now=None):
    """Revoke a certificate with a reason and tell its holder; the final certification falls too."""
    now = now or utcnow()
    if certificate.revoked_at is not None:
        raise RevocationError(_("This certificate is already revoked."))
    if not reason.strip():
        raise RevocationError(_("Give a reason: the holder is told it."))
    certificate.revoked_at, certificate.revoke_reason = now, reason.strip()
    dismiss_about(certificate.user_id, f"reinstated:{certificate.id}:", now)
    dismiss_about(certificate.user_id, f"renew:{certificate.id}:", now)
    with language_of(certificate.user_id):
        notify(certificate.user_id, _("Your certificate %(title)s was revoked: %(reason)s",
                                      title=certificate.title, reason=certificate.revoke_reason),
               link="/certificates",
               key=f"revoked:{certificate.id}:{now:%Y%m%d%H%M%S%f}", now=now)
    final = _final_of(certificate) if not certificate.is_final else None
    if final is not None and final.revoked_at is None:
        revoke(final, _follows(certificate), now)
    db.session.flush()


def reinstate(certificate, now=None):
    """Undo a revocation and tell the holder; a final certification that fell with it returns."""
    now = now or utcnow()
    if certificate.revoked_at is None:
        raise RevocationError(_("This certificate is not revoked."))
    certificate.revoked_at, certificate.revoke_reason = None, None
    dismiss_about(certificate.user_id, f"revoked:{certificate.id}:", now)
    with language_of(certificate.user_id):
        notify(certificate.user_id, _("Your certificate %(title)s was reinstated.",
                                      title=certificate.title), link="/certificates",
               key=f"reinstated:{certificate.id}:{now:%Y%m%d%H%M%S%f}", now=now)
    final = _final_of(certificate) if not certificate.is_final else None
    if final is not None and final.revoke_reason == _follows(certificate):
        reinstate(final, now)
    db.session.flush()


def due_for_renewal(certificate, notice_days, now):
    """Whether a certificate is in its renewal window (and not revoked)."""
    opens = renewal_opens(certificate, notice_days)
    return certificate.revoked_at is None and opens is not None and now >= opens


def renewal_due(user_id, level_number, notice_days, now=None):
    """The learner's certificate for a level if it is in its renewal window, else None."""
    now = now or utcnow()
    certificate = db.session.scalar(select(Certificate).where(
        Certificate.user_id == user_id, Certificate.level_number == level_number,
        Certificate.revoked_at.is_(None)))
    if certificate is None:
        return None
    opens = renewal_opens(certificate, notice_days)
    return certificate if opens is not None and now >= opens else None

