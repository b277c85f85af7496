"""Every change of a home call: taking it (and answering it when the rules allow), carrying on when the
registry answers late, the desk's assignment and cancellation, the doctor's outcome, and the SMS each sends.

Each operation writes its request events and, when a staff member does it, its audit entry
(app.services.audit): a patient's own call online is in the request's history, not in the staff audit log.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_date, format_time
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.core.actors import Actor
from app.core.clock import ALMATY, now
from app.core.iin import InvalidIin, parse_iin
from app.extensions import db
from app.models import Patient, ServiceRequest, StaffMember
from app.models.home_visits import OUTCOMES, HomeVisit
from app.registries import RegistryUnavailable
from app.services import audit, patients, rate_limit, registry_pending, sms
from app.services.calendar import get_calendar
from app.services.home_visits.queries import live_call, visit_for_request
from app.services.home_visits.rules import (
    CANCELLABLE_STATUSES,
    MAX_TEXT,
    ONLINE_CHANNELS,
    SERVICE,
    STAFF_CHANNELS,
    CallDetails,
    CallRefused,
    ChangeNotAllowed,
    DuplicateCall,
    InvalidCall,
    TooManyCalls,
    calls_per_applicant_per_day,
    check_details,
    detect_red_flags,
    district_kinds_for,
    emergency_phone,
)
from app.services.home_visits.territory import district_for, normalised
from app.services.home_visits.texts import (
    NO_IDENTITY_DOCUMENT_MESSAGE,
    NOT_ATTACHED_MESSAGE,
    clinic_phone,
    describe,
    duplicate_message,
    message_text,
)
from app.services.home_visits.windows import (
    busy_times,
    call_day_for,
    doctor_hours,
    doctor_options,
    visit_window,
)
from app.services.requests import cancel as cancel_request
from app.services.requests import create_request, record_step, refuse, transition

log = logging.getLogger(__name__)


# ---- who the call is for ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class PatientLookup:
    """The card found for an IIN, or `problem`, why none: a wrong IIN, nobody in the registry, or the state
    database of individuals cannot answer now (`registry_unavailable`: the one outage message, and a page
    may keep what was typed and ask to try again)."""

    patient: Patient | None = None
    problem: str | None = None
    registry_unavailable: bool = False


def find_patient(raw_iin: str) -> PatientLookup:
    """The clinic's card for the IIN typed in, made from the state database of individuals when the clinic has
    none yet. Never raises for a wrong IIN or a registry outage: the lookup says what went wrong."""
    try:
        iin = parse_iin(raw_iin).iin
    except InvalidIin as invalid:
        return PatientLookup(problem=invalid.message)
    try:
        return PatientLookup(patient=patients.card_for(iin))
    except patients.PatientUnknown as unknown:
        return PatientLookup(problem=unknown.message)
    except RegistryUnavailable:
        return PatientLookup(problem=str(registry_pending.UNAVAILABLE_MESSAGE), registry_unavailable=True)


def _audit(actor: Actor, action: str, visit: HomeVisit, detail: str) -> None:
    """The audit entry of a staff member's change of a call (patients and the system leave none)."""
    if actor.staff is not None:
        audit.audit(
            actor, action, "home_visit", object_id=visit.number, patient_id=visit.patient_id, detail=detail
        )


