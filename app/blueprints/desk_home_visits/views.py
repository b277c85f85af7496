"""Staff views of home doctor calls: the registrar's call form (phone, desk), the home-call journal with
its answer deadlines, one call (assign, reassign, cancel, outcome), and the doctor's route list (page, PDF).

Who may do what: registrars and the head take calls, read the journal and assign doctors; a doctor reads and
marks the calls given to them; the head may do all of it. Every view of a patient's data is audited.
"""

import logging
from datetime import date, datetime

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from app.auth import audit, roles_required
from app.blueprints.desk_home_visits import bp
from app.blueprints.desk_home_visits.forms import AssignForm, CancelForm, DeskCallForm, OutcomeForm
from app.core.actors import Actor
from app.core.clock import ALMATY, local_now
from app.core.i18n import current_language
from app.core.iin import InvalidIin, parse_iin
from app.documents import render_pdf
from app.extensions import db
from app.htmx import is_htmx_request, render_page
from app.models import StaffMember
from app.models.home_visits import VISIT_STATUSES
from app.registries import RegistryUnavailable
from app.responses import pdf_response
from app.services import catalogue, home_visits, patients
from app.services.clinic import list_districts
from app.services.status import CHANNEL_LABELS

log = logging.getLogger(__name__)

DESK_ROLES = ("registrar", "head")
CALL_ROLES = ("registrar", "head", "doctor")
OUTCOME_ROLES = ("doctor", "head")
ROUTE_ROLES = ("registrar", "head", "doctor")
JOURNAL_POLL_SECONDS = 20


def _actor() -> Actor:
    return Actor.of_staff(current_user)


def _sees_every_call() -> bool:
    """Registrars and the head see every call; a doctor only the calls given to them."""
    return current_user.has_role("registrar", "head")


def _day_arg(name: str = "day") -> date:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return local_now().date()


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@bp.context_processor
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
        "step_labels": home_visits.STEP_LABELS,
        "actor_labels": home_visits.ACTOR_LABELS,
        "event_note": home_visits.event_note,
    }


# ---- the home-call journal ------------------------------------------------------------------------------
def _journal_context() -> dict:
    day = _day_arg()
    district_id = _int_arg("district")
    status = request.args.get("status") if request.args.get("status") in VISIT_STATUSES else None
    visits = home_visits.journal(day, district_id=district_id, status=status)
    awaiting = home_visits.awaiting_answer()
    states = {visit.id: home_visits.deadline_state(visit) for visit in [*visits, *awaiting]}
    return {
        "day": day,
        "district_id": district_id,
        "status": status,
        "visits": visits,
        "awaiting": awaiting,
        "states": states,
        "attention": sum(1 for visit in awaiting if states[visit.id].needs_attention),
        "districts": list_districts(),
        "statuses": VISIT_STATUSES,
        "poll_seconds": JOURNAL_POLL_SECONDS,
        "now": local_now(),
    }


@bp.get("/")
@roles_required(*DESK_ROLES)
def show_journal():
    context = _journal_context()
    if request.headers.get("HX-Trigger") == "journal":
        # The open journal refreshing itself every few seconds is not a new look at the data: the opening
        # and every change of filter are audited, the self-refreshes would only bury them.
        return render_page("desk_home_visits/journal.html", "desk_home_visits/_journal.html", **context)
    audit(
        "view",
        "home_visit_journal",
        object_id=context["day"].isoformat(),
        detail=f"district={context['district_id'] or 'all'}; status={context['status'] or 'all'}; "
        f"{len(context['visits'])} calls, {len(context['awaiting'])} awaiting an answer",
    )
    return render_page("desk_home_visits/journal.html", "desk_home_visits/_journal.html", **context)


