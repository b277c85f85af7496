"""Staff views of appointments: registry desk booking (desk, phone), the pre-registration journal, the
doctor's visits, and the schedule editor. Every view of a patient's data is audited."""

import logging
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import audit, roles_required
from app.blueprints.desk_appointments import bp
from app.blueprints.desk_appointments.forms import (
    WEEKDAY_NAMES,
    CancelForm,
    DeskBookingForm,
    ExceptionForm,
    PlanForm,
)
from app.core.actors import Actor
from app.core.clock import ALMATY, local_now
from app.core.i18n import current_language
from app.documents import render_pdf
from app.extensions import db
from app.htmx import is_htmx_request, redirect_after_step, render_page
from app.models import Patient, ScheduleException, StaffMember
from app.responses import pdf_response
from app.services import appointments, schedules
from app.services.specialities import get_speciality

log = logging.getLogger(__name__)

DESK_ROLES = ("registrar", "head", "admin")
VISIT_ROLES = ("doctor", "head")
SCHEDULE_ROLES = ("head", "admin")


def _actor() -> Actor:
    return Actor.of_staff(current_user)


def _day_arg(name: str = "day") -> date:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return local_now().date()


def _back(default: str):
    return redirect(request.form.get("next") or default, 303)


# ---- the desk: find a patient, book, move, cancel ------------------------------------------------------
@bp.get("/")
@roles_required(*DESK_ROLES)
def show_desk():
    query = request.args.get("q", "").strip()
    patients = appointments.search_patients(query) if query else []
    if query:
        audit("search", "patient", detail=f"appointments desk: {len(patients)} found")
    return render_page(
        "desk_appointments/desk.html",
        "desk_appointments/_search_results.html",
        query=query,
        patients=patients,
        today=local_now().date(),
    )


def _patient_or_404(patient_id: int) -> Patient:
    return db.session.get(Patient, patient_id) or abort(404)


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
    }


def _chooser_values():
    """Where the chooser's steps come from: the links' query string, or the confirm form."""
    return request.args if request.method == "GET" else request.form


def _render_patient(patient: Patient, *, form=None, notice=None, **steps):
    choice = appointments.choice_from(
        _chooser_values(), patient=patient, online=False, notice=notice, **steps
    )
    form = form or DeskBookingForm(formdata=None)
    # Every render shows the patient's card and bookings: each one is a view to audit.
    audit("view", "patient", object_id=patient.id, patient_id=patient.id, detail="appointments desk")
    return render_page(
        "desk_appointments/patient.html",
        "appointments/_chooser.html",
        patient=patient,
        choice=choice,
        chooser=_desk_chooser(patient, form),
        form=form,
        bookings=appointments.bookings_of(patient.id),
        no_shows=appointments.no_show_count(patient.id),
        cancel_form=CancelForm(formdata=None),
        now=local_now(),
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
            actor=_actor(),
            channel=channel,
            language=patient.language or current_language(),
            identity_document_checked=True if channel == "phone" else form.identity_document_checked.data,
        )
    except appointments.BookingError as refused:
        if refused.request is not None:
            audit(
                "create",
                "service_request",
                object_id=refused.request.number,
                patient_id=patient.id,
                detail=f"refused: {refused.code}",
            )
        keep_slot = form.slot.data if isinstance(refused, appointments.NoIdentityDocument) else None
        return _render_patient(
            patient,
            form=form,
            notice=refused.message,
            speciality=doctor.speciality,
            doctor=doctor.id,
            day=starts_at.date().isoformat(),
            slot=keep_slot,
        )
    audit("create", "appointment", object_id=booking.number, patient_id=patient.id, detail=channel)
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


def _redirect(target: str):
    return redirect_after_step(target)


def _booking_or_404(number: str):
    return appointments.find_by_number(number) or abort(404)


@bp.post("/bookings/<number>/cancel")
@roles_required(*DESK_ROLES)
def cancel_booking(number: str):
    booking = _booking_or_404(number)
    form = CancelForm()
    channel = request.form.get("channel") if request.form.get("channel") in ("desk", "phone") else "desk"
    try:
        appointments.cancel_appointment(
            booking, actor=_actor(), channel=channel, by_patient=False, note=(form.note.data or "").strip()
        )
    except appointments.BookingError as refused:
        flash(str(refused.message), "error")
    else:
        audit("update", "appointment", object_id=number, patient_id=booking.patient_id, detail="cancelled")
        flash(_("Booking %(number)s is cancelled; the time is free again.", number=number), "success")
    return _back(url_for("desk_appointments.show_patient", patient_id=booking.patient_id))


