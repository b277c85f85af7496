"""Sick leave (services 10, 11): the sheet or the certificate, its periods of release from work, the clinic's
settings of routing.

One `SickLeave` is one sheet (or certificate) as the register book lists it. Each visit that opens or extends
it is a service request with its sign-off (registrar, doctor, the head or the commission when the routing
needs them, the issuing desk) and adds one `SickLeavePeriod`: from-to and its doctor.

The database itself refuses what must never be stored, whoever writes (the app, a script, two desks at once):
- one open sheet per person: a partial unique index on (patient_id) where kind = 'sheet' and state = 'open'
  (SQLite and PostgreSQL both have partial indexes);
- overlapping periods of the same person: a trigger before INSERT and UPDATE on sick_leave_period, on SQLite
  (RAISE(ABORT)) and on PostgreSQL (a PL/pgSQL function that first takes a transaction advisory lock on the
  person, so two transactions adding periods for the same person at once are checked one after the other).
  A range exclusion constraint would need the btree_gist extension, which a clinic's database may not
  have; the trigger needs nothing. The error text carries `OVERLAP_MARKER`, which the service turns into the
  person's message.
"""

from datetime import date, datetime

from sqlalchemy import DDL, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.models.base import Base
from app.models.patient import Patient
from app.models.requests import ServiceRequest
from app.models.staff import StaffMember

OVERLAP_MARKER = "sick_leave_period_overlap"
ONE_OPEN_INDEX = "uq_sick_leave_one_open_sheet"
_OPEN_SHEET = "kind = 'sheet' AND state = 'open'"


class SickLeave(Base):
    __tablename__ = "sick_leave"
    __table_args__ = (
        CheckConstraint("kind IN ('sheet', 'certificate')", name="known_kind"),
        CheckConstraint("state IN ('open', 'closed')", name="known_state"),
        CheckConstraint("issue_mode IN ('paper', 'electronic')", name="known_issue_mode"),
        Index(
            ONE_OPEN_INDEX,
            "patient_id",
            unique=True,
            sqlite_where=text(_OPEN_SHEET),
            postgresql_where=text(_OPEN_SHEET),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # sheet | certificate
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    opened_request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True)
    state: Mapped[str] = mapped_column(String(10), default="open")  # open | closed
    issue_mode: Mapped[str] = mapped_column(String(12), default="paper")  # paper | electronic
    # Paper: the blank's number Emhana gives; electronic: the national system's number the doctor typed.
    number: Mapped[str] = mapped_column(String(40), default="")
    primary: Mapped[bool] = mapped_column(default=True)  # primary or continuation of an earlier sheet
    continues_number: Mapped[str] = mapped_column(String(40), default="")
    cause: Mapped[str] = mapped_column(String(30), default="")  # a code of sick_leave.CAUSES
    regime: Mapped[str] = mapped_column(String(20), default="")  # a code of sick_leave.REGIMES
    workplace: Mapped[str] = mapped_column(String(300), default="")  # place of work (or of study)
    diagnosis_open: Mapped[str] = mapped_column(String(10), default="")  # ICD-10
    diagnosis_close: Mapped[str] = mapped_column(String(10), default="")  # ICD-10
    diagnosis_consent: Mapped[bool] = mapped_column(default=False)  # certificate: print the diagnosis
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    department: Mapped[str] = mapped_column(String(40), default="")  # the attending doctor's speciality
    # Closing: «приступить к работе с …» (return_to_work, with the date) or «продолжает болеть».
    outcome: Mapped[str] = mapped_column(String(20), default="")
    return_on: Mapped[date | None]
    closed_at: Mapped[datetime | None]
    closed_by_name: Mapped[str] = mapped_column(String(200), default="")
    # The register book: its row number, given by the issuing desk at the first registration.
    book_number: Mapped[int | None] = mapped_column(unique=True)
    registered_at: Mapped[datetime | None]
    created_at: Mapped[datetime]

    patient: Mapped[Patient] = relationship()
    doctor: Mapped[StaffMember | None] = relationship()
    opened_request: Mapped[ServiceRequest] = relationship()
    periods: Mapped[list["SickLeavePeriod"]] = relationship(
        back_populates="sick_leave", order_by="SickLeavePeriod.position", lazy="selectin"
    )


class SickLeavePeriod(Base):
    """One release from work (the opening or an extension): from-to, its doctor, and who else signed it."""

    __tablename__ = "sick_leave_period"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        UniqueConstraint("sick_leave_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sick_leave_id: Mapped[int] = mapped_column(ForeignKey("sick_leave.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)  # for the overlap trigger
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True)
    position: Mapped[int]  # 0 the opening, 1.. the extensions
    # Empty until the doctor fills them (the registrar opens the visit); an empty period overlaps nothing.
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    doctor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    doctor_name: Mapped[str] = mapped_column(String(200), default="")
    head_name: Mapped[str] = mapped_column(String(200), default="")
    commission_protocol: Mapped[str] = mapped_column(String(60), default="")
    registered: Mapped[bool] = mapped_column(default=False)  # entered in the register book
    # The register of attached population's answer at the visit (attached | not_attached | unknown | ...).
    attachment_state: Mapped[str] = mapped_column(String(20), default="")

    sick_leave: Mapped[SickLeave] = relationship(back_populates="periods")
    request: Mapped[ServiceRequest] = relationship(
        backref=backref("sick_leave_period", uselist=False), lazy="joined", innerjoin=True
    )

    @property
    def days(self) -> int:
        if self.starts_on is None or self.ends_on is None:
            return 0
        return (self.ends_on - self.starts_on).days + 1


