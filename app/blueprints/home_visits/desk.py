"""Staff views of home doctor calls: the registrar's call form (phone, desk), the home-call journal with
its answer deadlines, one call (assign, reassign, cancel, outcome), and the doctor's route list (page, PDF).

Who may do what: registrars and the head take calls, read the journal and assign doctors; a doctor reads and
marks the calls given to them; the head may do all of it. Every look at and change of a patient's data is
audited by the service function that does it (the views pass current_actor()).
"""

import logging
from datetime import date, datetime

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.auth import current_actor, roles_required
from app.blueprints.home_visits import desk_bp
from app.blueprints.home_visits.forms import AssignForm, CancelForm, DeskCallForm, OutcomeForm
from app.core.clock import ALMATY, local_now
from app.core.i18n import current_language
from app.core.inputs import to_day, to_id
from app.htmx import is_htmx_request, render_page
from app.models.home_visits import VISIT_STATUSES
from app.responses import document_response
from app.services import home_visits
from app.services.clinic import list_districts
from app.services.status import CHANNEL_LABELS

log = logging.getLogger(__name__)

DESK_ROLES = ("registrar", "head")
CALL_ROLES = ("registrar", "head", "doctor")
OUTCOME_ROLES = ("doctor", "head")
ROUTE_ROLES = ("registrar", "head", "doctor")
JOURNAL_POLL_SECONDS = 20


def _sees_every_call() -> bool:
    """Registrars and the head see every call; a doctor only the calls given to them."""
    return current_user.has_role("registrar", "head")


def _day_arg(name: str = "day") -> date:
    return to_day(request.args.get(name)) or local_now().date()


def _int_arg(name: str) -> int | None:
    return to_id(request.args.get(name))


@desk_bp.context_processor
def _labels() -> dict:
    return {
        "red_flag_labels": home_visits.RED_FLAG_LABELS,
        "status_labels": home_visits.STATUS_LABELS,
        "outcome_labels": home_visits.OUTCOME_LABELS,
        "applicant_labels": home_visits.APPLICANT_LABELS,
        "sex_labels": home_visits.SEX_LABELS,
        "age_label": home_visits.age_label,
        "deadline_state": home_visits.deadline_state,
        "channel_labels": CHANNEL_LABELS,
        "event_note": home_visits.event_note,
    }


# ---- the home-call journal ------------------------------------------------------------------------------
@desk_bp.get("/")
@roles_required(*DESK_ROLES)
def show_journal():
    status = request.args.get("status")
    journal = home_visits.open_journal(
        _day_arg(),
        district_id=_int_arg("district"),
        status=status if status in VISIT_STATUSES else None,
        actor=current_actor(),
        refresh=request.headers.get("HX-Trigger") == "journal",
    )
    return render_page(
        "home_visits/desk/journal.html",
        "home_visits/desk/_journal.html",
        day=journal.day,
        district_id=journal.district_id,
        status=journal.status,
        visits=journal.visits,
        awaiting=journal.awaiting,
        states=journal.states,
        attention=journal.attention,
        districts=list_districts(),
        statuses=VISIT_STATUSES,
        poll_seconds=JOURNAL_POLL_SECONDS,
        now=local_now(),
    )


# ---- the registrar takes a call ---------------------------------------------------------------------------
def _find_patient(raw_iin: str):
    """(patient, problem): the card for the IIN (made from the registry when missing), or what went wrong."""
    found = home_visits.find_patient(raw_iin)
    return found.patient, found.problem


def _call_page(form: DeskCallForm, patient, *, problem=None, error=None, duplicate=None, status=200):
    today_call = home_visits.todays_call(patient) if patient is not None else None
    return render_page(
        "home_visits/desk/new.html",
        None,
        status=status,
        form=form,
        patient=patient,
        iin=form.iin.data or request.args.get("iin", ""),
        problem=problem,
        error=error,
        duplicate=duplicate or today_call,
        call_day=home_visits.call_day_for(),
        today=local_now().date(),
    )


@desk_bp.get("/new")
@roles_required(*DESK_ROLES)
def new_call():
    raw_iin = request.args.get("iin", "").strip()
    form = DeskCallForm(formdata=None, iin=raw_iin)
    if not raw_iin:
        return _call_page(form, None)
    patient, problem = _find_patient(raw_iin)
    if patient is None:
        return _call_page(form, None, problem=problem, status=422 if problem else 200)
    home_visits.open_patient(patient, actor=current_actor())
    form = DeskCallForm(formdata=None, iin=patient.iin, address=patient.address, callback_phone=patient.phone)
    return _call_page(form, patient)


