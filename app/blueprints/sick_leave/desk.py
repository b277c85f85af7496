"""Staff views of a sick-leave visit. Registrars receive (step 1), doctors fill and sign (step 2), the head of
department or deputy chief physician and the commission sign when the routing needs them, the issuing desk
registers (last step); a doctor closes the sheet. The sign-off (app.services.signoff) decides who may do the
current step: a step posted by a role that does not hold it is refused there and audited (the page answers
200 with the message, so the audit entry is kept; nothing else changes)."""

from datetime import timedelta

from flask import abort, request, url_for
from flask_login import current_user

from app import signoff_desk
from app.auth import current_actor, roles_required
from app.blueprints.sick_leave import desk_bp
from app.blueprints.sick_leave.forms import (
    CloseForm,
    CommissionForm,
    ConfirmForm,
    DoctorForm,
    ReceptionAgainForm,
    ReceptionForm,
    SendBackForm,
)
from app.core.clock import local_now
from app.core.i18n import current_language
from app.htmx import is_htmx_request, redirect_after_step, render_page
from app.responses import document_response
from app.services import registry_pending, sick_leave, signoff

STAFF_ROLES = ("registrar", "doctor", "head_of_department", "head", "issuing_desk")
DESK_ROLES = ("registrar", "head")
QUEUE_ROLES = ("registrar", "doctor", "head_of_department", "head", "issuing_desk")


@desk_bp.context_processor
def _labels() -> dict:
    return {
        "causes": sick_leave.CAUSES,
        "regimes": sick_leave.REGIMES,
        "outcomes": sick_leave.OUTCOMES,
        "issue_modes": sick_leave.ISSUE_MODES,
        "attachment_labels": sick_leave.ATTACHMENT_LABELS,
    }


# ---- the queue ---------------------------------------------------------------------------------------------
@desk_bp.get("/")
@roles_required(*STAFF_ROLES)
def show_queue():
    roles = [role for role in QUEUE_ROLES if current_user.has_role(role)]
    actor = current_actor()
    items = [
        item
        for service in sick_leave.SERVICES
        for item in signoff.open_queue(roles, actor=actor, service_slug=service)
    ]
    items.sort(key=lambda item: (not item.late, item.due_at or local_now()))
    return render_page(
        "sick_leave/desk/queue.html",
        "signoff/_queue.html",
        items=items,
        queue_url=url_for(".show_queue"),
        now=local_now(),
    )


# ---- step 1: the registrar receives ------------------------------------------------------------------------
def _reception_page(form, patient=None, *, problem=None, open_sheet=None, status=200):
    return render_page(
        "sick_leave/desk/new.html",
        None,
        status=status,
        form=form,
        patient=patient,
        problem=problem,
        open_sheet=open_sheet,
    )


@desk_bp.get("/new")
@roles_required(*DESK_ROLES)
def new_request():
    raw_iin = request.args.get("iin", "").strip()
    form = ReceptionForm(formdata=None, iin=raw_iin)
    if not raw_iin:
        return _reception_page(form)
    patient, problem = signoff_desk.patient_for(raw_iin, sick_leave.IIN_INVALID)
    if patient is None:
        return _reception_page(form, problem=problem, status=422)
    sick_leave.open_patient(patient, actor=current_actor())
    return _reception_page(form, patient, open_sheet=sick_leave.open_sheet_of(patient))


@desk_bp.post("/new")
@roles_required(*DESK_ROLES)
def receive():
    form = ReceptionForm()
    patient, problem = signoff_desk.patient_for(form.iin.data, sick_leave.IIN_INVALID)
    if patient is None:
        return _reception_page(form, problem=problem, status=422)
    open_sheet = sick_leave.open_sheet_of(patient)
    if not form.validate() or form.service.data not in sick_leave.SERVICES:
        return _reception_page(form, patient, open_sheet=open_sheet, status=422)
    try:
        visit = sick_leave.receive(
            patient,
            form.service.data,
            identity_document=form.identity_document.data or "",
            actor=current_actor(),
            language=current_language(),
        )
    except (sick_leave.SickLeaveError, signoff.SignoffError) as error:
        signoff_desk.attach_error(form, error)
        return _reception_page(form, patient, problem=error.message, open_sheet=open_sheet, status=422)
    return redirect_after_step(url_for(".show_request", number=visit.number))


# ---- one visit: its steps and the current step's form ------------------------------------------------------
def _find(number: str):
    found = sick_leave.find_by_number(number)
    if found is None:
        abort(404)
    return found


def _doctor_form(found) -> DoctorForm:
    period = found.sick_leave_period
    sheet = period.sick_leave
    return DoctorForm(
        formdata=None,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        issue_mode=sheet.issue_mode,
        national_number=sheet.number if sheet.issue_mode == "electronic" else "",
        primary="yes" if sheet.primary else "no",
        continues_number=sheet.continues_number,
        cause=sheet.cause or "illness",
        regime=sheet.regime or "outpatient",
        workplace=sheet.workplace,
        diagnosis=sheet.diagnosis_open if period.position == 0 else sheet.diagnosis_close,
        diagnosis_consent=sheet.diagnosis_consent,
    )


