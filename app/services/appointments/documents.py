"""What a patient takes away from a booking: the printed talon (through the shared document engine) and an
iCalendar (.ics) file for the phone's calendar. Both are in the booking's language.

The talon's document kind (rules.TALON_KIND) is registered with the engine in the package's __init__."""

import logging
from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event

from app.core.actors import Actor
from app.core.clock import now
from app.extensions import db
from app.models import Appointment, Document
from app.services import documents
from app.services.appointments.rules import TALON_KIND
from app.services.clinic import get_clinic
from app.services.requests import record_step
from app.services.specialities import get_speciality

log = logging.getLogger(__name__)

PRODUCT_ID = "-//Emhana//Appointment booking//KK"


def speciality_name(appointment: Appointment, language: str) -> str:
    speciality = get_speciality(appointment.speciality)
    if speciality is None:
        return appointment.speciality
    return speciality.name_ru if language == "ru" else speciality.name_kk


def calendar_file(appointment: Appointment) -> bytes:
    """One VEVENT with a reminder two hours before; the UID is stable, so a moved booking updates in place."""
    clinic = get_clinic()
    language = appointment.language
    with force_locale(language):
        summary = _(
            "Doctor's appointment: %(doctor)s (%(speciality)s)",
            doctor=appointment.doctor.full_name,
            speciality=speciality_name(appointment, language),
        )
        description = _(
            "Booking %(number)s. Room %(room)s. Bring your identity document. To cancel or move the booking, "
            "open the clinic's website or call the registry desk.",
            number=appointment.number,
            room=appointment.room or "-",
        )
        alarm_text = _("Doctor's appointment in two hours")
    location = ", ".join(
        part for part in ((clinic.name(language), clinic.address(language)) if clinic else ()) if part
    )

    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{appointment.number}@emhana")
    event.add("dtstamp", now())
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    event.add("summary", summary)
    event.add("description", description)
    if location:
        event.add("location", location)
    event.add("status", "CONFIRMED" if appointment.status == "booked" else "TENTATIVE")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", alarm_text)
    alarm.add("trigger", -timedelta(hours=2))
    event.add_component(alarm)
    calendar.add_component(event)
    return calendar.to_ical()


# ---- the talon ----------------------------------------------------------------------------------------
TALON_TEMPLATE = "documents/appointment_talon.html"


def talon_for(appointment: Appointment) -> Document:
    """The booking's talon: the stored one while it still describes the booking, else a newly issued one.

    Issued on first request rather than at booking time, so booking stays fast and a patient who never
    prints gets no document. A talon that names an old time is revoked when the booking moves.
    """
    if appointment.talon_document_id is not None:
        stored = db.session.get(Document, appointment.talon_document_id)
        if stored is not None and stored.revoked_at is None:
            return stored
    clinic = get_clinic()
    language = appointment.language
    document = documents.issue_document(
        TALON_KIND,
        TALON_TEMPLATE,
        {
            "booking": appointment,
            "clinic": clinic,
            "speciality": speciality_name(appointment, language),
        },
        subject=appointment.patient,
        language=language,
        valid_until=appointment.ends_at,
    )
    appointment.talon_document_id = document.id
    record_step(appointment.request, "talon_issued", actor=Actor.system(), note=document.number)
    db.session.flush()
    return document


def revoke_talon(appointment: Appointment, reason: str, *, actor: Actor) -> None:
    """Revoke the talon of a cancelled or moved booking, so its QR code no longer vouches for a visit."""
    if appointment.talon_document_id is None:
        return
    stored = db.session.get(Document, appointment.talon_document_id)
    appointment.talon_document_id = None
    if stored is not None and stored.revoked_at is None:
        documents.revoke(stored, reason, actor)
