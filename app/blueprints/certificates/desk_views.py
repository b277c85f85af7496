"""Information forms at the registry desk: the registrar checks the identity document and issues the form.

Every view that shows a request (and so, once answered, the subject's status) writes an audit entry.
"""

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import notify
from app.auth import audit, roles_required
from app.blueprints.certificates import bp
from app.blueprints.certificates.forms import ConsentCodeForm, DeskRequestForm
from app.blueprints.certificates.views import result_pdf
from app.core.actors import Actor
from app.core.i18n import current_language
from app.registries import RegistryUnavailable
from app.services import certificates, otp, registry_pending
from app.services.documents import status_of

DESK_ROLES = ("registrar", "head")


@bp.route("/staff/certificates/", methods=["GET", "POST"])
@roles_required(*DESK_ROLES)
def desk_requests():
    form = DeskRequestForm()
    actor = Actor.of_staff(current_user)
    if form.validate_on_submit():
        subject_present = form.subject_present.data == "yes"
        try:
            service_request = certificates.request_form_at_desk(
                form.register.data,
                subject_iin=form.subject_iin.data,
                applicant_name=form.applicant_name.data or "",
                applicant_iin=form.applicant_iin.data or "",
                subject_present=subject_present,
                identity_checked=form.identity_checked.data,
                identity_note=form.identity_note.data or "",
                actor=actor,
                language=current_language(),
            )
        except certificates.IdentityNotChecked as error:
            form.identity_checked.errors.append(error.message)
        except certificates.CertificateError as error:
            form.subject_iin.errors.append(error.message)
        else:
            audit(
                "create",
                "information_form_request",
                object_id=service_request.number,
                patient_id=service_request.subject_id,
                detail=form.register.data,
            )
            return redirect(url_for("certificates.show_desk_request", number=service_request.number), 303)
    audit("view", "information_form_requests", detail="desk list")
    return render_template(
        "certificates/desk.html", form=form, forms=certificates.FORMS, requests=certificates.desk_requests()
    )


@bp.get("/staff/certificates/<number>")
@roles_required(*DESK_ROLES)
def show_desk_request(number: str):
    service_request = _load(number)
    certificates.refresh(service_request)
    audit("view", "information_form_request", object_id=number, patient_id=service_request.subject_id)
    return _render(service_request)


@bp.post("/staff/certificates/<number>/consent")
@roles_required(*DESK_ROLES)
def enter_desk_consent_code(number: str):
    service_request = _load(number)
    form = ConsentCodeForm()
    if form.validate_on_submit():
        try:
            certificates.give_consent(
                service_request,
                form.code.data,
                method="code_at_desk",
                channel="desk",
                actor=Actor.of_staff(current_user),
                ip=request.remote_addr or "",
            )
        except (otp.OtpError, certificates.CertificateError) as error:
            form.code.errors.append(error.message)
        else:
            audit("update", "information_form_request", object_id=number, detail="consent given at the desk")
            return redirect(url_for("certificates.show_desk_request", number=number), 303)
    audit("view", "information_form_request", object_id=number, patient_id=service_request.subject_id)
    return _render(service_request, consent_form=form)


@bp.post("/staff/certificates/<number>/consent-code")
@roles_required(*DESK_ROLES)
def resend_desk_consent_code(number: str):
    service_request = _load(number)
    try:
        certificates.send_consent_code_again(
            service_request, actor=Actor.of_staff(current_user), ip=request.remote_addr or ""
        )
    except (otp.OtpError, certificates.CertificateError) as error:
        notice = error.message
    except RegistryUnavailable:
        notice = _("The state database is not answering right now. Please try again in a few minutes.")
    except notify.SmsUnavailable:
        notice = str(notify.SMS_UNAVAILABLE_MESSAGE)
    else:
        notice = _("A new code has been sent to the person's phone.")
    audit("update", "information_form_request", object_id=number, detail="consent code sent again")
    return _render(service_request, notice=notice)


@bp.post("/staff/certificates/<number>/retry")
@roles_required(*DESK_ROLES)
def retry_desk_request(number: str):
    service_request = _load(number)
    outcome = registry_pending.retry(service_request, Actor.of_staff(current_user), channel="desk")
    audit("update", "information_form_request", object_id=number, detail=f"registry retry: {outcome.result}")
    return _render(service_request, notice=str(outcome.message))


@bp.get("/staff/certificates/<number>/form.pdf")
@roles_required(*DESK_ROLES)
def print_desk_form(number: str):
    service_request = _load(number)
    document = certificates.result_document(service_request)
    if document is None or not certificates.desk_may_see_result(service_request):
        abort(404)
    audit("print", "document", object_id=document.number, patient_id=document.subject_id)
    return result_pdf(service_request)


def _load(number: str):
    service_request = certificates.find_request(number)
    if service_request is None:
        abort(404)
    return service_request


def _render(service_request, *, consent_form=None, notice=None):
    document = certificates.result_document(service_request)
    return render_template(
        "certificates/desk_request.html",
        service_request=service_request,
        info=service_request.information_form,
        spec=certificates.form_spec(service_request),
        document=document,
        document_status=status_of(document) if document else None,
        show_result=certificates.desk_may_see_result(service_request),
        refusal_ground=certificates.refusal_ground_text(service_request),
        consent_form=consent_form or ConsentCodeForm(formdata=None),
        waiting_message=registry_pending.WAITING_MESSAGE,
        notice=notice,
    )