class SickLeaveSettings(Base):
    """The clinic's routing of sick-leave sheets (one row, edited by an admin, shown on the passport)."""

    __tablename__ = "sick_leave_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    doctor_alone_days: Mapped[int] = mapped_column(default=6)  # beyond: the head of department signs
    deputy_after_days: Mapped[int] = mapped_column(default=20)  # beyond: the deputy chief physician signs
    commission_after_days: Mapped[int] = mapped_column(default=30)  # beyond: the commission
    backdate_days: Mapped[int] = mapped_column(default=1)  # opening earlier than this: the commission
    changed_at: Mapped[datetime | None]


# ---- the overlap trigger, on both databases (the migration creates the same) ------------------------------
_SQLITE_CONDITION = (
    "EXISTS (SELECT 1 FROM sick_leave_period AS other WHERE other.patient_id = NEW.patient_id"
    " AND other.id IS NOT NEW.id AND other.starts_on <= NEW.ends_on AND NEW.starts_on <= other.ends_on)"
)
SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER sick_leave_period_no_overlap_{when.lower()} BEFORE {when} ON sick_leave_period "
    f"FOR EACH ROW WHEN {_SQLITE_CONDITION} BEGIN SELECT RAISE(ABORT, '{OVERLAP_MARKER}'); END"
    for when in ("INSERT", "UPDATE")
)
POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION sick_leave_period_no_overlap() RETURNS trigger AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(4242, NEW.patient_id);
    IF EXISTS (
        SELECT 1 FROM sick_leave_period AS other
        WHERE other.patient_id = NEW.patient_id AND other.id <> NEW.id
          AND other.starts_on <= NEW.ends_on AND NEW.starts_on <= other.ends_on
    ) THEN
        RAISE EXCEPTION '{OVERLAP_MARKER}' USING ERRCODE = 'exclusion_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql
"""
POSTGRESQL_TRIGGER = (
    "CREATE TRIGGER sick_leave_period_no_overlap BEFORE INSERT OR UPDATE ON sick_leave_period "
    "FOR EACH ROW EXECUTE FUNCTION sick_leave_period_no_overlap()"
)

for _statement in SQLITE_TRIGGERS:
    event.listen(SickLeavePeriod.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))
event.listen(
    SickLeavePeriod.__table__, "after_create", DDL(POSTGRESQL_FUNCTION).execute_if(dialect="postgresql")
)
event.listen(
    SickLeavePeriod.__table__, "after_create", DDL(POSTGRESQL_TRIGGER).execute_if(dialect="postgresql")
)
