"""Reading the information-form requests: lookups, lists, who may see what, and the status page's summary.

Nothing here changes a request; staff reads that must be audited go through `operations`."""

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from sqlalchemy import select

from app.core.clock import now
from app.extensions import db
from app.models import Consent, Document, InformationFormRequest, ServiceRequest
from app.services import catalogue, request_summary
from app.services.certificates.rules import FORMS, SERVICE_SLUGS, FormSpec, token_hash


def form_spec(request: ServiceRequest) -> FormSpec:
    return FORMS[request.information_form.register]


def service_names() -> dict[str, object]:
    """Each form's catalogue name (the service it is), by register."""
    return {register: catalogue.get(spec.service_slug).name for register, spec in FORMS.items()}


def find_request(number: str) -> ServiceRequest | None:
    request = db.session.scalars(
        select(ServiceRequest).where(
            ServiceRequest.number == (number or "").strip().upper(), ServiceRequest.service.in_(SERVICE_SLUGS)
        )
    ).first()
    return request if request is not None and request.information_form is not None else None


def find_by_consent_token(token: str) -> ServiceRequest | None:
    if not token or len(token) > 100:
        return None
    form = db.session.scalars(
        select(InformationFormRequest).where(InformationFormRequest.consent_token_hash == token_hash(token))
    ).first()
    return form.request if form is not None else None


def requests_of(iin: str, limit: int = 20) -> list[ServiceRequest]:
    """The person's own requests and those they made for others, newest first."""
    return list(
        db.session.scalars(
            select(ServiceRequest)
            .join(InformationFormRequest, InformationFormRequest.request_id == ServiceRequest.id)
            .where(
                (InformationFormRequest.applicant_iin == iin) | (InformationFormRequest.subject_iin == iin)
            )
            .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
            .limit(limit)
        )
    )


def desk_requests(limit: int = 50) -> list[ServiceRequest]:
    """The registrar's list: requests made at the desk, and any request waiting for the registry (staff
    may retry those), newest first. Web requests that were answered are not the desk's business.
    Not audited: staff read it through `operations.desk_list`."""
    return list(
        db.session.scalars(
            select(ServiceRequest)
            .where(
                ServiceRequest.service.in_(SERVICE_SLUGS),
                (ServiceRequest.channel == "desk") | (ServiceRequest.status == "awaiting_registry"),
            )
            .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
            .limit(limit)
        )
    )


def overdue_consent_requests() -> list[ServiceRequest]:
    """Requests still waiting for a consent whose time has run out, oldest first."""
    return list(
        db.session.scalars(
            select(ServiceRequest)
            .join(InformationFormRequest, InformationFormRequest.request_id == ServiceRequest.id)
            .where(
                ServiceRequest.status == "awaiting_consent",
                InformationFormRequest.consent_deadline_at < now(),
            )
            .order_by(ServiceRequest.id)
        )
    )


def desk_may_see_result(request: ServiceRequest) -> bool:
    """Staff see (and print) the answer of requests made at the desk only; a patient's own web request
    stays between the patient and the registry, even for staff who can open it."""
    return request.channel == "desk" and request.status == "completed"


def may_view(request: ServiceRequest, iin: str | None) -> bool:
    """May the person signed in with `iin` open this request's page: its applicant or its subject.

    Opening the page is not seeing the answer: that is `may_see_result`."""
    if not iin:
        return False
    form = request.information_form
    if iin == form.subject_iin:
        return True
    return iin == form.applicant_iin


def may_see_result(request: ServiceRequest, iin: str | None) -> bool:
    """The subject's status, on screen or as the PDF: to the subject, or to the applicant once the subject
    consented (a completed third-party request always has a consent; checked again all the same)."""
    form = request.information_form
    if not may_view(request, iin) or request.status != "completed":
        return False
    return iin == form.subject_iin or form.for_self or has_consent(request)


def result_document(request: ServiceRequest) -> Document | None:
    return db.session.get(Document, request.result_document_id) if request.result_document_id else None


def consent_sms_failed(request: ServiceRequest) -> bool:
    """Did the latest attempt to send the subject their consent code fail (the applicant should resend)?"""
    if request.status != "awaiting_consent":
        return False
    steps = [event.step for event in request.events if event.step.startswith("consent_")]
    return bool(steps) and steps[-1] == "consent_sms_failed"


def has_consent(request: ServiceRequest) -> bool:
    return db.session.scalars(select(Consent.id).where(Consent.request_id == request.id)).first() is not None


def form_progress(request: ServiceRequest) -> request_summary.Progress | None:
    """A completed request whose form is issued (and not revoked) reads "Result ready" to the person."""
    if request.status != "completed":
        return None
    document = result_document(request)
    if document is None or document.revoked_at is not None:
        return None
    return request_summary.Progress(_("Result ready"))


def form_summary(request: ServiceRequest) -> request_summary.Summary | None:
    """The form a completed request gave, for the status page (app.services.request_summary): its number
    and how long it is valid. Whether the person is registered stays in the form and on the request page,
    where `may_see_result` decides who reads it."""
    if request.status != "completed" or request.information_form is None:
        return None
    document = result_document(request)
    if document is None or document.revoked_at is not None:
        return None
    facts = [
        request_summary.Fact(_("Form number"), document.number),
        request_summary.Fact(_("Issued"), format_datetime(document.issued_at, "short")),
    ]
    if document.valid_until is not None:
        facts.append(request_summary.Fact(_("Valid until"), format_date(document.valid_until, "d MMMM yyyy")))
    return request_summary.Summary(
        title=str(form_spec(request).name),
        facts=tuple(facts),
        link_endpoint="certificates.show_request",
        link_label=_("Open the request"),
    )
