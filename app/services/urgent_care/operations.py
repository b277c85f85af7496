"""Every change of an urgent-care call: registering it (or handing it to 103 at once when it shows red flags),
passing it to a team, the team's outcome, registering the result, cancelling. Each writes its request events
and the staff member's audit entry."""

import logging
from datetime import date

from app.core.actors import Actor
from app.core.clock import local_now, now
from app.extensions import db
from app.models import Document, Patient, StaffMember
from app.models.urgent_care import UrgentCall
from app.services import audit, documents, home_visits
from app.services.requests import cancel as cancel_request
from app.services.requests import create_request, record_step, transition
from app.services.urgent_care.queries import route_list
from app.services.urgent_care.rules import (
    ROUTE_LIST_KIND,
    SERVICE,
    CallDetails,
    ChangeNotAllowed,
    InvalidCall,
    Outcome,
    RedFlagsCall103,
    check_details,
    check_outcome,
    deadline_state,
    emergency_phone,
    examination_due,
    is_department_open,
)
from app.services.urgent_care.texts import (
    CALL_103_MESSAGE,
    HANDOVER_NEEDED,
    NOT_LIVE_MESSAGE,
    RED_FLAG_LABELS,
    RED_FLAG_TEAM_MESSAGE,
    STATUS_LABELS,
    URGENCY_LABELS,
)

log = logging.getLogger(__name__)


def _audit(actor: Actor, action: str, call: UrgentCall, detail: str = "") -> None:
    audit.audit(
        actor, action, "urgent_call", object_id=call.number, patient_id=call.patient_id, detail=detail
    )


def red_flags_of(details: CallDetails, patient: Patient | None) -> set[str]:
    """Ticked, or heard in the complaint (the home call's words)."""
    heard = home_visits.detect_red_flags(
        details.complaint or "", None, patient.birth_date if patient else None, local_now().date()
    )
    return set(details.red_flags) | heard


def register_call(
    details: CallDetails,
    *,
    actor: Actor,
    patient: Patient | None = None,
    handover_note: str = "",
    channel: str = "phone",
) -> UrgentCall:
    """Register a call in the dispatch journal; received now, due in 7 clock hours.

    Raises InvalidCall (nothing saved). A call with red flags is never queued: without `handover_note`
    RedFlagsCall103 tells the nurse to call 103 (nothing saved); with it the call is saved as handed to 103.
    """
    check_details(details)
    flags = red_flags_of(details, patient)
    handover_note = " ".join((handover_note or "").split())[:500]
    if flags and not handover_note:
        signs = ", ".join(str(RED_FLAG_LABELS[flag]) for flag in sorted(flags))
        raise RedFlagsCall103(CALL_103_MESSAGE % {"signs": signs, "phone": emergency_phone()}, flags=flags)
    moment = now()
    request = create_request(
        SERVICE,
        channel=channel,
        actor=actor,
        subject=patient,
        applicant=patient if details.caller_kind == "self" else None,
        applicant_name=details.caller_name,
        language=patient.language if patient else "kk",
        note=details.complaint[:200],
    )
    call = UrgentCall(
        request=request,
        patient=patient,
        status="registered",
        received_at=moment,
        examination_due_at=examination_due(moment),
        caller_kind=details.caller_kind,
        caller_name=details.caller_name,
        caller_phone=details.caller_phone,
        patient_iin=patient.iin if patient else "",
        patient_name=patient.full_name if patient else details.patient_name,
        patient_age=details.patient_age,
        patient_sex=(patient.sex if patient else details.patient_sex) or "",
        address=details.address,
        entrance=details.entrance,
        floor=details.floor,
        district=home_visits.district_for(patient, details.address, local_now().date()) if patient else None,
        complaint=details.complaint,
        urgency_category=details.urgency_category,
        red_flags=sorted(flags),
    )
    db.session.add(call)
    db.session.flush()
    _audit(actor, "create", call, f"via {channel}")
    if not is_department_open(moment):
        record_step(request, "outside_department_hours", actor=actor)
    if flags:
        record_step(request, "red_flags", actor=actor, note=", ".join(sorted(flags)))
        _hand_to_103(call, handover_note, actor=actor)
    log.info("urgent call %s registered", call.number)
    return call


def _hand_to_103(call: UrgentCall, note: str, *, actor: Actor) -> None:
    call.status = "handed_to_103"
    call.result = "handed_to_103"
    call.handed_to_103_at = now()
    call.handover_note = note
    transition(call.request, "completed", actor=actor, step="handed_to_103", note=note)
    _audit(actor, "update", call, f"handed to 103: {note}")


