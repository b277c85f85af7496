"""Information forms for patients (web, and the kiosk through the same fragments).

The flow is one htmx component (`#certificate-flow`) that swaps itself step by step: your IIN -> the code
sent to your phone -> for whom -> the request page. The first two steps are the patients' shared sign-in
(app.patient_sign_in), one per form, whose routes are declared here; a confirmed code carries on in the same
box. Each step is also a plain form POST, so it works with JavaScript off. Errors re-render the step with
status 200: a wrong code must be counted, and the request's single commit only happens below 400.
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
from app.channels import client_key, current_channel
from app.core.actors import Actor
from app.core.i18n import current_language
from app.htmx import is_htmx_request, redirect_after_step, render_page
from app.patient_auth import current_patient_iin
from app.patient_sign_in import PatientSignIn
from app.responses import document_response
from app.services import certificates, otp, registry_pending
from app.services.certificates import FormSpec
from app.services.documents import status_of

REGISTER_PATH = "<any(tb, psychiatry, narcology):register>"
FLOW_PAGE = "certificates/start.html"
FLOW_FRAGMENT = "certificates/_flow.html"
REQUEST_PAGE = "certificates/request.html"
REQUEST_FRAGMENT = "certificates/_request.html"


def _request_step(spec: FormSpec, form: RequestForm):
    """The flow's third step, for a signed-in person: for whom is the form."""
    return _no_store(render_page(FLOW_PAGE, FLOW_FRAGMENT, spec=spec, step="request", form=form))


def _sign_in_for(spec: FormSpec) -> PatientSignIn:
    return PatientSignIn(
        blueprint="certificates",
        # Signing out, or a code whose IIN the session lost, goes back to the list of the forms.
        start_endpoint="list_forms",
        landing_endpoint=f"certificates.start_{spec.register}_form",
        page_template=FLOW_PAGE,
        fragment_template=FLOW_FRAGMENT,
        iin_form=IdentifyForm,
        code_form=SignInCodeForm,
        page_values=lambda: {"spec": spec},
        lands_in_place=lambda: _request_step(spec, RequestForm(formdata=None)),
    )


# One sign-in per form, for the form's own page and box; they share the session, so one signs out of all.
SIGN_IN = {register: _sign_in_for(spec) for register, spec in certificates.FORMS.items()}


# ---- choosing a form and signing in -----------------------------------------------------------------------


@bp.get("/certificates/")
def list_forms():
    iin = current_patient_iin()
    return render_template(
        "certificates/index.html",
        forms=certificates.FORMS,
        service_names=certificates.service_names(),
        signed_in_iin=iin,
        my_requests=certificates.requests_of(iin) if iin else [],
    )


def start_request(register: str):
    if current_patient_iin():
        return _request_step(certificates.FORMS[register], RequestForm())
    return _no_store(SIGN_IN[register].start())


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
    return _no_store(SIGN_IN[register].send_code())


@bp.post(f"/certificates/{REGISTER_PATH}/sign-in")
def confirm_sign_in(register: str):
    return _no_store(SIGN_IN[register].check_code())


@bp.post("/certificates/sign-out")
def sign_out():
    return SIGN_IN["tb"].sign_out()  # the same for the three forms


@bp.post(f"/certificates/{REGISTER_PATH}/requests")
def submit_request(register: str):
    spec = certificates.FORMS[register]
    iin = current_patient_iin()
    if iin is None:
        error = _("Your session has ended. Please confirm your IIN again.")
        return _no_store(SIGN_IN[register].render_box(error=error))
    form = RequestForm()
    if not form.validate_on_submit():
        return _request_step(spec, form)
    subject_iin = iin if form.for_whom.data == "self" else form.subject_iin.data
    try:
        service_request = certificates.request_form(
            register,
            applicant_iin=iin,
            subject_iin=subject_iin,
            channel=current_channel(),
            actor=Actor.applicant(),
            language=current_language(),
            ip=client_key(),
        )
    except certificates.CertificateError as error:
        form.subject_iin.errors.append(error.message)
        return _request_step(spec, form)
    return redirect_after_step(url_for("certificates.show_request", number=service_request.number))


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
    return _no_store(response)


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
                ip=client_key(),
            )
        except (otp.OtpError, certificates.CertificateError) as error:
            form.code.errors.append(error.message)
        else:
            return redirect_after_step(url_for("certificates.show_request", number=service_request.number))
    return _render_request(service_request, iin, consent_form=form)


