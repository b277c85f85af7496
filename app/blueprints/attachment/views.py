"""Applying for attachment online or on the kiosk: IIN -> one-time code -> application -> its status.

Every step is a plain form that works without JavaScript; htmx swaps only the sign-in box (`#identify`) and
keeps the status box (`#application-status`) fresh while the application is open.
"""

import logging

from flask import abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from app import notify
from app.blueprints.attachment import bp
from app.blueprints.attachment.forms import ApplicationForm, CodeForm, IinForm
from app.channels import current_channel
from app.htmx import redirect_after_step, render_page
from app.i18n import current_language
from app.patient_auth import current_patient_iin, request_sign_in_code, sign_in_patient, sign_out_patient
from app.services import attachment as attachment_service
from app.services import otp, patient_identity, registry_pending, survey
from app.services.actors import Actor
from app.services.iin import InvalidIin, parse_iin
from app.services.status import status_label

log = logging.getLogger(__name__)

PENDING_IIN = "attachment_pending_iin"


def _redirect(endpoint: str, **values):
    """A finished step: 303 for a normal form, HX-Redirect for htmx (a full page load of the next step)."""
    return redirect_after_step(url_for(endpoint, **values))


# ---- identification --------------------------------------------------------------------------------------
@bp.get("/")
def start_application():
    if current_patient_iin():
        return redirect(url_for("attachment.apply"))
    return render_page("attachment/start.html", "attachment/_identify.html", form=IinForm(), code_form=None)


@bp.post("/code")
def send_code():
    form = IinForm()
    error = None
    if form.validate():
        try:
            iin = parse_iin(form.iin.data).iin
        except InvalidIin as invalid:
            form.iin.errors.append(invalid.message)
        else:
            sent = request_sign_in_code(iin, ip=request.remote_addr or "", language=current_language())
            error = sent.error
            if error is None:
                session[PENDING_IIN] = iin
                return render_page(
                    "attachment/start.html",
                    "attachment/_identify.html",
                    form=form,
                    code_form=CodeForm(formdata=None),
                    phone=sent.masked_phone,
                )
    return render_page(
        "attachment/start.html", "attachment/_identify.html", form=form, code_form=None, error=error
    )


@bp.post("/code/check")
def check_code():
    iin = session.get(PENDING_IIN)
    if not iin:
        flash(_("Your session has expired. Please enter your IIN again."), "warning")
        return _redirect("attachment.start_application")
    code_form = CodeForm()
    error = None
    if code_form.validate():
        try:
            patient_identity.confirm_sign_in(iin, code_form.code.data)
        except otp.OtpError as problem:
            error = problem.message
        else:
            session.pop(PENDING_IIN, None)
            sign_in_patient(iin)
            return _redirect("attachment.apply")
    latest = otp.latest(patient_identity.SIGN_IN_PURPOSE, iin)
    return render_page(
        "attachment/start.html",
        "attachment/_identify.html",
        form=IinForm(formdata=None, iin=iin),
        code_form=code_form,
        phone=notify.mask_phone(latest.phone if latest else ""),
        error=error,
    )


@bp.post("/sign-out")
def sign_out():
    sign_out_patient()
    session.pop(PENDING_IIN, None)
    return redirect(url_for("attachment.start_application"), 303)


# ---- the application -------------------------------------------------------------------------------------
@bp.route("/apply", methods=["GET", "POST"])
def apply():
    iin = current_patient_iin()
    if not iin:
        return _redirect("attachment.start_application")
    pending = attachment_service.open_application_of(iin)
    if pending is not None:
        return redirect(url_for("attachment.show_application", number=pending.request.number), 303)
    applicant = attachment_service.applicant_of(iin)
    current = attachment_service.current_attachment(iin)
    form = ApplicationForm()
    form.fill_doctor_choices()
    error = None
    if request.method == "GET" and applicant is not None and not form.address.data:
        form.address.data = applicant.address
    if request.method == "POST" and form.validate():
        data = attachment_service.ApplicationInput(
            iin=iin,
            address=form.address.data,
            reason=form.reason.data,
            reason_note=form.reason_note.data or "",
            preferred_doctor_id=form.preferred_doctor_value(),
            language=current_language(),
        )
        try:
            application = attachment_service.submit_application(
                data, actor=Actor.patient(), channel=current_channel()
            )
        except attachment_service.ApplicationPending as pending_error:
            return redirect(url_for("attachment.show_application", number=pending_error.number), 303)
        except attachment_service.AttachmentError as problem:
            field = getattr(form, problem.field or "", None)
            if field is not None and problem.field != "iin":
                field.errors = [*field.errors, problem.message]
            else:
                error = problem.message
        else:
            return redirect(url_for("attachment.show_application", number=application.request.number), 303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "attachment/apply.html",
        form=form,
        applicant=applicant,
        current=current,
        clinic_code=_clinic_code(),
        error=error,
    ), status


def _clinic_code() -> str:
    from app.services.clinic import get_clinic

    clinic = get_clinic()
    return clinic.code if clinic else ""


def _own_application(number: str):
    """The application `number`, if the signed-in person made it; None sends them to sign in."""
    iin = current_patient_iin()
    if not iin:
        return None
    application = attachment_service.find_by_number(number)
    if application is None or application.iin != iin:
        abort(404)
    return application


@bp.get("/<number>")
def show_application(number: str):
    application = _own_application(number)
    if application is None:
        flash(_("Please confirm your IIN with a one-time code to see your application."), "info")
        return _redirect("attachment.start_application")
    return render_page(
        "attachment/show.html",
        "attachment/_status.html",
        application=application,
        request_=application.request,
        status_text=status_label(application.request.status),
        document=attachment_service.result_document(application),
        waiting_message=registry_pending.WAITING_MESSAGE,
        ground_name=_ground_name(application),
        survey_offered=survey.is_offered(application.request),
    )


def _ground_name(application) -> str:
    ground = application.request.refusal_ground
    return str(attachment_service.GROUNDS[ground]) if ground in attachment_service.GROUNDS else ""


@bp.get("/<number>/document")
def download_document(number: str):
    application = _own_application(number)
    if application is None:
        return _redirect("attachment.start_application")
    document = attachment_service.result_document(application)
    if document is None:
        abort(404)
    response = make_response(document.pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{document.number}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
