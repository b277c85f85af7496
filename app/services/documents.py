"""Issued documents: numbered, stored immutably with their PDF and SHA-256, verifiable by QR, revocable.

    document = issue_document(
        "tb_form", "documents/information_form.html", context,
        subject=patient, language="kk", valid_until=moment,
    )

A kind is registered once by the service that issues it (`register_kind("tb_form", "TBF", title)`); its
prefix makes the number: TBF-2026-000001, counted per kind and year. The template receives its own context
plus `document` (a DocumentFacts: number, title, dates, verification URL and QR code as inline SVG), so the
number and QR are printed in the very PDF whose hash is stored. Reprints serve `Document.pdf` as stored;
nothing is ever rendered twice. The only change an issued document allows is revocation (with a reason).

A printed form staff print when they need it (a talon, a route list) is issued by `issue_once`: at its
first print, then served as issued while its content stays the same; changed content is a new document.

Every document comes out signed (PAdES, the clinic's key: app.services.document_signing, app.signing): the
stored PDF and its hash are the signed ones. When the signer cannot sign now the document waits in the
signing queue and is not served until it is signed (`document_signing.is_servable`).
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import segno
from markupsafe import Markup
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from app.core.actors import Actor
from app.core.bilingual import Bilingual
from app.core.clock import ALMATY, now
from app.core.urls import absolute_url
from app.documents import html_to_pdf, render_html
from app.extensions import db
from app.models import Document, DocumentCounter, Patient, ServiceRequest
from app.services import document_signing
from app.services.audit import audit
from app.services.requests import record_step

log = logging.getLogger(__name__)

VERIFY_ENDPOINT = "verify.show_document"


@dataclass(frozen=True)
class DocumentKind:
    code: str  # stored in Document.kind
    prefix: str  # of the number
    title: Bilingual  # shown on the verification page
    # A sealed kind's PDF is not opened from the head's and admin's document search (an HIV certificate:
    # only the rooms of its service print it); its number, dates and revocation stay there.
    sealed: bool = False


_KINDS: dict[str, DocumentKind] = {}


def register_kind(code: str, prefix: str, title: Bilingual, *, sealed: bool = False) -> DocumentKind:
    """Called at import time by the module that issues documents of this kind."""
    kind = DocumentKind(code, prefix, title, sealed)
    _KINDS[code] = kind
    return kind


def get_kind(code: str) -> DocumentKind:
    return _KINDS.get(code) or DocumentKind(code, code[:6].upper(), Bilingual(code, code))


@dataclass(frozen=True)
class DocumentFacts:
    """What every document template may print about the document itself."""

    number: str
    kind: DocumentKind
    issued_at: datetime
    valid_until: datetime | None
    verify_url: str
    qr_svg: Markup


class RevocationError(ValueError):
    pass


def issue_document(
    kind: str,
    template: str,
    context: dict,
    *,
    subject: Patient | None,
    language: str,
    valid_until: datetime | None,
    flush: bool = True,
    content_key: str = "",
) -> Document:
    """Render `template` in `language`, store the PDF with its number, hash and verification code.

    `flush=False` leaves the INSERT to the caller's next flush (the document has no id until then), for a
    caller that links it by relationship and flushes anyway: one flush fewer per document (issue 7).
    `content_key`: see `issue_once`."""
    document_kind = get_kind(kind)
    issued_at = now()
    number = next_number(document_kind, issued_at.astimezone(ALMATY).year)
    verification_code = secrets.token_urlsafe(24)
    verify_url = absolute_url(VERIFY_ENDPOINT, code=verification_code)
    facts = DocumentFacts(
        number=number,
        kind=document_kind,
        issued_at=issued_at,
        valid_until=valid_until,
        verify_url=verify_url,
        qr_svg=qr_svg(verify_url),
    )
    html = render_html(template, {**context, "document": facts}, language=language)
    pdf = html_to_pdf(html)
    document = Document(
        kind=kind,
        number=number,
        issued_at=issued_at,
        valid_until=valid_until,
        subject=subject,
        language=language,
        verification_code=verification_code,
        revocation_reason="",
        content_key=content_key,
    )
    document_signing.sign_or_queue(document, pdf)
    db.session.add(document)
    if flush:
        db.session.flush()
    log.info(
        "document %s issued (%s, %d bytes, %s)", number, kind, len(document.pdf), document.signature_state
    )
    return document


# What the content key renders in place of the document's own facts (they differ at every issue).
_NO_FACTS_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)


def issue_once(
    kind: str,
    template: str,
    context: dict,
    *,
    scope: str,
    subject: Patient | None,
    language: str,
    valid_until: datetime | None = None,
) -> Document:
    """A printed form (a talon, a route list) issued when its content is new: printed again unchanged, the
    document already issued is served (same number, same signature); changed (a new date, another call on
    the route, another language), a new document is issued, the earlier one staying as it was issued.

    The content is `scope` (what the form is about: "HR-2026-000123", a team and a day; never personal data)
    and the HTML of `template` rendered without the document's own number, dates and QR code."""
    placeholder = DocumentFacts(
        number="",
        kind=get_kind(kind),
        issued_at=_NO_FACTS_MOMENT,
        valid_until=valid_until,
        verify_url="",
        qr_svg=Markup(""),
    )
    html = render_html(template, {**context, "document": placeholder}, language=language)
    key = hashlib.sha256(f"{kind}\n{scope}\n{language}\n{html}".encode()).hexdigest()
    issued = db.session.scalars(
        select(Document)
        .where(Document.kind == kind, Document.content_key == key, Document.revoked_at.is_(None))
        .order_by(Document.id.desc())
    ).first()
    if issued is not None:
        return issued
    return issue_document(
        kind, template, context, subject=subject, language=language, valid_until=valid_until, content_key=key
    )


