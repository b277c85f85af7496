"""Demo bookings for `flask seed-demo`, so the pre-registration journal shows its columns filled in: visits
today and on the next day the doctor receives, most with the condition or reason for the visit (regulation
001 annex 2 item 8: «көрсетілетін қызметті алушының жағдайы және жазатайым оқиға немесе ауруы бойынша қысқа
мәліметтер»), given online (web, kiosk) or told to the registrar (desk, phone); two without one.

The patients are demo patients no browser test signs in with (tests/browser use 0-13, 16 and 17). A time
already past when the demo is seeded is booked as it would have been, a day earlier, and marked as came by
its doctor. Idempotent: a patient who already has a booking on that day gets no other; a time taken
meanwhile is left out.
"""

import logging
from datetime import timedelta

from sqlalchemy import select

from app.core.actors import Actor
from app.core.clock import ALMATY, frozen_clock, now
from app.extensions import db
from app.models import Appointment, Patient, StaffMember
from app.services import appointments, schedules

log = logging.getLogger(__name__)

# index in demo_patients(), the doctor's username, which of the doctor's next receiving days (0: the first,
# today when they receive today), which time of that day, the channel, the condition or reason (or "").
BOOKINGS = (
    (22, "therapist3", 0, 1, "phone", "Қан қысымы көтеріліп, басым ауырады, үш күн болды"),
    (23, "therapist1", 0, 3, "web", ""),
    (25, "therapist2", 0, 2, "desk", "Температура 37,8, кашель и слабость второй день"),
    (14, "paediatrician", 0, 1, "web", "Баланың оң құлағы ауырады, түнде жылап шықты"),
    (15, "therapist3", 0, 5, "kiosk", "Упала на улице, болит и опухло правое запястье"),
    (26, "therapist1", 0, 6, "phone", "Қант диабеті: қан талдауының нәтижесін көрсету"),
    (18, "therapist2", 1, 0, "web", "Боль в пояснице после подъёма тяжестей"),
    (20, "gp", 1, 2, "desk", ""),
    (21, "therapist1", 1, 1, "kiosk", "Жөтел, тамақ ауырады, дене қызуы 38"),
    (24, "paediatrician", 1, 3, "phone", "Ребёнок упал с велосипеда: ссадина и ушиб колена"),
)


def seed_appointment_demo(people: list[dict]) -> int:
    """Add the demo bookings that are missing (`people`: app.demo.demo_patients()); returns how many."""
    # The second registrar took the desk and phone bookings: the first, whom a visitor signs in as, starts
    # with an audit log of their own actions only.
    registrar = db.session.scalars(select(StaffMember).where(StaffMember.username == "registrar2")).first()
    added = 0
    for index, username, nth_day, nth_time, channel, reason in BOOKINGS:
        patient = db.session.scalars(select(Patient).where(Patient.iin == people[index]["iin"])).first()
        doctor = db.session.scalars(select(StaffMember).where(StaffMember.username == username)).first()
        slot = _slot(doctor, nth_day, nth_time) if patient is not None and doctor is not None else None
        if slot is None or _has_booking_that_day(patient, slot):
            continue
        if channel in appointments.STAFF_CHANNELS and registrar is None:
            continue
        actor = Actor.of_staff(registrar) if channel in appointments.STAFF_CHANNELS else Actor.patient()
        moment = now()
        booked_at = moment if slot.starts_at > moment else slot.starts_at - timedelta(days=1)
        try:
            with frozen_clock(booked_at):
                booking = appointments.book_appointment(
                    patient,
                    doctor,
                    slot.starts_at,
                    actor=actor,
                    channel=channel,
                    language=patient.language,
                    identity_document_checked=True,
                    reason=reason,
                )
        except appointments.BookingError as refused:
            log.info("demo booking for patient %s left out: %s", index, refused.code)
            continue
        if slot.ends_at <= moment:
            with frozen_clock(slot.ends_at):
                appointments.mark_attendance(booking, attended=True, actor=Actor.of_staff(doctor))
        added += 1
    db.session.flush()
    return added


def _slot(doctor: StaffMember, nth_day: int, nth_time: int) -> schedules.Slot | None:
    """The `nth_time` time of the doctor's `nth_day` receiving day from today (within the booking horizon)."""
    first, last = appointments.bookable_days()
    days = [day for day in schedules.doctor_days(schedules.schedule_of(doctor.id), first, last) if day.slots]
    if len(days) <= nth_day:
        return None
    slots = days[nth_day].slots
    return slots[nth_time % len(slots)]


def _has_booking_that_day(patient: Patient, slot: schedules.Slot) -> bool:
    start, end = schedules.local_day_bounds(slot.starts_at.astimezone(ALMATY).date())
    return (
        db.session.scalar(
            select(Appointment.id)
            .where(
                Appointment.patient_id == patient.id,
                Appointment.starts_at >= start,
                Appointment.starts_at < end,
            )
            .limit(1)
        )
        is not None
    )