# ---- taking a call -------------------------------------------------------------------------------------
def call_doctor(
    patient: Patient,
    details: CallDetails,
    *,
    actor: Actor,
    channel: str,
    language: str = "kk",
    applicant: Patient | None = None,
    notice_phone: str = "",
    notice_language: str | None = None,
    identity_document_checked: bool | None = None,
    registry_address: str | None = None,
) -> HomeVisit:
    """Register a home call for `patient` and answer it when the rules allow; returns the HomeVisit.

    At the desk an unticked "identity document checked" is InvalidCall on that field (a slip of the form,
    nothing saved), never the regulation's refusal.

    Raises InvalidCall (nothing saved), DuplicateCall (nothing saved; `visit` is the existing call) or
    CallRefused (the refused call is saved in the journal). Otherwise the visit is "assigned" (doctor and
    window given), "unassigned" (the desk must assign within the deadline) or "waiting" (registry down).
    """
    check_details(details)
    if channel == "desk" and not identity_document_checked:
        raise InvalidCall(NO_IDENTITY_DOCUMENT_MESSAGE, field="identity_document_checked")
    moment = now()
    call_day = call_day_for(moment)
    red_flags = set(details.red_flags) | detect_red_flags(
        details.complaint, details.temperature, patient.birth_date, call_day.day
    )
    existing = live_call(patient, call_day.day)
    if existing is not None:
        raise DuplicateCall(duplicate_message(existing), visit=existing)

    if channel in ONLINE_CHANNELS and applicant is not None:
        _count_online_call(applicant)
    attachment_state = _attachment_state(patient)
    registry_address = patient.address if registry_address is None else registry_address
    if applicant is None and details.applicant_kind == "self":
        applicant = patient
    try:
        # One savepoint: losing the race against a simultaneous call leaves nothing but the answer.
        with db.session.begin_nested():
            request = create_request(
                SERVICE,
                channel=channel,
                actor=actor,
                subject=patient,
                applicant=applicant,
                applicant_name=details.applicant_name,
                language=language,
                note=_journal_note(details),
            )
            visit = HomeVisit(
                request=request,
                patient=patient,
                status="waiting",
                applicant_kind=details.applicant_kind,
                applicant_name=details.applicant_name,
                applicant_relationship=details.applicant_relationship,
                address=details.address,
                address_differs_from_registry=normalised(details.address) != normalised(registry_address),
                complaint=details.complaint,
                temperature=details.temperature,
                callback_phone=details.callback_phone,
                notice_phone=notice_phone or (details.callback_phone if channel in STAFF_CHANNELS else ""),
                notice_language=notice_language or patient.language,
                is_urgent=bool(red_flags),
                red_flags=sorted(red_flags),
                visit_day=call_day.day,
                deferred_reason=call_day.reason,
                district=district_for(patient, details.address, call_day.day),
                created_at=moment,
            )
            db.session.add(visit)
            db.session.flush()  # the unique index on (patient, visit day) speaks here
    except IntegrityError:
        existing = live_call(patient, call_day.day)
        log.info("home call for patient %s lost the race to %s", patient.id, existing and existing.number)
        raise DuplicateCall(duplicate_message(existing), visit=existing) from None
    _audit(actor, "create", visit, f"via {channel}")  # a refused call is in the journal too

    if red_flags:
        record_step(request, "red_flags", actor=actor, note=", ".join(sorted(red_flags)))
    if call_day.reason:
        record_step(request, "deferred", actor=actor, note=f"{call_day.reason}: {call_day.day.isoformat()}")
    if channel == "desk":
        record_step(request, "identity_document_checked", actor=actor)
    if attachment_state == "not_attached":
        _refuse(visit, "not_attached", actor=actor)
        notify(visit, "refused")
        raise CallRefused(NOT_ATTACHED_MESSAGE % {"phone": emergency_phone()}, visit=visit)
    if attachment_state == "unavailable":
        registry_pending.wait_for_registry(request, actor=actor)
        log.info("home call %s waits for the registry", request.number)
        return visit

    record_step(request, "registry_checked", actor=Actor.system(), note="attached")
    _assign_automatically(visit)
    return visit


def _count_online_call(applicant: Patient) -> None:
    """Online, one person calls the doctor for a few people a day (their family), not for a whole street."""
    limit = rate_limit.Limit(
        "home_visit:applicant", applicant.iin, calls_per_applicant_per_day(), timedelta(days=1)
    )
    try:
        rate_limit.check_and_count(limit)
    except rate_limit.RateLimited:
        raise TooManyCalls(
            _l(
                "You have already called the doctor %(count)s times today. For more calls, please phone the "
                "registry desk: %(phone)s.",
                count=calls_per_applicant_per_day(),
                phone=clinic_phone(),
            )
        ) from None


def _attachment_state(patient: Patient) -> str:
    """ "attached" | "not_attached" | "unavailable", from the register of attached population."""
    return patients.check_attachment(patient).state


def _journal_note(details: CallDetails) -> str:
    temperature = f", {details.temperature:.1f} °C" if details.temperature is not None else ""
    return f"{details.complaint[:200]}{temperature}; {details.address}"


def _refuse(visit: HomeVisit, ground: str, *, actor: Actor) -> None:
    visit.status = "refused"
    refuse(visit.request, ground, actor=actor)
    db.session.flush()