@bp.get("/bookings/<number>/move")
@roles_required(*DESK_ROLES)
def choose_new_slot(number: str):
    return _render_move(_booking_or_404(number))


def _render_move(booking, *, notice=None, **steps):
    # The choosing is the patient's too (appointments.move_choice); the desk adds its form, links and audit.
    choice = appointments.move_choice(booking, _chooser_values(), online=False, notice=notice, **steps)
    form = DeskBookingForm(formdata=None)
    audit("view", "appointment", object_id=booking.number, patient_id=booking.patient_id, detail="move")
    return render_page(
        "desk_appointments/move.html",
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
    channel = form.channel.data if form.channel.data in ("desk", "phone") else "desk"
    try:
        appointments.move_appointment(
            booking, doctor, starts_at, actor=_actor(), channel=channel, by_patient=False
        )
    except appointments.BookingError as refused:
        return _render_move(
            booking, notice=refused.message, doctor=doctor.id, day=starts_at.date().isoformat(), slot=None
        )
    audit("update", "appointment", object_id=number, patient_id=booking.patient_id, detail="moved")
    flash(_("Booking %(number)s is moved.", number=number), "success")
    return _redirect(url_for("desk_appointments.show_patient", patient_id=booking.patient_id))


# ---- the pre-registration journal ----------------------------------------------------------------------
def _journal_context():
    day = _day_arg()
    doctor_id = appointments.as_int(request.args.get("doctor"))
    entries = appointments.journal(day, doctor_id)
    doctors = [s.doctor for s in schedules.doctors_with_schedules()]
    return {
        "day": day,
        "doctor_id": doctor_id,
        "doctor": next((d for d in doctors if d.id == doctor_id), None),
        "doctors": doctors,
        "entries": entries,
        "no_shows": {entry.patient_id: appointments.no_show_count(entry.patient_id) for entry in entries},
        "speciality_of": get_speciality,
    }


@bp.get("/journal")
@roles_required(*DESK_ROLES)
def show_journal():
    context = _journal_context()
    audit(
        "view",
        "appointment_journal",
        object_id=context["day"].isoformat(),
        detail=f"doctor={context['doctor_id'] or 'all'}; {len(context['entries'])} entries",
    )
    return render_page("desk_appointments/journal.html", "desk_appointments/_journal_table.html", **context)


@bp.get("/journal.pdf")
@roles_required(*DESK_ROLES)
def print_journal():
    context = _journal_context()
    audit(
        "print",
        "appointment_journal",
        object_id=context["day"].isoformat(),
        detail=f"doctor={context['doctor_id'] or 'all'}; {len(context['entries'])} entries",
    )
    pdf = render_pdf(
        "documents/appointment_journal.html",
        {**context, "printed_at": local_now(), "printed_by": current_user.full_name},
        language=current_language(),
    )
    return pdf_response(pdf, f"journal-{context['day'].isoformat()}.pdf")


# ---- the doctor's visits ----------------------------------------------------------------------------
@bp.get("/visits")
@roles_required(*VISIT_ROLES)
def show_visits():
    day = _day_arg()
    doctor = current_user
    if current_user.has_role("head"):
        chosen = appointments.as_int(request.args.get("doctor"))
        doctor = db.session.get(StaffMember, chosen) if chosen else current_user
        doctor = doctor or abort(404)
    entries = appointments.journal(day, doctor.id)
    audit("view", "appointment_journal", object_id=day.isoformat(), detail=f"visits of doctor {doctor.id}")
    return render_page(
        "desk_appointments/visits.html",
        "desk_appointments/_visits_table.html",
        day=day,
        doctor=doctor,
        entries=entries,
        doctors=[s.doctor for s in schedules.doctors_with_schedules()]
        if current_user.has_role("head")
        else [],
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
        appointments.mark_attendance(booking, attended=attended, actor=_actor())
    except appointments.BookingError as refused:
        error = refused.message
    else:
        audit(
            "update",
            "appointment",
            object_id=number,
            patient_id=booking.patient_id,
            detail="attended" if attended else "no_show",
        )
    if is_htmx_request():
        return render_page(
            "desk_appointments/visits.html",
            "desk_appointments/_visit_row.html",
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
    doctors = db.session.scalars(
        db.select(StaffMember).where(StaffMember.speciality.is_not(None)).order_by(StaffMember.full_name)
    ).all()
    doctors = [doctor for doctor in doctors if doctor.has_role("doctor")]
    return render_page(
        "desk_appointments/schedules.html",
        None,
        doctors=doctors,
        plans={doctor.id: schedules.schedule_of(doctor.id) for doctor in doctors},
        weekday_names=WEEKDAY_NAMES,
        speciality_of=get_speciality,
    )


def _doctor_or_404(doctor_id: int) -> StaffMember:
    doctor = db.session.get(StaffMember, doctor_id)
    if doctor is None or not doctor.has_role("doctor"):
        abort(404)
    return doctor


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
    return form


def _week_context(doctor: StaffMember):
    requested = _day_arg("week")
    monday = requested - timedelta(days=requested.weekday())
    schedule = schedules.schedule_of(doctor.id)
    days = schedules.doctor_days(schedule, monday, monday + timedelta(days=6))
    held = schedules.held_starts(doctor.id, monday, monday + timedelta(days=6))
    today = local_now().date()
    return {
        "doctor": doctor,
        "schedule": schedule,
        "monday": monday,
        "week_days": days,
        "held": held,
        "stranded": schedules.stranded_bookings(doctor.id, max(monday, today), monday + timedelta(days=6))
        if monday + timedelta(days=6) >= today
        else [],
        "previous_week": (monday - timedelta(days=7)).isoformat(),
        "next_week": (monday + timedelta(days=7)).isoformat(),
        "now": local_now(),
        "exception_labels": schedules.EXCEPTION_LABELS,
        "slot_state": slot_state,
    }


def _render_schedule(doctor, *, plan_form=None, exception_form=None, status=200):
    context = _week_context(doctor)
    exceptions = schedules.exceptions_between(
        doctor.id, local_now().date(), local_now().date() + timedelta(days=365)
    )
    return render_page(
        "desk_appointments/schedule.html",
        "desk_appointments/_week.html",
        status=status,
        plan_form=plan_form or _plan_form(context["schedule"]),
        exception_form=exception_form or ExceptionForm(formdata=None),
        exceptions=exceptions,
        weekday_names=WEEKDAY_NAMES,
        **context,
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
                    day.starts.data, day.ends.data, day.break_starts.data, day.break_ends.data
                )
        try:
            schedules.save_plan(
                doctor,
                slot_minutes=int(form.slot_minutes.data),
                room=form.room.data or "",
                weekdays=weekdays,
                bookable_online=form.bookable_online.data,
                actor=_actor(),
            )
        except schedules.ScheduleError as problem:
            _attach_error(form, problem)
        else:
            audit("update", "doctor_schedule", object_id=doctor.id, detail="weekly plan")
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
            exception, stranded = schedules.add_exception(
                doctor,
                day=form.day.data,
                kind=form.kind.data,
                starts=form.starts.data,
                ends=form.ends.data,
                note=form.note.data or "",
                actor=_actor(),
            )
        except schedules.ScheduleError as problem:
            _attach_error(form, problem)
        else:
            audit(
                "create",
                "schedule_exception",
                object_id=exception.id,
                detail=f"doctor {doctor.id}: {exception.kind}",
            )
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
    exception = db.session.get(ScheduleException, exception_id)
    if exception is None or exception.doctor_id != doctor.id:
        abort(404)
    schedules.remove_exception(exception, actor=_actor())
    audit("delete", "schedule_exception", object_id=exception_id, detail=f"doctor {doctor.id}")
    flash(_("The change is removed."), "success")
    return redirect(url_for("desk_appointments.edit_schedule", doctor_id=doctor.id), 303)


def slot_state(slot: schedules.Slot, held: set[datetime], now: datetime) -> str:
    if slot.starts_at in held:
        return "held"
    return "past" if slot.starts_at <= now else "free"