@desk_bp.post("/new")
@roles_required(*DESK_ROLES)
def create_call():
    form = DeskCallForm()
    patient, problem = _find_patient(form.iin.data or "")
    if patient is None:
        return _call_page(form, None, problem=problem, status=422)
    if not form.validate():
        return _call_page(form, patient, status=422)
    try:
        details = home_visits.CallDetails(
            address=form.address.data or "",
            complaint=form.complaint.data or "",
            callback_phone=form.callback_phone.data or "",
            temperature=home_visits.parse_temperature(form.temperature.data),
            red_flags=set(form.red_flags.data or []),
            applicant_kind=form.applicant_kind.data,
            applicant_name=form.applicant_name.data or "",
            applicant_relationship=form.applicant_relationship.data or "",
        )
        visit = home_visits.call_doctor(
            patient,
            details,
            actor=current_actor(),
            channel=form.channel.data,
            language=patient.language,
            identity_document_checked=form.identity_document_checked.data,
        )
    except home_visits.InvalidCall as invalid:
        target = getattr(form, invalid.field or "", None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, invalid.message]
            return _call_page(form, patient, status=422)
        return _call_page(form, patient, error=invalid.message, status=422)
    except home_visits.DuplicateCall as duplicate:
        return _call_page(form, patient, error=duplicate.message, duplicate=duplicate.visit, status=409)
    except home_visits.CallRefused as refused:
        visit = refused.visit
        flash(str(refused.message), "error")
    if visit.status == "assigned":
        flash(
            _(
                "Call %(number)s is registered. Tell the caller: %(answer)s",
                number=visit.number,
                answer=" ".join(home_visits.result_lines(visit)),
            ),
            "success",
        )
    elif visit.status in ("waiting", "unassigned"):
        flash(" ".join(home_visits.result_lines(visit)), "warning")
    return redirect(url_for("desk_home_visits.show_call", number=visit.number), 303)


# ---- one call --------------------------------------------------------------------------------------------
def _visit_or_404(number: str):
    visit = home_visits.find_by_number(number)
    if visit is None:
        abort(404)
    if not _sees_every_call() and visit.doctor_id != current_user.id:
        abort(403)
    return visit


def _assign_form(visit, formdata=None) -> AssignForm:
    options, starts = home_visits.assignment_options(visit)
    form = AssignForm(formdata=formdata)
    form.doctor.choices = [SelectChoice("", _("Choose a doctor"))] + [
        SelectChoice(str(option.doctor.id), _doctor_option_label(option)) for option in options
    ]
    form.starts_at.choices = [SelectChoice("", _("The next window"))] + [
        SelectChoice(start.strftime("%H:%M"), start.strftime("%H:%M")) for start in starts
    ]
    return form


def _doctor_option_label(option: home_visits.DoctorOption) -> str:
    label = _(
        "%(doctor)s, %(start)s-%(end)s, calls: %(count)s",
        doctor=option.doctor.full_name,
        start=option.hours[0].strftime("%H:%M"),
        end=option.hours[1].strftime("%H:%M"),
        count=option.calls,
    )
    if not option.is_district_doctor:
        return label
    marker = _("district doctor")  # outside the f-string, where the catalog's extractor finds it
    return f"{label} · {marker}"


def _render_call(visit, *, assign_form=None, outcome_form=None, error=None, status=200):
    can_desk = current_user.has_role("registrar", "head")
    can_mark = current_user.has_role("head") or (
        current_user.has_role("doctor") and visit.doctor_id == current_user.id
    )
    return render_page(
        "home_visits/desk/show.html",
        None,
        status=status,
        visit=visit,
        state=home_visits.deadline_state(visit),
        lines=home_visits.result_lines(visit),
        deferral=home_visits.deferral_message(visit),
        assign_form=(assign_form or _assign_form(visit))
        if can_desk and visit.status in ("unassigned", "assigned")
        else None,
        cancel_form=CancelForm(formdata=None)
        if can_desk and visit.status in ("waiting", "unassigned", "assigned")
        else None,
        outcome_form=(
            outcome_form or OutcomeForm(formdata=None, outcome=visit.outcome, note=visit.outcome_note)
        )
        if can_mark and visit.status in ("assigned", "done")
        else None,
        error=error,
        refusal_ground=home_visits.refusal_ground(visit),
        today=local_now().date(),
    )


@desk_bp.get("/<number>")
@roles_required(*CALL_ROLES)
def show_call(number: str):
    visit = home_visits.open_call(_visit_or_404(number), actor=current_actor())
    return _render_call(visit)


