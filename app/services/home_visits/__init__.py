"""Home doctor calls (regulations 001 service 1; 002 «Вызов врача на дом»).

The patient or a relative (web, kiosk) or a registrar (desk, phone) calls the district doctor to the patient's
home. The answer of the service is an entry in the home-call journal and the date and time of the visit, due
within 10 minutes at the desk or on the phone and 30 minutes online. Each call is a service request
("home-visit", HV-2026-000123) with its events, linked one-to-one to a HomeVisit row.

Rules kept here, for every channel:
- same day, and calls close 2 hours before the clinic closes (18:00 on weekdays, 12:00 on Saturday); a call
  taken after that, on a Sunday or on a public holiday is registered for the next working day, and the
  answer says so and names urgent care (103) for anything that cannot wait;
- one live call per patient and visit day (the database enforces it); a second one is refused with a pointer
  to the first;
- red-flag complaints (chest pain, difficulty breathing, loss of consciousness, heavy bleeding, a child under
  one year with fever) mark the call urgent, and the answer shows the emergency number first;
- the doctor is the district doctor of the district whose territory lists the street of the actual address
  (falling back to the district on the patient's card); when that doctor does not work that day, or their
  day is over, a doctor of a matching district kind who does work covers; the visit window is the next
  4-hour window within that doctor's day;
- refused only on the regulation's grounds: no identity document at the desk, or not attached here; when the
  register of attached population cannot answer the call waits in awaiting_registry with everything entered.

The rooms: `rules` (the rules, settings, errors), `texts` (labels, messages, SMS texts), `territory` (which
district an address falls in), `windows` (the day a call is for, the doctors' hours and visit windows),
`queries` (reading, and the staff's audited looks), `operations` (every change, with its events and audit).
This face is what the rest of the app imports; the service's hooks are registered here, once.
"""

from app.core.bilingual import Bilingual
from app.core.person import SEX_LABELS, age_label, age_on
from app.services import documents, registry_pending, request_summary
from app.services import requests as request_kernel
from app.services.home_visits.operations import (
    PatientLookup,
    assign_doctor,
    call_doctor,
    cancel_call,
    find_patient,
    notify,
    record_outcome,
    resume_after_registry,
)
from app.services.home_visits.queries import (
    Journal,
    assignment_options,
    awaiting_answer,
    find_by_number,
    journal,
    live_call,
    open_call,
    open_journal,
    open_patient,
    open_route,
    prefetch_visits,
    print_route,
    route_list,
    todays_call,
    visit_for_request,
    visit_progress,
    visit_summary,
)
from app.services.home_visits.rules import (
    ADULT_DISTRICT_KINDS,
    APPLICANT_KINDS,
    CHILD_AGE,
    CHILD_DISTRICT_KINDS,
    FEVER,
    MAX_TEXT,
    MIN_WINDOW,
    ONLINE_CHANNELS,
    ROUTE_LIST_KIND,
    ROUTE_LIST_PREFIX,
    SERVICE,
    STAFF_CHANNELS,
    TEMPERATURE_MESSAGE,
    TEMPERATURE_RANGE,
    CallDetails,
    CallRefused,
    ChangeNotAllowed,
    DeadlineState,
    DuplicateCall,
    HomeVisitError,
    InvalidCall,
    TooManyCalls,
    calls_per_applicant_per_day,
    check_details,
    clean_phone,
    deadline_state,
    deadline_warning,
    detect_red_flags,
    district_kinds_for,
    emergency_phone,
    parse_temperature,
    signs_shown,
    window_length,
)
from app.services.home_visits.territory import (
    TerritoryLine,
    district_for,
    parse_territory_line,
    same_household,
    territory_match,
)
from app.services.home_visits.texts import (
    ACTOR_LABELS,
    APPLICANT_LABELS,
    DEFERRAL_MESSAGES,
    NO_IDENTITY_DOCUMENT_MESSAGE,
    NOT_ATTACHED_MESSAGE,
    OUTCOME_LABELS,
    RED_FLAG_LABELS,
    SMS_TEXTS,
    STATUS_LABELS,
    STEP_LABELS,
    UNASSIGNED_MESSAGE,
    WAITING_MESSAGE,
    describe,
    duplicate_message,
    event_note,
    message_text,
    refusal_ground,
    refusal_text,
    result_lines,
)
from app.services.home_visits.windows import (
    CallDay,
    DoctorOption,
    call_day_for,
    calls_of,
    deferral_message,
    doctor_hours,
    doctor_options,
    find_doctor,
    home_visit_doctors,
    visit_window,
    window_starts,
)

