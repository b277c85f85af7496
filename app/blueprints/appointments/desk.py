"""Staff views of appointments (`desk_bp`, /staff/appointments/): registry desk booking (desk, phone), the
pre-registration journal, the doctor's visits, and the schedule editor. The service audits every read and
change of a patient's data with the actor passed here (app.auth.current_actor)."""

import logging
from datetime import date
from urllib.parse import urlencode

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import current_actor, roles_required
from app.blueprints.appointments import desk_bp as bp
from app.blueprints.appointments.forms import (
    WEEKDAY_NAMES,
    CancelForm,
    DeskBookingForm,
    ExceptionForm,
    PlanForm,
)
from app.core.clock import ALMATY, local_now
from app.core.i18n import current_language
from app.core.inputs import to_day
from app.core.person import SEX_LABELS, age_label
from app.documents import render_pdf
from app.htmx import is_htmx_request, redirect_after_step, render_page
from app.models import Patient, StaffMember
from app.responses import pdf_response
from app.services import appointments, schedules
from app.services.specialities import get_speciality

log = logging.getLogger(__name__)

DESK_ROLES = ("registrar", "head", "admin")
VISIT_ROLES = ("doctor", "head")
SCHEDULE_ROLES = ("head", "admin")


def _day_arg(name: str = "day") -> date:
    return to_day(request.args.get(name)) or local_now().date()


def _back(default: str):
    return redirect(request.form.get("next") or default, 303)


def _redirect(target: str):
    return redirect_after_step(target)


# ---- the desk: find a patient, book, move, cancel ------------------------------------------------------
@bp.get("/")
@roles_required(*DESK_ROLES)
def show_desk():
    query = request.args.get("q", "").strip()
    patients = appointments.search_patients(query, actor=current_actor()) if query else []
    return render_page(
        "appointments/desk/desk.html",
        "appointments/desk/_search_results.html",
        query=query,
        patients=patients,
        today=local_now().date(),
    )


def _patient_or_404(patient_id: int) -> Patient:
    return appointments.patient_by_id(patient_id) or abort(404)


def _step_url(base: str):
    """Links of the chooser's steps: one url_for, then only the query string changes (hundreds per page)."""
    return lambda **params: f"{base}?{urlencode(params)}" if params else base


def _desk_chooser(patient: Patient, form: DeskBookingForm, *, number: str | None = None) -> dict:
    if number:
        return {
            "step_url": _step_url(url_for("desk_appointments.choose_new_slot", number=number)),
            "confirm_url": url_for("desk_appointments.move_booking", number=number),
            "confirm_label": _("Move the booking to this time"),
            "absence_labels": appointments.ABSENCE_REASONS,
        }
    return {
        "step_url": _step_url(url_for("desk_appointments.show_patient", patient_id=patient.id)),
        "confirm_url": url_for("desk_appointments.create_booking", patient_id=patient.id),
        "confirm_label": _("Book this time"),
        "absence_labels": appointments.ABSENCE_REASONS,
        "desk_form": form,
        "reason_form": form,
        "reason_hint": _(
            "What the patient says of their condition, the illness or the accident: it goes into the "
            "pre-registration journal. At most %(count)s characters.",
            count=appointments.REASON_MAX_LENGTH,
        ),
    }


def _chooser_values():
    """Where the chooser's steps come from: the links' query string, or the confirm form."""
    return request.args if request.method == "GET" else request.form


def _render_patient(patient: Patient, *, form=None, notice=None, **steps):
    choice = appointments.choice_from(
        _chooser_values(), patient=patient, online=False, notice=notice, **steps
    )
    form = form or DeskBookingForm(formdata=None)
    card = appointments.patient_card(patient, actor=current_actor())  # each showing is an audited read
    return render_page(
        "appointments/desk/patient.html",
        "appointments/_chooser.html",
        patient=patient,
        choice=choice,
        chooser=_desk_chooser(patient, form),
        form=form,
        bookings=card.bookings,
        no_shows=card.no_shows,
        cancel_form=CancelForm(formdata=None),
        now=local_now(),
        age_label=age_label,
        sex_labels=SEX_LABELS,
    )


@bp.get("/patients/<int:patient_id>")
@roles_required(*DESK_ROLES)
def show_patient(patient_id: int):
    return _render_patient(_patient_or_404(patient_id))