def qr_svg(url: str) -> Markup:
    # Inline SVG rather than an image URL: the document fetches nothing for it, and it stays sharp.
    # A fixed mask: every reader decodes any of the eight, and scoring all of them would cost more
    # than the rest of the QR code (about 3 ms of each document).
    code = segno.make(url, error="m", mask=0, boost_error=False)
    return Markup(code.svg_inline(scale=1, border=2, omitsize=True))


def next_number(kind: DocumentKind, year: int) -> str:
    # On the session's connection, not through the ORM: the counter is never an ORM object here, so an
    # autoflush of the request's pending changes first would only add a flush (issue 7); they are flushed
    # with the document itself.
    value = (
        db.session.connection()
        .execute(
            update(DocumentCounter)
            .where(DocumentCounter.kind == kind.code, DocumentCounter.year == year)
            .values(last_value=DocumentCounter.last_value + 1)
            .returning(DocumentCounter.last_value)
        )
        .scalar()
    )
    if value is None:
        try:
            with db.session.begin_nested():
                db.session.execute(insert(DocumentCounter).values(kind=kind.code, year=year, last_value=1))
            value = 1
        except IntegrityError:  # another request created the counter first: take the next value
            return next_number(kind, year)
    return f"{kind.prefix}-{year}-{value:06d}"


def status_of(document: Document, at: datetime | None = None) -> str:
    """ "revoked", "expired" or "valid"."""
    if document.revoked_at is not None:
        return "revoked"
    if document.valid_until is not None and (at or now()) > document.valid_until:
        return "expired"
    return "valid"


def find_by_verification_code(code: str) -> Document | None:
    if not code or len(code) > 40:
        return None
    return db.session.scalars(select(Document).where(Document.verification_code == code)).first()


def find_by_number(number: str) -> Document | None:
    return db.session.scalars(select(Document).where(Document.number == number.strip().upper())).first()


def revoke(document: Document, reason: str, actor: Actor) -> Document:
    """Mark the document revoked; its PDF stays as issued. The request it answered gets an event."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise RevocationError("a revocation needs a reason")
    if document.revoked_at is not None:
        raise RevocationError(f"document {document.number} is already revoked")
    document.revoked_at = now()
    document.revocation_reason = reason
    db.session.flush()
    request = db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.result_document_id == document.id)
    ).first()
    if request is not None:
        record_step(request, "document_revoked", actor=actor, note=reason)
    audit(
        actor, "revoke", "document", object_id=document.number, patient_id=document.subject_id, detail=reason
    )
    log.info("document %s revoked by %s", document.number, actor.label or actor.staff_id)
    return document


# ---- staff reading issued documents (the head and admins), each read audited ---------------------------


def find_for_staff(number: str, *, actor: Actor) -> Document | None:
    """A document by its number, for a staff search; the search itself is audited."""
    audit(actor, "search", "document", detail=number[:40])
    return find_by_number(number)


def open_for_staff(document: Document, *, actor: Actor, printed: bool = False) -> Document:
    """A staff member views (or prints) an issued document: audited against the person it is about."""
    action = "print" if printed else "view"
    audit(actor, action, "document", object_id=document.number, patient_id=document.subject_id)
    return document
