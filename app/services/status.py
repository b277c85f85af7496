"""Following a request or a complaint: what the person sees on /status, and how they prove it is theirs.

A service request is followed by whoever asked for it: the applicant, or the subject when the applicant has
no card. The one-time code goes to the phone on file for that person's IIN (app.services.patient_identity),
so confirming it proves that IIN, exactly as a sign-in does. A complaint is followed with a code sent to the
phone written in the complaint; that proves only the complaint, never an IIN.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.models import Complaint, Document, OneTimeCode, Patient, ServiceRequest
from app.notify import mask_phone
from app.registries import RegistryUnavailable
from app.services import catalogue, otp, patient_identity, request_summary, survey
from app.services import complaints as complaint_service
from app.services import requests as request_service
from app.services.catalogue import Service

log = logging.getLogger(__name__)

STATUS_LABELS = {
    "submitted": _l("Submitted"),
    "awaiting_consent": _l("Waiting for consent"),
    "awaiting_registry": _l("Waiting for the national registry"),
    "in_review": _l("Being reviewed"),
    "completed": _l("Completed"),
    "refused": _l("Refused"),
    "cancelled": _l("Cancelled"),
}
CHANNEL_LABELS = {
    "web": _l("Website"),
    "kiosk": _l("Kiosk"),
    "desk": _l("Registry desk"),
    "phone": _l("Phone"),
}
LIST_LIMIT = 100


class StatusError(Exception):
    """The code cannot be sent; `message` says why in the visitor's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def status_label(status: str) -> str:
    label = STATUS_LABELS.get(status) or complaint_service.STATUS_LABELS.get(status)
    return str(label) if label is not None else status


def channel_label(channel: str) -> str:
    label = CHANNEL_LABELS.get(channel)
    return str(label) if label is not None else channel


def mask_iin(iin: str | None) -> str:
    """ "900101300123" -> "90••••••••23": enough to recognise one's own IIN, not to read it."""
    if not iin or len(iin) < 4:
        return ""
    return f"{iin[:2]}{'•' * (len(iin) - 4)}{iin[-2:]}"


def is_complaint_number(number: str) -> bool:
    return number.strip().upper().startswith(complaint_service.NUMBER_PREFIX + "-")


def find(number: str) -> ServiceRequest | Complaint | None:
    """The request or complaint with this number (the CM prefix marks complaints)."""
    number = (number or "").strip().upper()
    if not number or len(number) > 20:
        return None
    if is_complaint_number(number):
        return complaint_service.find_by_number(number)
    return request_service.find_by_number(number)


# ---- who may follow what ------------------------------------------------------------------------------


def follower_iin(item: ServiceRequest | Complaint) -> str | None:
    """The IIN whose phone gets the code: the complainant's, or the request's applicant (else subject)."""
    if isinstance(item, Complaint):
        return item.iin
    person = item.applicant or item.subject
    return person.iin if person is not None else None


def code_purpose(item: ServiceRequest | Complaint) -> str:
    return f"status:{item.number}"


def send_code(item: ServiceRequest | Complaint, *, ip: str, language: str) -> OneTimeCode:
    """Send a one-time code for following `item`.

    Raises StatusError (nobody to send it to, no phone on file, the registry is down),
    otp.TooManyRequests, or notify.SmsUnavailable.
    """
    iin = follower_iin(item)
    if iin is None:
        raise StatusError(
            _l("This request was made at the registry desk without a patient card: ask there about it.")
        )
    if isinstance(item, Complaint):
        phone, sms_language = item.phone, item.language
    else:
        try:
            contact = patient_identity.contact_for(iin)
        except patient_identity.IdentityError as error:
            raise StatusError(error.message) from error
        except RegistryUnavailable as error:
            raise StatusError(
                _l("We cannot find the phone on file right now. Please try again in a few minutes.")
            ) from error
        phone, sms_language = contact.phone, contact.sms_language(language)

    def text(code: str) -> str:
        return _(
            "Code to see %(number)s: %(code)s. It is valid for %(minutes)s minutes. Do not tell it to "
            "anyone.",
            number=item.number,
            code=code,
            minutes=otp.lifetime_minutes(),
        )

    return otp.issue(
        purpose=code_purpose(item), iin=iin, phone=phone, language=sms_language, ip=ip, text=text
    )


def confirm_code(item: ServiceRequest | Complaint, code: str) -> OneTimeCode:
    """Accept the code for `item` or raise an otp.OtpError; the caller then remembers the proof."""
    iin = follower_iin(item)
    if iin is None:
        raise otp.NoActiveCode("nobody to follow this item")
    return otp.verify(purpose=code_purpose(item), iin=iin, code=code)


