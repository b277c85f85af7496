"""Appointment booking (regulations 000; 001 annex 2; 002 «Запись на приём к врачу»): the face of the service.

The patient (web, kiosk) or a registrar (desk, phone) picks a free slot of a doctor's plan; the result is an
entry in the pre-registration journal with the date and time of the visit, and a talon to print.

    rules        settings, what a slot key is, the online change cut-off, the refusals (BookingError, ...)
    texts        refusals and notices, the reasons a day has no times, SMS texts, the status page's summary
    queries      the chooser, the checks a booking must pass, bookings, the journal, a doctor's week
    operations   book, confirm after the registry, move, cancel, mark the visit, remind, change a plan
    documents    the printed talon and the .ics calendar file

Use the service through this module (`from app.services import appointments`); the hooks it gives the
request kernel (the registry retry handler, the status page's summary, the talon's document kind) are all
registered here.
"""

from app.core.bilingual import Bilingual
from app.models.appointments import REASON_MAX_LENGTH
from app.services import registry_pending, request_summary
from app.services import requests as request_kernel
from app.services.appointments.day_journal import (
    JournalSheet,
    doctors_with_plans,
    journal,
    journal_sheet,
    staff_by_id,
    visits_of,
)
from app.services.appointments.documents import (
    PRODUCT_ID,
    TALON_TEMPLATE,
    calendar_file,
    revoke_talon,
    speciality_name,
    talon_for,
)
from app.services.appointments.operations import (
    add_schedule_exception,
    book_appointment,
    cancel_appointment,
    card_problem,
    mark_attendance,
    move_appointment,
    notify,
    remove_schedule_exception,
    resume_after_registry,
    save_doctor_plan,
    send_reminders,
)
from app.services.appointments.queries import (
    Choice,
    DayChoice,
    DoctorChoice,
    PatientCard,
    appointment_for_request,
    bookable_doctor,
    booking_progress,
    booking_summary,
    bookings_of,
    choice_from,
    choose,
    day_unavailable_reason,
    days_for,
    doctor_by_id,
    doctors_for,
    doctors_for_schedules,
    exception_of,
    find_by_number,
    free_slots,
    move_choice,
    no_show_count,
    patient_by_id,
    patient_card,
    prefetch_bookings,
    search_patients,
    slot_state,
    specialities_offered,
    week_of,
)
from app.services.appointments.rules import (
    SERVICE,
    STAFF_CHANNELS,
    TALON_KIND,
    BookingError,
    BookingLimitReached,
    ChangeNotAllowed,
    DoctorAbsent,
    HomeCallTime,
    NoIdentityDocument,
    NotAttached,
    OverlappingBooking,
    ReasonTooLong,
    SlotInPast,
    SlotNotOffered,
    SlotTaken,
    as_int,
    bookable_days,
    can_change_online,
    change_cutoff,
    horizon_days,
    max_per_speciality,
    normalise_reason,
    parse_slot_key,
)
from app.services.appointments.texts import (
    ABSENCE_REASONS,
    NOT_ATTACHED_MESSAGE,
    SLOT_TAKEN_MESSAGE,
    STEP_LABELS,
    message_text,
)
from app.services.documents import register_kind

# ---- the hooks of the request kernel -------------------------------------------------------------------
registry_pending.register_retry_handler(SERVICE, resume_after_registry)
request_summary.register(SERVICE, booking_summary)
request_summary.register_progress(SERVICE, booking_progress)
request_summary.register_prefetch(SERVICE, prefetch_bookings)
request_kernel.register_labels(SERVICE, steps=STEP_LABELS)
TALON_DOCUMENT_KIND = register_kind(
    TALON_KIND, "TAL", Bilingual("Дәрігердің қабылдауына талон", "Талон на приём к врачу")
)

__all__ = [
    "ABSENCE_REASONS",
    "NOT_ATTACHED_MESSAGE",
    "PRODUCT_ID",
    "REASON_MAX_LENGTH",
    "SERVICE",
    "SLOT_TAKEN_MESSAGE",
    "STEP_LABELS",
    "STAFF_CHANNELS",
    "TALON_DOCUMENT_KIND",
    "TALON_KIND",
    "TALON_TEMPLATE",
    "BookingError",
    "BookingLimitReached",
    "ChangeNotAllowed",
    "Choice",
    "DayChoice",
    "DoctorAbsent",
    "DoctorChoice",
    "JournalSheet",
    "NoIdentityDocument",
    "NotAttached",
    "OverlappingBooking",
    "PatientCard",
    "ReasonTooLong",
    "SlotInPast",
    "SlotNotOffered",
    "HomeCallTime",
    "SlotTaken",
    "add_schedule_exception",
    "appointment_for_request",
    "as_int",
    "book_appointment",
    "bookable_days",
    "bookable_doctor",
    "booking_progress",
    "booking_summary",
    "bookings_of",
    "calendar_file",
    "can_change_online",
    "cancel_appointment",
    "card_problem",
    "change_cutoff",
    "choice_from",
    "choose",
    "day_unavailable_reason",
    "days_for",
    "doctor_by_id",
    "doctors_for",
    "doctors_for_schedules",
    "doctors_with_plans",
    "exception_of",
    "find_by_number",
    "free_slots",
    "horizon_days",
    "journal",
    "journal_sheet",
    "mark_attendance",
    "max_per_speciality",
    "message_text",
    "move_appointment",
    "move_choice",
    "no_show_count",
    "normalise_reason",
    "notify",
    "parse_slot_key",
    "patient_by_id",
    "patient_card",
    "remove_schedule_exception",
    "resume_after_registry",
    "revoke_talon",
    "save_doctor_plan",
    "search_patients",
    "send_reminders",
    "slot_state",
    "speciality_name",
    "specialities_offered",
    "staff_by_id",
    "talon_for",
    "visits_of",
    "week_of",
]