# ---- the registrar takes a call ---------------------------------------------------------------------------
def _find_patient(raw_iin: str):
    """(patient, problem): the card for the IIN (made from the registry when missing), or what went wrong."""
    try:
        iin = parse_iin(raw_iin).iin
    except InvalidIin as invalid:
        return None, invalid.message
    patient = patients.find_patient(iin)
    if patient is not None:
        return patient, None
    try:
        return patients.card_for(iin), None
    except patients.PatientUnknown as unknown:
        return None, unknown.message
    except RegistryUnavailable:
        return None, _(
            "The clinic has no card for this IIN and the state database of individuals is not answering "
            "right now, so the patient cannot be found. Try again in a minute; if the condition is urgent, "
            "advise the caller to phone 103."
        )


def _call_page(form: DeskCallForm, patient, *, problem=None, error=None, duplicate=None, status=200):
    today_call = None
    if patient is not None:
        today_call = home_visits.live_call(patient, home_visits.call_day_for().day)
    return render_page(
        "desk_home_visits/new.html",
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


@bp.get("/new")
@roles_required(*DESK_ROLES)
def new_call():
    raw_iin = request.args.get("iin", "").strip()
    form = DeskCallForm(formdata=None, iin=raw_iin)
    if not raw_iin:
        return _call_page(form, None)
    patient, problem = _find_patient(raw_iin)
    if patient is None:
        return _call_page(form, None, problem=problem, status=422 if problem else 200)
    audit("view", "patient", object_id=patient.id, patient_id=patient.id, detail="home call form")
    form = DeskCallForm(formdata=None, iin=patient.iin, address=patient.address, callback_phone=patient.phone)
    return _call_page(form, patient)


@bp.post("/new")
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
            actor=_actor(),
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
    audit(
        "create",
        "home_visit",
        object_id=visit.number,
        patient_id=patient.id,
        detail=f"via {visit.request.channel}",
    )
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
    options = home_visits.doctor_options(
        visit.visit_day, visit.district, home_visits.district_kinds_for(visit.patient, visit.visit_day)
    )
    form = AssignForm(formdata=formdata)
    form.doctor.choices = [SelectChoice("", _("Choose a doctor"))] + [
        SelectChoice(str(option.doctor.id), _doctor_option_label(option)) for option in options
    ]
    starts = sorted({start for option in options for start in home_visits.window_starts(option.hours)})
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
    return f"{label} · {_('district doctor')}" if option.is_district_doctor else label


def _render_call(visit, *, assign_form=None, outcome_form=None, error=None, status=200):
    can_desk = current_user.has_role("registrar", "head")
    can_mark = current_user.has_role("head") or (
        current_user.has_role("doctor") and visit.doctor_id == current_user.id
    )
    return render_page(
        "desk_home_visits/show.html",
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
        refusal_ground=catalogue.get(home_visits.SERVICE).refusal_grounds.get(
            visit.request.refusal_ground or ""
        ),
        today=local_now().date(),
    )


@bp.get("/<number>")
@roles_required(*CALL_ROLES)
def show_call(number: str):
    visit = _visit_or_404(number)
    audit("view", "home_visit", object_id=visit.number, patient_id=visit.patient_id)
    return _render_call(visit)


@bp.post("/<number>/assign")
@roles_required(*DESK_ROLES)
def assign_doctor(number: str):
    visit = _visit_or_404(number)
    form = _assign_form(visit, formdata=request.form)
    if not form.validate():
        return _render_call(visit, assign_form=form, status=422)
    doctor = db.session.get(StaffMember, int(form.doctor.data)) if form.doctor.data.isdigit() else None
    starts_at = None
    if form.starts_at.data:
        starts_at = datetime.combine(
            visit.visit_day, datetime.strptime(form.starts_at.data, "%H:%M").time(), ALMATY
        )
    try:
        if doctor is None:
            raise home_visits.ChangeNotAllowed(_("Choose a doctor from the list."), field="doctor")
        before = visit.doctor_id
        home_visits.assign_doctor(visit, doctor, actor=_actor(), starts_at=starts_at)
    except home_visits.ChangeNotAllowed as refused:
        target = getattr(form, refused.field or "", None)
        if target is not None:
            target.errors = [*target.errors, refused.message]
            return _render_call(visit, assign_form=form, status=422)
        return _render_call(visit, assign_form=form, error=refused.message, status=422)
    audit(
        "update",
        "home_visit",
        object_id=visit.number,
        patient_id=visit.patient_id,
        detail=f"{'reassigned' if before else 'assigned'}: doctor {doctor.id}, {home_visits.describe(visit)}",
    )
    flash(
        _(
            "Call %(number)s: %(answer)s",
            number=visit.number,
            answer=" ".join(home_visits.result_lines(visit)),
        ),
        "success",
    )
    return redirect(url_for("desk_home_visits.show_call", number=visit.number), 303)


@bp.post("/<number>/cancel")
@roles_required(*DESK_ROLES)
def cancel_call(number: str):
    visit = _visit_or_404(number)
    form = CancelForm()
    if not form.validate():
        return _render_call(visit, status=422)
    try:
        home_visits.cancel_call(visit, actor=_actor(), channel="phone", note=form.note.data or "")
    except home_visits.ChangeNotAllowed as refused:
        return _render_call(visit, error=refused.message, status=409)
    audit("update", "home_visit", object_id=visit.number, patient_id=visit.patient_id, detail="cancelled")
    flash(_("Call %(number)s is cancelled.", number=visit.number), "success")
    return redirect(url_for("desk_home_visits.show_call", number=visit.number), 303)


@bp.post("/<number>/outcome")
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
            home_visits.record_outcome(visit, form.outcome.data, note=form.note.data or "", actor=_actor())
        except home_visits.ChangeNotAllowed as refused:
            error = refused.message
        else:
            audit(
                "update",
                "home_visit",
                object_id=visit.number,
                patient_id=visit.patient_id,
                detail=f"outcome: {visit.outcome}",
            )
    else:
        error = " ".join(str(message) for messages in form.errors.values() for message in messages)
    if is_htmx_request():
        return render_page(
            "desk_home_visits/route.html",
            "desk_home_visits/_route_row.html",
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
def _route_context() -> dict:
    day = _day_arg()
    if _sees_every_call():
        doctor_id = _int_arg("doctor")
        doctor = db.session.get(StaffMember, doctor_id) if doctor_id else None
        if doctor is None and current_user.has_role("doctor"):
            doctor = current_user
    else:
        doctor = current_user
    visits = home_visits.route_list(doctor.id, day) if doctor is not None else []
    return {
        "day": day,
        "doctor": doctor,
        "visits": visits,
        "doctors": home_visits.home_visit_doctors() if _sees_every_call() else [],
        "today": local_now().date(),
    }


@bp.get("/route")
@roles_required(*ROUTE_ROLES)
def show_route():
    context = _route_context()
    doctor = context["doctor"]
    audit(
        "view",
        "home_visit_route",
        object_id=context["day"].isoformat(),
        detail=f"doctor {doctor.id if doctor else '-'}: {len(context['visits'])} calls",
    )
    return render_page(
        "desk_home_visits/route.html",
        None,
        **context,
        forms={
            visit.id: OutcomeForm(formdata=None, outcome=visit.outcome, note=visit.outcome_note)
            for visit in context["visits"]
        },
    )


@bp.get("/route.pdf")
@roles_required(*ROUTE_ROLES)
def print_route():
    context = _route_context()
    doctor = context["doctor"]
    if doctor is None:
        abort(404)
    audit(
        "print",
        "home_visit_route",
        object_id=context["day"].isoformat(),
        detail=f"doctor {doctor.id}: {len(context['visits'])} calls",
    )
    pdf = render_pdf(
        "documents/home_visit_route_list.html",
        {
            **context,
            "printed_at": local_now(),
            "printed_by": current_user.full_name,
            "red_flag_labels": home_visits.RED_FLAG_LABELS,
            "sex_labels": home_visits.SEX_LABELS,
            "age_label": home_visits.age_label,
            "outcome_labels": home_visits.OUTCOME_LABELS,
        },
        language=current_language(),
    )
    return pdf_response(pdf, f"route-{doctor.id}-{context['day'].isoformat()}.pdf")
