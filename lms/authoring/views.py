"""The admins' curriculum editor: tree, editor with live preview, history, files, zips."""
import shutil
from datetime import datetime

from flask import (Blueprint, Response, abort, flash, jsonify, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ..accounts.guards import admin_required
from ..accounts.models import User
from ..admin.audit import audit
from ..clock import utcnow
from ..curriculum.files import MODULE_FILES
from ..curriculum.models import Draft, Level, Module, ModuleAsset, ModuleVersion
from ..extensions import db
from ..learning.views import asset_response, module_asset
from .assets import AssetError, upload_asset
from .editing import (FILES, AuthoringError, SaveConflict, check_text, discard_draft,
                      drafts_of, file_history, module_files, publish, rebase_draft,
                      restore_as_draft, save_draft, side_by_side, version_text, working_text)
from .modules import create_module, move, restore, retire
from .translating import translation_states
from .transfer import TransferError, check_upload, curriculum_zip, import_upload
from .tree import NotExportable

bp = Blueprint("authoring", __name__, template_folder="templates")


def module_or_404(module_id):
    module = db.session.get(Module, module_id)
    if module is None:
        abort(404)
    return module


def file_or_404(name):
    if name not in FILES:
        abort(404)
    return name


@bp.route("/admin/curriculum")
@admin_required
def tree():
    """Every level and module with its state: published version, drafts, retired."""
    levels = db.session.scalars(select(Level).order_by(Level.number)).all()
    modules = db.session.execute(
        select(Module, ModuleVersion.number, ModuleVersion.title, ModuleVersion.created_at)
        .outerjoin(ModuleVersion, ModuleVersion.id == Module.current_version_id)
        .order_by(Module.level_number, Module.retired_at.is_not(None), Module.position)).all()
    drafts = {}
    for module_id, name in db.session.execute(select(Draft.module_id, Draft.name)):
        drafts.setdefault(module_id, []).append(name)
    unexported = db.session.scalar(select(func.count(Module.id)).where(
        Module.browser_change_at.is_not(None)))
    return render_template("authoring/tree.html", levels=levels, modules=modules, drafts=drafts,
                           unexported=unexported, files=MODULE_FILES,
                           translated=translation_states("ja"))


@bp.route("/admin/curriculum/modules", methods=["POST"])
@admin_required
def new_module():
    level = request.form.get("level", "")
    try:
        module = create_module(small_number(level, 0), request.form.get("title"),
                               request.form.get("slug"), current_user)
        db.session.commit()
    except AuthoringError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("authoring.tree"))
    flash(_("Module created with a lesson to start from. It stays hidden from learners until "
            "you publish it."), "success")
    return redirect(url_for("authoring.edit", module_id=module.id, name="lesson.md"))


@bp.route("/admin/curriculum/<int:module_id>/<any(retire, restore, up, down):action>",
          methods=["POST"])
@admin_required
def module_action(module_id, action):
    """Retire, restore, or move a module up or down in its level."""
    module = module_or_404(module_id)
    if action == "retire":
        retire(module, current_user)
        flash(_("Retired: hidden from learners; progress and certificates that name it are "
                "kept."), "success")
    elif action == "restore":
        restore(module, current_user)
        flash(_("Restored: learners see it again."), "success")
    elif action in ("up", "down"):
        if not move(module, -1 if action == "up" else 1, current_user):
            flash(_("It cannot move further that way."), "info")
    db.session.commit()
    return redirect(url_for("authoring.tree") + f"#level-{module.level_number}")


def editor_page(module, name, text, revision, check=None, conflict=None, status=200):
    drafts = drafts_of(module.id)
    draft = drafts.get(name)
    published = module_files(module).get(name)
    stale = draft is not None and draft.base_version_id != module.current_version_id
    editor = db.session.get(User, draft.updated_by_id) if draft and draft.updated_by_id else None
    assets = db.session.scalars(select(ModuleAsset).where(ModuleAsset.module_id == module.id)
                                .order_by(ModuleAsset.name)).all()
    return render_template(
        "authoring/editor.html", module=module, name=name, text=text, revision=revision,
        check=check if check is not None else check_text(module, name, text), conflict=conflict,
        draft=draft, drafts=drafts, published=published, stale=stale, editor=editor,
        files=FILES, assets=assets,
        conflict_diff=side_by_side(conflict.theirs, text, _("Saved by %(who)s",
                                                             who=conflict.by or _("someone")),
                                   _("Yours (not saved)")) if conflict else None,
        stale_diff=side_by_side(draft.text if draft else "", published or "",
                                _("Your draft"), _("Published now")) if stale else None), status


@bp.route("/admin/curriculum/<int:module_id>/edit/<name>", methods=["GET", "POST"])
@admin_required
def edit(module_id, name):
    """Edit one file: save a draft, check it, publish it, or discard it."""
    module, name = module_or_404(module_id), file_or_404(name)
    if request.method == "GET":
        text, revision = working_text(module, name)
        return editor_page(module, name, text, revision)
    text = request.form.get("text", "")
    revision = small_number(request.form.get("revision"), default=-1)
    # The published version the editor showed ("" when there was none); without the field,
    # the version published now.
    base = ... if "base" not in request.form else small_number(request.form["base"], None)
    action = request.form.get("action", "save")
    try:
        if action == "check":
            return editor_page(module, name, text, revision)
        if action == "discard":
            discard_draft(module, name, current_user, revision)
            db.session.commit()
            flash(_("Draft discarded; the published file is unchanged."), "success")
            return redirect(url_for("authoring.edit", module_id=module.id, name=name))
        if action == "rebase":
            rebase_draft(module, name, current_user)
            db.session.commit()
            return redirect(url_for("authoring.edit", module_id=module.id, name=name))
        result = save_draft(module, name, text, revision, current_user, base_version_id=base)
        if isinstance(result, SaveConflict):
            db.session.rollback()
            flash(_("Someone saved this file while you were editing. Your text is below, "
                    "unsaved; compare it with theirs before you save."), "error")
            return editor_page(module, name, text, result.revision, conflict=result, status=409)
        db.session.commit()
        if action == "publish":
            version = publish(module, current_user, name)
            db.session.commit()
            flash(_("Published version %(n)s. Learners see it now.", n=version.number), "success")
        else:
            flash(_("Draft saved. Learners still see the published version."), "success")
    except AuthoringError as error:
        db.session.rollback()
        flash(str(error), "error")
        text, revision = working_text(module, name)
        return editor_page(module, name, text, revision, status=422)
    return redirect(url_for("authoring.edit", module_id=module.id, name=name))


