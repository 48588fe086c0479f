"""Open Badges 3.0 credentials, signed as VC-JWTs with RS256, and their verification.

The private signing keys live in the key folder (LMS_KEY_DIR, by default
`instance/keys`, as `<kid>.pem`) and never leave it; their public halves are kept in the database, so every app
server publishes the same key set, and a rotated key still verifies what it
signed.
"""
import json
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask_babel import gettext as _
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import select

from ..clock import utcnow
from ..extensions import db
from .models import FINAL, SigningKey

CONTEXTS = ["https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]


@dataclass(frozen=True)
class Site:
    """Who issues: the site's name and the address it is published at."""
    name: str
    base_url: str

    def url(self, path):
        return self.base_url.rstrip("/") + path


# Keys.

def _public_jwk(private_key, kid):
    jwk = RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


def create_signing_key(key_dir, now=None):
    """Generate a new signing key: private half to the key folder, public to the database."""
    now = now or utcnow()
    folder = Path(key_dir)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    kid = "key-" + now.strftime("%Y%m%d%H%M%S%f")
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private_key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    fd = os.open(folder / f"{kid}.pem", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    db.session.add(SigningKey(kid=kid, public_jwk=_public_jwk(private_key, kid), created_at=now))
    db.session.flush()
    return kid


def current_signing_key(key_dir):
    """(kid, private key) of the newest key in the key folder, or None."""
    files = sorted(Path(key_dir).glob("key-*.pem"))
    if not files:
        return None
    private_key = serialization.load_pem_private_key(files[-1].read_bytes(), password=None)
    return files[-1].stem, private_key


def ensure_signing_key(key_dir):
    """Make sure there is a signing key, and that every key in the folder is published."""
    files = sorted(Path(key_dir).glob("key-*.pem"))
    if not files:
        return create_signing_key(key_dir)
    for path in files:
        if db.session.get(SigningKey, path.stem) is None:
            private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            db.session.add(SigningKey(kid=path.stem, public_jwk=_public_jwk(private_key, path.stem),
                                      created_at=utcnow()))
    db.session.flush()
    return files[-1].stem


def published_keys():
    """The JWK set of every key that ever signed a credential here."""
    keys = db.session.scalars(select(SigningKey).order_by(SigningKey.created_at)).all()
    return {"keys": [key.public_jwk for key in keys]}


# Credentials.

def _iso(moment):
    return moment.replace(microsecond=0).isoformat() + "Z"


def _epoch(moment):
    return int(moment.replace(tzinfo=timezone.utc).timestamp())


def subject_id(site, user_id):
    """A stable, opaque id for a learner at this issuer (not their email or name)."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, site.url(f"/learners/{user_id}")))


def open_badge(certificate, site, description):
    """The OpenBadgeCredential for a certificate, as a dict."""
    scope = "final" if certificate.level_number == FINAL else f"level{certificate.level_number}"
    credential = {
        "@context": CONTEXTS,
        "id": site.url(f"/verify/{certificate.code}"),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": site.url("/issuer"), "type": ["Profile"], "name": site.name,
                   "url": site.url("/")},
        "validFrom": _iso(certificate.renewed_at or certificate.issued_at),
        "name": certificate.title,
        "credentialSubject": {
            "id": subject_id(site, certificate.user_id),
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": "name",
                            "identityHash": certificate.holder_name, "hashed": False}],
            "achievement": {
                "id": site.url(f"/issuer#{scope}"),
                "type": ["Achievement"],
                "name": certificate.title,
                "description": description,
                "criteria": {"narrative": description},
            },
        },
        "credentialStatus": {"id": site.url(f"/credentials/revocations#{certificate.code}"),
                             "type": "1EdTechRevocationList"},
    }
    if certificate.expires_at is not None:
        credential["validUntil"] = _iso(certificate.expires_at)
    return credential


def sign_credential(credential, key_dir):
    """Sign a credential as a VC-JWT with the current, published key.

    The header's kid is a URI that resolves to the key in the published set,
    and `sub` is the credential subject's id, as Open Badges 3.0 asks.
    """
    ensure_signing_key(key_dir)
    kid, private_key = current_signing_key(key_dir)
    jwks_url = credential["issuer"]["id"].rsplit("/", 1)[0] + "/.well-known/jwks.json"
    valid_from = datetime.fromisoformat(credential["validFrom"].rstrip("Z"))
    claims = {"iss": credential["issuer"]["id"], "jti": credential["id"],
              "sub": credential["credentialSubject"]["id"], "nbf": _epoch(valid_from),
              "vc": credential}
    if "validUntil" in credential:
        claims["exp"] = _epoch(datetime.fromisoformat(credential["validUntil"].rstrip("Z")))
    return jwt.encode(claims, private_key, algorithm="RS256",
                      headers={"kid": f"{jwks_url}#{kid}", "typ": "JWT"})


def holder_name(credential):
    """The name the credential was issued to."""
    for identity in credential.get("credentialSubject", {}).get("identifier", []):
        if identity.get("identityType") == "name" and not identity.get("hashed"):
            return identity.get("identityHash")
    return None


@dataclass
class Verdict:
    status: str  # valid, tampered, unknown-key, malformed, expired, not-yet-valid, revoked
    message: str
    credential: dict | None = None

    @property
    def ok(self):
        return self.status == "valid"


def verify_credential(token, jwks, is_revoked=None, now=None):
    """Check a VC-JWT's signature against a JWK set, then its dates and status."""
    now = now or utcnow()
    token = token.strip()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        return Verdict("malformed", _("This is not a signed credential (it cannot be read as a "
                                      "JWT)."))
    keys = {key.get("kid"): key for key in jwks.get("keys", [])}
    kid = str(header.get("kid", "")).rsplit("#", 1)[-1]
    if header.get("alg") != "RS256" or kid not in keys:
        return Verdict("unknown-key",
                       _("The credential was not signed with any of the issuer's keys."))
    public_key = RSAAlgorithm.from_jwk(json.dumps(keys[kid]))
    try:
        claims = jwt.decode(token, public_key, algorithms=["RS256"],
                            options={"verify_exp": False, "verify_nbf": False, "verify_aud": False,
                                     "require": ["iss", "jti", "vc"]})
    except jwt.InvalidSignatureError:
        return Verdict("tampered", _("The signature does not match: the credential was altered "
                                     "after it was issued."))
    except jwt.InvalidTokenError:
        return Verdict("tampered", _("The credential could not be read intact: it was altered "
                                     "after it was issued."))
    credential = claims["vc"]
    if claims.get("jti") != credential.get("id") \
            or claims.get("iss") != credential.get("issuer", {}).get("id") \
            or claims.get("sub") != credential.get("credentialSubject", {}).get("id"):
        return Verdict("tampered", _("The signed claims do not match the credential inside them."),
                       credential)
    if "exp" in claims and _epoch(now) >= claims["exp"]:
        return Verdict("expired", _("The signature is good, but the credential expired on "
                                    "%(date)s.", date=credential.get("validUntil", "?")[:10]),
                       credential)
    if _epoch(now) < claims.get("nbf", 0):
        return Verdict("not-yet-valid", _("The credential is not valid yet."), credential)
    if is_revoked is not None and is_revoked(credential):
        return Verdict("revoked", _("The signature is good, but the issuer has revoked this "
                                    "credential."), credential)
    return Verdict("valid", _("The signature is good and the credential is valid."), credential)
