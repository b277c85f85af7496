"""Admin pages: staff accounts, the clinic profile, districts, calendar exceptions, the audit log."""

from flask import render_template

from app.auth import roles_required
from app.blueprints.admin import bp


@bp.get("/")
@roles_required("admin")
def show_dashboard():
    return render_template("admin/dashboard.html")
