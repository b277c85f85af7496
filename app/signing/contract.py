"""The signing contract: what every signer adapter promises the document engine.

    signer.sign_pdf(pdf, signing_time=now()) -> bytes   the same PDF with one PAdES signature appended
    signer.certificate() -> CertificateInfo              whose key signs (subject, validity, fingerprint)
    signer.check() -> None                               a live check for the admin page

Every failure that means "not now" (no key, an expired key, a wrong password, the external signer down,
slow or garbled, the timestamp authority unreachable) is SignerUnavailable with a `reason`; the engine
then keeps the document waiting in the signing queue, it never issues it unsigned without saying so.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

# Why a signer cannot sign now; shown to admins (app.services.document_signing.UNAVAILABLE_REASONS).
REASONS = (
    "no_key",  # no key file installed (flask signing-key generate | import)
    "bad_key",  # the key file cannot be opened (wrong password, damaged)
    "expired",  # the certificate is not valid at the signing time
    "timeout",  # the external signer did not answer in time
    "connection",  # the external signer cannot be reached
    "bad_reply",  # the external signer answered with an error or garbage
    "circuit_open",  # too many failures in a row: not tried for a while
    "tsa",  # the RFC 3161 timestamp authority failed
    "config",  # a setting is missing or wrong
)


class SignerUnavailable(Exception):
    """The document cannot be signed now; try again later (the signing queue does)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason if reason in REASONS else "config"
        self.detail = detail


@dataclass(frozen=True)
class CertificateInfo:
    subject: str  # RFC 4514, e.g. "CN=...,O=...,C=KZ"
    issuer: str
    serial: str  # hex
    not_before: datetime  # aware, UTC
    not_after: datetime  # aware, UTC
    fingerprint: str  # SHA-256 of the DER certificate, hex lowercase
    key_type: str  # "RSA 3072", "ECDSA P-256"
    self_signed: bool

    def valid_at(self, moment: datetime) -> bool:
        return self.not_before <= moment <= self.not_after

    def days_left(self, moment: datetime) -> int:
        return (self.not_after - moment).days


def certificate_info(certificate: x509.Certificate) -> CertificateInfo:
    der = certificate.public_bytes(Encoding.DER)
    public_key = certificate.public_key()
    size = getattr(public_key, "key_size", 0)
    curve = getattr(public_key, "curve", None)
    if curve is not None:
        key_type = f"ECDSA {curve.name}"
    else:
        key_type = f"{type(public_key).__name__.removeprefix('_').replace('PublicKey', '')} {size}".strip()
    return CertificateInfo(
        subject=certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string(),
        serial=f"{certificate.serial_number:x}",
        not_before=certificate.not_valid_before_utc.astimezone(UTC),
        not_after=certificate.not_valid_after_utc.astimezone(UTC),
        fingerprint=hashlib.sha256(der).hexdigest(),
        key_type=key_type,
        self_signed=certificate.subject == certificate.issuer,
    )


class DocumentSigner:
    """The contract (see the module doc). Adapters: Pkcs12Signer (local), HttpSigner (http)."""

    name = "abstract"

    def certificate(self) -> CertificateInfo:
        raise NotImplementedError

    def sign_pdf(self, pdf: bytes, *, signing_time: datetime) -> bytes:
        raise NotImplementedError

    def check(self) -> None:
        """Raise SignerUnavailable if signing would fail now."""
        raise NotImplementedError
