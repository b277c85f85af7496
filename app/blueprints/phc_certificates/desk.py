"""Staff views of PHC certificates. Registrars receive (step 1), doctors sign (step 2), the head reads; the
sign-off itself (app.services.signoff) decides who may do the current step, so a step posted by a role that
does not hold it is refused there and audited (the page answers 200 with the message, so the audit entry is
kept; nothing else changes). Every look at a person's data is audited by the service."""

from flask import abort, request, url_for
from flask_login import current_user

from app import issued_journals, signoff_desk
from app.auth import current_actor, roles_required
from app.blueprints.phc_certificates import desk_bp
from app.blueprints.phc_certificates.forms import DoctorForm, ReceptionForm, SendBackForm
from app.core.clock import local_now
from app.core.i18n import current_language
from app.htmx import is_htmx_request, redirect_after_step, render_page
from app.services import phc_certificates, registry_pending, signoff

STAFF_ROLES = ("registrar", "doctor", "head")
DESK_ROLES = ("registrar", "head")


@desk_bp.context_processor
def _labels() -> dict:
    return {
        "presenter_labels": phc_certificates.PRESENTER_LABELS,
        "attachment_labels": phc_certificates.ATTACHMENT_LABELS,
        "kind_of": phc_certificates.kind_of,
    }


# ---- the queue ------------------------------------------------------------------------------------------
@desk_bp.get("/")
@roles_required(*STAFF_ROLES)
def show_queue():
    roles = [role for role in ("registrar", "doctor") if current_user.has_role(role)]
    items = signoff.open_queue(roles, actor=current_actor(), service_slug=phc_certificates.SERVICE)
    return render_page(
        "phc_certificates/desk/queue.html",
        "signoff/_queue.html",
        items=items,
        queue_url=url_for(".show_queue"),
        now=local_now(),
    )


# ---- step 1: the registrar receives ---------------------------------------------------------------------
def _reception_page(form, patient=None, *, problem=None, status=200):
    return render_page(
        "phc_certificates/desk/new.html", None, status=status, form=form, patient=patient, problem=problem
    )


@desk_bp.get("/new")
@roles_required(*DESK_ROLES)
def new_request():
    raw_iin = request.args.get("iin", "").strip()
    form = ReceptionForm(formdata=None, iin=raw_iin).fill_kinds()
    if not raw_iin:
        return _reception_page(form)
    patient, problem = signoff_desk.patient_for(raw_iin, phc_certificates.IIN_INVALID)
    if patient is None:
        return _reception_page(form, problem=problem, status=422)
    phc_certificates.open_patient(patient, actor=current_actor())
    return _reception_page(form, patient)


@desk_bp.post("/new")
@roles_required(*DESK_ROLES)
def receive():
    form = ReceptionForm().fill_kinds()
    patient, problem = signoff_desk.patient_for(form.iin.data, phc_certificates.IIN_INVALID)
    if patient is None:
        return _reception_page(form, problem=problem, status=422)
    if not form.validate():
        return _reception_page(form, patient, status=422)
    try:
        certificate_request = phc_certificates.receive(
            patient, form.reception(), actor=current_actor(), language=current_language()
        )
    except (phc_certificates.CertificateError, signoff.SignoffError) as error:
        signoff_desk.attach_error(form, error)
        return _reception_page(form, patient, problem=error.message, status=422)
    return redirect_after_step(url_for(".show_request", number=certificate_request.number))


# ---- one request: its steps and the current step's form --------------------------------------------------
def _find(number: str):
    found = phc_certificates.find_by_number(number)
    if found is None:
        abort(404)
    return found


def _request_page(
    found, *, reception_form=None, doctor_form=None, send_back_form=None, error=None, status=200
):
    certificate = found.phc_certificate
    if reception_form is None:
        reception_form = ReceptionForm(
            formdata=None,
            kind=certificate.kind,
            purpose=certificate.purpose,
            presented_by=certificate.presented_by,
            identity_document=certificate.identity_document,
            proxy_name=certificate.proxy_name,
            proxy_iin=certificate.proxy_iin,
            proxy_document_number=certificate.proxy_document_number,
            proxy_document_date=certificate.proxy_document_date,
        ).fill_kinds()
    if doctor_form is None:
        doctor_form = DoctorForm(
            formdata=None, conclusion=certificate.conclusion, **(certificate.fields or {})
        )
    return render_page(
        "phc_certificates/desk/show.html",
        "phc_certificates/desk/_request.html",
        status=status,
        found=found,
        certificate=certificate,
        kind=phc_certificates.kind_of(certificate.kind),
        current=signoff.current_step(found),
        progress=signoff.progress(found),
        send_backs=signoff.send_backs(found),
        reception_form=reception_form,
        doctor_form=doctor_form,
        send_back_form=send_back_form or SendBackForm(formdata=None),
        error=error,
        waits_for_registry=found.status == registry_pending.AWAITING_REGISTRY,
    )


@desk_bp.get("/<number>")
@roles_required(*STAFF_ROLES)
def show_request(number):
    found = phc_certificates.open_request(_find(number), actor=current_actor())
    return _request_page(found)


@desk_bp.post("/<number>/reception")
@roles_required(*STAFF_ROLES)
def receive_again(number):
    found = _find(number)
    form = ReceptionForm().fill_kinds()
    if not form.validate():
        return _request_page(found, reception_form=form, status=200 if is_htmx_request() else 422)
    try:
        phc_certificates.receive_again(found, form.reception(), actor=current_actor())
    except (phc_certificates.CertificateError, signoff.SignoffError) as error:
        signoff_desk.attach_error(form, error)
        return _request_page(
            found, reception_form=form, error=error.message, status=signoff_desk.error_status(error)
        )
    return _request_page(found)


@desk_bp.post("/<number>/sign")
@roles_required(*STAFF_ROLES)
def sign_as_doctor(number):
    found = _find(number)
    form = DoctorForm()
    if not form.validate():
        return _request_page(found, doctor_form=form, status=200 if is_htmx_request() else 422)
    try:
        phc_certificates.sign_as_doctor(
            found, conclusion=form.conclusion.data or "", fields=form.kind_values(), actor=current_actor()
        )
    except (phc_certificates.CertificateError, signoff.SignoffError) as error:
        signoff_desk.attach_error(form, error)
        return _request_page(
            found, doctor_form=form, error=error.message, status=signoff_desk.error_status(error)
        )
    return _request_page(found)


@desk_bp.post("/<number>/send-back")
@roles_required(*STAFF_ROLES)
def send_back(number):
    found = _find(number)
    form = SendBackForm()
    if not form.validate():
        return _request_page(found, send_back_form=form, status=200 if is_htmx_request() else 422)
    try:
        phc_certificates.send_back(found, reason=form.reason.data or "", actor=current_actor())
    except signoff.SignoffError as error:
        form.reason.errors = [error.message]
        return _request_page(
            found, send_back_form=form, error=error.message, status=signoff_desk.error_status(error)
        )
    return _request_page(found)


# ---- the issued certificate, the register of issued certificates ---------------------------------------
issued_journals.add_routes(
    desk_bp,
    issued_journals.IssuedJournal(
        name="register",
        open_rows=phc_certificates.open_register,
        page="phc_certificates/desk/register.html",
        fragment="phc_certificates/desk/_register.html",
        template="documents/phc_certificate_register.html",
        filename="phc-certificates",
        print_context={"kind_of": phc_certificates.kind_of},
    ),
    roles=STAFF_ROLES,
    document_url="/<number>/certificate.pdf",
    document_endpoint="print_certificate",
    find=_find,
)
