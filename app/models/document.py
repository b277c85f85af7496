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
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # of `pdf` as served (signed, if it is)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    verification_code: Mapped[str] = mapped_column(String(40), unique=True)
    revoked_at: Mapped[datetime | None]
    revocation_reason: Mapped[str] = mapped_column(Text, default="")
    # Electronic signature (app.services.document_signing): "signed"; "pending" while it waits in the
    # signing queue (its PDF is not served); "none" for documents issued before signatures existed.
    signature_state: Mapped[str] = mapped_column(String(10), default="signed")
    signed_at: Mapped[datetime | None]
    signer_fingerprint: Mapped[str] = mapped_column(String(64), default="")  # SHA-256 of the certificate
    # A printed form issued when its content is new (documents.issue_once): the SHA-256 of its scope and of
    # its HTML without the document's own number, dates and QR; "" for a document issued once by an event.
    content_key: Mapped[str] = mapped_column(String(64), default="", index=True)

    subject: Mapped[Patient | None] = relationship()


# Revocation is the only change an issued document allows; anything else would break its SHA-256 promise.
REVOCATION_FIELDS = frozenset({"revoked_at", "revocation_reason"})
# ... and, once, the signature of a document that waited for it: its PDF gains the signature (appended; the
# rendered bytes stay as they were) and its hash follows.
SIGNING_FIELDS = frozenset({"pdf", "sha256", "signature_state", "signed_at", "signer_fingerprint"})


class ImmutableDocumentError(RuntimeError):
    """Raised when code tries to change an issued document other than by revoking it, or to delete it."""


@event.listens_for(Document, "before_update")
def _refuse_changes_but_revocation(mapper, connection, target):
    state = inspect(target)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()} - {"subject"}
    if changed & SIGNING_FIELDS and state.attrs.signature_state.history.deleted == ["pending"]:
        changed -= SIGNING_FIELDS
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


class SigningQueueEntry(Base):
    """A document waiting for its signature (the signer was down, or the key missing or expired)."""

    __tablename__ = "signing_queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), unique=True)
    queued_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    last_attempt_at: Mapped[datetime | None]
    last_reason: Mapped[str] = mapped_column(String(20), default="")

    document: Mapped[Document] = relationship()