def _assign_automatically(visit: HomeVisit) -> None:
    """Give the district doctor (or a covering colleague) and a window; else leave the call to the desk."""
    options = doctor_options(
        visit.visit_day, visit.district, district_kinds_for(visit.patient, visit.visit_day)
    )
    if not options:
        visit.status = "unassigned"
        if visit.request.status != "in_review":
            transition(visit.request, "in_review", actor=Actor.system(), step="awaiting_assignment")
        db.session.flush()
        log.info("home call %s: no doctor available on %s, left to the desk", visit.number, visit.visit_day)
        return
    best = options[0]
    _give(visit, best.doctor, best.window, actor=Actor.system(), covering=not best.is_district_doctor)


def _give(visit: HomeVisit, doctor: StaffMember, window, *, actor: Actor, covering: bool) -> None:
    first_answer = visit.answered_at is None
    before = describe(visit) if not first_answer else ""
    visit.doctor = doctor
    visit.doctor_id = doctor.id
    visit.is_covering_doctor = covering
    visit.window_starts_at, visit.window_ends_at = window
    visit.status = "assigned"
    after = describe(visit)
    if first_answer:
        visit.answered_at = now()
        if visit.request.is_open:
            transition(visit.request, "completed", actor=actor, step="assigned", note=after)
        else:
            record_step(visit.request, "assigned", actor=actor, note=after)
        notify(visit, "assigned")
    else:
        record_step(visit.request, "reassigned", actor=actor, note=f"{before} -> {after}")
        notify(visit, "reassigned")
    db.session.flush()
    log.info(
        "home call %s given to doctor %s (%s)",
        visit.number,
        doctor.id,
        "covering" if covering else "district",
    )


def notify(visit: HomeVisit, kind: str) -> None:
    """Send the SMS of `kind` to the call's notice phone, in the language of the card it goes to; the
    request's history notes it (app.services.sms)."""
    sms.send_about(
        visit.request,
        kind,
        phone=visit.notice_phone,
        language=visit.notice_language,
        render=lambda: message_text(visit, kind),
        purpose=f"home_visit_{kind}",
    )


# ---- the registry answers later -----------------------------------------------------------------------
def resume_after_registry(request: ServiceRequest, actor: Actor) -> None:
    """Retry handler: the register of attached population answers a call that waited for it."""
    visit = visit_for_request(request)
    if visit is None or visit.status != "waiting":
        return
    check = patients.check_attachment(visit.patient)
    if check.state == "unavailable":
        raise RegistryUnavailable("unavailable", "still no answer about the attachment")
    if check.state == "not_attached":
        _refuse(visit, "not_attached", actor=actor)
        notify(visit, "refused")
        return
    record_step(request, "registry_checked", actor=actor, note="attached")
    calendar = get_calendar()
    moment = now()
    hours = calendar.hours_on(visit.visit_day)
    if visit.visit_day < moment.astimezone(ALMATY).date() or (hours is not None and moment >= hours[1]):
        # The registry answered after the visit day was over: the doctor comes on the next working day.
        visit.visit_day = call_day_for(moment, calendar).day
        record_step(request, "deferred", actor=actor, note=f"registry_late: {visit.visit_day.isoformat()}")
    _assign_automatically(visit)