@bp.post("/patients/<int:patient_id>/book")
@roles_required(*DESK_ROLES)
def create_booking(patient_id: int):
    patient = _patient_or_404(patient_id)
    form = DeskBookingForm()
    doctor = appointments.bookable_doctor(appointments.as_int(form.doctor.data), online=False)
    starts_at = appointments.parse_slot_key(form.slot.data)
    if not form.validate() or doctor is None or starts_at is None:
        return _render_patient(
            patient,
            form=form,
            notice=_("Choose a doctor and a time from the list."),
            speciality=doctor.speciality if doctor else None,
            doctor=doctor.id if doctor else None,
            day=starts_at.date().isoformat() if starts_at else None,
        )
    channel = form.channel.data
    try:
        booking = appointments.book_appointment(
            patient,
            doctor,
            starts_at,
            actor=current_actor(),
            channel=channel,
            language=patient.language or current_language(),
            identity_document_checked=True if channel == "phone" else form.identity_document_checked.data,
            reason=form.reason.data or "",
        )
    except appointments.BookingError as refused:
        # Kept for the second try: the slot and what was typed, when the fix is in the form itself.
        fix_in_form = (appointments.NoIdentityDocument, appointments.ReasonTooLong)
        keep_slot = form.slot.data if isinstance(refused, fix_in_form) else None
        notice = refused.message
        if isinstance(refused, appointments.ReasonTooLong):
            form.reason.errors = [*form.reason.errors, refused.message]
            notice = None  # said beside the field
        elif isinstance(refused, appointments.NoIdentityDocument):
            form.identity_document_checked.errors = [*form.identity_document_checked.errors, refused.message]
            notice = None
        return _render_patient(
            patient,
            form=form,
            notice=notice,
            speciality=doctor.speciality,
            doctor=doctor.id,
            day=starts_at.date().isoformat(),
            slot=keep_slot,
        )
    flash(
        _(
            "Booked %(number)s: %(day)s at %(time)s, %(doctor)s, room %(room)s.",
            number=booking.number,
            day=booking.starts_at.astimezone(ALMATY).strftime("%d.%m.%Y"),
            time=booking.starts_at.astimezone(ALMATY).strftime("%H:%M"),
            doctor=doctor.full_name,
            room=booking.room or "-",
        ),
        "success",
    )
    return _redirect(url_for("desk_appointments.show_patient", patient_id=patient.id))


def _booking_or_404(number: str):
    return appointments.find_by_number(number) or abort(404)


def _staff_channel(value: str | None) -> str:
    return value if value in appointments.STAFF_CHANNELS else "desk"


@bp.post("/bookings/<number>/cancel")
@roles_required(*DESK_ROLES)
def cancel_booking(number: str):
    booking = _booking_or_404(number)
    form = CancelForm()
    try:
        appointments.cancel_appointment(
            booking,
            actor=current_actor(),
            channel=_staff_channel(request.form.get("channel")),
            by_patient=False,
            note=(form.note.data or "").strip(),
        )
    except appointments.BookingError as refused:
        flash(str(refused.message), "error")
    else:
        flash(_("Booking %(number)s is cancelled; the time is free again.", number=number), "success")
    return _back(url_for("desk_appointments.show_patient", patient_id=booking.patient_id))


@bp.get("/bookings/<number>/move")
@roles_required(*DESK_ROLES)
def choose_new_slot(number: str):
    return _render_move(_booking_or_404(number))


def _render_move(booking, *, notice=None, **steps):
    # The choosing is the patient's too (appointments.move_choice); the desk adds its form and links, and
    # its actor, whose opening of the booking is audited.
    choice = appointments.move_choice(
        booking, _chooser_values(), online=False, notice=notice, actor=current_actor(), **steps
    )
    form = DeskBookingForm(formdata=None)
    return render_page(
        "appointments/desk/move.html",
        "appointments/_chooser.html",
        booking=booking,
        patient=booking.patient,
        choice=choice,
        chooser=_desk_chooser(booking.patient, form, number=booking.number),
        form=form,
    )


