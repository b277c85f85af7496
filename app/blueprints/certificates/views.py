"""Information forms for patients (web, and the kiosk through the same fragments).

The flow is one htmx component (`#certificate-flow`) that swaps itself step by step: your IIN -> the code
sent to your phone -> for whom -> the request page. Each step is also a plain form POST, so it works with
JavaScript off. Errors re-render the step with status 200: a wrong code must be counted, and the request's
single commit only happens below 400.
"""

from flask import abort, make_response, render_template, request, url_for
from flask_babel import gettext as _

from app import notify
from app.blueprints.certificates import bp
from app.blueprints.certificates.forms import (
    ConsentCodeForm,
    IdentifyForm,
    RequestForm,
    SignInCodeForm,
    SubjectConsentForm,
)
from app.channels import current_channel
from app.core.actors import Actor
from app.core.i18n import current_language
from app.core.urls import safe_next_path
from app.htmx import is_htmx_request, redirect_after_step, render_page
from app.patient_auth import current_patient_iin, sign_in_patient, sign_out_patient
from app.registries import RegistryUnavailable
from app.responses import pdf_response
from app.services import catalogue, certificates, otp, patient_identity, registry_pending
from app.services.documents import status_of

REGISTER_PATH = "<any(tb, psychiatry, narcology):register>"
FLOW_PAGE = "certificates/start.html"
FLOW_FRAGMENT = "certificates/_flow.html"
REQUEST_PAGE = "certificates/request.html"
REQUEST_FRAGMENT = "certificates/_request.html"


def registry_down_message() -> str:
    return _("The state database is not answering right now. Please try again in a few minutes.")


# ---- choosing a form and identifying ----------------------------------------------------------------------


@bp.get("/certificates/")
def list_forms():
    iin = current_patient_iin()
    return render_template(
        "certificates/index.html",
        forms=certificates.FORMS,
        service_names={
            key: catalogue.get(spec.service_slug).name for key, spec in certificates.FORMS.items()
        },
        signed_in_iin=iin,
        my_requests=certificates.requests_of(iin) if iin else [],
    )


def start_request(register: str):
    spec = certificates.FORMS[register]
    next_path = safe_next_path(request.args.get("next"), default="")
    if current_patient_iin():
        return _flow(spec, "request", RequestForm())
    return _flow(spec, "identify", IdentifyForm(next=next_path))


# Each form has an endpoint of its own, which the service catalogue names as where the service starts.
for _register in certificates.REGISTERS:
    bp.add_url_rule(
        f"/certificates/{_register}/",
        endpoint=f"start_{_register}_form",
        view_func=start_request,
        defaults={"register": _register},
    )


@bp.post(f"/certificates/{REGISTER_PATH}/code")
def send_sign_in_code(register: str):
    spec = certificates.FORMS[register]
    form = IdentifyForm()
    if not form.validate_on_submit():
        return _flow(spec, "identify", form)
    try:
        contact = patient_identity.contact_for(form.iin.data)
        sent = patient_identity.send_sign_in_code(
            contact, ip=request.remote_addr or "", language=current_language()
        )
    except (patient_identity.IdentityError, otp.OtpError) as error:
        form.iin.errors.append(error.message)
    except RegistryUnavailable:
        form.iin.errors.append(registry_down_message())
    except notify.SmsUnavailable:
        form.iin.errors.append(str(notify.SMS_UNAVAILABLE_MESSAGE))
    else:
        code_form = SignInCodeForm(formdata=None, iin=form.iin.data, next=form.next.data)
        return _flow(spec, "code", code_form, masked_phone=notify.mask_phone(sent.phone))
    return _flow(spec, "identify", form)


@bp.post(f"/certificates/{REGISTER_PATH}/sign-in")
def confirm_sign_in(register: str):
    spec = certificates.FORMS[register]
    form = SignInCodeForm()
    if not form.validate_on_submit():
        if form.iin.errors:  # the hidden IIN was tampered with: start again
            return _flow(spec, "identify", IdentifyForm(formdata=None))
        return _flow(spec, "code", form)
    try:
        patient_identity.confirm_sign_in(form.iin.data, form.code.data)
    except otp.OtpError as error:
        form.code.errors.append(error.message)
        return _flow(spec, "code", form, can_resend=not isinstance(error, otp.WrongCode))
    sign_in_patient(form.iin.data)
    next_path = safe_next_path(form.next.data, default="")
    if next_path:
        return _see_other(next_path)
    return _flow(spec, "request", RequestForm(formdata=None))


