"""Parts of the clinic an admin switches on or off: the day hospital (service 8, 001 annex 8: inpatient care)
and, later, the training centre (service 14). Off by default: a district polyclinic has neither unless it
says so (product decision 5); switched off, the service's passport names the real provider and nothing is
offered to start."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core.actors import Actor
from app.core.clock import now
from app.extensions import db
from app.models import ClinicModule
from app.services.audit import audit

DAY_HOSPITAL = "day_hospital"
MODULE_LABELS = {DAY_HOSPITAL: _l("Day hospital (inpatient extracts)")}
# The services a module gives: switched off, the clinic offers them nowhere (the passport page says who does).
MODULE_OF_SERVICE = {"inpatient-extract": DAY_HOSPITAL}


def _row(name: str) -> ClinicModule | None:
    return db.session.scalars(select(ClinicModule).where(ClinicModule.name == name)).first()


def is_enabled(name: str) -> bool:
    row = _row(name)
    return bool(row and row.enabled)


def switch(name: str, enabled: bool, *, actor: Actor) -> ClinicModule:
    """An admin switches a module on or off; audited."""
    if name not in MODULE_LABELS:
        raise KeyError(f"no module {name!r}")
    row = _row(name)
    if row is None:
        row = ClinicModule(name=name, enabled=enabled, changed_at=now(), changed_by_id=actor.staff_id)
        db.session.add(row)
    else:
        row.enabled = enabled
        row.changed_at = now()
        row.changed_by_id = actor.staff_id
    audit(actor, "update", "clinic_module", object_id=name, detail="on" if enabled else "off")
    db.session.flush()
    return row


def offered_here(service_slug: str) -> bool:
    """Whether the clinic gives the service: always, unless it belongs to a module that is switched off."""
    module = MODULE_OF_SERVICE.get(service_slug)
    return module is None or is_enabled(module)
