"""What a home call says to people: labels, the answers and refusals, the SMS texts, the history notes, and
the sentences that tell where a call stands. In the current language unless a function says otherwise.

Imports nothing of the service except its rules.
"""

from datetime import date, datetime

from flask import current_app
from flask_babel import force_locale, format_date, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.clock import ALMATY
from app.models.home_visits import HomeVisit
from app.services import catalogue
from app.services.clinic import get_clinic
from app.services.home_visits.rules import SERVICE, emergency_phone

RED_FLAG_LABELS = {
    "chest_pain": _l("Chest pain"),
    "breathing": _l("Difficulty breathing"),
    "unconscious": _l("Loss of consciousness"),
    "bleeding": _l("Heavy bleeding"),
    "infant_fever": _l("A child under one year with fever"),
}
STATUS_LABELS = {
    "waiting": _l("Waiting for the registry"),
    "unassigned": _l("Waiting for a doctor"),
    "assigned": _l("Doctor assigned"),
    "done": _l("Visit done"),
    "refused": _l("Refused"),
    "cancelled": _l("Cancelled"),
}
OUTCOME_LABELS = {
    "visited": _l("Visited"),
    "not_at_home": _l("Not at home"),
    "hospitalised": _l("Hospitalised"),
}
# The steps of a call's history, for the staff page (steps of other modules show as they are stored).
STEP_LABELS = {
    "submitted": _l("Call received"),
    "red_flags": _l("Red flags noted"),
    "deferred": _l("Registered for a later day"),
    "identity_document_checked": _l("Identity document checked"),
    "registry_checked": _l("Attachment checked in the registry"),
    "registry_unavailable": _l("The registry did not answer"),
    "registry_retry": _l("The registry was asked again"),
    "registry_still_unavailable": _l("The registry still did not answer"),
    "awaiting_assignment": _l("Waiting for the desk to assign a doctor"),
    "assigned": _l("Doctor and time given"),
    "reassigned": _l("Doctor or time changed"),
    "refused": _l("Refused"),
    "call_cancelled": _l("Call cancelled"),
    "visited": _l("Visited"),
    "not_at_home": _l("Not at home"),
    "hospitalised": _l("Hospitalised"),
    "sms_assigned": _l("SMS sent: doctor and time"),
    "sms_reassigned": _l("SMS sent: the change"),
    "sms_refused": _l("SMS sent: the refusal"),
    "sms_cancelled": _l("SMS sent: the cancellation"),
}
ACTOR_LABELS = {"patient": _l("the patient"), "applicant": _l("a family member"), "system": _l("the system")}
APPLICANT_LABELS = {
    "self": _l("The patient"),
    "relative": _l("A family member"),
    "other": _l("Someone else"),
}
DEFERRAL_MESSAGES = {
    "after_cutoff": _l(
        "Calls for today closed at %(cutoff)s, two hours before the clinic closes. Your call is registered "
        "for the next working day, %(day)s."
    ),
    "day_off": _l("The clinic is closed today. Your call is registered for the next working day, %(day)s."),
    "public_holiday": _l(
        "Today is a public holiday and the clinic is closed. Your call is registered for the next working "
        "day, %(day)s."
    ),
}
# A deferred call is the clinic's own arrangement: 002 item 9 only takes same-day calls before the cut-off.
DEFERRAL_IS_OUR_ARRANGEMENT = _l(
    "Taking a call for the next working day is this clinic's own arrangement: by the regulation, home calls "
    "are taken for the same day only."
)
NOT_ATTACHED_MESSAGE = _l(
    "According to the register of attached population the patient is not attached to this clinic, so it "
    "cannot send its doctor. Call the clinic the patient is attached to; in an emergency call %(phone)s."
)
NO_IDENTITY_DOCUMENT_MESSAGE = _l(
    "Check the caller's identity document and tick the box that it was checked, or take the call as a "
    "phone call. Nothing is saved yet; what you typed is kept."
)
WAITING_MESSAGE = _l(
    "The register of attached population is not answering right now. Your call %(number)s is saved with "
    "everything you entered; the time of the doctor's visit will be sent by SMS as soon as the registry "
    "answers. You do not need to call again."
)
UNASSIGNED_MESSAGE = _l(
    "Your call %(number)s is registered. The registry desk will assign a doctor and tell you the time of the "
    "visit within %(minutes)s minutes."
)

SMS_TEXTS = {
    "assigned": _l(
        "%(clinic)s: call %(number)s. Doctor %(doctor)s will come on %(day)s between %(start)s and %(end)s. "
        "If it gets worse, call %(phone)s."
    ),
    "reassigned": _l(
        "%(clinic)s: call %(number)s changed. Doctor %(doctor)s will come on %(day)s between %(start)s and "
        "%(end)s."
    ),
    "refused": _l(
        "%(clinic)s: call %(number)s is refused: the patient is not attached to this clinic. In an emergency "
        "call %(phone)s."
    ),
    "cancelled": _l("%(clinic)s: call %(number)s for %(day)s is cancelled."),
}


# ---- labels and sentences ----------------------------------------------------------------------------
def deferral_text(reason: str, cutoff: datetime | None, day: date) -> str:
    """Which day a call taken late is for, and why (the reason of a CallDay), and that the deferral is the
    clinic's arrangement, not the regulation's."""
    which_day = str(DEFERRAL_MESSAGES[reason]) % {
        "cutoff": format_time(cutoff, "HH:mm") if cutoff else "",
        "day": format_date(day, "EEEE, d MMMM"),
    }
    return f"{which_day} {DEFERRAL_IS_OUR_ARRANGEMENT}"