@bp.post(f"/certificates/{REGISTER_PATH}/requests")
def submit_request(register: str):
    spec = certificates.FORMS[register]
    iin = current_patient_iin()
    if iin is None:
        form = IdentifyForm(formdata=None)
        form.iin.errors = [_("Your session has ended. Please confirm your IIN again.")]
        return _flow(spec, "identify", form)
    form = RequestForm()
    if not form.validate_on_submit():
        return _flow(spec, "request", form)
    subject_iin = iin if form.for_whom.data == "self" else form.subject_iin.data
    try:
        service_request = certificates.request_form(
            register,
            applicant_iin=iin,
            subject_iin=subject_iin,
            channel=current_channel(),
            actor=Actor.applicant(),
            language=current_language(),
            ip=request.remote_addr or "",
        )
    except certificates.CertificateError as error:
        form.subject_iin.errors.append(error.message)
        return _flow(spec, "request", form)
    return _see_other(url_for("certificates.show_request", number=service_request.number))


@bp.post("/certificates/sign-out")
def sign_out():
    sign_out_patient()
    return _see_other(url_for("certificates.list_forms"))


# ---- one request ------------------------------------------------------------------------------------------


@bp.get("/certificates/requests/<number>")
def show_request(number: str):
    service_request, iin = _request_for_viewer(number)
    if service_request is None:
        return _sign_in_to_see(number)
    if certificates.may_see_result(service_request, iin) and not is_htmx_request():
        certificates.record_view(service_request, "result_viewed", channel=current_channel())
    return _render_request(service_request, iin)


@bp.get("/certificates/requests/<number>/status")
def show_request_status(number: str):
    """Polled by the request page while it waits; a changed status reloads the page."""
    service_request, iin = _request_for_viewer(number)
    if service_request is None:  # signed out meanwhile: the reload shows the sign-in step
        response = make_response("", 200)
        response.headers["HX-Refresh"] = "true"
        return response
    if (
        service_request.status in certificates.PENDING_STATUSES
        and request.args.get("was") == service_request.status
    ):
        response = make_response(
            render_template(
                "certificates/_status.html",
                service_request=service_request,
                **_request_facts(service_request),
            )
        )
    else:
        response = make_response("", 200)
        response.headers["HX-Refresh"] = "true"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/certificates/requests/<number>/consent")
def enter_consent_code(number: str):
    service_request, iin = _request_for_viewer(number)
    if service_request is None or iin != service_request.information_form.applicant_iin:
        abort(404)
    form = ConsentCodeForm()
    if form.validate_on_submit():
        try:
            certificates.give_consent(
                service_request,
                form.code.data,
                method="code_via_applicant",
                channel=current_channel(),
                actor=Actor.applicant(),
                ip=request.remote_addr or "",
            )
        except (otp.OtpError, certificates.CertificateError) as error:
            form.code.errors.append(error.message)
        else:
            return _see_other(url_for("certificates.show_request", number=service_request.number))
    return _render_request(service_request, iin, consent_form=form)


@bp.post("/certificates/requests/<number>/consent-code")
def resend_consent_code(number: str):
    service_request, iin = _request_for_viewer(number)
    if service_request is None or iin != service_request.information_form.applicant_iin:
        abort(404)
    notice = _resend(service_request, Actor.applicant())
    return _render_request(service_request, iin, notice=notice)


@bp.get("/certificates/requests/<number>/form.pdf")
def download_form(number: str):
    service_request, iin = _request_for_viewer(number)
    if service_request is None or not certificates.may_see_result(service_request, iin):
        abort(404)
    certificates.record_view(service_request, "document_downloaded", channel=current_channel())
    return result_pdf(service_request)


# ---- the subject's consent link ---------------------------------------------------------------------------


