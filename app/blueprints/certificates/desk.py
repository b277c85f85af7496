"""Information forms at the registry desk: the registrar checks the identity document and issues the form.

Every read and change of a request is audited by the service operation the view calls, with the actor
`current_actor()` gives.
"""

from flask import abort, redirect, render_template, url_for

from app.auth import current_actor, roles_required
from app.blueprints.certificates import bp
from app.blueprints.certificates.forms import ConsentCodeForm, DeskRequestForm
from app.channels import client_key
from app.core.i18n import current_language
from app.responses import document_response
from app.services import certificates, otp, registry_pending
from app.services.documents import status_of

DESK_ROLES = ("registrar", "head")


@bp.route("/staff/certificates/", methods=["GET", "POST"])
@roles_required(*DESK_ROLES)
def desk_requests():
    form = DeskRequestForm()
    actor = current_actor()
    if form.validate_on_submit():
        try:
            service_request = certificates.request_form_at_desk(
                form.register.data,
                subject_iin=form.subject_iin.data,
                applicant_name=form.applicant_name.data or "",
                applicant_iin=form.applicant_iin.data or "",
                subject_present=form.subject_present.data == "yes",
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
            return redirect(url_for("certificates.show_desk_request", number=service_request.number), 303)
    return render_template(
        "certificates/desk/index.html",
        form=form,
        forms=certificates.FORMS,
        requests=certificates.desk_list(actor=actor),
    )


@bp.get("/staff/certificates/<number>")
@roles_required(*DESK_ROLES)
def show_desk_request(number: str):
    service_request = _load(number)
    certificates.open_at_desk(service_request, actor=current_actor())
    return _render(service_request)


@bp.post("/staff/certificates/<number>/consent")
@roles_required(*DESK_ROLES)
def enter_desk_consent_code(number: str):
    service_request = _load(number)
    form = ConsentCodeForm()
    actor = current_actor()
    if form.validate_on_submit():
        try:
            certificates.give_consent(
                service_request,
                form.code.data,
                method="code_at_desk",
                channel="desk",
                actor=actor,
                ip=client_key(),
            )
        except (otp.OtpError, certificates.CertificateError) as error:
            form.code.errors.append(error.message)
        else:
            return redirect(url_for("certificates.show_desk_request", number=number), 303)
    certificates.show_at_desk(service_request, actor=actor)
    return _render(service_request, consent_form=form)


@bp.post("/staff/certificates/<number>/consent-code")
@roles_required(*DESK_ROLES)
def resend_desk_consent_code(number: str):
    service_request = _load(number)
    notice = certificates.resend_consent_code(service_request, actor=current_actor(), ip=client_key())
    return _render(service_request, notice=notice)


@bp.post("/staff/certificates/<number>/retry")
@roles_required(*DESK_ROLES)
def retry_desk_request(number: str):
    service_request = _load(number)
    outcome = certificates.retry_at_desk(service_request, actor=current_actor())
    return _render(service_request, notice=str(outcome.message))


@bp.get("/staff/certificates/<number>/form.pdf")
@roles_required(*DESK_ROLES)
def print_desk_form(number: str):
    document = certificates.print_at_desk(_load(number), actor=current_actor())
    if document is None:
        abort(404)
    return document_response(document)


def _load(number: str):
    service_request = certificates.find_request(number)
    if service_request is None:
        abort(404)
    return service_request


def _render(service_request, *, consent_form=None, notice=None):
    document = certificates.result_document(service_request)
    return render_template(
        "certificates/desk/request.html",
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
