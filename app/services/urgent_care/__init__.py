"""Urgent-care calls (regulation 001 annex 12, «Неотложная медицинская помощь», the PHC urgent-care
department): the nurse-registrar takes a call by phone and registers it in the dispatch journal (5 minutes), a
team (doctor or feldsher) examines the patient within 7 elapsed clock hours, the nurse-registrar registers the
result (5 minutes). Each call is a service request ("urgent-care", UC-2026-000123) linked to an UrgentCall.

Rules kept here:
- the clock is elapsed time from the moment the call is received, never working minutes (decision item 4):
  a Friday 19:00 call is due Saturday 02:00; the department's own hours (setting) never stop it;
- red flags (the home call's list and words) never queue: the nurse is told to call 103 at once and the call
  is saved only with the hand-over written down, as handed to 103;
- the team's times follow each other (passed <= arrived <= examination ended <= now);
- not offered on the website or the kiosk (001:1647): the public passport says how to call, 103 first.

Reuses the home-call machinery through its face: the red flags, the phone format, the district of an address.
"""

from app.core.bilingual import Bilingual
from app.services import documents, request_summary
from app.services import requests as request_kernel
from app.services.urgent_care.operations import (
    cancel_call,
    hand_to_103,
    pass_to_team,
    print_route,
    record_outcome,
    red_flags_of,
    register_call,
    register_result,
)
from app.services.urgent_care.queries import (
    Compliance,
    Journal,
    call_for_request,
    call_summary,
    compliance,
    find_by_number,
    find_team,
    journal,
    open_call,
    open_journal,
    open_route,
    prefetch_calls,
    route_list,
    teams,
)
from app.services.urgent_care.rules import (
    EXAMINATION_HOURS,
    RED_FLAGS,
    RESULT_MINUTES,
    ROUTE_LIST_KIND,
    ROUTE_LIST_PREFIX,
    SERVICE,
    CallDetails,
    ChangeNotAllowed,
    DeadlineState,
    InvalidCall,
    Outcome,
    RedFlagsCall103,
    UrgentCareError,
    deadline_state,
    department_hours,
    department_phone,
    emergency_phone,
    examination_due,
    is_department_open,
    result_due,
)
from app.services.urgent_care.texts import (
    CALLER_LABELS,
    DEADLINE_LABELS,
    OUTSIDE_HOURS_MESSAGE,
    RED_FLAG_LABELS,
    REQUEST_STATUS_LABELS,
    RESULT_LABELS,
    STATUS_LABELS,
    STEP_LABELS,
    URGENCY_LABELS,
)

# ---- the service's hooks ----------------------------------------------------------------------------------
request_summary.register(SERVICE, call_summary)
request_summary.register_prefetch(SERVICE, prefetch_calls)
request_kernel.register_labels(SERVICE, steps=STEP_LABELS, statuses=REQUEST_STATUS_LABELS)
documents.register_kind(
    ROUTE_LIST_KIND,
    ROUTE_LIST_PREFIX,
    Bilingual("Шұғыл көмек бригадасының маршрут парағы", "Маршрутный лист бригады неотложной помощи"),
)

__all__ = [
    "CALLER_LABELS",
    "DEADLINE_LABELS",
    "EXAMINATION_HOURS",
    "OUTSIDE_HOURS_MESSAGE",
    "RED_FLAGS",
    "RED_FLAG_LABELS",
    "REQUEST_STATUS_LABELS",
    "RESULT_LABELS",
    "RESULT_MINUTES",
    "SERVICE",
    "STATUS_LABELS",
    "STEP_LABELS",
    "URGENCY_LABELS",
    "CallDetails",
    "ChangeNotAllowed",
    "Compliance",
    "DeadlineState",
    "InvalidCall",
    "Journal",
    "Outcome",
    "RedFlagsCall103",
    "UrgentCareError",
    "call_for_request",
    "call_summary",
    "cancel_call",
    "compliance",
    "deadline_state",
    "department_hours",
    "department_phone",
    "emergency_phone",
    "examination_due",
    "find_by_number",
    "find_team",
    "hand_to_103",
    "is_department_open",
    "journal",
    "open_call",
    "open_journal",
    "open_route",
    "pass_to_team",
    "print_route",
    "record_outcome",
    "red_flags_of",
    "register_call",
    "register_result",
    "result_due",
    "route_list",
    "teams",
]