@bp.route("/certificates/consent/<token>", methods=["GET", "POST"])
def consent_by_link(token: str):
    service_request = certificates.find_by_consent_token(token)
    if service_request is None:
        response = render_template("certificates/consent.html", service_request=None, form=None)
        return response, 404
    certificates.expire_consent_if_due(service_request)
    form = SubjectConsentForm()
    notice = None
    if (
        request.method == "POST"
        and service_request.status == "awaiting_consent"
        and form.validate_on_submit()
    ):
        action = request.form.get("action")
        if action == "decline":
            certificates.decline_consent(service_request, channel=current_channel())
        elif action == "resend":
            notice = _resend(service_request, Actor(label="subject"), token=token)
        else:
            try:
                certificates.give_consent(
                    service_request,
                    form.code.data or "",
                    method="code_via_link",
                    channel=current_channel(),
                    actor=Actor(label="subject"),
                    ip=request.remote_addr or "",
                )
            except (otp.OtpError, certificates.CertificateError) as error:
                form.code.errors.append(error.message)
    response = make_response(
        render_page(
            "certificates/consent.html",
            "certificates/_consent.html",
            service_request=service_request,
            spec=certificates.form_spec(service_request),
            form=form,
            notice=notice,
            applicant=certificates.applicant_label(service_request),
            token=token,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    return response


# ---- helpers ----------------------------------------------------------------------------------------------


def result_pdf(service_request):
    document = certificates.result_document(service_request)
    return pdf_response(document.pdf, f"{document.number}.pdf")


def _flow(spec, step: str, form, **context):
    response = render_page(
        FLOW_PAGE,
        FLOW_FRAGMENT,
        spec=spec,
        step=step,
        form=form,
        signed_in_iin=current_patient_iin(),
        **context,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _request_for_viewer(number: str):
    """The request if the signed-in patient may see it; (None, iin) otherwise (404 for the curious).

    The request's lazy upkeep (consent expiry, registry retry) runs whoever looks: it reveals nothing."""
    service_request = certificates.find_request(number)
    iin = current_patient_iin()
    if service_request is None:
        abort(404)
    certificates.refresh(service_request)
    if not certificates.may_view(service_request, iin):
        if iin is not None:
            abort(404)
        return None, None
    return service_request, iin


def _request_facts(service_request) -> dict:
    form = service_request.information_form
    document = certificates.result_document(service_request)
    return {
        "spec": certificates.form_spec(service_request),
        "info": form,
        "document": document,
        "document_status": status_of(document) if document else None,
        "waiting_message": registry_pending.WAITING_MESSAGE,
        "refusal_ground": certificates.refusal_ground_text(service_request),
    }


def _render_request(service_request, iin, *, consent_form=None, notice=None):
    form = service_request.information_form
    if notice is None and certificates.consent_sms_failed(service_request):
        notice = str(notify.SMS_UNAVAILABLE_MESSAGE)
    response = render_page(
        REQUEST_PAGE,
        REQUEST_FRAGMENT,
        service_request=service_request,
        is_applicant=iin == form.applicant_iin,
        may_see_result=certificates.may_see_result(service_request, iin),
        consent_form=consent_form or ConsentCodeForm(formdata=None),
        notice=notice,
        signed_in_iin=iin,
        **_request_facts(service_request),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _sign_in_to_see(number: str):
    service_request = certificates.find_request(number)
    spec = certificates.form_spec(service_request)
    form = IdentifyForm(formdata=None, next=url_for("certificates.show_request", number=number))
    return _flow(spec, "identify", form, sign_in_to_see=number)


def _resend(service_request, actor: Actor, token: str | None = None) -> str:
    """Send the subject a new consent code; the message to show, good or bad."""
    try:
        certificates.send_consent_code_again(
            service_request, actor=actor, ip=request.remote_addr or "", token=token
        )
    except (otp.OtpError, certificates.CertificateError) as error:
        return error.message
    except RegistryUnavailable:
        return registry_down_message()
    except notify.SmsUnavailable:
        return str(notify.SMS_UNAVAILABLE_MESSAGE)
    return _("A new code has been sent to the person's phone.")


def _see_other(url: str):
    return redirect_after_step(url)
