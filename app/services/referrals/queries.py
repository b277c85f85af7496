"""Reading hospitalization referrals: one referral, the list by status and by receiving hospital, the queue
waiting for the Bureau, the status page's summary. Staff looks at a patient's data write their audit
entries."""

from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.core.actors import Actor
from app.extensions import db
from app.models import HospitalReferral, ServiceRequest
from app.services import audit, request_summary
from app.services.referrals.rules import check_examinations
from app.services.referrals.texts import (
    DECISION_LABELS,
    STATUS_LABELS,
)


def find_by_number(number: str) -> HospitalReferral | None:
    return db.session.scalar(
        select(HospitalReferral)
        .join(HospitalReferral.request)
        .where(ServiceRequest.number == (number or "")[:20])
    )


def referral_for_request(request: ServiceRequest) -> HospitalReferral | None:
    return request_summary.row_of(HospitalReferral, request)


def prefetch_referrals(requests: list[ServiceRequest]) -> None:
    """The referrals of many requests in one query (a person's list of requests)."""
    request_summary.prefetch_rows(HospitalReferral, requests)


def referrals(*, status: str | None = None, hospital: str | None = None) -> list[HospitalReferral]:
    query = (
        select(HospitalReferral)
        .options(selectinload(HospitalReferral.patient), selectinload(HospitalReferral.specialist))
        .order_by(HospitalReferral.reviewed_at.desc(), HospitalReferral.id.desc())
    )
    if status:
        query = query.where(HospitalReferral.status == status)
    if hospital:
        query = query.where(HospitalReferral.hospital == hospital)
    return list(db.session.scalars(query.limit(500)))


def queued() -> list[HospitalReferral]:
    return list(
        db.session.scalars(
            select(HospitalReferral).where(HospitalReferral.status == "queued").order_by(HospitalReferral.id)
        )
    )


def hospitals() -> list[str]:
    """The receiving hospitals the Bureau has named, for the list's filter."""
    return list(
        db.session.scalars(
            select(HospitalReferral.hospital)
            .where(HospitalReferral.hospital != "")
            .distinct()
            .order_by(HospitalReferral.hospital)
        )
    )


def counts_by_status() -> dict[str, int]:
    rows = db.session.execute(select(HospitalReferral.status, func.count()).group_by(HospitalReferral.status))
    return {status: count for status, count in rows}


@dataclass(frozen=True)
class ReferralList:
    referrals: list[HospitalReferral]
    counts: dict[str, int]
    hospitals: list[str]
    queued: int


def open_list(*, status: str | None, hospital: str | None, actor: Actor) -> ReferralList:
    found = referrals(status=status, hospital=hospital)
    counts = counts_by_status()
    audit.audit(
        actor,
        "view",
        "hospital_referral_list",
        detail=f"status={status or 'all'}; hospital={hospital or 'all'}; {len(found)} referrals",
    )
    return ReferralList(found, counts, hospitals(), counts.get("queued", 0))


def open_referral(referral: HospitalReferral, *, actor: Actor) -> HospitalReferral:
    audit.audit(actor, "view", "hospital_referral", object_id=referral.number, patient_id=referral.patient_id)
    return referral


def examination_rows(referral: HospitalReferral):
    """The checklist as reviewed: each required examination, its date, validity and problem."""
    done = {
        code: _parse_day(value) for code, value in (referral.examinations or {}).items() if value is not None
    }
    return check_examinations(referral.profile, done, referral.reviewed_at.date())


def _parse_day(value: str) -> date:
    return date.fromisoformat(value)


# ---- the status page ---------------------------------------------------------------------------------------
def referral_summary(request: ServiceRequest) -> request_summary.Summary | None:
    referral = referral_for_request(request)
    if referral is None:
        return None
    facts = [request_summary.Fact(_("State of the referral"), str(STATUS_LABELS[referral.status]))]
    if referral.hospitalization_date:
        facts.append(
            request_summary.Fact(
                _("Hospitalization date"), format_date(referral.hospitalization_date, "d MMMM yyyy")
            )
        )
        facts.append(request_summary.Fact(_("Receiving hospital"), referral.hospital))
        facts.append(request_summary.Fact(_("Bureau referral code"), referral.bureau_code))
    notes = []
    if referral.status in ("queued", "at_bureau"):
        notes.append(
            _("The Hospitalization Bureau gives the date within one working day; you will get an SMS.")
        )
    if referral.status == "dated":
        notes.append(_("Take the stamped referral from the clinic before the hospitalization date."))
    if referral.status in DECISION_LABELS:
        notes.append(_("Your doctor will explain the decision and what to do next."))
    return request_summary.Summary(
        title=_("Hospitalization referral"), facts=tuple(facts), notes=tuple(notes)
    )
