"""Changes of service 9: the registrar receives the documents (step 1), the doctor compares with the
register of attached population, examines, writes the conclusion and signs (step 2), which issues the
certificate. Each writes its events (through app.services.signoff) and its audit entry."""

import logging

from app.core.actors import Actor
from app.core.iin import is_valid_iin
from app.core.inputs import without_bidi_controls
from app.extensions import db
from app.models import Patient, PhcCertificate, ServiceRequest
from app.registries import RegistryUnavailable
from app.services import documents, patients, registry_pending, signoff
from app.services.clinic import get_clinic
from app.services.phc_certificates import texts
from app.services.phc_certificates.rules import (
    MAX_TEXT,
    PRESENTERS,
    SERVICE,
    CertificateError,
    Reception,
    kind_of,
)
from app.services.requests import create_request, record_step, transition

log = logging.getLogger(__name__)

DOCUMENT_KIND = "phc_certificate"


def _clean(value: str, limit: int = 300) -> str:
    return without_bidi_controls(" ".join((value or "").split()))[:limit]


def check_reception(reception: Reception) -> Reception:
    """The registrar's step: a known kind, the identity document, and for a proxy every detail of the power
    of attorney. Raises CertificateError naming the field."""
    if kind_of(reception.kind) is None:
        raise CertificateError(texts.UNKNOWN_KIND, field="kind")
    if reception.presented_by not in PRESENTERS:
        raise CertificateError(texts.PROXY_NEEDED, field="presented_by")
    if not _clean(reception.identity_document):
        raise CertificateError(texts.IDENTITY_NEEDED, field="identity_document")
    if reception.presented_by == "proxy":
        for name in ("proxy_name", "proxy_iin", "proxy_document_number", "proxy_document_date"):
            value = getattr(reception, name)
            if not (value.strip() if isinstance(value, str) else value):
                raise CertificateError(texts.PROXY_NEEDED, field=name)
        if not is_valid_iin(reception.proxy_iin):
            raise CertificateError(texts.PROXY_IIN_INVALID, field="proxy_iin")
    return reception


def _apply_reception(certificate: PhcCertificate, reception: Reception) -> None:
    proxy = reception.presented_by == "proxy"
    certificate.kind = reception.kind
    certificate.purpose = _clean(reception.purpose)
    certificate.presented_by = reception.presented_by
    certificate.identity_document = _clean(reception.identity_document, 200)
    certificate.proxy_name = _clean(reception.proxy_name, 200) if proxy else ""
    certificate.proxy_iin = reception.proxy_iin.strip() if proxy else ""
    certificate.proxy_document_number = _clean(reception.proxy_document_number, 50) if proxy else ""
    certificate.proxy_document_date = reception.proxy_document_date if proxy else None


def _reception_note(certificate: PhcCertificate) -> str:
    if certificate.presented_by == "proxy":
        return (
            f"{certificate.identity_document}; {certificate.proxy_name}, {certificate.proxy_iin}, "
            f"№ {certificate.proxy_document_number} {certificate.proxy_document_date:%d.%m.%Y}"
        )
    return certificate.identity_document


def _compare_with_register(request: ServiceRequest, certificate: PhcCertificate, *, actor: Actor) -> str:
    """Ask the register of attached population (through the registry contract) and keep its answer for the
    doctor. Unavailable: the request waits in the registry-pending queue."""
    check = patients.check_attachment(request.subject)
    certificate.attachment_state = check.state
    if check.attachment is not None:
        certificate.attachment_clinic = check.attachment.clinic_name or check.attachment.clinic_code
        certificate.attachment_district = check.attachment.district_number
    if check.state == "unavailable":
        registry_pending.wait_for_registry(request, actor=actor)
    else:
        record_step(request, "registry_checked", actor=actor, note=check.state)
    return check.state


def receive(patient: Patient, reception: Reception, *, actor: Actor, language: str = "kk") -> ServiceRequest:
    """Step 1 at the desk: the request, its sign-off, the registrar's signature, and the register's answer
    asked for the doctor."""
    check_reception(reception)
    request = create_request(
        SERVICE,
        channel="desk",
        actor=actor,
        subject=patient,
        applicant_name=_clean(reception.proxy_name, 200) if reception.presented_by == "proxy" else "",
        language=language,
    )
    certificate = PhcCertificate(request=request, kind=reception.kind, fields={})
    _apply_reception(certificate, reception)
    db.session.add(certificate)
    signoff.start(request, actor=actor)
    signoff.sign(request, "documents_checked", actor=actor, confirmed=_reception_note(certificate))
    _compare_with_register(request, certificate, actor=actor)
    return request


def receive_again(request: ServiceRequest, reception: Reception, *, actor: Actor) -> ServiceRequest:
    """Step 1 once more, after the doctor sent the request back: the corrected documents, signed again."""
    signoff.check_turn(request, "documents_checked", actor=actor)
    check_reception(reception)
    certificate = request.phc_certificate
    _apply_reception(certificate, reception)
    signoff.sign(request, "documents_checked", actor=actor, confirmed=_reception_note(certificate))
    return request


def resume_after_registry(request: ServiceRequest, actor: Actor) -> None:
    """Retry handler: the register of attached population answers a request that waited for it."""
    certificate = request.phc_certificate
    check = patients.check_attachment(request.subject)
    if check.state == "unavailable":
        raise RegistryUnavailable("unavailable", "still no answer about the attachment")
    certificate.attachment_state = check.state
    if check.attachment is not None:
        certificate.attachment_clinic = check.attachment.clinic_name or check.attachment.clinic_code
        certificate.attachment_district = check.attachment.district_number
    transition(request, "in_review", actor=actor, step="registry_checked", note=check.state)


def sign_as_doctor(
    request: ServiceRequest, *, conclusion: str, fields: dict, actor: Actor, language: str | None = None
) -> ServiceRequest:
    """Step 2: the doctor, having seen the register's answer and examined the person, writes the conclusion
    and signs; the certificate is issued with both signatures."""
    signoff.check_turn(request, "doctor_signed", actor=actor)
    if request.status == registry_pending.AWAITING_REGISTRY:
        raise CertificateError(texts.WAITS_FOR_REGISTRY)
    conclusion = without_bidi_controls((conclusion or "").strip())[:MAX_TEXT]
    if not conclusion:
        raise CertificateError(texts.CONCLUSION_NEEDED, field="conclusion")
    certificate = request.phc_certificate
    kind = kind_of(certificate.kind)
    certificate.conclusion = conclusion
    certificate.fields = {
        field.name: _clean(str(fields.get(field.name) or ""), MAX_TEXT if field.long else 300)
        for field in kind.fields
    }
    certificate.doctor_id = actor.staff_id
    signoff.sign(request, "doctor_signed", actor=actor, confirmed=certificate.attachment_state)
    document = documents.issue_document(
        DOCUMENT_KIND,
        kind.template,
        certificate_context(request),
        subject=request.subject,
        language=language or request.language,
        valid_until=None,
        flush=False,
    )
    request.result_document = document
    db.session.flush()
    log.info("PHC certificate %s issued for %s", document.number, request.number)
    return request


def certificate_context(request: ServiceRequest) -> dict:
    certificate = request.phc_certificate
    return {
        "request": request,
        "certificate": certificate,
        "kind": kind_of(certificate.kind),
        "patient": request.subject,
        "clinic": get_clinic(),
        "signatories": signoff.signatories(request),
    }


def send_back(request: ServiceRequest, *, reason: str, actor: Actor) -> ServiceRequest:
    signoff.send_back(request, actor=actor, reason=reason)
    return request