def masked_phone_of_code(item: ServiceRequest | Complaint) -> str:
    iin = follower_iin(item)
    record = otp.latest(code_purpose(item), iin) if iin else None
    return mask_phone(record.phone) if record is not None else ""


def is_party(request: ServiceRequest, iin: str | None) -> bool:
    """The IIN belongs to the request's subject or applicant."""
    if not iin:
        return False
    return any(person is not None and person.iin == iin for person in (request.subject, request.applicant))


def requests_of(iin: str) -> list[ServiceRequest]:
    """Requests about or by the person with this IIN, newest first."""
    subject, applicant = aliased(Patient), aliased(Patient)
    return list(
        db.session.scalars(
            select(ServiceRequest)
            .outerjoin(subject, subject.id == ServiceRequest.subject_id)
            .outerjoin(applicant, applicant.id == ServiceRequest.applicant_id)
            .where(or_(subject.iin == iin, applicant.iin == iin))
            .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
            .limit(LIST_LIMIT)
        )
    )


def complaints_of(iin: str) -> list[Complaint]:
    return list(
        db.session.scalars(
            select(Complaint)
            .where(Complaint.iin == iin)
            .order_by(Complaint.filed_at.desc())
            .limit(LIST_LIMIT)
        )
    )


# ---- what the status page shows ------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    status: str

    @property
    def label(self) -> str:
        return status_label(self.status)


@dataclass(frozen=True)
class RequestStatus:
    request: ServiceRequest
    service: Service | None
    result_document: Document | None
    history: list[HistoryEntry]
    survey_offered: bool
    survey_answered: bool
    # Answered (completed), even if cancelled since: the card then shows both moments.
    was_completed: bool = False
    # "What you got", from the service module; only for the request's own subject or applicant.
    summary: request_summary.Summary | None = None

    @property
    def number(self) -> str:
        return self.request.number

    @property
    def is_open(self) -> bool:
        return self.request.is_open

    @property
    def status_label(self) -> str:
        return status_label(self.request.status)

    @property
    def masked_iin(self) -> str:
        subject = self.request.subject or self.request.applicant
        return mask_iin(subject.iin if subject else None)

    @property
    def service_name(self) -> str:
        return str(self.service.name) if self.service else self.request.service

    @property
    def cancelled_at(self) -> datetime | None:
        """When the request was cancelled (the last move to "cancelled"), for a cancelled request."""
        if self.request.status != "cancelled":
            return None
        moments = [entry.at for entry in self.history if entry.status == "cancelled"]
        return moments[-1] if moments else self.request.completed_at

    @property
    def refusal_ground_name(self) -> str:
        ground = self.request.refusal_ground
        if not ground:
            return ""
        name = self.service.refusal_grounds.get(ground) if self.service else None
        return str(name) if name is not None else ground


def describe(request: ServiceRequest, *, viewer_iin: str | None = None) -> RequestStatus:
    """The request as its follower sees it. `viewer_iin` is the proven IIN of whoever looks: the service's
    summary ("what you got") is filled in only when it is the request's subject or applicant."""
    try:
        service = catalogue.get(request.service)
    except KeyError:
        service = None
    document = db.session.get(Document, request.result_document_id) if request.result_document_id else None
    if document is not None and document.revoked_at is not None:
        document = None  # a revoked result is no result; the history says so
    completed = request_service.was_completed(request)
    answered = survey.has_answered(request) if completed else False
    history = [
        HistoryEntry(at=event.at, status=event.to_status)
        for event in request.events
        if event.to_status is not None
    ]
    return RequestStatus(
        request=request,
        service=service,
        result_document=document,
        history=history,
        survey_offered=completed and not answered,
        survey_answered=answered,
        was_completed=completed,
        summary=request_summary.summary_for(request) if is_party(request, viewer_iin) else None,
    )


@dataclass(frozen=True)
class ComplaintStatus:
    complaint: Complaint

    @property
    def number(self) -> str:
        return self.complaint.number

    @property
    def is_open(self) -> bool:
        return self.complaint.is_open

    @property
    def status_label(self) -> str:
        return status_label(self.complaint.status)

    @property
    def masked_iin(self) -> str:
        return mask_iin(self.complaint.iin)

    @property
    def reply_document(self) -> Document | None:
        return self.complaint.reply_document


def describe_complaint(complaint: Complaint) -> ComplaintStatus:
    return ComplaintStatus(complaint)
