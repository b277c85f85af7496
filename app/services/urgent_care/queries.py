"""Reading urgent-care calls: the live dispatch journal, one call, a team's route list, the 7-hour compliance
and the status page's summary. The staff's looks at a patient's data write their audit entries here."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.core.actors import Actor
from app.core.clock import ALMATY, now
from app.extensions import db
from app.models import ServiceRequest, StaffMember, StaffRole
from app.models.urgent_care import LIVE_STATUSES, UrgentCall
from app.services import audit, request_summary
from app.services.urgent_care.rules import DeadlineState, deadline_state, department_phone
from app.services.urgent_care.texts import RESULT_LABELS, STATUS_LABELS


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0, 0), ALMATY).astimezone(UTC)
    return start, start + timedelta(days=1)


def find_by_number(number: str) -> UrgentCall | None:
    return db.session.scalar(
        select(UrgentCall).join(UrgentCall.request).where(ServiceRequest.number == (number or "")[:20])
    )


def call_for_request(request: ServiceRequest) -> UrgentCall | None:
    return request_summary.row_of(UrgentCall, request)


def prefetch_calls(requests: list[ServiceRequest]) -> None:
    """The calls of many requests in one query (a person's list of requests)."""
    request_summary.prefetch_rows(UrgentCall, requests)


def teams() -> list[StaffMember]:
    """The department's doctors and feldshers (role urgent_doctor), by name."""
    return list(
        db.session.scalars(
            select(StaffMember)
            .join(StaffRole)
            .where(StaffRole.role == "urgent_doctor", StaffMember.is_active_account.is_(True))
            .order_by(StaffMember.full_name)
        )
    )


def find_team(staff_id: int | None) -> StaffMember | None:
    if staff_id is None:
        return None
    return next((team for team in teams() if team.id == staff_id), None)


# What a list's row shows besides the call: loaded with the rows, never one query per row (issue 22).
_WITH_ROW_DETAILS = (
    selectinload(UrgentCall.patient),
    selectinload(UrgentCall.district),
    selectinload(UrgentCall.team),
    selectinload(UrgentCall.result_registered_by),
)


def journal(day: date) -> list[UrgentCall]:
    """The calls received on `day`, and every live call whatever its day, the oldest first."""
    start, end = _day_bounds(day)
    return list(
        db.session.scalars(
            select(UrgentCall)
            .options(*_WITH_ROW_DETAILS)
            .where(
                or_(
                    UrgentCall.received_at.between(start, end - timedelta(microseconds=1)),
                    UrgentCall.status.in_(LIVE_STATUSES),
                )
            )
            .order_by(UrgentCall.received_at, UrgentCall.id)
        )
    )


@dataclass(frozen=True)
class Journal:
    day: date
    calls: list[UrgentCall]
    states: dict[int, DeadlineState]

    @property
    def attention(self) -> int:
        return sum(1 for state in self.states.values() if state.needs_attention)

    @property
    def waiting_103(self) -> list[UrgentCall]:
        return [call for call in self.calls if call.red_flags and call.is_live]


def open_journal(day: date, *, actor: Actor, refresh: bool = False) -> Journal:
    """The dispatch journal of `day`, audited when opened (its own refreshes every few seconds are not new
    looks, as with the home-call journal)."""
    calls = journal(day)
    moment = now()
    states = {call.id: deadline_state(call, moment) for call in calls}
    if not refresh:
        audit.audit(
            actor, "view", "urgent_call_journal", object_id=day.isoformat(), detail=f"{len(calls)} calls"
        )
    return Journal(day, calls, states)


def open_call(call: UrgentCall, *, actor: Actor) -> UrgentCall:
    audit.audit(actor, "view", "urgent_call", object_id=call.number, patient_id=call.patient_id)
    return call


def route_list(team: StaffMember, day: date) -> list[UrgentCall]:
    """The team's calls: those passed to it on `day` and those it still has to finish."""
    start, end = _day_bounds(day)
    return list(
        db.session.scalars(
            select(UrgentCall)
            .options(*_WITH_ROW_DETAILS)
            .where(
                UrgentCall.team_id == team.id,
                or_(
                    UrgentCall.passed_at.between(start, end - timedelta(microseconds=1)),
                    UrgentCall.status.in_(("passed", "arrived")),
                ),
            )
            .order_by(UrgentCall.examination_due_at, UrgentCall.id)
        )
    )


def open_route(team: StaffMember, day: date, *, actor: Actor) -> list[UrgentCall]:
    calls = route_list(team, day)
    audit.audit(
        actor, "view", "urgent_call_route", object_id=day.isoformat(), detail=f"team {team.id}: {len(calls)}"
    )
    return calls


# ---- monitoring: the 7 hours ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Compliance:
    start: date
    end: date
    received: int
    examined_in_time: int
    examined_late: int
    open_overdue: int
    handed_to_103: int
    result_late: int  # the result registered more than 5 minutes after the examination

    @property
    def examined(self) -> int:
        return self.examined_in_time + self.examined_late

    @property
    def share_in_time(self) -> int | None:
        return round(100 * self.examined_in_time / self.examined) if self.examined else None


def compliance(start: date, end: date, *, actor: Actor) -> Compliance:
    """How many calls received in [start, end] were examined within 7 clock hours, audited as a report."""
    low, _unused = _day_bounds(start)
    _unused, high = _day_bounds(end)
    calls = list(
        db.session.scalars(
            select(UrgentCall).where(UrgentCall.received_at >= low, UrgentCall.received_at < high)
        )
    )
    moment = now()
    in_time = sum(1 for call in calls if call.examined_at and call.examined_at <= call.examination_due_at)
    late = sum(1 for call in calls if call.examined_at and call.examined_at > call.examination_due_at)
    overdue = sum(
        1 for call in calls if call.is_live and call.examined_at is None and call.examination_due_at < moment
    )
    result_late = sum(
        1
        for call in calls
        if call.examined_at
        and call.result_registered_at
        and call.result_registered_at > call.examined_at + timedelta(minutes=5)
    )
    handed = sum(1 for call in calls if call.status == "handed_to_103")
    audit.audit(actor, "view", "urgent_care_compliance", detail=f"{start}..{end}: {len(calls)} calls")
    return Compliance(start, end, len(calls), in_time, late, overdue, handed, result_late)


# ---- the status page ---------------------------------------------------------------------------------------
def call_summary(request: ServiceRequest) -> request_summary.Summary | None:
    """What the caller sees on /status: the status, when the team was sent and came, the result."""
    call = call_for_request(request)
    if call is None:
        return None
    facts = [request_summary.Fact(_("State of the call"), str(STATUS_LABELS[call.status]))]
    if call.passed_at:
        facts.append(
            request_summary.Fact(_("Team sent at"), format_datetime(call.passed_at, "d MMMM, HH:mm"))
        )
    if call.arrived_at:
        facts.append(
            request_summary.Fact(_("Team arrived at"), format_datetime(call.arrived_at, "d MMMM, HH:mm"))
        )
    if call.result:
        facts.append(request_summary.Fact(_("Result"), str(RESULT_LABELS[call.result])))
    notes = (
        (
            _(
                "The team comes within 7 hours of the call. If it gets worse, call 103. "
                "Department: %(phone)s.",
                phone=department_phone(),
            ),
        )
        if call.is_live
        else ()
    )
    return request_summary.Summary(title=_("Urgent-care call"), facts=tuple(facts), notes=notes)


def _when(moment: datetime) -> str:
    return format_datetime(moment, "d MMMM, HH:mm")
