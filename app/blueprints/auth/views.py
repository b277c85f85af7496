"""Staff sign-in and sign-out."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.auth import audit, start_page_for
from app.blueprints.auth import bp
from app.blueprints.auth.forms import LoginForm
from app.core.clock import now
from app.core.urls import safe_next_path
from app.services import staff_accounts


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(start_page_for(current_user))
    form = LoginForm()
    if request.args.get("expired"):
        flash(_("Your session ended after a period of inactivity. Please sign in again."), "info")
    if form.validate_on_submit():
        outcome = staff_accounts.authenticate(form.username.data, form.password.data)
        if outcome.staff is None:
            audit("login_failed", "staff", detail=form.username.data, staff_id=outcome.staff_id)
            if outcome.locked_until:
                form.password.errors.append(
                    _(
                        "Too many failed attempts. The account is locked for %(minutes)s minutes.",
                        minutes=outcome.lock_minutes,
                    )
                )
            else:
                form.password.errors.append(_("Wrong username or password."))
            return render_template("auth/login.html", form=form), 200
        session.clear()
        login_user(outcome.staff)
        # Start the idle clock at sign-in, so a session left untouched from the start also expires.
        session["staff_last_seen"] = now().timestamp()
        audit("login", "staff", object_id=outcome.staff.id)
        return redirect(safe_next_path(request.args.get("next"), default=start_page_for(outcome.staff)))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        audit("logout", "staff", object_id=current_user.id)
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
