"""The audit log: writing it and reading it.

Service operations write their own entries with `audit(actor, ...)`: the actor says who and from where, so an
operation is audited whichever channel calls it. `app.auth.audit` is the web layer's shortcut for what is
not a service operation (signing in, an admin page)."""

import logging
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app.core.actors import Actor
from app.core.clock import ALMATY, now
from app.extensions import db
from app.models import AuditEntry

log = logging.getLogger(__name__)

ACTIONS = (
    "view",
    "print",
    "search",
    "create",
    "update",
    "delete",
    "login",
    "login_failed",
    "logout",
    "revoke",
    # the sign-off of documents signed at the clinic (app.services.signoff), and clinic modules
    "sign",
    "send_back",
    "refused",
)


def record(
    *,
    staff_id: int | None,
    action: str,
    object_type: str,
    object_id: str | int = "",
    patient_id: int | None = None,
    detail: str = "",
    ip: str = "",
    user_agent: str = "",
) -> AuditEntry:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(
        at=now(),
        staff_id=staff_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        patient_id=patient_id,
        detail=detail[:2000],
        ip=ip[:45],
        user_agent=user_agent[:300],
    )
    db.session.add(entry)
    log.info("audit %s %s %s#%s by staff %s", action, object_type, patient_id or "-", object_id, staff_id)
    return entry


def audit(
    actor: Actor,
    action: str,
    object_type: str,
    *,
    object_id: str | int = "",
    patient_id: int | None = None,
    detail: str = "",
) -> AuditEntry:
    """An entry for what `actor` did: the staff member and the address and browser they did it from."""
    return record(
        staff_id=actor.staff_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        patient_id=patient_id,
        detail=detail,
        ip=actor.ip,
        user_agent=actor.user_agent,
    )


# ---- reading the log ---------------------------------------------------------------------------------

ACTION_LABELS = {
    "view": _l("Viewed"),
    "print": _l("Printed"),
    "search": _l("Searched"),
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    "login": _l("Signed in"),
    "login_failed": _l("Failed sign-in"),
    "logout": _l("Signed out"),
    "revoke": _l("Revoked"),
    "sign": _l("Signed"),
    "send_back": _l("Sent back"),
    "refused": _l("Refused"),
}
# What an entry is about, in words (issue 14: no raw key on a kk/ru page). A service that audits a new kind
# of object adds it here; an unknown one is shown by its code.
OBJECT_LABELS = {
    "appointment": _l("Booking"),
    "clinic_module": _l("Clinic module"),
    "day_hospital": _l("Day hospital"),
    "hiv_test": _l("HIV test"),
    "hospital_referral": _l("Hospitalization referral"),
    "signoff": _l("Sign-off"),
    "trainee": _l("Trainee"),
    "training_cohort": _l("Training cohort"),
    "training_course": _l("Training course"),
    "training_settings": _l("Training centre settings"),
    "urgent_call": _l("Urgent-care call"),
    "appointment_journal": _l("Pre-registration journal"),
    "attached_population": _l("Attached population"),
    "attachment_application": _l("Attachment application"),
    "attachment_file": _l("Attachment application file"),
    "attachment_queue": _l("Attachment applications"),
    "audit_log": _l("Audit log"),
    "calendar_exception": _l("Working calendar"),
    "clinic": _l("Clinic profile"),
    "complaint": _l("Complaint"),
    "complaint_list": _l("Complaints"),
    "district": _l("District"),
    "doctor_schedule": _l("Doctor's weekly plan"),
    "document": _l("Document"),
    "home_visit": _l("Home call"),
    "home_visit_journal": _l("Home call journal"),
    "home_visit_route": _l("Doctor's route list"),
    "information_form_request": _l("Information form request"),
    "information_form_requests": _l("Information form requests"),
    "kiosk_device": _l("Kiosk"),
    "monitoring": _l("Monitoring"),
    "patient": _l("Patient"),
    "registry_connection": _l("Registry connection"),
    "registry_export": _l("Registry export"),
    "registry_import": _l("Registry import"),
    "registry_pending": _l("Requests waiting for the registry"),
    "registry_person": _l("Local registry record"),
    "schedule_exception": _l("Doctor's absence"),
    "service_request": _l("Request"),
    "sms_outbox": _l("SMS outbox"),
    "staff": _l("Staff account"),
}
# Details that are one known word (a channel, an outcome, a change), in words; other details are technical
# notes (filters, counts, ids) and are shown as they were recorded, marked as not language text.
DETAIL_LABELS = {
    "web": _l("Website"),
    "kiosk": _l("Kiosk"),
    "desk": _l("Registry desk"),
    "phone": _l("Phone"),
    "answered": _l("Answered"),
    "attended": _l("Came"),
    "no_show": _l("Did not come"),
    "cancelled": _l("Cancelled"),
    "move": _l("Moved"),
    "receipt": _l("Receipt"),
    "activated": _l("Activated"),
    "deactivated": _l("Switched off"),
    "weekly plan": _l("Weekly plan"),
    "home call form": _l("Home call form"),
    "appointments desk": _l("Booking desk"),
    "desk list": _l("Desk list"),
    "consent code sent again": _l("Consent code sent again"),
    "consent given at the desk": _l("Consent given at the desk"),
}
PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilters:
    staff_id: int | None = None
    action: str | None = None
    patient_id: int | None = None
    date_from: date | None = None  # local (Asia/Almaty) calendar days, both inclusive
    date_to: date | None = None

    def describe(self) -> str:
        """The filters as text for the audit entry that records someone reading the log."""
        return "; ".join(f"{name}={value}" for name, value in asdict(self).items() if value is not None)


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def object_label(object_type: str) -> str:
    return str(OBJECT_LABELS.get(object_type, object_type))


def detail_label(detail: str) -> str | None:
    """A detail that is one known word, in words; None for a technical note, shown as recorded."""
    label = DETAIL_LABELS.get(detail)
    return str(label) if label is not None else None


def search_entries(filters: AuditFilters, *, page: int = 1, page_size: int = PAGE_SIZE) -> AuditPage:
    """Entries matching `filters`, newest first, one page at a time."""
    conditions = []
    if filters.staff_id is not None:
        conditions.append(AuditEntry.staff_id == filters.staff_id)
    if filters.action:
        conditions.append(AuditEntry.action == filters.action)
    if filters.patient_id is not None:
        conditions.append(AuditEntry.patient_id == filters.patient_id)
    if filters.date_from is not None:
        conditions.append(AuditEntry.at >= _start_of_local_day(filters.date_from))
    if filters.date_to is not None:
        conditions.append(AuditEntry.at < _start_of_local_day(filters.date_to + timedelta(days=1)))
    total = db.session.scalar(select(func.count(AuditEntry.id)).where(*conditions)) or 0
    page = max(1, min(page, max(1, -(-total // page_size))))
    entries = db.session.scalars(
        select(AuditEntry)
        .where(*conditions)
        .options(joinedload(AuditEntry.staff))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return AuditPage(entries=list(entries), total=total, page=page, page_size=page_size)


def entries_about_patient(patient_id: int, *, limit: int = 100) -> list[AuditEntry]:
    """Who looked at or changed this patient's data, newest first (for a patient's access history)."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.patient_id == patient_id)
            .options(joinedload(AuditEntry.staff))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(limit)
        )
    )


def _start_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time.min, ALMATY).astimezone(UTC)
