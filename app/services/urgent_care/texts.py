"""The words of urgent care: statuses, results, steps, the 103 message and the status page's lines."""

from flask_babel import lazy_gettext as _l

from app.services import home_visits

STATUS_LABELS = {
    "registered": _l("Registered, no team yet"),
    "passed": _l("Passed to the team"),
    "arrived": _l("The team is with the patient"),
    "examined": _l("Examined, result to register"),
    "done": _l("Result registered"),
    "handed_to_103": _l("Handed to 103"),
    "cancelled": _l("Cancelled"),
}
RESULT_LABELS = {
    "treated_at_home": _l("Treated at home"),
    "referred_to_district_doctor": _l("Referred to the district doctor"),
    "hospitalised": _l("Hospitalised"),
    "handed_to_103": _l("Handed to 103"),
    "care_refused": _l("Care refused"),
}
CALLER_LABELS = {"self": _l("The patient"), "other": _l("Someone else")}
URGENCY_LABELS = {
    3: _l("Category 3: urgent, passed on by 103"),
    4: _l("Category 4: non-urgent, urgent-care department"),
}
DEADLINE_LABELS = {
    "on_time": _l("Within 7 hours"),
    "due_soon": _l("Less than an hour left"),
    "overdue": _l("Past the 7 hours"),
    "met": _l("Examined within 7 hours"),
    "missed": _l("Examined after 7 hours"),
    "closed": "",
}
RED_FLAG_LABELS = home_visits.RED_FLAG_LABELS
# The request's steps in this service's words (the status page, the event log, monitoring stages).
STEP_LABELS = {
    "outside_department_hours": _l("Taken outside the department's hours"),
    "red_flags": _l("Red flags noted"),
    "passed_to_team": _l("Passed to the team"),
    "examined": _l("Patient examined"),
    "result_registered": _l("Result registered"),
    "handed_to_103": _l("Handed to 103"),
    "call_cancelled": _l("Call cancelled"),
}
REQUEST_STATUS_LABELS = {"submitted": _l("Call registered"), "in_review": _l("The team is on its way")}

CALL_103_MESSAGE = _l(
    "Red flags: %(signs)s. Do not queue this call: call %(phone)s now, hand the call over, then write below "
    "whom you handed it to."
)
HANDOVER_NEEDED = _l(
    "Write whom at 103 you handed the call to, and when (for example: dispatcher Ivanova, 14:32)."
)
NOT_LIVE_MESSAGE = _l("This call is closed: nothing more can be changed.")
RED_FLAG_TEAM_MESSAGE = _l("A call with red flags is handed to 103, not to a team.")
OUTSIDE_HOURS_MESSAGE = _l(
    "The call came outside the department's hours. Its 7 hours run all the same: pass it to the team on duty."
)