def _request_page(found, *, status=200, error=None, **forms):
    period = found.sick_leave_period
    language = current_language()
    doctor_form = forms.get("doctor_form") or _doctor_form(found)
    close_form = forms.get("close_form") or CloseForm(formdata=None, outcome="return_to_work")
    return render_page(
        "sick_leave/desk/show.html",
        "sick_leave/desk/_request.html",
        status=status,
        found=found,
        period=period,
        sheet=period.sick_leave,
        routing=sick_leave.routing_of(period) if period.starts_on else None,
        current=signoff.current_step(found),
        progress=signoff.progress(found),
        send_backs=signoff.send_backs(found),
        doctor_form=doctor_form.fill_choices(language),
        commission_form=forms.get("commission_form") or CommissionForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
        close_form=close_form.fill_choices(language),
        send_back_form=forms.get("send_back_form") or SendBackForm(formdata=None),
        reception_form=forms.get("reception_form") or ReceptionAgainForm(formdata=None),
        error=error,
        waits_for_registry=found.status == registry_pending.AWAITING_REGISTRY,
        extension_starts=_extension_starts(period),
    )


def _extension_starts(period):
    if period.position == 0:
        return None
    previous = period.sick_leave.periods[period.position - 1]
    return previous.ends_on + timedelta(days=1) if previous.ends_on else None


@desk_bp.get("/<number>")
@roles_required(*STAFF_ROLES)
def show_request(number):
    found = sick_leave.open_request(_find(number), actor=current_actor())
    return _request_page(found)


def _form_error(found, form_name, form):
    return _request_page(found, status=200 if is_htmx_request() else 422, **{form_name: form})


@desk_bp.post("/<number>/reception")
@roles_required(*STAFF_ROLES)
def receive_again(number):
    found = _find(number)
    form = ReceptionAgainForm()
    if not form.validate():
        return _form_error(found, "reception_form", form)
    try:
        sick_leave.receive_again(
            found, identity_document=form.identity_document.data or "", actor=current_actor()
        )
    except (sick_leave.SickLeaveError, signoff.SignoffError) as error:
        signoff_desk.attach_error(form, error)
        return _request_page(
            found, reception_form=form, error=error.message, status=signoff_desk.error_status(error)
        )
    return _request_page(found)


@desk_bp.post("/<number>/doctor")
@roles_required(*STAFF_ROLES)
def sign_as_doctor(number):
    found = _find(number)
    form = DoctorForm().fill_choices(current_language())
    if not form.validate():
        return _form_error(found, "doctor_form", form)
    try:
        sick_leave.sign_as_doctor(found, form.fields(), actor=current_actor())
    except (sick_leave.SickLeaveError, signoff.SignoffError) as error:
        signoff_desk.attach_error(form, error)
        return _request_page(
            found, doctor_form=form, error=error.message, status=signoff_desk.error_status(error)
        )
    return _request_page(found)


@desk_bp.post("/<number>/head")
@roles_required(*STAFF_ROLES)
def sign_as_head(number):
    found = _find(number)
    form = ConfirmForm()
    if not form.validate():
        return _request_page(found, status=422)
    try:
        sick_leave.sign_as_head(found, actor=current_actor())
    except (sick_leave.SickLeaveError, signoff.SignoffError) as error:
        return _request_page(found, error=error.message, status=200)
    return _request_page(found)


@desk_bp.post("/<number>/commission")
@roles_required(*STAFF_ROLES)
def sign_as_commission(number):
    found = _find(number)
    form = CommissionForm()
    if not form.validate():
        return _form_error(found, "commission_form", form)
    try:
        sick_leave.sign_as_commission(found, protocol=form.protocol.data or "", actor=current_actor())
    except (sick_leave.SickLeaveError, signoff.SignoffError) as error:
        signoff_desk.attach_error(form, error)
        return _request_page(
            found, commission_form=form, error=error.message, status=signoff_desk.error_status(error)
        )
    return _request_page(found)


@desk_bp.post("/<number>/issue")
@roles_required(*STAFF_ROLES)
def register_in_book(number):
    found = _find(number)
    form = ConfirmForm()
    if not form.validate():
        return _request_page(found, status=422)
    try:
        sick_leave.register_in_book(found, actor=current_actor())
    except (sick_leave.SickLeaveError, signoff.SignoffError) as error:
        return _request_page(found, error=error.message, status=200)
    return _request_page(found)


@desk_bp.post("/<number>/send-back")
@roles_required(*STAFF_ROLES)
def send_back(number):
    found = _find(number)
    form = SendBackForm()
    if not form.validate():
        return _form_error(found, "send_back_form", form)
    try:
        sick_leave.send_back(found, reason=form.reason.data or "", actor=current_actor())
    except signoff.SignoffError as error:
        form.reason.errors = [error.message]
        return _request_page(
            found, send_back_form=form, error=error.message, status=signoff_desk.error_status(error)
        )
    return _request_page(found)


@desk_bp.post("/<number>/close")
@roles_required(*STAFF_ROLES)
def close_sheet(number):
    found = _find(number)
    form = CloseForm().fill_choices(current_language())
    if not form.validate():
        return _form_error(found, "close_form", form)
    try:
        sick_leave.close(
            found.sick_leave_period.sick_leave,
            outcome=form.outcome.data or "",
            return_on=form.return_on.data,
            diagnosis=form.diagnosis.data or "",
            actor=current_actor(),
        )
    except sick_leave.SickLeaveError as error:
        signoff_desk.attach_error(form, error)
        return _request_page(found, close_form=form, error=error.message, status=200)
    return _request_page(found)


@desk_bp.get("/<number>/document.pdf")
@roles_required(*STAFF_ROLES)
def print_document(number):
    found = _find(number)
    document = found.result_document
    if document is None:
        abort(404)
    sick_leave.open_document(document, actor=current_actor())
    return document_response(document)
