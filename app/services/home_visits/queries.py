"""Reading home calls: one call, the journal of a day, the calls still owed an answer, a doctor's route list,
the doctors who can take a call, and the summary line of the status page.

Read-only. The functions that take an `actor` are the staff's looks at personal data: each records the read in
the audit log (app.services.audit) and changes nothing else.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date, format_time
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from app.core.actors import Actor
from app.core.person import SEX_LABELS, age_label
from app.extensions import db
from app.models import Document, Patient, ServiceRequest, StaffMember
from app.models.home_visits import LIVE_STATUSES, HomeVisit
from app.services import audit, documents, request_summary
from app.services.home_visits.rules import (
    CANCELLABLE_STATUSES,
    ROUTE_LIST_KIND,
    SERVICE,
    DeadlineState,
    deadline_state,
    district_kinds_for,
)
from app.services.home_visits.territory import address_key
from app.services.home_visits.texts import OUTCOME_LABELS, RED_FLAG_LABELS, STATUS_LABELS
from app.services.home_visits.windows import DoctorOption, call_day_for, doctor_options, window_starts


# ---- one call ----------------------------------------------------------------------------------------
def visit_for_request(request: ServiceRequest) -> HomeVisit | None:
    return request_summary.row_of(HomeVisit, request)


def prefetch_visits(requests: list[ServiceRequest]) -> None:
    """The calls of many requests and their doctors, in one query each (a person's list of requests)."""
    request_summary.prefetch_rows(HomeVisit, requests, selectinload(HomeVisit.doctor))


def find_by_number(number: str) -> HomeVisit | None:
    return db.session.scalars(
        select(HomeVisit)
        .join(HomeVisit.request)
        .where(ServiceRequest.number == (number or "").strip().upper(), ServiceRequest.service == SERVICE)
    ).first()


def live_call(patient: Patient, day: date) -> HomeVisit | None:
    return db.session.scalars(
        select(HomeVisit).where(
            HomeVisit.patient_id == patient.id,
            HomeVisit.visit_day == day,
            HomeVisit.status.in_(LIVE_STATUSES),
        )
    ).first()


def todays_call(patient: Patient) -> HomeVisit | None:
    """The patient's live call for the day a call taken now would be for (the desk shows it before taking
    another)."""
    return live_call(patient, call_day_for().day)


def visit_summary(request: ServiceRequest) -> request_summary.Summary | None:
    """The answer a call got, for the status page (app.services.request_summary): the visit day, the window
    and the doctor once given, and what the doctor found. The complaint and the address stay off it."""
    visit = visit_for_request(request)
    if visit is None:
        return None
    facts = [request_summary.Fact(_("Visit day"), format_date(visit.visit_day, "EEEE, d MMMM yyyy"))]
    if visit.has_window:
        window = (format_time(visit.window_starts_at, "HH:mm"), format_time(visit.window_ends_at, "HH:mm"))
        facts.append(request_summary.Fact(_("Visit window"), "–".join(window)))
    if visit.doctor is not None:
        facts.append(request_summary.Fact(_("Doctor"), visit.doctor.full_name))
    if visit.outcome:
        facts.append(request_summary.Fact(_("Outcome"), str(OUTCOME_LABELS[visit.outcome])))
    notes = {
        "waiting": _("The register of attached population has not answered yet; the call is kept."),
        "unassigned": _("The registry desk gives a doctor and a time soon; you will get an SMS."),
        "assigned": _("The doctor comes within this window. Please stay at home and keep your phone near."),
        "cancelled": _("This call is cancelled."),
    }
    return request_summary.Summary(
        title=_("The doctor's home visit"),
        facts=tuple(facts),
        notes=(notes[visit.status],) if visit.status in notes else (),
        link_endpoint="home_visits.show_call" if visit.is_live and visit.status != "done" else None,
        link_label=_("Open the call"),
        actions=(
            (
                request_summary.Action(
                    _("Cancel the call"),
                    "home_visits.cancel_own_call",
                    method="post",
                    confirm=_("Cancel this call? The doctor will not come."),
                ),
            )
            if visit.status in CANCELLABLE_STATUSES
            else ()
        ),
    )


def visit_progress(request: ServiceRequest) -> request_summary.Progress | None:
    """What happened to the person (app.services.request_summary): waiting for a doctor, doctor assigned,
    visit done. The regulation's answer (the window given) stays the request's status for monitoring; the
    survey waits for the visit itself. A call waiting for the registry, refused or cancelled: its status."""
    visit = visit_for_request(request)
    if visit is None or visit.status in ("waiting", "refused", "cancelled"):
        return None
    return request_summary.Progress(str(STATUS_LABELS[visit.status]), delivered=visit.status == "done")


# ---- lists -------------------------------------------------------------------------------------------
# What a list's row shows besides the call: loaded with the rows, never one query per row (issue 22).
_WITH_ROW_DETAILS = (
    selectinload(HomeVisit.patient),
    selectinload(HomeVisit.doctor),
    selectinload(HomeVisit.district),
)


def journal(day: date, *, district_id: int | None = None, status: str | None = None) -> list[HomeVisit]:
    """The home-call journal of a visit day, in the order the calls came in."""
    query = (
        select(HomeVisit)
        .join(HomeVisit.request)
        .options(*_WITH_ROW_DETAILS, contains_eager(HomeVisit.request))
        .where(HomeVisit.visit_day == day)
    )
    if district_id:
        query = query.where(HomeVisit.district_id == district_id)
    if status:
        query = query.where(HomeVisit.status == status)
    return list(db.session.scalars(query.order_by(ServiceRequest.created_at, HomeVisit.id)))


def awaiting_answer() -> list[HomeVisit]:
    """Every call the desk still owes an answer (no doctor and window yet), the soonest deadline first."""
    return list(
        db.session.scalars(
            select(HomeVisit)
            .join(HomeVisit.request)
            .options(*_WITH_ROW_DETAILS, contains_eager(HomeVisit.request))
            .where(HomeVisit.status.in_(("waiting", "unassigned")))
            .order_by(ServiceRequest.deadline_at, HomeVisit.id)
        )
    )


def route_list(doctor_id: int, day: date) -> list[HomeVisit]:
    """The doctor's calls of the day, ordered by district and address, the way the round is walked."""
    visits = db.session.scalars(
        select(HomeVisit)
        .options(*_WITH_ROW_DETAILS, selectinload(HomeVisit.request))
        .where(
            HomeVisit.doctor_id == doctor_id,
            HomeVisit.visit_day == day,
            HomeVisit.status.in_(("assigned", "done")),
        )
    ).all()
    return sorted(
        visits,
        key=lambda v: (v.district.number if v.district else math.inf, address_key(v.address), v.id),
    )


def assignment_options(visit: HomeVisit) -> tuple[list[DoctorOption], list[datetime]]:
    """The doctors the desk may give the call to (the district's own first), and the whole hours a window may
    start at within any of their days."""
    options = doctor_options(
        visit.visit_day, visit.district, district_kinds_for(visit.patient, visit.visit_day)
    )
    starts = sorted({start for option in options for start in window_starts(option.hours)})
    return options, starts


# ---- the staff's looks at personal data, audited --------------------------------------------------------
@dataclass(frozen=True)
class Journal:
    """The home-call journal of a day as the desk sees it: the day's calls (filtered), every call still owed
    an answer, and how close each one's answer deadline is."""

    day: date
    district_id: int | None
    status: str | None
    visits: list[HomeVisit]
    awaiting: list[HomeVisit]
    states: dict[int, DeadlineState]

    @property
    def attention(self) -> int:
        """How many calls owed an answer are due soon or late."""
        return sum(1 for visit in self.awaiting if self.states[visit.id].needs_attention)


def open_journal(
    day: date,
    *,
    district_id: int | None = None,
    status: str | None = None,
    actor: Actor,
    refresh: bool = False,
) -> Journal:
    """The journal of `day` for `actor`, audited as a look at the journal. `refresh`: the open journal
    refreshing itself every few seconds, which is not a new look at the data: the opening and every change of
    filter are audited, the self-refreshes would only bury them."""
    visits = journal(day, district_id=district_id, status=status)
    awaiting = awaiting_answer()
    states = {visit.id: deadline_state(visit) for visit in [*visits, *awaiting]}
    if not refresh:
        audit.audit(
            actor,
            "view",
            "home_visit_journal",
            object_id=day.isoformat(),
            detail=f"district={district_id or 'all'}; status={status or 'all'}; "
            f"{len(visits)} calls, {len(awaiting)} awaiting an answer",
        )
    return Journal(day, district_id, status, visits, awaiting, states)


def open_call(visit: HomeVisit, *, actor: Actor) -> HomeVisit:
    """One call as the staff page shows it, audited as a look at it."""
    audit.audit(actor, "view", "home_visit", object_id=visit.number, patient_id=visit.patient_id)
    return visit


def open_patient(patient: Patient, *, actor: Actor) -> Patient:
    """The patient's card on the registrar's call form, audited as a look at it."""
    audit.audit(
        actor, "view", "patient", object_id=patient.id, patient_id=patient.id, detail="home call form"
    )
    return patient


def open_route(doctor: StaffMember | None, day: date, *, actor: Actor) -> list[HomeVisit]:
    """The doctor's route list of `day` (nothing without a doctor), audited as a look at it."""
    visits = route_list(doctor.id, day) if doctor is not None else []
    audit.audit(
        actor,
        "view",
        "home_visit_route",
        object_id=day.isoformat(),
        detail=f"doctor {doctor.id if doctor else '-'}: {len(visits)} calls",
    )
    return visits


def print_route(doctor: StaffMember, day: date, *, actor: Actor, language: str) -> Document:
    """The doctor's route list of `day` in `language`: an issued document (numbered, signed with the clinic's
    key, checked by its QR code), issued when its content is new (another call on the round, an outcome
    marked) and served as issued otherwise; audited as printed by `actor`."""
    visits = route_list(doctor.id, day)
    document = documents.issue_once(
        ROUTE_LIST_KIND,
        "documents/home_visit_route_list.html",
        {
            "day": day,
            "doctor": doctor,
            "visits": visits,
            "printed_by": actor.label,
            "red_flag_labels": RED_FLAG_LABELS,
            "sex_labels": SEX_LABELS,
            "age_label": age_label,
            "outcome_labels": OUTCOME_LABELS,
        },
        scope=f"doctor-{doctor.id}-{day.isoformat()}",
        subject=None,
        language=language,
    )
    audit.audit(
        actor,
        "print",
        "home_visit_route",
        object_id=day.isoformat(),
        detail=f"doctor {doctor.id}: {len(visits)} calls, {document.number}",
    )
    return document