@desk_bp.post("/<number>/assign")
@roles_required(*DESK_ROLES)
def assign_doctor(number: str):
    visit = _visit_or_404(number)
    form = _assign_form(visit, formdata=request.form)
    if not form.validate():
        return _render_call(visit, assign_form=form, status=422)
    doctor = home_visits.find_doctor(to_id(form.doctor.data))
    starts_at = None
    if form.starts_at.data:
        starts_at = datetime.combine(
            visit.visit_day, datetime.strptime(form.starts_at.data, "%H:%M").time(), ALMATY
        )
    try:
        home_visits.assign_doctor(visit, doctor, actor=current_actor(), starts_at=starts_at)
    except home_visits.ChangeNotAllowed as refused:
        target = getattr(form, refused.field or "", None)
        if target is not None:
            target.errors = [*target.errors, refused.message]
            return _render_call(visit, assign_form=form, status=422)
        return _render_call(visit, assign_form=form, error=refused.message, status=422)
    flash(
        _(
            "Call %(number)s: %(answer)s",
            number=visit.number,
            answer=" ".join(home_visits.result_lines(visit)),
        ),
        "success",
    )
    return redirect(url_for("desk_home_visits.show_call", number=visit.number), 303)


@desk_bp.post("/<number>/cancel")
@roles_required(*DESK_ROLES)
def cancel_call(number: str):
    visit = _visit_or_404(number)
    form = CancelForm()
    if not form.validate():
        return _render_call(visit, status=422)
    try:
        home_visits.cancel_call(visit, actor=current_actor(), channel="phone", note=form.note.data or "")
    except home_visits.ChangeNotAllowed as refused:
        return _render_call(visit, error=refused.message, status=409)
    flash(_("Call %(number)s is cancelled.", number=visit.number), "success")
    return redirect(url_for("desk_home_visits.show_call", number=visit.number), 303)


@desk_bp.post("/<number>/outcome")
@roles_required(*OUTCOME_ROLES)
def record_outcome(number: str):
    visit = home_visits.find_by_number(number)
    if visit is None:
        abort(404)
    if not current_user.has_role("head") and visit.doctor_id != current_user.id:
        abort(403)
    form = OutcomeForm()
    error = None
    if form.validate():
        try:
            home_visits.record_outcome(
                visit, form.outcome.data, note=form.note.data or "", actor=current_actor()
            )
        except home_visits.ChangeNotAllowed as refused:
            error = refused.message
    else:
        error = " ".join(str(message) for messages in form.errors.values() for message in messages)
    if is_htmx_request():
        return render_page(
            "home_visits/desk/route.html",
            "home_visits/desk/_route_row.html",
            visit=visit,
            form=form
            if error
            else OutcomeForm(formdata=None, outcome=visit.outcome, note=visit.outcome_note),
            error=error,
            index=request.form.get("index", ""),
            today=local_now().date(),
        )
    if error:
        return _render_call(visit, outcome_form=form, error=error, status=422)
    flash(
        _(
            "Call %(number)s: %(outcome)s.",
            number=visit.number,
            outcome=home_visits.OUTCOME_LABELS[visit.outcome],
        ),
        "success",
    )
    return redirect(
        request.form.get("next") or url_for("desk_home_visits.show_call", number=visit.number), 303
    )


# ---- the doctor's route list ----------------------------------------------------------------------------
def _route_doctor():
    """Whose route list: any doctor's (by ?doctor=, else one's own) for registrars and the head; a doctor's
    own always."""
    if not _sees_every_call():
        return current_user
    doctor = home_visits.find_doctor(_int_arg("doctor"))
    if doctor is None and current_user.has_role("doctor"):
        return current_user
    return doctor


@desk_bp.get("/route")
@roles_required(*ROUTE_ROLES)
def show_route():
    day, doctor = _day_arg(), _route_doctor()
    visits = home_visits.open_route(doctor, day, actor=current_actor())
    return render_page(
        "home_visits/desk/route.html",
        None,
        day=day,
        doctor=doctor,
        visits=visits,
        doctors=home_visits.home_visit_doctors() if _sees_every_call() else [],
        today=local_now().date(),
        forms={
            visit.id: OutcomeForm(formdata=None, outcome=visit.outcome, note=visit.outcome_note)
            for visit in visits
        },
    )


@desk_bp.get("/route.pdf")
@roles_required(*ROUTE_ROLES)
def print_route():
    day, doctor = _day_arg(), _route_doctor()
    if doctor is None:
        abort(404)
    document = home_visits.print_route(doctor, day, actor=current_actor(), language=current_language())
    return document_response(document, f"route-{doctor.id}-{day.isoformat()}.pdf")
