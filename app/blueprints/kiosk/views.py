"""The lobby kiosk: start screen, device activation and reset; kiosk registration for admins."""

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.auth import audit, roles_required
from app.blueprints.kiosk import bp
from app.blueprints.kiosk.forms import ActivateForm, RegisterKioskForm
from app.channels import KIOSK_COOKIE, client_key, current_kiosk, forget_visitor
from app.extensions import db
from app.models.kiosk import KioskDevice
from app.services import catalogue
from app.services import kiosk as kiosk_service
from app.services.rate_limit import RateLimited

TEN_YEARS = 10 * 365 * 24 * 3600
# Tiles beside the services: following a request, and a written complaint (regulation 004).
KIOSK_EXTRA_TILES = (
    ("cabinet.start", _l("My requests")),
    ("status.find_request", _l("Request status")),
    ("complaints.file_complaint", _l("Complaint")),
)


@bp.after_app_request
def _never_cache_kiosk_pages(response):
    # The next visitor must not bring the previous one's pages back with the browser's Back button.
    if getattr(g, "kiosk", None) is not None:
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/kiosk/")
def show_start():
    if current_kiosk() is None:
        return render_template("kiosk/not_registered.html"), 403
    forget_visitor()  # the tile menu is the kiosk's home: whoever was here before is gone
    services = [service for service in catalogue.all_services() if service.built and service.start_endpoint]
    return render_template("kiosk/start.html", services=services, kiosk_extra_tiles=KIOSK_EXTRA_TILES)


@bp.route("/kiosk/activate", methods=["GET", "POST"])
def activate():
    """The kiosk is activated with the admin's short one-time code (or, for scripts, the device token)."""
    form = ActivateForm()
    if form.validate_on_submit():
        typed = form.token.data.strip()
        token = _token_for(form, typed)
        if token is not None:
            response = redirect(url_for("kiosk.show_start"))
            response.set_cookie(KIOSK_COOKIE, token, max_age=TEN_YEARS, httponly=True, samesite="Strict")
            return response
    return render_template("kiosk/activate.html", form=form)


def _token_for(form: ActivateForm, typed: str) -> str | None:
    """The device token a typed code or token gives, or None with the reason on the form."""
    if kiosk_service.looks_like_code(typed):
        try:
            activated = kiosk_service.activate_with_code(typed, client_key())
        except RateLimited as limited:
            form.token.errors.append(
                _(
                    "Too many failed attempts from this computer. Please try again in %(minutes)s minutes.",
                    minutes=limited.retry_after_minutes,
                )
            )
            return None
        if activated is None:
            form.token.errors.append(
                _("This code is wrong, used or expired. Ask the administrator for a new one.")
            )
            return None
        return activated[1]
    if kiosk_service.device_for_token(typed) is None:
        form.token.errors.append(_("This token does not belong to an active kiosk."))
        return None
    return typed


@bp.route("/kiosk/reset", methods=["GET", "POST"])
def reset():
    """Start over: forget the visitor (session and language) and return to the start screen.

    Only on a registered kiosk: anywhere else this link must not sign people out.
    """
    response = redirect(url_for("kiosk.show_start"))
    if current_kiosk() is None:
        return response
    forget_visitor()
    response.delete_cookie(current_app.config["LANGUAGE_COOKIE"])
    return response


@bp.route("/admin/kiosks", methods=["GET", "POST"])
@roles_required("admin")
def manage_kiosks():
    form = RegisterKioskForm()
    new_code = None
    if form.validate_on_submit():
        device, _token = kiosk_service.register_device(form.name.data)
        audit("create", "kiosk_device", object_id=device.id, detail=device.name)
        new_code = (device, kiosk_service.shown_code(kiosk_service.issue_activation_code(device)))
        form = RegisterKioskForm(formdata=None)
    return _manage_page(form, new_code)


def _manage_page(form, new_code=None):
    return render_template(
        "kiosk/manage.html",
        form=form,
        devices=kiosk_service.list_devices(),
        new_code=new_code,
        code_minutes=int(kiosk_service.ACTIVATION_CODE_LIFETIME.total_seconds() // 60),
    )


@bp.post("/admin/kiosks/<int:device_id>/code")
@roles_required("admin")
def issue_kiosk_code(device_id: int):
    """A new one-time activation code for a kiosk (a new machine, a cleared browser): shown once."""
    device = db.session.get(KioskDevice, device_id) or abort(404)
    if not device.is_active:
        abort(404)
    code = kiosk_service.issue_activation_code(device)
    audit("update", "kiosk_device", object_id=device.id, detail="activation code issued")
    return _manage_page(RegisterKioskForm(formdata=None), (device, kiosk_service.shown_code(code)))


@bp.post("/admin/kiosks/<int:device_id>/active")
@roles_required("admin")
def set_kiosk_active(device_id: int):
    device = db.session.get(KioskDevice, device_id) or abort(404)
    active = request.form.get("active") == "1"
    kiosk_service.set_active(device, active)
    audit("update", "kiosk_device", object_id=device.id, detail="activated" if active else "deactivated")
    flash(_("The kiosk is active.") if active else _("The kiosk is switched off."), "success")
    return redirect(url_for("kiosk.manage_kiosks"), 303)
