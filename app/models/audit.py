"""The audit log: every staff view or print of a patient's data and every change. Append-only."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.requests import make_append_only
from app.models.staff import StaffMember


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __table_args__ = (
        # The audit-log viewer reads newest first after the last entry seen, (at, id) (keyset pagination,
        # issue 22, item 3): the whole log and each of its filters has an index ending in (at, id).
        Index("ix_audit_entry_at_id", "at", "id"),
        Index("ix_audit_entry_patient_at_id", "patient_id", "at", "id"),
        Index("ix_audit_entry_staff_at_id", "staff_id", "at", "id"),
        Index("ix_audit_entry_action_at_id", "action", "at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_member.id"))
    action: Mapped[str] = mapped_column(String(20))  # view | print | create | update | delete | login | ...
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(40), default="")
    # Kept as a plain id, not a foreign key: the audit trail must outlive any row it mentions.
    patient_id: Mapped[int | None]
    detail: Mapped[str] = mapped_column(Text, default="")
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")

    staff: Mapped[StaffMember | None] = relationship()


make_append_only(AuditEntry)
