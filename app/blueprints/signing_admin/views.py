"""The clinic's signing key (subject, validity, fingerprint, expiry warning) and the signing queue, with
"sign now" for documents that wait because the signer was down or the key missing."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from app.auth import audit, roles_required
from app.blueprints.signing_admin import bp
from app.forms import Form
from app.htmx import is_htmx_request, render_page
from app.services import document_signing


@bp.get("/")
@roles_required("admin")
def show_signing():
    return _render(Form(formdata=None))


@bp.post("/sign-pending")
@roles_required("admin")
def sign_pending():
    form = Form()
    if not form.validate_on_submit():
        return _render(form, status=400)
    run = document_signing.sign_pending()
    audit("update", "signing_queue", detail=f"signed={run.signed} waiting={run.waiting} {run.reason}".strip())
    if run.waiting:
        reason = document_signing.UNAVAILABLE_REASONS.get(run.reason, "")
        message = _(
            "%(signed)s documents signed; %(waiting)s still wait. %(reason)s",
            signed=run.signed,
            waiting=run.waiting,
            reason=reason,
        )
    else:
        message = _("%(signed)s documents signed; none is waiting.", signed=run.signed)
    if is_htmx_request():
        return _render(form, result=message, result_ok=not run.waiting)
    flash(message, "success" if not run.waiting else "warning")
    return redirect(url_for("signing_admin.show_signing"), 303)


def _render(form: Form, *, status: int = 200, result: str = "", result_ok: bool = True):
    key = document_signing.key_status()
    audit("view", "signing_key", detail=f"{key.backend} {key.status} {key.reason}".strip())
    return render_page(
        "signing_admin/index.html",
        "signing_admin/_queue.html",
        status=status,
        key=key,
        entries=document_signing.pending_entries(),
        reasons=document_signing.UNAVAILABLE_REASONS,
        form=form,
        result=result,
        result_ok=result_ok,
    )
