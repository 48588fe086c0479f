"""Certificates: the learner's list and downloads, public verification, admin revocation."""
from urllib.parse import urlencode

from flask import (Blueprint, Response, abort, current_app, flash, jsonify, redirect,
                   render_template, request, url_for)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from ..accounts.guards import admin_required
from ..admin.audit import audit
from ..accounts.models import User
from ..clock import utcnow
from ..curriculum.models import Level
from ..curriculum.reading import ORIGINAL, reading_language, shown
from ..extensions import db
from .awarding import (RevocationError, certificates_of, due_for_renewal, find_certificate,
                       reinstate, revoke)
from .credentials import CONTEXTS, published_keys, verify_credential
from .issuing import award_certificates, site
from .models import Certificate
from .pdf import certificate_pdf

bp = Blueprint("certificates", __name__, template_folder="templates")


def own_certificate(code):
    """A certificate the current user may download: their own, or any for an admin."""
    certificate = find_certificate(code)
    if certificate is None or (certificate.user_id != current_user.id
                               and current_user.role != "admin"):
        abort(404)
    return certificate


def share_on_linkedin(certificate):
    """LinkedIn's 'add to profile' address, filled in for this certificate."""
    issued = certificate.renewed_at or certificate.issued_at
    params = {"startTask": "CERTIFICATION_NAME", "name": certificate.title,
              "organizationName": current_app.config["LMS_SITE_NAME"],
              "issueYear": issued.year, "issueMonth": issued.month,
              "certUrl": site().url(f"/verify/{certificate.code}"), "certId": certificate.code}
    if certificate.expires_at:
        params.update(expirationYear=certificate.expires_at.year,
                      expirationMonth=certificate.expires_at.month)
    return "https://www.linkedin.com/profile/add?" + urlencode(params)


@bp.route("/certificates")
@login_required
def mine():
    """The learner's certificates, with the PDF, the credential, and ways to share them."""
    award_certificates(current_user)
    db.session.commit()
    now = utcnow()
    notice_days = current_app.config["LMS_RECERT_NOTICE_DAYS"]
    held = sorted(certificates_of(current_user.id).values(),
                  key=lambda c: (c.level_number == 0, c.level_number))
    return render_template("certificates/mine.html", now=now, certificates=[
        {"certificate": c, "status": c.status(now), "linkedin": share_on_linkedin(c),
         "verify_url": site().url(f"/verify/{c.code}"),
         "renew": due_for_renewal(c, notice_days, now)} for c in held])


@bp.app_template_global("certificate_title")
def shown_title(certificate):
    """The certificate's title in the reader's language where its level is translated.

    The signed credential keeps the title it was issued with; this is only how a page or the
    PDF names it.
    """
    if certificate.is_final or reading_language() == ORIGINAL:
        return certificate.title
    level = db.session.get(Level, certificate.level_number)
    if level is None or shown(level, "title") == level.title:
        return certificate.title
    return _("Level %(n)s: %(title)s", n=level.number, title=shown(level, "title"))


@bp.route("/certificates/<code>.pdf")
@login_required
def pdf(code):
    """The certificate as a PDF."""
    certificate = own_certificate(code)
    now = utcnow()
    data = certificate_pdf(
        current_app.config["LMS_SITE_NAME"], certificate.holder_name, shown_title(certificate),
        _("All five levels of the customer success curriculum") if certificate.is_final
        else _("Every module's lesson, quiz and role-play, and the level exam"),
        format_date(certificate.renewed_at or certificate.issued_at, "long"),
        format_date(certificate.expires_at, "long") if certificate.expires_at else _("No expiry"),
        certificate.code, site().url(f"/verify/{certificate.code}"), certificate.status(now))
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="certificate-{certificate.code}.pdf"'})


@bp.route("/certificates/<code>/credential.jwt")
@login_required
def credential(code):
    """The signed Open Badges credential, to keep in a wallet or check offline."""
    certificate = own_certificate(code)
    return Response(certificate.credential, mimetype="application/vc+jwt", headers={
        "Content-Disposition": f'attachment; filename="credential-{certificate.code}.jwt"'})


@bp.route("/verify/<code>")
def verify(code):
    """Public: is this certificate valid, expired or revoked, and whose is it?"""
    certificate = find_certificate(code)
    if certificate is None:
        return render_template("certificates/verify.html", certificate=None, code=code), 404
    now = utcnow()
    verdict = verify_credential(certificate.credential, published_keys(), now=now)
    return render_template("certificates/verify.html", certificate=certificate, code=code,
                           status=certificate.status(now), verdict=verdict)


@bp.route("/issuer")
def issuer():
    """Public: the issuer's Open Badges profile."""
    return jsonify({"@context": CONTEXTS, "id": site().url("/issuer"), "type": ["Profile"],
                    "name": current_app.config["LMS_SITE_NAME"], "url": site().url("/"),
                    "publicKey": site().url("/.well-known/jwks.json")})


@bp.route("/.well-known/jwks.json")
def jwks():
    """Public: every key that ever signed a credential here."""
    return jsonify(published_keys())


@bp.route("/credentials/revocations")
def revocations():
    """Public: the credentials the issuer has revoked (1EdTech revocation list)."""
    revoked = db.session.scalars(select(Certificate.code).where(Certificate.revoked_at.is_not(None)))
    return jsonify({"id": site().url("/credentials/revocations"), "issuer": site().url("/issuer"),
                    "revokedCredentials": [{"id": site().url(f"/verify/{code}")} for code in revoked]})


@bp.route("/admin/certificates")
@admin_required
def manage():
    """Admins: find certificates by holder or code, revoke and reinstate them."""
    query = request.args.get("q", "").strip()
    statement = (select(Certificate, User).join(User, User.id == Certificate.user_id)
                 .order_by(Certificate.issued_at.desc()).limit(200))
    if query:
        like = f"%{query.lower()}%"
        statement = statement.where(or_(User.email.ilike(like), User.name.ilike(like),
                                        Certificate.code == query))
    return render_template("certificates/manage.html", rows=db.session.execute(statement).all(),
                           query=query, now=utcnow())


@bp.route("/admin/certificates/<code>/revoke", methods=["POST"])
@admin_required
def revoke_certificate(code):
    """Admins: revoke a certificate, with the reason its holder will be told."""
    return change_status(code, lambda certificate: revoke(certificate, request.form.get("reason", "")),
                         _("Certificate revoked; its holder has been told."))


@bp.route("/admin/certificates/<code>/reinstate", methods=["POST"])
@admin_required
def reinstate_certificate(code):
    """Admins: reinstate a revoked certificate."""
    return change_status(code, reinstate, _("Certificate reinstated; its holder has been told."))


def change_status(code, change, done):
    """Revoke or reinstate, saying what happened or why not."""
    certificate = find_certificate(code) or abort(404)
    before = {"revoked": certificate.revoked_at is not None}
    try:
        change(certificate)
        audit(current_user, "revoked certificate" if certificate.revoked_at else
              "reinstated certificate", f"{certificate.title} - {certificate.holder_name} "
              f"({certificate.code[:8]}...)", before,
              {"revoked": certificate.revoked_at is not None, "reason": certificate.revoke_reason})
        db.session.commit()
        flash(done, "success")
    except RevocationError as error:
        db.session.rollback()
        flash(str(error), "error")
    return redirect(url_for("certificates.manage", q=code))
