"""Applying for attachment online or on the kiosk: IIN -> one-time code -> application -> its status.

Every step is a plain form that works without JavaScript; htmx swaps only the sign-in box (`#identify`) and
keeps the status box (`#application-status`) fresh while the application is open.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.blueprints.attachment import bp
from app.blueprints.attachment.forms import ApplicationForm, CodeForm, IinForm
from app.channels import current_channel
from app.core.actors import Actor
from app.core.i18n import current_language
from app.htmx import redirect_after_step, render_page
from app.patient_auth import current_patient_iin
from app.patient_sign_in import PatientSignIn
from app.responses import document_response
from app.services import attachment, registry_pending, survey
from app.services.status import status_label


def _redirect(endpoint: str, **values):
    """A finished step: 303 for a normal form, HX-Redirect for htmx (a full page load of the next step)."""
    return redirect_after_step(url_for(endpoint, **values))


# ---- identification: the shared patient sign-in, landing on the application form --------------------------
SIGN_IN = PatientSignIn(
    blueprint="attachment",
    start_endpoint="start_application",
    landing_endpoint="attachment.apply",
    page_template="attachment/start.html",
    fragment_template="attachment/_identify.html",
    iin_form=IinForm,
    code_form=CodeForm,
)


@bp.get("/")
def start_application():
    return SIGN_IN.start()


@bp.post("/code")
def send_code():
    return SIGN_IN.send_code()


@bp.post("/code/check")
def check_code():
    return SIGN_IN.check_code()


@bp.post("/sign-out")
def sign_out():
    return SIGN_IN.sign_out()


# ---- the application -------------------------------------------------------------------------------------
@bp.route("/apply", methods=["GET", "POST"])
def apply():
    iin = current_patient_iin()
    if not iin:
        return _redirect("attachment.start_application")
    pending = attachment.open_application_of(iin)
    if pending is not None:
        return redirect(url_for("attachment.show_application", number=pending.request.number), 303)
    applicant = attachment.applicant_of(iin)
    current = attachment.current_attachment(iin)
    form = ApplicationForm()
    form.fill_doctor_choices()
    error = None
    if request.method == "GET" and applicant is not None and not form.address.data:
        form.address.data = applicant.address
    if request.method == "POST" and form.validate():
        data = form.application_input(iin=iin, language=current_language())
        try:
            application = attachment.submit_application(
                data, actor=Actor.patient(), channel=current_channel()
            )
        except attachment.ApplicationPending as pending_error:
            return redirect(url_for("attachment.show_application", number=pending_error.number), 303)
        except attachment.AttachmentError as problem:
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
        clinic_code=attachment.clinic_code(),
        error=error,
    ), status


def _own_application(number: str):
    """The application `number`, if the signed-in person made it; None sends them to sign in."""
    iin = current_patient_iin()
    if not iin:
        return None
    application = attachment.find_by_number(number)
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
        document=attachment.result_document(application),
        waiting_message=registry_pending.WAITING_MESSAGE,
        ground_name=attachment.ground_name(application.request.refusal_ground),
        survey_offered=survey.is_offered(application.request),
    )


@bp.get("/<number>/document")
def download_document(number: str):
    application = _own_application(number)
    if application is None:
        return _redirect("attachment.start_application")
    document = attachment.result_document(application)
    if document is None:
        abort(404)
    return document_response(document)
