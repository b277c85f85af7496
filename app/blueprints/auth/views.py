"""Staff sign-in and sign-out, here or on every computer at once (the sessions are the server's,
app/sessions.py: signing out ends them, copies of the cookie included)."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import audit, start_page_for
from app.blueprints.auth import bp
from app.blueprints.auth.forms import LoginForm
from app.core.clock import now
from app.core.urls import safe_next_path
from app.services import staff_accounts
from app.sessions import renew


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(start_page_for(current_user))
    form = LoginForm()
    if request.args.get("expired"):
        flash(_("Your session ended after a period of inactivity. Please sign in again."), "info")
    if form.validate_on_submit():
        outcome = staff_accounts.authenticate(
            form.username.data, form.password.data, address=request.remote_addr or ""
        )
        if outcome.staff is None:
            audit("login_failed", "staff", detail=form.username.data, staff_id=outcome.staff_id)
            if outcome.locked_until:
                form.password.errors.append(
                    _(
                        "Too many failed attempts from this computer. Please try again in %(minutes)s "
                        "minutes.",
                        minutes=outcome.lock_minutes,
                    )
                )
            else:
                form.password.errors.append(_("Wrong username or password."))
            return render_template("auth/login.html", form=form), 200
        session.clear()
        renew(session)  # a new session from the sign-in on: its lifetime counts from here
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
    _end_this_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/logout/everywhere")
@login_required
def logout_everywhere():
    """End every session of the signed-in staff member: other computers, other browsers, this one."""
    ended = staff_accounts.end_sessions(current_user)
    audit("logout", "staff", object_id=current_user.id, detail=f"everywhere: sessions={ended}")
    _end_this_session()
    flash(_("You have signed out on every computer and browser."), "info")
    return redirect(url_for("auth.login"))


def _end_this_session() -> None:
    logout_user()
    session.clear()
    renew(session)
