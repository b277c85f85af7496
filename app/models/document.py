"""Issued documents: immutable once stored; reprints serve the stored PDF."""

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint, event, inspect
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


# Revocation is the only change an issued document allows; anything else would break its SHA-256 promise.
REVOCATION_FIELDS = frozenset({"revoked_at", "revocation_reason"})


class ImmutableDocumentError(RuntimeError):
    """Raised when code tries to change an issued document other than by revoking it, or to delete it."""


@event.listens_for(Document, "before_update")
def _refuse_changes_but_revocation(mapper, connection, target):
    state = inspect(target)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()} - {"subject"}
    if changed - REVOCATION_FIELDS:
        raise ImmutableDocumentError(f"document {target.number} is immutable: {sorted(changed)}")


@event.listens_for(Document, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise ImmutableDocumentError(f"document {target.number} is immutable")


class DocumentCounter(Base):
    """Last number issued per document kind and year, incremented in place so numbers never repeat."""

    __tablename__ = "document_counter"
    __table_args__ = (UniqueConstraint("kind", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    year: Mapped[int]
    last_value: Mapped[int] = mapped_column(default=0)
