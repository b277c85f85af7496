"""The pre-registration journal (001 annex 2 item 8) and the doctor's visits of a day; reading either is
audited, as every staff read of a person's data is."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from app.core.actors import Actor
from app.core.person import SEX_LABELS, age_label
from app.extensions import db
from app.models import Appointment, ServiceRequest, StaffMember
from app.models.appointments import SLOT_HOLDING_STATUSES
from app.services import audit, schedules
from app.services.appointments.queries import no_show_counts
from app.services.specialities import get_speciality


def journal(day: date, doctor_id: int | None = None) -> list[Appointment]:
    """The pre-registration journal: every booking that holds a slot on `day`, by doctor and time, with the
    patient card (name, age, sex, address, phone) and the number loaded in the same query."""
    start, end = schedules.local_day_bounds(day)
    query = (
        select(Appointment)
        .join(Appointment.doctor)
        .options(
            contains_eager(Appointment.doctor),
            joinedload(Appointment.patient),
            joinedload(Appointment.request).lazyload(ServiceRequest.events),
        )
        .where(
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
            Appointment.status.in_(SLOT_HOLDING_STATUSES),
        )
        .order_by(StaffMember.full_name, Appointment.starts_at)
    )
    if doctor_id:
        query = query.where(Appointment.doctor_id == doctor_id)
    return list(db.session.scalars(query))


def doctors_with_plans() -> list[StaffMember]:
    """Doctors who have a weekly plan: the journal's and the head's choice of doctor."""
    return [s.doctor for s in schedules.doctors_with_schedules()]


def staff_by_id(staff_id: int | None) -> StaffMember | None:
    return db.session.get(StaffMember, staff_id) if staff_id else None


@dataclass(frozen=True)
class JournalSheet:
    """The journal of one day (of one doctor, or all), as the desk's page and its printed copy show it.

    Its columns are the regulation's (001 annex 2 item 8): the registrar enters «тегі, аты, әкесінің аты,
    жасы және жынысы, көрсетілетін қызметті алушының жағдайы және жазатайым оқиға немесе ауруы бойынша
    қысқа мәліметтер, нақты мекен-жайы мен байланыс телефоны». Name, age and sex (on the day of the visit),
    the actual address and the phone come from the patient card; the condition is the booking's reason.
    """

    day: date
    doctor_id: int | None
    doctor: StaffMember | None
    doctors: list[StaffMember]
    entries: list[Appointment]
    no_shows: dict[int, int]  # patient id -> no-shows in the window, for the desk's warning

    def context(self) -> dict:
        """The sheet as template values (the templates name each field)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__} | {
            "speciality_of": get_speciality,
            "age_label": age_label,
            "sex_labels": SEX_LABELS,
        }


def journal_sheet(day: date, doctor_id: int | None, *, actor: Actor, printing: bool = False) -> JournalSheet:
    """The journal of `day` for the desk; reading (or printing) it is audited as one entry."""
    entries = journal(day, doctor_id)
    doctors = doctors_with_plans()
    audit.audit(
        actor,
        "print" if printing else "view",
        "appointment_journal",
        object_id=day.isoformat(),
        detail=f"doctor={doctor_id or 'all'}; {len(entries)} entries",
    )
    return JournalSheet(
        day=day,
        doctor_id=doctor_id,
        doctor=next((d for d in doctors if d.id == doctor_id), None),
        doctors=doctors,
        entries=entries,
        no_shows=no_show_counts(entry.patient_id for entry in entries),
    )


def visits_of(doctor: StaffMember, day: date, *, actor: Actor) -> list[Appointment]:
    """The doctor's bookings of `day`, to mark who came; reading them is audited."""
    entries = journal(day, doctor.id)
    audit.audit(
        actor,
        "view",
        "appointment_journal",
        object_id=day.isoformat(),
        detail=f"visits of doctor {doctor.id}",
    )
    return entries