@bp.post("/certificates/requests/<number>/consent-code")
def resend_consent_code(number: str):
    service_request, iin = _request_for_viewer(number)
    if service_request is None or iin != service_request.information_form.applicant_iin:
        abort(404)
    notice = certificates.resend_consent_code(service_request, actor=Actor.applicant(), ip=client_key())
    return _render_request(service_request, iin, notice=notice)


@bp.get("/certificates/requests/<number>/form.pdf")
def download_form(number: str):
    service_request, iin = _request_for_viewer(number)
    if service_request is None or not certificates.may_see_result(service_request, iin):
        abort(404)
    certificates.record_view(service_request, "document_downloaded", channel=current_channel())
    document = certificates.result_document(service_request)
    return document_response(document)


# ---- the subject's consent link ---------------------------------------------------------------------------


@bp.route("/certificates/consent/<token>", methods=["GET", "POST"])
# The short address the consent SMS carries (it must stay within two segments); url_for builds this one.
@bp.route("/c/<token>", methods=["GET", "POST"])
def consent_by_link(token: str):
    service_request = certificates.find_by_consent_token(token)
    if service_request is None:
        response = render_template("certificates/consent.html", service_request=None, form=None)
        return response, 404
    certificates.expire_consent_if_due(service_request)
    form = SubjectConsentForm()
    notice = None
    subject = Actor(label="subject")
    if (
        request.method == "POST"
        and service_request.status == "awaiting_consent"
        and form.validate_on_submit()
    ):
        action = request.form.get("action")
        if action == "decline":
            certificates.decline_consent(service_request, channel=current_channel())
        elif action == "resend":
            notice = certificates.resend_consent_code(
                service_request, actor=subject, ip=client_key(), token=token
            )
        else:
            try:
                certificates.give_consent(
                    service_request,
                    form.code.data or "",
                    method="code_via_link",
                    channel=current_channel(),
                    actor=subject,
                    ip=client_key(),
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
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    return _no_store(response)


# ---- helpers ----------------------------------------------------------------------------------------------


def _no_store(response):
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
    document = certificates.result_document(service_request)
    return {
        "spec": certificates.form_spec(service_request),
        "info": service_request.information_form,
        "document": document,
        "document_status": status_of(document) if document else None,
        "waiting_message": registry_pending.WAITING_MESSAGE,
        "refusal_ground": certificates.refusal_ground_text(service_request),
    }


def _render_request(service_request, iin, *, consent_form=None, notice=None):
    if notice is None and certificates.consent_sms_failed(service_request):
        notice = str(notify.SMS_UNAVAILABLE_MESSAGE)
    response = render_page(
        REQUEST_PAGE,
        REQUEST_FRAGMENT,
        service_request=service_request,
        is_applicant=iin == service_request.information_form.applicant_iin,
        may_see_result=certificates.may_see_result(service_request, iin),
        consent_form=consent_form or ConsentCodeForm(formdata=None),
        notice=notice,
        signed_in_iin=iin,
        **_request_facts(service_request),
    )
    return _no_store(response)


def _sign_in_to_see(number: str):
    """The sign-in box of the request's form, which lands on the request once the code is confirmed."""
    service_request = certificates.find_request(number)
    sign_in = SIGN_IN[service_request.information_form.register]
    sign_in.remember_next_page(url_for("certificates.show_request", number=number))
    return _no_store(sign_in.render_box(sign_in_to_see=number))
