"""Issued documents: immutable once stored; reprints serve the stored PDF."""

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base
from app.models.patient import Patient


class Document(Base):
    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("kind", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # "appointment_talon", "tb_form", ...
    number: Mapped[str] = mapped_column(String(30))  # per kind and year
    issued_at: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("patient.id"), index=True)
    language: Mapped[str] = mapped_column(String(2))
    sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    verification_code: Mapped[str] = mapped_column(String(40), unique=True)
    revoked_at: Mapped[datetime | None]
    revocation_reason: Mapped[str] = mapped_column(Text, default="")

    subject: Mapped[Patient | None] = relationship()
