"""Uploading an image into a module's folder from the browser."""
import hashlib
from pathlib import PurePosixPath

from flask_babel import gettext as _
from sqlalchemy import select

from ..admin.audit import audit
from ..clock import utcnow
from ..curriculum.assets import (ASSET_LIMIT, UPLOAD_TYPES, content_problem, content_type,
                                 name_problem)
from ..curriculum.models import ModuleAsset
from ..extensions import db

UPLOAD_LIMIT = 2 * 1024 * 1024


class AssetError(ValueError):
    pass


def safe_upload_name(filename):
    """A browser's file name made plain: 'My Chart (v2).PNG' -> 'my-chart-v2.png'."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name.lower()
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = "".join(c if c.isascii() and c.isalnum() else "-" for c in stem)
    stem = "-".join(part for part in stem.split("-") if part)[:80] or "image"
    return f"{stem}.{suffix}" if suffix else stem


def upload_asset(module, file, author, now=None):
    """Store an uploaded image in the module; refuse anything unsafe, with the reason."""
    if file is None or not file.filename:
        raise AssetError(_("Choose an image to upload."))
    name = safe_upload_name(file.filename)
    if PurePosixPath(name).suffix not in UPLOAD_TYPES:
        raise AssetError(_("Upload a PNG, JPEG, WebP or SVG image."))
    data = file.read(UPLOAD_LIMIT + 1)
    if len(data) > UPLOAD_LIMIT:
        raise AssetError(_("The image is larger than %(megabytes)s MB; make it smaller.",
                           megabytes=UPLOAD_LIMIT // 1048576))
    problem = name_problem(name) or content_problem(name, data)
    if problem:
        raise AssetError(_("Not uploaded: %(problem)s.", problem=problem))
    if db.session.scalar(select(ModuleAsset.id).where(ModuleAsset.module_id == module.id,
                                                      ModuleAsset.name == name)):
        raise AssetError(_("This module already has a file called %(name)s; rename yours first.",
                           name=name))
    assert len(data) <= ASSET_LIMIT
    now = now or utcnow()
    asset = ModuleAsset(module_id=module.id, name=name, content=data,
                        content_type=content_type(name), size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(), created_at=now,
                        uploaded_by_id=author.id)
    db.session.add(asset)
    module.browser_change_at = now
    audit(author, "uploaded a file", f"{module.key}/{name}", None, {"bytes": len(data)})
    db.session.flush()
    return asset
