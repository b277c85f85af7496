"""The training centre (service 14, regulation 002): its setting, courses, cohorts, trainees, the final
attestation commission's decisions, and the documents issued (originals and paid duplicates), each document
one-to-one with a ServiceRequest ("training-documents", TD-2026-000123)."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.models.base import Base
from app.models.document import Document
from app.models.requests import ServiceRequest
from app.models.staff import StaffMember

# Programme kinds (002 lines 1598-1606) and the document each ends with.
PROGRAMME_KINDS = ("qualification_upgrade", "retraining", "vocational")
DEBT_KINDS = ("financial", "other")
RECEIVERS = ("self", "proxy")


class TrainingSettings(Base):
    """One row: whether the clinic runs a training centre, and how its documents print."""

    __tablename__ = "training_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    is_enabled: Mapped[bool] = mapped_column(default=False)
    # Kazakh labels beside the Russian ones on the printed documents (the regulation's blanks are Russian).
    is_bilingual: Mapped[bool] = mapped_column(default=False)
    # The price list's price of a duplicate, in tenge.
    duplicate_price: Mapped[int] = mapped_column(default=0)


class TrainingCourse(Base):
    __tablename__ = "training_course"
    __table_args__ = (
        CheckConstraint("kind IN ('qualification_upgrade', 'retraining', 'vocational')", name="known_kind"),
        CheckConstraint("hours > 0", name="positive_hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30))
    hours: Mapped[int]
    created_at: Mapped[datetime]

    cohorts: Mapped[list["TrainingCohort"]] = relationship(
        back_populates="course", order_by="TrainingCohort.starts_on"
    )


class TrainingCohort(Base):
    __tablename__ = "training_cohort"
    __table_args__ = (
        UniqueConstraint("course_id", "code"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_course.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    course: Mapped[TrainingCourse] = relationship(back_populates="cohorts", lazy="joined")
    trainees: Mapped[list["Trainee"]] = relationship(back_populates="cohort", order_by="Trainee.full_name")
    decisions: Mapped[list["CommissionDecision"]] = relationship(
        back_populates="cohort", order_by="CommissionDecision.decided_on"
    )


class CommissionDecision(Base):
    """The final attestation commission's decision: its number and date start the 15-working-day clock."""

    __tablename__ = "commission_decision"
    __table_args__ = (UniqueConstraint("cohort_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("training_cohort.id"), index=True)
    number: Mapped[str] = mapped_column(String(40))
    decided_on: Mapped[date]
    recorded_at: Mapped[datetime]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))

    cohort: Mapped[TrainingCohort] = relationship(back_populates="decisions")
    recorded_by: Mapped[StaffMember | None] = relationship()


class Trainee(Base):
    """A staff member of the clinic or an outside person studying in a cohort."""

    __tablename__ = "trainee"
    __table_args__ = (UniqueConstraint("cohort_id", "iin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("training_cohort.id"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    iin: Mapped[str] = mapped_column(String(12), index=True)
    workplace: Mapped[str] = mapped_column(String(300), default="")
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    # The decision under which the trainee passed the final attestation; None: not passed (yet).
    passed_decision_id: Mapped[int | None] = mapped_column(ForeignKey("commission_decision.id"))

    cohort: Mapped[TrainingCohort] = relationship(back_populates="trainees", lazy="joined")
    staff: Mapped[StaffMember | None] = relationship()
    passed_decision: Mapped[CommissionDecision | None] = relationship()


class TrainingDocument(Base):
    """One document to issue: an original (duplicate_no 0) or its n-th paid duplicate.

    A second original of the same programme for the same person is refused by the unique constraint
    (course, IIN, duplicate_no); a blank (series, number) is used once."""

    __tablename__ = "training_document"
    __table_args__ = (
        UniqueConstraint("course_id", "trainee_iin", "duplicate_no"),
        UniqueConstraint("blank_series", "blank_number"),
        CheckConstraint("duplicate_no >= 0", name="duplicate_no_not_negative"),
        CheckConstraint("received_by IN ('', 'self', 'proxy')", name="known_receiver"),
        CheckConstraint("debt_kind IN ('', 'financial', 'other')", name="known_debt_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("service_request.id"), unique=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainee.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_course.id"))
    trainee_iin: Mapped[str] = mapped_column(String(12))
    full_name: Mapped[str] = mapped_column(String(200))  # a duplicate keeps the original's name
    duplicate_no: Mapped[int] = mapped_column(default=0)
    original_id: Mapped[int | None] = mapped_column(ForeignKey("training_document.id"))
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("commission_decision.id"))

    # A duplicate's application: how the original was lost, the newspaper notice, the payment.
    applied_on: Mapped[date | None]
    loss_circumstances: Mapped[str] = mapped_column(Text, default="")
    notice_title: Mapped[str] = mapped_column(String(300), default="")
    notice_number: Mapped[str] = mapped_column(String(40), default="")
    notice_date: Mapped[date | None]
    payment_document: Mapped[str] = mapped_column(String(60), default="")
    payment_amount: Mapped[int | None]
    payment_date: Mapped[date | None]
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))

    # Suspension while the trainee owes the organisation; the deadline waits in paused_deadline.
    suspended_at: Mapped[datetime | None]
    debt_kind: Mapped[str] = mapped_column(String(20), default="")
    debt_reason: Mapped[str] = mapped_column(Text, default="")
    paused_deadline: Mapped[datetime | None]

    # Prepared: the blank, who signed, the seal; the printed copy through the document engine.
    blank_series: Mapped[str | None] = mapped_column(String(20))
    blank_number: Mapped[str | None] = mapped_column(String(30))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    deputy_signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    is_sealed: Mapped[bool] = mapped_column(default=False)
    ready_at: Mapped[datetime | None]
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))

    # Handed over, and signed for in the accounting journal.
    handed_over_at: Mapped[datetime | None]
    received_by: Mapped[str] = mapped_column(String(10), default="")
    proxy_name: Mapped[str] = mapped_column(String(200), default="")
    power_of_attorney: Mapped[str] = mapped_column(String(120), default="")
    journal_signed: Mapped[bool] = mapped_column(default=False)

    request: Mapped[ServiceRequest] = relationship(
        backref=backref("training_document", uselist=False), lazy="joined", innerjoin=True
    )
    trainee: Mapped[Trainee] = relationship(lazy="joined")
    course: Mapped[TrainingCourse] = relationship()
    original: Mapped["TrainingDocument | None"] = relationship(remote_side=[id])
    decision: Mapped[CommissionDecision | None] = relationship()
    signed_by: Mapped[StaffMember | None] = relationship(foreign_keys=[signed_by_id])
    deputy_signed_by: Mapped[StaffMember | None] = relationship(foreign_keys=[deputy_signed_by_id])
    approved_by: Mapped[StaffMember | None] = relationship(foreign_keys=[approved_by_id])
    document: Mapped[Document | None] = relationship()

    @property
    def is_duplicate(self) -> bool:
        return self.duplicate_no > 0
