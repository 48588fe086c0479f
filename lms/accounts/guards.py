"""Decorators that let only some roles through (403 for everyone else signed in)."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def roles_required(*roles):
    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorate


admin_required = roles_required("admin")
staff_required = roles_required("manager", "admin")