def duplicate_message(existing: HomeVisit, *, detailed: bool = True):
    """Why a second call is refused. `detailed` (doctor, window, number) only for people party to the call:
    to anyone else it would tell when a stranger is ill at home."""
    if not detailed:
        return _l(
            "A doctor has already been called for this person for %(day)s. One call a day is enough; to add "
            "something or to change it, call the registry desk: %(phone)s.",
            day=format_date(existing.visit_day, "d MMMM"),
            phone=clinic_phone(),
        )
    if existing.has_window and existing.doctor is not None:
        return _l(
            "A doctor has already been called for this patient for %(day)s: call %(number)s, %(doctor)s "
            "between %(start)s and %(end)s. One call a day is enough; to add something or to change it, "
            "call the registry desk: %(phone)s.",
            day=format_date(existing.visit_day, "d MMMM"),
            number=existing.number,
            doctor=existing.doctor.full_name,
            start=format_time(existing.window_starts_at, "HH:mm"),
            end=format_time(existing.window_ends_at, "HH:mm"),
            phone=clinic_phone(),
        )
    return _l(
        "A doctor has already been called for this patient for %(day)s: call %(number)s. One call a day is "
        "enough; to add something or to change it, call the registry desk: %(phone)s.",
        day=format_date(existing.visit_day, "d MMMM"),
        number=existing.number,
        phone=clinic_phone(),
    )


def clinic_phone() -> str:
    clinic = get_clinic()
    return (clinic.phones if clinic else "") or current_app.config.get("CONTACT_CENTRE_PHONE", "1414")


def describe(visit: HomeVisit) -> str:
    """ "24.11.2026 12:00-16:00, Жұмабаева А. Қ." for event notes (language-neutral)."""
    if not visit.has_window or visit.doctor is None:
        return ""
    start = visit.window_starts_at.astimezone(ALMATY)
    end = visit.window_ends_at.astimezone(ALMATY)
    return f"{start:%d.%m.%Y %H:%M}-{end:%H:%M}, {visit.doctor.full_name}"


def event_note(event) -> str:
    """An event's note for the staff history: red-flag codes in words; machine-only notes left out."""
    if event.step == "red_flags":
        return ", ".join(str(RED_FLAG_LABELS.get(code.strip(), code)) for code in event.note.split(","))
    if event.step == "deferred":  # "after_cutoff: 2026-11-24": the day says it; the label says why
        return event.note.rpartition(": ")[2]
    if event.step == "registry_checked":
        return ""
    return event.note


# ---- messages to the patient ---------------------------------------------------------------------------
def message_text(visit: HomeVisit, kind: str) -> str:
    """The SMS text of `kind` in the language of the card of the person it goes to."""
    clinic = get_clinic()
    with force_locale(visit.notice_language):
        values = {
            "clinic": clinic.name(visit.notice_language) if clinic else "",
            "number": visit.number,
            "day": format_date(visit.visit_day, "d MMMM"),
            "doctor": visit.doctor.full_name if visit.doctor else "",
            "start": format_time(visit.window_starts_at, "HH:mm") if visit.window_starts_at else "",
            "end": format_time(visit.window_ends_at, "HH:mm") if visit.window_ends_at else "",
            "phone": emergency_phone(),
        }
        return str(SMS_TEXTS[kind]) % values


# ---- what the caller and the status page see -------------------------------------------------------------
def result_lines(visit: HomeVisit) -> list[str]:
    """Sentences describing where a call stands, in the current language (the status page may show them)."""
    lines = []
    if visit.status == "assigned" and visit.has_window and visit.doctor is not None:
        lines.append(
            _(
                "Doctor %(doctor)s will come on %(day)s between %(start)s and %(end)s.",
                doctor=visit.doctor.full_name,
                day=format_date(visit.visit_day, "EEEE, d MMMM"),
                start=format_time(visit.window_starts_at, "HH:mm"),
                end=format_time(visit.window_ends_at, "HH:mm"),
            )
        )
    elif visit.status == "waiting":
        lines.append(str(WAITING_MESSAGE % {"number": visit.number}))
    elif visit.status == "unassigned":
        lines.append(str(UNASSIGNED_MESSAGE % {"number": visit.number, "minutes": answer_minutes(visit)}))
    elif visit.status == "done" and visit.outcome:
        lines.append(str(OUTCOME_LABELS[visit.outcome]))
    elif visit.status in STATUS_LABELS:
        lines.append(str(STATUS_LABELS[visit.status]))
    return lines


def answer_minutes(visit: HomeVisit) -> int:
    """The regulation's answer time for the call's channel: 10 minutes at the desk, 30 online."""
    service = catalogue.get(SERVICE)
    rule = service.deadlines.get(visit.request.channel) or service.deadlines.get("*")
    return rule.amount if rule else 30


def refusal_text(visit: HomeVisit):
    """Why a refused call was refused, for the caller (None when it was not refused)."""
    if visit.status != "refused":
        return None
    if visit.request.refusal_ground == "not_attached":
        return str(NOT_ATTACHED_MESSAGE) % {"phone": emergency_phone()}
    return str(NO_IDENTITY_DOCUMENT_MESSAGE)


def refusal_ground(visit: HomeVisit):
    """The regulation's refusal ground of a refused call, in the catalogue's words (None otherwise)."""
    return catalogue.get(SERVICE).refusal_grounds.get(visit.request.refusal_ground or "")
