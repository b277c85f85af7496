"""The lobby kiosk: start screen, device activation and reset; kiosk registration for admins."""

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.auth import audit, roles_required
from app.blueprints.kiosk import bp
from app.blueprints.kiosk.forms import ActivateForm, RegisterKioskForm
from app.channels import KIOSK_COOKIE, current_kiosk, forget_visitor
from app.extensions import db
from app.models.kiosk import KioskDevice
from app.services import catalogue
from app.services import kiosk as kiosk_service

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
    form = ActivateForm()
    if form.validate_on_submit():
        device = kiosk_service.device_for_token(form.token.data.strip())
        if device is None:
            form.token.errors.append(_("This token does not belong to an active kiosk."))
        else:
            response = redirect(url_for("kiosk.show_start"))
            response.set_cookie(
                KIOSK_COOKIE, form.token.data.strip(), max_age=TEN_YEARS, httponly=True, samesite="Strict"
            )
            return response
    return render_template("kiosk/activate.html", form=form)


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
    new_token = None
    if form.validate_on_submit():
        device, new_token = kiosk_service.register_device(form.name.data)
        audit("create", "kiosk_device", object_id=device.id, detail=device.name)
        form = RegisterKioskForm(formdata=None)
    return render_template(
        "kiosk/manage.html", form=form, devices=kiosk_service.list_devices(), new_token=new_token
    )


@bp.post("/admin/kiosks/<int:device_id>/active")
@roles_required("admin")
def set_kiosk_active(device_id: int):
    device = db.session.get(KioskDevice, device_id) or abort(404)
    active = request.form.get("active") == "1"
    kiosk_service.set_active(device, active)
    audit("update", "kiosk_device", object_id=device.id, detail="activated" if active else "deactivated")
    flash(_("The kiosk is active.") if active else _("The kiosk is switched off."), "success")
    return redirect(url_for("kiosk.manage_kiosks"), 303)