# ---- the service's hooks: the status page's summary line, and carrying on when the registry answers ------
request_summary.register(SERVICE, visit_summary)
request_summary.register_progress(SERVICE, visit_progress)
request_summary.register_prefetch(SERVICE, prefetch_visits)
request_kernel.register_labels(SERVICE, steps=STEP_LABELS, actors=ACTOR_LABELS)
registry_pending.register_retry_handler(SERVICE, resume_after_registry)
documents.register_kind(
    ROUTE_LIST_KIND,
    ROUTE_LIST_PREFIX,
    Bilingual("Дәрігердің үйге шақырулар бойынша маршрут парағы", "Маршрутный лист врача по вызовам на дом"),
)

__all__ = [
    "ACTOR_LABELS",
    "ADULT_DISTRICT_KINDS",
    "APPLICANT_KINDS",
    "APPLICANT_LABELS",
    "CHILD_AGE",
    "CHILD_DISTRICT_KINDS",
    "DEFERRAL_MESSAGES",
    "FEVER",
    "MAX_TEXT",
    "MIN_WINDOW",
    "NOT_ATTACHED_MESSAGE",
    "NO_IDENTITY_DOCUMENT_MESSAGE",
    "ONLINE_CHANNELS",
    "OUTCOME_LABELS",
    "RED_FLAG_LABELS",
    "SERVICE",
    "SEX_LABELS",
    "SMS_TEXTS",
    "STAFF_CHANNELS",
    "STATUS_LABELS",
    "STEP_LABELS",
    "TEMPERATURE_MESSAGE",
    "TEMPERATURE_RANGE",
    "UNASSIGNED_MESSAGE",
    "WAITING_MESSAGE",
    "CallDay",
    "CallDetails",
    "CallRefused",
    "ChangeNotAllowed",
    "DeadlineState",
    "DoctorOption",
    "DuplicateCall",
    "HomeVisitError",
    "InvalidCall",
    "Journal",
    "PatientLookup",
    "TerritoryLine",
    "TooManyCalls",
    "age_label",
    "age_on",
    "assign_doctor",
    "assignment_options",
    "awaiting_answer",
    "call_day_for",
    "call_doctor",
    "calls_of",
    "calls_per_applicant_per_day",
    "cancel_call",
    "visit_progress",
    "check_details",
    "clean_phone",
    "deadline_state",
    "deadline_warning",
    "deferral_message",
    "describe",
    "detect_red_flags",
    "district_for",
    "same_household",
    "district_kinds_for",
    "doctor_hours",
    "doctor_options",
    "duplicate_message",
    "emergency_phone",
    "event_note",
    "find_by_number",
    "find_doctor",
    "find_patient",
    "home_visit_doctors",
    "journal",
    "live_call",
    "message_text",
    "notify",
    "open_call",
    "open_journal",
    "open_patient",
    "open_route",
    "parse_temperature",
    "parse_territory_line",
    "print_route",
    "record_outcome",
    "refusal_ground",
    "refusal_text",
    "result_lines",
    "resume_after_registry",
    "route_list",
    "signs_shown",
    "territory_match",
    "todays_call",
    "visit_for_request",
    "visit_summary",
    "visit_window",
    "window_length",
    "window_starts",
]