@bp.post("/bookings/<number>/move")
@roles_required(*DESK_ROLES)
def move_booking(number: str):
    booking = _booking_or_404(number)
    form = DeskBookingForm()
    doctor = appointments.bookable_doctor(appointments.as_int(form.doctor.data), online=False)
    starts_at = appointments.parse_slot_key(form.slot.data)
    if doctor is None or starts_at is None:
        return _render_move(booking, notice=_("Choose a doctor and a time from the list."))
    try:
        appointments.move_appointment(
            booking,
            doctor,
            starts_at,
            actor=current_actor(),
            channel=_staff_channel(form.channel.data),
            by_patient=False,
        )
    except appointments.BookingError as refused:
        return _render_move(
            booking, notice=refused.message, doctor=doctor.id, day=starts_at.date().isoformat(), slot=None
        )
    flash(_("Booking %(number)s is moved.", number=number), "success")
    return _redirect(url_for("desk_appointments.show_patient", patient_id=booking.patient_id))


# ---- the pre-registration journal ----------------------------------------------------------------------
def _journal(*, printing: bool = False) -> appointments.JournalSheet:
    doctor_id = appointments.as_int(request.args.get("doctor"))
    return appointments.journal_sheet(_day_arg(), doctor_id, actor=current_actor(), printing=printing)


@bp.get("/journal")
@roles_required(*DESK_ROLES)
def show_journal():
    return render_page(
        "appointments/desk/journal.html", "appointments/desk/_journal_table.html", **_journal().context()
    )


@bp.get("/journal.pdf")
@roles_required(*DESK_ROLES)
def print_journal():
    sheet = _journal(printing=True)
    pdf = render_pdf(
        "documents/appointment_journal.html",
        {**sheet.context(), "printed_at": local_now(), "printed_by": current_user.full_name},
        language=current_language(),
    )
    return pdf_response(pdf, f"journal-{sheet.day.isoformat()}.pdf")


# ---- the doctor's visits ----------------------------------------------------------------------------
@bp.get("/visits")
@roles_required(*VISIT_ROLES)
def show_visits():
    day = _day_arg()
    is_head = current_user.has_role("head")
    doctor = current_user
    if is_head:
        chosen = appointments.as_int(request.args.get("doctor"))
        doctor = (appointments.staff_by_id(chosen) if chosen else current_user) or abort(404)
    return render_page(
        "appointments/desk/visits.html",
        "appointments/desk/_visits_table.html",
        day=day,
        doctor=doctor,
        entries=appointments.visits_of(doctor, day, actor=current_actor()),
        doctors=appointments.doctors_with_plans() if is_head else [],
        now=local_now(),
    )


@bp.post("/bookings/<number>/attendance")
@roles_required(*VISIT_ROLES)
def mark_attendance(number: str):
    booking = _booking_or_404(number)
    if booking.doctor_id != current_user.id and not current_user.has_role("head"):
        abort(403)
    attended = request.form.get("attended") == "1"
    error = None
    try:
        appointments.mark_attendance(booking, attended=attended, actor=current_actor())
    except appointments.BookingError as refused:
        error = refused.message
    if is_htmx_request():
        return render_page(
            "appointments/desk/visits.html",
            "appointments/desk/_visit_row.html",
            entry=booking,
            error=error,
            now=local_now(),
        )
    if error:
        flash(str(error), "error")
    return redirect(
        url_for("desk_appointments.show_visits", day=booking.starts_at.astimezone(ALMATY).date().isoformat()),
        303,
    )


# ---- schedules -------------------------------------------------------------------------------------------
@bp.get("/schedules")
@roles_required(*SCHEDULE_ROLES)
def list_schedules():
    doctors = appointments.doctors_for_schedules()
    return render_page(
        "appointments/desk/schedules.html",
        None,
        doctors=doctors,
        plans=schedules.plans_of(doctor.id for doctor in doctors),
        weekday_names=WEEKDAY_NAMES,
        speciality_of=get_speciality,
    )


def _doctor_or_404(doctor_id: int) -> StaffMember:
    return appointments.doctor_by_id(doctor_id) or abort(404)


def _plan_form(schedule) -> PlanForm:
    form = PlanForm(formdata=None)
    if schedule is not None:
        form.slot_minutes.data = str(schedule.slot_minutes)
        form.room.data = schedule.room
        form.bookable_online.data = schedule.bookable_online
    for index, entry in enumerate(form.days.entries):
        plan = schedule.plan_for(index + 1) if schedule else None
        entry.form.works.data = plan is not None
        if plan is not None:
            entry.form.starts.data, entry.form.ends.data = plan.starts, plan.ends
            entry.form.break_starts.data, entry.form.break_ends.data = plan.break_starts, plan.break_ends
            entry.form.home_starts.data, entry.form.home_ends.data = plan.home_starts, plan.home_ends
    return form


