"""Start pages of the staff area, one per role."""

from flask import redirect, render_template
from flask_login import current_user, login_required

from app.auth import roles_required, start_page_for
from app.blueprints.staff import bp


@bp.get("/")
@login_required
def show_start():
    return redirect(start_page_for(current_user))


@bp.get("/registrar")
@roles_required("registrar", "head", "admin")
def show_registrar_start():
    return render_template("staff/registrar_start.html")


@bp.get("/doctor")
@roles_required("doctor", "head")
def show_doctor_start():
    return render_template("staff/doctor_start.html")


@bp.get("/head")
@roles_required("head")
def show_head_start():
    return render_template("staff/head_start.html")
