"""Signatures on issued documents: sign at issue, queue when the signer cannot, verify stored and uploaded
PDFs.

The document engine calls `sign_or_queue(document, pdf)` for every document it issues, so every kind is
signed with no code in the service that issues it. When the signer cannot sign now (SignerUnavailable:
no key, an expired key, the external signer down) the document is stored with state "pending" and a row
in signing_queue; its PDF is not served ("being signed", `BEING_SIGNED_MESSAGE`) until `sign_pending()`
(`flask sign-pending`, the admin's "sign now") signs it. Nothing is issued unsigned without saying so.

    signature_report(document) -> SignatureReport   /verify/<code>: the stored PDF's signature, checked now
    check_upload(data) -> UploadVerdict              the public "check a PDF" page: is it ours, unaltered?
    key_status() -> KeyStatus                       the admin page: certificate, expiry warning, queue
"""

import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core.clock import now
from app.extensions import db
from app.models import Document, SigningQueueEntry
from app.services import rate_limit
from app.signing import (
    CertificateInfo,
    SignatureCheck,
    SignerUnavailable,
    certificate_info,
    check_pdf,
    generate_key_file,
    get_signer,
    import_key_file,
    key_file_path,
    key_password,
    signer_health,
)

log = logging.getLogger(__name__)

SIGNED, PENDING, UNSIGNED_LEGACY = "signed", "pending", "none"

BEING_SIGNED_MESSAGE = _l(
    "The document is issued and is being signed with the clinic's electronic signature. It will be "
    "available as soon as it is signed; please try again in a few minutes."
)

# Why documents wait (SignerUnavailable.reason), for admins.
UNAVAILABLE_REASONS = {
    "no_key": _l("The clinic's signing key is not installed (flask signing-key generate or import)."),
    "bad_key": _l("The signing key file cannot be opened: check the key password setting."),
    "expired": _l("The signing certificate is not valid now (expired or not yet valid)."),
    "timeout": _l("The external signing service did not answer in time."),
    "connection": _l("The external signing service cannot be reached."),
    "bad_reply": _l("The external signing service answered with an error."),
    "circuit_open": _l(
        "Requests to the signing service are paused for a short while after repeated failures."
    ),
    "tsa": _l("The timestamp authority did not answer."),
    "config": _l("The signing settings are incomplete or wrong."),
}


# ---- signing ---------------------------------------------------------------------------------------------


def sign_or_queue(document: Document, pdf: bytes) -> Document:
    """Give a new (not yet flushed) document its PDF: signed now, or unsigned and queued for signing."""
    moment = now()
    try:
        signer = get_signer()
        signed = signer.sign_pdf(pdf, signing_time=moment)
        fingerprint = signer.certificate().fingerprint
    except SignerUnavailable as error:
        log.warning("document %s waits for its signature: %s", document.number, error)
        _set_pdf(document, pdf, PENDING, None, "")
        db.session.add(SigningQueueEntry(document=document, queued_at=moment, last_reason=error.reason))
        return document
    _set_pdf(document, signed, SIGNED, moment, fingerprint)
    return document


@dataclass(frozen=True)
class SigningRun:
    signed: int
    waiting: int
    reason: str  # why the run stopped early ("" when every waiting document was signed)