def small_number(value, default):
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else default


@bp.route("/admin/curriculum/preview", methods=["POST"])
@admin_required
def preview():
    """The live preview: the text through the learners' pipeline, and what the checks say."""
    module = module_or_404(request.form.get("module", type=int) or 0)
    name = file_or_404(request.form.get("name", ""))
    try:
        check = check_text(module, name, request.form.get("text", ""))
    except AuthoringError as error:
        return jsonify(problems=[[None, str(error)]], html=""), 422
    return jsonify(problems=check.problems,
                   html=render_template("authoring/_preview.html", check=check, name=name,
                                        module=module))


@bp.route("/admin/curriculum/<int:module_id>/edit/<name>/history")
@admin_required
def history(module_id, name):
    """Every published version of the file; any two side by side; restore one as a draft."""
    module, name = module_or_404(module_id), file_or_404(name)
    versions = file_history(module, name)
    authors = {u.id: u.name for u in db.session.scalars(select(User).where(
        User.id.in_({v.author_id for v, _ in versions if v.author_id})))}
    diff = None
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    if a is not None and b is not None:
        (old_version, old), (new_version, new) = version_text(module, a, name), \
            version_text(module, b, name)
        if old_version is None or new_version is None:
            abort(404)
        diff = side_by_side(old, new, _("Version %(n)s", n=a), _("Version %(n)s", n=b))
    return render_template("authoring/history.html", module=module, name=name,
                           versions=versions, authors=authors, diff=diff, a=a, b=b)


@bp.route("/admin/curriculum/<int:module_id>/edit/<name>/restore", methods=["POST"])
@admin_required
def restore_version(module_id, name):
    module, name = module_or_404(module_id), file_or_404(name)
    number = request.form.get("version", type=int)
    try:
        restore_as_draft(module, name, number or 0, current_user)
        db.session.commit()
    except AuthoringError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("authoring.history", module_id=module.id, name=name))
    flash(_("Version %(n)s is now the draft. Check it and publish to make it current.",
            n=number), "success")
    return redirect(url_for("authoring.edit", module_id=module.id, name=name))


@bp.route("/admin/curriculum/<int:module_id>/files", methods=["POST"])
@admin_required
def upload(module_id):
    """Upload an image into the module's folder."""
    module = module_or_404(module_id)
    back = request.form.get("back") if request.form.get("back") in FILES else "lesson.md"
    try:
        asset = upload_asset(module, request.files.get("file"), current_user)
        db.session.commit()
    except AssetError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        flash(_("Uploaded. Insert it with ![what it shows](%(name)s)", name=asset.name), "success")
    return redirect(url_for("authoring.edit", module_id=module.id, name=back))


@bp.route("/admin/curriculum/<int:module_id>/files/<path:filename>")
@admin_required
def module_file(module_id, filename):
    """A module's image for the editor and preview, published or not."""
    module = module_or_404(module_id)
    asset = module_asset(module.id, filename)
    if asset is None:
        abort(404)
    return asset_response(asset)


@bp.route("/admin/curriculum.zip")
@admin_required
def download_zip():
    """The whole published curriculum as files, to keep or to edit offline."""
    try:
        data = curriculum_zip()
    except NotExportable as error:
        flash(str(error), "error")
        return redirect(url_for("authoring.tree"))
    audit(current_user, "downloaded the curriculum", "curriculum")
    db.session.commit()
    stamp = utcnow().strftime("%Y-%m-%d")
    return Response(data, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="curriculum-{stamp}.zip"'})


@bp.route("/admin/curriculum/upload", methods=["GET", "POST"])
@admin_required
def upload_zip():
    """Upload a curriculum zip: checked whole first; nothing is imported if any file fails."""
    if request.method == "GET":
        return render_template("authoring/upload.html")
    upload_file = request.files.get("archive")
    if upload_file is None or not upload_file.filename:
        flash(_("Choose a .zip file to upload."), "error")
        return render_template("authoring/upload.html"), 422
    data = upload_file.read(31 * 1024 * 1024)
    try:
        curriculum, problems, conflicts, scratch = check_upload(data)
    except TransferError as error:
        flash(str(error), "error")
        return render_template("authoring/upload.html"), 422
    try:
        if problems:
            return render_template("authoring/upload.html", problems=problems), 422
        if conflicts and request.form.get("overwrite") != "yes":
            return render_template("authoring/upload.html", conflicts=conflicts), 409
        report = import_upload(curriculum, current_user)
        db.session.commit()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for line in report.lines():
        flash(line, "success")
    return redirect(url_for("authoring.tree"))


@bp.app_template_filter("when")
def when(moment):
    return moment.strftime("%Y-%m-%d %H:%M") if isinstance(moment, datetime) else "—"
