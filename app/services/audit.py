"""Writing the audit log. The web layer adds who and from where (app.auth.audit); this stores it."""

import logging

from app.extensions import db
from app.models import AuditEntry
from app.services.clock import now

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
