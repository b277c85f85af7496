"""Demo requests for the personal cabinet (/my/, issue 14): two demo patients, each with requests of four
services made online today: a booking with a therapist, a home call, and two information forms (the TB and
the mental-health register), each in the state it reaches at once (booked, doctor assigned or waiting for
one, result ready). Sign in at /my/ with their IIN; the code is in the SMS outbox.

Patients 44 (kk) and 45 (ru) of demo_patients(): no other demo part and no other browser test uses them.
Idempotent: a service the patient already has a request of is left as it is.
"""

import logging

from sqlalchemy import select

from app.core.actors import Actor
from app.extensions import db
from app.models import Patient, ServiceRequest, StaffMember
from app.services import appointments, certificates, home_visits, schedules

log = logging.getLogger(__name__)

CABINET_PATIENTS = (44, 45)
BOOKING_DOCTORS = ("therapist1", "therapist2", "therapist3", "gp")


def seed_cabinet_demo(people: list[dict]) -> int:
    """Add the cabinet's demo requests that are missing; returns how many were added."""
    added = 0
    for index in CABINET_PATIENTS:
        patient = db.session.scalars(select(Patient).where(Patient.iin == people[index]["iin"])).first()
        if patient is None:
            continue
        for service, make in (
            (appointments.SERVICE, _book),
            (home_visits.SERVICE, _call),
            ("tb-certificate", lambda person: _form(person, "tb")),
            ("psychiatry-certificate", lambda person: _form(person, "psychiatry")),
        ):
            if _has_request(patient, service):
                continue
            try:
                made = make(patient)
            except (
                appointments.BookingError,
                home_visits.HomeVisitError,
                certificates.CertificateError,
            ) as no:
                log.info("cabinet demo: %s for patient %s left out: %s", service, index, no)
                made = False
            added += 1 if made else 0
    db.session.flush()
    return added


def _has_request(patient: Patient, service: str) -> bool:
    found = select(ServiceRequest.id).where(
        ServiceRequest.subject_id == patient.id, ServiceRequest.service == service
    )
    return db.session.scalar(found.limit(1)) is not None


def _book(patient: Patient) -> bool:
    first, last = appointments.bookable_days()
    for username in BOOKING_DOCTORS:
        doctor = db.session.scalars(select(StaffMember).where(StaffMember.username == username)).first()
        if doctor is None:
            continue
        days = [
            day for day in schedules.doctor_days(schedules.schedule_of(doctor.id), first, last) if day.slots
        ]
        # The second receiving day, late in the day: clear of the other demo bookings and of today's clock.
        for day in days[1:3]:
            for slot in reversed(appointments.free_slots(doctor, day.day)):
                try:
                    appointments.book_appointment(
                        patient,
                        doctor,
                        slot.starts_at,
                        actor=Actor.patient(),
                        channel="web",
                        language=patient.language,
                    )
                except appointments.BookingError:
                    continue
                return True
    return False


def _call(patient: Patient) -> bool:
    home_visits.call_doctor(
        patient,
        home_visits.CallDetails(
            address=patient.address or "Алматы қ., Абай даңғылы, 10, 5",
            complaint="Температура 37,9, жөтел" if patient.language == "kk" else "Температура 37,9, кашель",
            callback_phone=patient.phone or "",
            temperature=37.9,
        ),
        actor=Actor.patient(),
        channel="web",
        language=patient.language,
        notice_phone=patient.phone or "",
    )
    return True


def _form(patient: Patient, register: str) -> bool:
    certificates.request_form(
        register,
        applicant_iin=patient.iin,
        subject_iin=patient.iin,
        channel="web",
        actor=Actor.applicant(),
        language=patient.language,
    )
    return True
