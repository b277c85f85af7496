"""The audit log: writing it and reading it.

Service operations write their own entries with `audit(actor, ...)`: the actor says who and from where, so an
operation is audited whichever channel calls it. `app.auth.audit` is the web layer's shortcut for what is
not a service operation (signing in, an admin page)."""

import logging
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
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
class AuditCursor:
    """Where a page of the log ends: the time and id of the last entry seen (keyset pagination: the next page
    starts after it whatever was written meanwhile, and no page counts or skips the entries before it)."""

    at: datetime  # aware, UTC
    id: int

    def as_query(self, prefix: str, others: dict[str, str]) -> dict[str, str]:
        """A page link's query: the other arguments (the filters) and this cursor, as `<prefix>_at/_id`."""
        at = self.at.astimezone(UTC).strftime(_CURSOR_TIME)
        return {**others, f"{prefix}_at": at, f"{prefix}_id": str(self.id)}


class BadCursor(ValueError):
    """A page link whose time or id does not parse (typed or cut by hand)."""


_CURSOR_TIME = "%Y-%m-%dT%H:%M:%S.%f"
_LARGEST_ID = 2**31 - 1  # the id column is a 32-bit integer on PostgreSQL


def parse_cursor(at_text: str | None, id_text: str | None) -> AuditCursor | None:
    """The cursor of a page link; None without one; BadCursor for one that is not a time and a positive id."""
    if not at_text and not id_text:
        return None
    try:
        at = datetime.fromisoformat((at_text or "").strip())
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        entry_id = int((id_text or "").strip())
    except (ValueError, OverflowError) as error:
        raise BadCursor(f"{at_text!r}, {id_text!r}") from error
    if not 0 < entry_id <= _LARGEST_ID:
        raise BadCursor(f"id {entry_id}")
    return AuditCursor(at=at, id=entry_id)


@dataclass(frozen=True)
class AuditPage:
    """One page of entries, newest first, and whether there are newer and older entries beyond it."""

    entries: list[AuditEntry]
    has_newer: bool
    has_older: bool

    @property
    def newer(self) -> AuditCursor | None:
        return _cursor_of(self.entries[0]) if self.has_newer and self.entries else None

    @property
    def older(self) -> AuditCursor | None:
        return _cursor_of(self.entries[-1]) if self.has_older and self.entries else None


def _cursor_of(entry: AuditEntry) -> AuditCursor:
    return AuditCursor(at=entry.at, id=entry.id)


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def object_label(object_type: str) -> str:
    return str(OBJECT_LABELS.get(object_type, object_type))


def detail_label(detail: str) -> str | None:
    """A detail that is one known word, in words; None for a technical note, shown as recorded."""
    label = DETAIL_LABELS.get(detail)
    return str(label) if label is not None else None


def search_entries(
    filters: AuditFilters,
    *,
    older_than: AuditCursor | None = None,
    newer_than: AuditCursor | None = None,
    page_size: int = PAGE_SIZE,
) -> AuditPage:
    """Entries matching `filters`, newest first, one page at a time: the newest page, the page of entries
    just older than `older_than`, or the one just newer than `newer_than`. Nothing is counted: whether there
    is a page beyond comes from reading one entry more, or from one look-up of a single entry. Each filter
    and the order are served by an index ending in (at, id), so a page reads about `page_size` index rows
    however long the log. A cursor past either end of the log (a link typed by hand) shows the newest page."""
    conditions = _conditions(filters)
    if newer_than is not None:
        found = _read(conditions, _after(newer_than), newest_first=False, limit=page_size + 1)
        if len(found) > page_size:  # with fewer, the newest page is the one to show: it is full
            entries = list(reversed(found[:page_size]))
            older = _any(conditions, _before(_cursor_of(entries[-1])), newest_first=True)
            return AuditPage(entries, has_newer=True, has_older=older)
    elif older_than is not None:
        found = _read(conditions, _before(older_than), newest_first=True, limit=page_size + 1)
        if found:
            entries = found[:page_size]
            newer = _any(conditions, _after(_cursor_of(entries[0])), newest_first=False)
            return AuditPage(entries, has_newer=newer, has_older=len(found) > page_size)
    found = _read(conditions, None, newest_first=True, limit=page_size + 1)
    return AuditPage(found[:page_size], has_newer=False, has_older=len(found) > page_size)


def _conditions(filters: AuditFilters) -> list:
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
    return conditions


def _before(cursor: AuditCursor):
    # (at, id) < (cursor.at, cursor.id), written so that both databases read it as a range of the index
    return and_(AuditEntry.at <= cursor.at, or_(AuditEntry.at < cursor.at, AuditEntry.id < cursor.id))


def _after(cursor: AuditCursor):
    return and_(AuditEntry.at >= cursor.at, or_(AuditEntry.at > cursor.at, AuditEntry.id > cursor.id))


def _read(conditions: list, beyond, *, newest_first: bool, limit: int) -> list[AuditEntry]:
    query = (
        select(AuditEntry)
        .where(*conditions)
        .options(joinedload(AuditEntry.staff))
        .order_by(*_order(newest_first))
    )
    if beyond is not None:
        query = query.where(beyond)
    return list(db.session.scalars(query.limit(limit)))


def _any(conditions: list, beyond, *, newest_first: bool) -> bool:
    """Whether one entry lies beyond the cursor: the nearest one, read in the index's order (without an order,
    PostgreSQL may scan the table from its oldest rows for an entry newer than a recent one)."""
    query = select(AuditEntry.id).where(*conditions, beyond).order_by(*_order(newest_first)).limit(1)
    return db.session.scalar(query) is not None


def _order(newest_first: bool) -> tuple:
    if newest_first:
        return (AuditEntry.at.desc(), AuditEntry.id.desc())
    return (AuditEntry.at.asc(), AuditEntry.id.asc())


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
