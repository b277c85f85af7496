"""PAdES with pyHanko: append one signature to a PDF, and check the signatures of a PDF.

Signing: PAdES baseline (ETSI.CAdES.detached, SHA-256), an invisible signature field, the signing time from
the clinic's clock (`signing_time`, not the server's wall clock), and an RFC 3161 timestamp on the
signature when a timestamp authority URL is set. Incremental: the bytes before the signature stay as
rendered, so the QR code and number printed in the PDF are what is signed.

Checking: every check answers a SignatureCheck; no input (garbage, a huge or hostile PDF) raises.
"""

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import attributes, fields, signers, timestamps
from pyhanko.sign.signers.pdf_cms import SignedAttributeProviderSpec
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from app.signing.contract import CertificateInfo, SignerUnavailable, certificate_info

log = logging.getLogger(__name__)

FIELD_NAME = "ClinicSignature"
# Room for the CMS container: a certificate chain of a few certificates and a timestamp token fit easily.
# Fixed, so pyHanko does not sign a dummy first to measure it (one signature per document, not two).
BYTES_RESERVED = 16384
BYTES_RESERVED_WITH_TSA = 32768


class _FixedAttribute(attributes.CMSAttributeProvider):
    """A signed attribute that is the same in every signature (built and serialised once)."""

    def __init__(self, attribute):
        self.attribute_type = attribute["type"].native
        self._attribute = attribute
        attribute.dump()

    async def get_attribute(self, dry_run=False):
        return self._attribute


class _PadesSignedAttributes(SignedAttributeProviderSpec):
    """PAdES baseline's one signed attribute besides the digest and content type: signing-certificate-v2
    (PAdES forbids CMS signing-time; the time is the signature dictionary's /M). pyHanko rebuilds it for
    every signature from the certificate (a tenth of the signing time); it never changes: built once."""

    def __init__(self, signing_cert):
        provider = attributes.SigningCertificateV2Provider(signing_cert)
        self._provider = _FixedAttribute(
            _outside_any_event_loop(lambda: asyncio.run(provider.get_attribute()))
        )

    def signed_attr_providers(self, data_digest, digest_algorithm):
        yield self._provider


def prepare(signer: signers.Signer) -> signers.Signer:
    """Ready a pyHanko signer for repeated PAdES signing (see _PadesSignedAttributes)."""
    signer.signed_attr_prov_spec = _PadesSignedAttributes(signer.signing_cert)
    return signer


class _ClinicClockSigner(signers.PdfSigner):
    """PdfSigner whose signing time is the clinic's clock (pyHanko takes the wall clock otherwise)."""

    def __init__(self, *args, signing_time: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._signing_time
        return session


def sign(
    pdf: bytes,
    signer: signers.Signer,
    *,
    signing_time: datetime,
    tsa_url: str = "",
    tsa_timeout: float = 5.0,
    reason: str = "",
) -> bytes:
    """`pdf` with one PAdES signature by `signer` appended. SignerUnavailable("tsa") if the TSA fails."""
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
    )
    timestamper = timestamps.HTTPTimeStamper(tsa_url, timeout=tsa_timeout) if tsa_url else None
    pdf_signer = _ClinicClockSigner(
        meta,
        signer=signer,
        timestamper=timestamper,
        new_field_spec=fields.SigFieldSpec(sig_field_name=FIELD_NAME),
        signing_time=signing_time,
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    reserved = BYTES_RESERVED_WITH_TSA if tsa_url else BYTES_RESERVED
    try:
        output = _outside_any_event_loop(lambda: pdf_signer.sign_pdf(writer, bytes_reserved=reserved))
    except timestamps.TimestampRequestError as error:
        raise SignerUnavailable("tsa", str(error)[:200]) from error
    return output.getvalue()


def _outside_any_event_loop(work):
    """pyHanko's synchronous API runs its own event loop (asyncio.run), which cannot start inside a running
    one (an async server, a test driving a browser): there, do the work in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


@dataclass(frozen=True)
class SignatureCheck:
    """What a PDF's last signature says. `state`:
    "valid"     intact, covering the whole file, signer's certificate valid at the signing time
    "altered"   the signed bytes changed, or bytes were added after the signature
    "invalid"   intact but not trustworthy (an expired or not-yet-valid certificate, a bad signature)
    "unsigned"  a readable PDF with no signature
    "not_pdf"   not a PDF, or one that cannot be read
    """

    state: str
    signer: CertificateInfo | None = None
    signing_time: datetime | None = None
    timestamped: bool = False

    @property
    def valid(self) -> bool:
        return self.state == "valid"


def check(pdf: bytes) -> SignatureCheck:
    """Validate the last signature of `pdf` against its own certificate (the caller decides whether that
    certificate is the clinic's: compare `signer.fingerprint`). No network: no fetching of CRLs or OCSP."""
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        embedded = reader.embedded_signatures
    except Exception:  # noqa: BLE001  (any unreadable upload is "not a PDF", never a 500)
        return SignatureCheck("not_pdf")
    if not embedded:
        return SignatureCheck("unsigned")
    signature = embedded[-1]
    try:
        der = signature.signer_cert.dump()
        signer_info = certificate_info(x509.load_der_x509_certificate(der))
        moment = signature.self_reported_timestamp
        context = ValidationContext(
            trust_roots=[asn1_x509.Certificate.load(der)],
            moment=moment,
            allow_fetching=False,
            revocation_mode="soft-fail",
        )
        status = _outside_any_event_loop(
            lambda: validate_pdf_signature(signature, signer_validation_context=context)
        )
    except Exception:  # noqa: BLE001  (a broken signature dictionary is an altered document)
        log.info("pdf signature could not be validated", exc_info=True)
        return SignatureCheck("altered")
    if not status.intact or status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return SignatureCheck("altered", signer_info, moment)
    if not (status.valid and status.trusted):
        return SignatureCheck("invalid", signer_info, moment)
    stamp = status.timestamp_validity  # the token's own signature intact and valid (its TSA is not judged)
    return SignatureCheck(
        "valid", signer_info, moment, timestamped=bool(stamp and stamp.intact and stamp.valid)
    )