# ---- the desk: assigning, reassigning, cancelling -------------------------------------------------------
def assign_doctor(
    visit: HomeVisit,
    doctor: StaffMember | None,
    *,
    actor: Actor,
    channel: str = "desk",
    starts_at: datetime | None = None,
) -> HomeVisit:
    """The registrar gives (or changes) the doctor and, optionally, the start of the window. `doctor` None
    (nobody chosen, or an id that names nobody) is refused like a staff member who is not a doctor."""
    if doctor is None:
        raise ChangeNotAllowed(_l("Choose a doctor from the list."), field="doctor")
    if visit.status not in ("unassigned", "assigned"):
        raise ChangeNotAllowed(_l("Only a call that is waiting for a doctor or assigned can get a doctor."))
    if not doctor.has_role("doctor") or not doctor.is_active_account:
        raise ChangeNotAllowed(_l("Choose a doctor from the list."), field="doctor")
    hours = doctor_hours(doctor, visit.visit_day)
    if hours is None:
        raise ChangeNotAllowed(
            _l(
                "%(doctor)s does not work on %(day)s. Choose another doctor.",
                doctor=doctor.full_name,
                day=format_date(visit.visit_day, "d MMMM"),
            ),
            field="doctor",
        )
    if starts_at is not None and not hours[0] <= starts_at < hours[1]:
        raise ChangeNotAllowed(
            _l(
                "The window must start within the doctor's day, %(start)s-%(end)s.",
                start=format_time(hours[0], "HH:mm"),
                end=format_time(hours[1], "HH:mm"),
            ),
            field="starts_at",
        )
    busy = busy_times(doctor, visit.visit_day)
    window = visit_window(hours, now(), starts_at=starts_at, busy=busy)
    if window is None and busy and visit_window(hours, now(), starts_at=starts_at) is not None:
        # Time is left in the day, but the doctor receives booked patients at the clinic then.
        raise ChangeNotAllowed(
            _l(
                "%(doctor)s receives booked patients at the clinic at %(times)s on %(day)s, and a home call "
                "cannot overlap them. Choose another start of the window or another doctor.",
                doctor=doctor.full_name,
                times=", ".join(format_time(start, "HH:mm") for start, _end in busy),
                day=format_date(visit.visit_day, "d MMMM"),
            ),
            field="doctor" if starts_at is None else "starts_at",
        )
    if window is None:
        raise ChangeNotAllowed(
            _l(
                "%(doctor)s has less than an hour of the working day left. Choose another doctor or a later "
                "start.",
                doctor=doctor.full_name,
            ),
            field="doctor" if starts_at is None else "starts_at",
        )
    change = "reassigned" if visit.doctor_id else "assigned"
    if visit.doctor_id != doctor.id or (visit.window_starts_at, visit.window_ends_at) != window:
        covering = visit.district is None or doctor.district_id != visit.district_id
        _give(visit, doctor, window, actor=actor, covering=covering)
    _audit(actor, "update", visit, f"{change}: doctor {doctor.id}, {describe(visit)}")
    return visit


def cancel_call(visit: HomeVisit, *, actor: Actor, channel: str, note: str = "") -> HomeVisit:
    """The caller (through the desk) calls the visit off. A done, refused or cancelled call stays as it is.

    The request ends "cancelled" even when the window was already given; it keeps its answer time, so the
    call still counts as answered in time (requests.cancel)."""
    if visit.status not in CANCELLABLE_STATUSES:
        raise ChangeNotAllowed(_l("This call is already closed and cannot be cancelled."))
    note = note.strip()[:MAX_TEXT]
    visit.status = "cancelled"
    cancel_request(visit.request, actor=actor, channel=channel, step="call_cancelled", note=note)
    db.session.flush()
    notify(visit, "cancelled")
    _audit(actor, "update", visit, "cancelled")
    return visit


# ---- the doctor --------------------------------------------------------------------------------------
def record_outcome(visit: HomeVisit, outcome: str, *, note: str = "", actor: Actor) -> HomeVisit:
    """The doctor marks the call visited, not at home or hospitalised; a mark can be corrected later."""
    if outcome not in OUTCOMES:
        raise ChangeNotAllowed(
            _l("Choose what happened: visited, not at home or hospitalised."), field="outcome"
        )
    if visit.status not in ("assigned", "done"):
        raise ChangeNotAllowed(_l("Only a call with an assigned doctor can be marked."))
    if visit.visit_day > now().astimezone(ALMATY).date():
        raise ChangeNotAllowed(
            _l("The visit is on %(day)s: mark it on that day.", day=format_date(visit.visit_day, "d MMMM"))
        )
    note = (note or "").strip()
    if len(note) > MAX_TEXT:
        raise ChangeNotAllowed(
            _l("The note is too long: at most %(count)s characters.", count=MAX_TEXT), field="note"
        )
    if outcome in ("not_at_home", "hospitalised") and not note:
        raise ChangeNotAllowed(
            _l("Add a note: what was done (left a notice, where the patient was taken)."), field="note"
        )
    if visit.outcome != outcome or visit.outcome_note != note:
        visit.outcome = outcome
        visit.outcome_note = note
        visit.outcome_at = now()
        visit.outcome_by_id = actor.staff_id
        visit.status = "done"
        record_step(visit.request, outcome, actor=actor, channel="desk", note=note)
        db.session.flush()
    _audit(actor, "update", visit, f"outcome: {visit.outcome}")
    return visit
