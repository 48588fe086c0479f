"""The learner's pages: dashboard, level, lesson."""
from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from ..assignments.dues import covering, dues_of
from ..clock import utcnow
from ..curriculum.models import ModuleAsset
from ..certificates.issuing import award_certificates
from ..extensions import db
from ..notices.notices import open_notices
from .access import open_level, open_module, redirect_if_locked, standing_for_current_user
from .progress import (completion_missing, find_level, mark_lesson_read, next_module, pending_exam,
                       record_visit, resume_point)

bp = Blueprint("learning", __name__, template_folder="templates")


@bp.route("/")
@login_required
def dashboard():
    """The learner's dashboard: where to continue, what is next, every level."""
    standing = standing_for_current_user()
    award_certificates(current_user, standing=standing)  # also how renewal reminders arrive
    db.session.commit()
    return render_template("learning/dashboard.html", standing=standing,
                           assignments=my_assignments(current_user, standing), today=utcnow().date(),
                           resume=resume_point(standing), up_next=next_module(standing),
                           exam_due=pending_exam(standing),
                           notices=open_notices(current_user.id))


def my_assignments(user, standing):
    """The learner's assignments, open ones first by due date, from the standing just read."""
    return dues_of({user.id: standing}, covering([user.id]))[user.id]


@bp.route("/levels/<int:number>")
@login_required
def level(number):
    """A level: its introduction, modules with status, and its exam."""
    standing, level = open_level(number)
    return render_template("learning/level.html", level=level,
                           previous=find_level(standing, number - 1))


@bp.route("/levels/<int:number>/<slug>")
@login_required
def lesson(number, slug):
    """A lesson, pre-rendered at import; opening it is noted for 'continue'."""
    standing, level, module = open_module(number, slug)
    if not level.unlocked:
        return redirect_if_locked(level)
    module.progress = record_visit(current_user, module.module, module.progress)
    db.session.commit()
    before, after = level.neighbours(slug)
    return render_template("learning/lesson.html", level=level, module=module,
                           version=module.version, before=before, after=after)


@bp.route("/levels/<int:number>/<slug>/read", methods=["POST"])
@login_required
def mark_read(number, slug):
    """Mark the lesson read, then go to the quiz or the next module."""
    standing, level, module = open_module(number, slug)
    if not level.unlocked:
        abort(403)
    progress = mark_lesson_read(current_user, module.module)
    award_certificates(current_user)
    db.session.commit()
    if progress.is_complete:
        flash(_("Module complete: %(title)s.", title=module.version.title), "success")
    elif "quiz" in completion_missing(progress, module.version):
        flash(_("Lesson marked as read. Pass the quiz to complete the module."), "success")
        return redirect(url_for("quiz.take", number=number, slug=slug))
    else:
        flash(_("Lesson marked as read."), "success")
    before, after = level.neighbours(slug)
    if after is not None:
        return redirect(url_for("learning.lesson", number=number, slug=after.module.slug))
    return redirect(url_for("learning.level", number=number))


@bp.route("/levels/<int:number>/<slug>/files/<path:filename>")
@login_required
def lesson_file(number, slug, filename):
    """An image or download from the module's folder, and nothing else."""
    standing, level, module = open_module(number, slug)
    if not level.unlocked:
        abort(404)
    asset = module_asset(module.module.id, filename)
    if asset is None:
        abort(404)
    return asset_response(asset)


def module_asset(module_id, name):
    return db.session.scalar(select(ModuleAsset).where(ModuleAsset.module_id == module_id,
                                                       ModuleAsset.name == name))


def asset_response(asset):
    """Serve a stored file with its type; nothing in it can run as a page of this site."""
    response = current_app.response_class(asset.content, mimetype=asset.content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.set_etag(asset.sha256)
    if not asset.content_type.startswith("image/"):
        response.headers["Content-Disposition"] = \
            f'attachment; filename="{asset.name.rsplit("/", 1)[-1]}"'
    return response.make_conditional(request)