def _render_schedule(doctor, *, plan_form=None, exception_form=None, status=200):
    week = appointments.week_of(doctor, _day_arg("week"))
    return render_page(
        "appointments/desk/schedule.html",
        "appointments/desk/_week.html",
        status=status,
        plan_form=plan_form or _plan_form(week["schedule"]),
        exception_form=exception_form or ExceptionForm(formdata=None),
        weekday_names=WEEKDAY_NAMES,
        **week,
    )


@bp.get("/schedules/<int:doctor_id>")
@roles_required(*SCHEDULE_ROLES)
def edit_schedule(doctor_id: int):
    return _render_schedule(_doctor_or_404(doctor_id))


@bp.post("/schedules/<int:doctor_id>")
@roles_required(*SCHEDULE_ROLES)
def save_schedule(doctor_id: int):
    doctor = _doctor_or_404(doctor_id)
    form = PlanForm()
    if form.validate():
        weekdays = {}
        for index, entry in enumerate(form.days.entries):
            day = entry.form
            if day.works.data:
                weekdays[index + 1] = schedules.DayPlan(
                    day.starts.data,
                    day.ends.data,
                    day.break_starts.data,
                    day.break_ends.data,
                    day.home_starts.data,
                    day.home_ends.data,
                )
        try:
            appointments.save_doctor_plan(
                doctor,
                slot_minutes=int(form.slot_minutes.data),
                room=form.room.data or "",
                weekdays=weekdays,
                bookable_online=form.bookable_online.data,
                actor=current_actor(),
            )
        except schedules.ScheduleError as problem:
            _attach_error(form, problem)
        else:
            flash(_("The schedule of %(doctor)s is saved.", doctor=doctor.full_name), "success")
            return redirect(url_for("desk_appointments.edit_schedule", doctor_id=doctor.id), 303)
    return _render_schedule(doctor, plan_form=form)


def _attach_error(form, problem: schedules.ScheduleError) -> None:
    if problem.field.startswith("day_"):
        index = int(problem.field.split("_")[1]) - 1
        form.days.entries[index].form.starts.errors = [
            *form.days.entries[index].form.starts.errors,
            problem.message,
        ]
    elif problem.field and hasattr(form, problem.field):
        getattr(form, problem.field).errors = [*getattr(form, problem.field).errors, problem.message]
    else:
        form.form_errors.append(problem.message)


@bp.post("/schedules/<int:doctor_id>/exceptions")
@roles_required(*SCHEDULE_ROLES)
def add_exception(doctor_id: int):
    doctor = _doctor_or_404(doctor_id)
    form = ExceptionForm()
    if form.validate():
        try:
            _exception, stranded = appointments.add_schedule_exception(
                doctor,
                day=form.day.data,
                kind=form.kind.data,
                starts=form.starts.data,
                ends=form.ends.data,
                note=form.note.data or "",
                actor=current_actor(),
            )
        except schedules.ScheduleError as problem:
            _attach_error(form, problem)
        else:
            flash(_("The change is saved."), "success")
            if stranded:
                flash(
                    _(
                        "Patients booked at times the doctor no longer receives: %(numbers)s. Call them "
                        "and move or cancel their bookings.",
                        numbers=", ".join(booking.number for booking in stranded),
                    ),
                    "warning",
                )
            return redirect(
                url_for(
                    "desk_appointments.edit_schedule", doctor_id=doctor.id, week=form.day.data.isoformat()
                ),
                303,
            )
    return _render_schedule(doctor, exception_form=form)


@bp.post("/schedules/<int:doctor_id>/exceptions/<int:exception_id>/delete")
@roles_required(*SCHEDULE_ROLES)
def remove_exception(doctor_id: int, exception_id: int):
    doctor = _doctor_or_404(doctor_id)
    exception = appointments.exception_of(doctor, exception_id) or abort(404)
    appointments.remove_schedule_exception(doctor, exception, actor=current_actor())
    flash(_("The change is removed."), "success")
    return redirect(url_for("desk_appointments.edit_schedule", doctor_id=doctor.id), 303)