def hand_to_103(call: UrgentCall, note: str, *, actor: Actor) -> UrgentCall:
    """A live call whose condition turns grave: handed to 103, the hand-over recorded."""
    if not call.is_live:
        raise ChangeNotAllowed(NOT_LIVE_MESSAGE)
    note = " ".join((note or "").split())[:500]
    if not note:
        raise InvalidCall(HANDOVER_NEEDED, field="handover_note")
    _hand_to_103(call, note, actor=actor)
    return call


def pass_to_team(call: UrgentCall, team: StaffMember, *, actor: Actor) -> UrgentCall:
    """Give the call to a team (a doctor or feldsher of the department); again to change the team."""
    if call.status not in ("registered", "passed"):
        raise ChangeNotAllowed(NOT_LIVE_MESSAGE)
    if call.red_flags:
        raise ChangeNotAllowed(RED_FLAG_TEAM_MESSAGE)
    call.team = team
    call.passed_at = now()
    if call.status == "registered":
        call.status = "passed"
        transition(call.request, "in_review", actor=actor, step="passed_to_team", note=team.full_name)
    else:
        record_step(call.request, "passed_to_team", actor=actor, note=team.full_name)
    _audit(actor, "update", call, f"passed to team {team.id}")
    return call


def record_outcome(call: UrgentCall, outcome: Outcome, *, actor: Actor) -> UrgentCall:
    """The team's draft result: arrival, end of the examination, result and diagnosis. The nurse-registrar
    then registers it (5 minutes). Raises InvalidCall for times out of order (nothing changed)."""
    if call.status not in ("passed", "arrived", "examined"):
        raise ChangeNotAllowed(NOT_LIVE_MESSAGE)
    check_outcome(call, outcome, now())
    call.arrived_at = outcome.arrived_at
    call.examined_at = outcome.examined_at
    call.result = outcome.result
    call.diagnosis_code = outcome.diagnosis_code
    call.diagnosis_title = outcome.diagnosis_title[:300]
    call.result_note = outcome.note
    call.status = "examined"
    record_step(
        call.request, "examined", actor=actor, note=f"{outcome.result} {outcome.diagnosis_code}".strip()
    )
    _audit(actor, "update", call, f"outcome {outcome.result}")
    return call


def register_result(call: UrgentCall, *, actor: Actor) -> UrgentCall:
    """The nurse-registrar registers the team's result: the call is done, the request completed."""
    if call.status != "examined":
        raise ChangeNotAllowed(NOT_LIVE_MESSAGE)
    call.status = "done"
    call.result_registered_at = now()
    call.result_registered_by = actor.staff
    transition(call.request, "completed", actor=actor, step="result_registered", note=call.result or "")
    _audit(actor, "update", call, f"result registered: {call.result}")
    return call


def cancel_call(call: UrgentCall, note: str, *, actor: Actor) -> UrgentCall:
    """The caller calls it off (the patient went to hospital on their own, came to the clinic)."""
    if call.status not in ("registered", "passed"):
        raise ChangeNotAllowed(NOT_LIVE_MESSAGE)
    call.status = "cancelled"
    cancel_request(call.request, actor=actor, step="call_cancelled", note=(note or "")[:500])
    _audit(actor, "update", call, f"cancelled: {note}")
    return call


def print_route(team: StaffMember, day: date, *, actor: Actor, language: str) -> Document:
    """The team's route list in `language`: an issued document (numbered, signed with the clinic's key,
    checked by its QR code), issued when its content is new (another call on the route, a call's state
    changed) and served as issued otherwise; audited as printed."""
    calls = route_list(team, day)
    document = documents.issue_once(
        ROUTE_LIST_KIND,
        "documents/urgent_care_route_list.html",
        {
            "day": day,
            "team": team,
            "calls": calls,
            "printed_by": actor.label,
            "red_flag_labels": RED_FLAG_LABELS,
            "urgency_labels": URGENCY_LABELS,
            "status_labels": STATUS_LABELS,
            "states": {call.id: deadline_state(call) for call in calls},
        },
        scope=f"team-{team.id}-{day.isoformat()}",
        subject=None,
        language=language,
    )
    audit.audit(
        actor,
        "print",
        "urgent_call_route",
        object_id=day.isoformat(),
        detail=f"team {team.id}: {len(calls)}, {document.number}",
    )
    return document