def sign_pending(limit: int = 500) -> SigningRun:
    """Sign the documents waiting in the queue, oldest first; stop at the first "not now" (the signer is
    still down: the rest would fail the same way). Flushes; the caller commits."""
    # Locked (PostgreSQL; SQLite ignores it): a cron run and an admin's "sign now" never sign one twice.
    entries = db.session.scalars(
        select(SigningQueueEntry)
        .order_by(SigningQueueEntry.queued_at, SigningQueueEntry.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    signed, reason = 0, ""
    for entry in entries:
        document = entry.document
        moment = now()
        try:
            signer = get_signer()
            pdf = signer.sign_pdf(document.pdf, signing_time=moment)
            fingerprint = signer.certificate().fingerprint
        except SignerUnavailable as error:
            entry.attempts += 1
            entry.last_attempt_at = moment
            entry.last_reason = error.reason
            reason = error.reason
            log.warning("signing queue: %s still waits (%s)", document.number, error)
            break
        _set_pdf(document, pdf, SIGNED, moment, fingerprint)
        db.session.delete(entry)
        signed += 1
        log.info("signing queue: %s signed", document.number)
    db.session.flush()
    return SigningRun(signed=signed, waiting=count_pending(), reason=reason)


def _set_pdf(
    document: Document, pdf: bytes, state: str, signed_at: datetime | None, fingerprint: str
) -> None:
    document.pdf = pdf
    document.sha256 = hashlib.sha256(pdf).hexdigest()
    document.signature_state = state
    document.signed_at = signed_at
    document.signer_fingerprint = fingerprint


def is_servable(document: Document) -> bool:
    """May the stored PDF be handed out? Not while it waits for its signature."""
    return document.signature_state != PENDING


def count_pending() -> int:
    return db.session.scalar(select(func.count(SigningQueueEntry.id))) or 0


def pending_entries(limit: int = 50) -> list[SigningQueueEntry]:
    return list(
        db.session.scalars(
            select(SigningQueueEntry).order_by(SigningQueueEntry.queued_at, SigningQueueEntry.id).limit(limit)
        )
    )


# ---- the key ---------------------------------------------------------------------------------------


DEMO_KEY_BACKDATE = timedelta(days=400)  # the demo's history (a year of past requests) is signed too
DEMO_KEY_VALIDITY = timedelta(days=400 + 730)


def generate_key(
    *, organisation: str, key_type: str = "ecdsa", replace: bool = False, backdate: timedelta = timedelta(0)
) -> CertificateInfo:
    """A self-signed key and certificate for the clinic (the demo; a clinic without a CA-issued key yet),
    valid for two years from now (`backdate`: from that long ago, for the demo's history)."""
    path = key_file_path()
    if path.exists() and not replace:
        raise FileExistsError(str(path))
    certificate = generate_key_file(
        path,
        key_password(current_app.config),
        organisation=organisation,
        moment=now() - backdate,
        key_type=key_type,
        validity=DEMO_KEY_VALIDITY if backdate else timedelta(days=730),
    )
    log.warning("signing key generated at %s (self-signed, %s)", path, key_type)
    return certificate_info(certificate)


def import_key(data: bytes, source_password: bytes) -> CertificateInfo:
    """Install a .p12 (KeyFileError if it cannot be opened or holds no key and certificate)."""
    certificate = import_key_file(data, source_password, key_file_path(), key_password(current_app.config))
    log.warning("signing key imported: %s", certificate.subject.rfc4514_string())
    return certificate_info(certificate)


def ensure_demo_key(*, organisation: str) -> bool:
    """Make a self-signed key if the local backend has none. True if one was made."""
    if str(current_app.config.get("SIGNING_BACKEND") or "local") != "local" or key_file_path().exists():
        return False
    generate_key(organisation=organisation, backdate=DEMO_KEY_BACKDATE)
    return True


# ---- the key, for admins ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyStatus:
    backend: str
    status: str  # "ok" | "unavailable"
    reason: str
    certificate: CertificateInfo | None
    days_left: int | None
    expiring: bool  # within SIGNING_EXPIRY_WARNING_DAYS
    pending: int

    @property
    def reason_text(self):
        return UNAVAILABLE_REASONS.get(self.reason, "")

    @property
    def needs_attention(self) -> bool:
        return self.status != "ok" or self.expiring or self.pending > 0


def key_status() -> KeyStatus:
    health = signer_health()
    certificate = health["certificate"]
    days_left = certificate.days_left(now()) if certificate else None
    warn_days = int(current_app.config.get("SIGNING_EXPIRY_WARNING_DAYS", 30))
    reason = health["reason"]
    status = health["status"]
    if certificate is not None and not certificate.valid_at(now()):
        status, reason = "unavailable", "expired"
    return KeyStatus(
        backend=health["backend"],
        status=status,
        reason=reason,
        certificate=certificate,
        days_left=days_left,
        expiring=days_left is not None and days_left <= warn_days,
        pending=count_pending(),
    )


# ---- verification ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureReport:
    """The stored PDF's signature, checked now. `state`: "valid" (intact, signed by the certificate recorded
    when it was signed), "broken" (the stored bytes or the signer do not match: must not happen),
    "pending" (waits in the signing queue), "none" (issued before signatures existed)."""

    state: str
    signer_subject: str = ""
    signed_at: datetime | None = None
    timestamped: bool = False


# Reports of signed documents already checked, by (id, sha256): a signed document never changes, and a
# public page should not redo a signature validation (tens of milliseconds) for every visitor.
_REPORTS: OrderedDict[tuple[int, str], "SignatureReport"] = OrderedDict()
_REPORTS_KEPT = 512
_reports_lock = threading.Lock()


def signature_report(document: Document) -> SignatureReport:
    if document.signature_state == PENDING:
        return SignatureReport("pending")
    if document.signature_state != SIGNED:
        return SignatureReport("none")
    key = (document.id, document.sha256)
    with _reports_lock:
        if key in _REPORTS:
            _REPORTS.move_to_end(key)
            return _REPORTS[key]
    result = check_pdf(document.pdf)
    if not result.valid or result.signer is None or result.signer.fingerprint != document.signer_fingerprint:
        log.error("document %s: stored signature does not verify (%s)", document.number, result.state)
        return SignatureReport("broken")
    report = SignatureReport("valid", result.signer.subject, result.signing_time, result.timestamped)
    if document.id is not None and hashlib.sha256(document.pdf).hexdigest() == document.sha256:
        with _reports_lock:
            _REPORTS[key] = report
            while len(_REPORTS) > _REPORTS_KEPT:
                _REPORTS.popitem(last=False)
    return report


# What the public "check a PDF" page may say, and nothing more (UPLOAD_VERDICTS in the blueprint's texts).
UPLOAD_STATES = (
    "valid",  # an unaltered document of this clinic, valid
    "expired",  # ... whose validity has ended
    "revoked",  # ... that the clinic revoked
    "altered",  # the signature does not cover these bytes: changed after signing
    "foreign",  # signed validly, but not by this clinic
    "unknown",  # the clinic's signature, but not the bytes of a document it issued: changed, or never issued
    "unsigned",  # a PDF with no signature
    "not_pdf",  # not a PDF, or unreadable
    "too_big",  # over SIGNING_CHECK_MAX_BYTES
)


@dataclass(frozen=True)
class UploadVerdict:
    state: str

    @property
    def good(self) -> bool:
        return self.state == "valid"


CHECK_WINDOW = timedelta(hours=1)


def check_upload(data: bytes, *, origin: str) -> UploadVerdict:
    """Is `data` an unaltered document issued by this clinic? Stores nothing but the origin's rate-limit
    hit (RateLimited past SIGNING_CHECKS_PER_HOUR from one origin: app.channels.client_key())."""
    per_hour = int(current_app.config.get("SIGNING_CHECKS_PER_HOUR", 30))
    rate_limit.check_and_count(rate_limit.origin_limit("pdf_check:ip", origin, per_hour, CHECK_WINDOW))
    return verdict_of(data)


def verdict_of(data: bytes) -> UploadVerdict:
    """The verdict on an uploaded file; never raises."""
    if len(data) > int(current_app.config.get("SIGNING_CHECK_MAX_BYTES", 10 * 1024 * 1024)):
        return UploadVerdict("too_big")
    if b"%PDF-" not in data[:1024]:  # a reader accepts the header anywhere in the first kilobyte
        return UploadVerdict("not_pdf")
    result: SignatureCheck = check_pdf(data)
    if result.state in ("not_pdf", "unsigned", "altered"):
        return UploadVerdict(result.state)
    if result.state != "valid" or result.signer is None:
        return UploadVerdict("altered")
    digest = hashlib.sha256(data).hexdigest()
    document = db.session.scalars(
        select(Document).where(Document.sha256 == digest, Document.signature_state == SIGNED)
    ).first()
    if document is None or document.signer_fingerprint != result.signer.fingerprint:
        known = db.session.scalar(
            select(func.count(Document.id)).where(Document.signer_fingerprint == result.signer.fingerprint)
        )
        return UploadVerdict("unknown" if known else "foreign")
    if document.revoked_at is not None:
        return UploadVerdict("revoked")
    if document.valid_until is not None and now() > document.valid_until:
        return UploadVerdict("expired")
    return UploadVerdict("valid")
