"""Following a request on /status: who may follow it, how they prove it, and what they see.

A request is followed by whoever asked for it: the applicant, or the subject when the applicant has no card.
The one-time code goes to the phone on file for that person's IIN (app.services.patient_identity), so
confirming it proves that IIN, exactly as a sign-in does. A service whose request names a phone of its own
registers its follower (`register_follower`): a complaint is followed with a code sent to the phone written
in it, and that code proves the complaint only, never an IIN.

Every kind of request takes the same road: `look_up(number, viewer)` says whether this browser may follow it
and, if so, what it sees (`describe`); the service's own words come from its hooks (labels in the request
kernel, its summary in app.services.request_summary, its follower here).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import defer, selectinload

from app.extensions import db
from app.models import Document, OneTimeCode, Patient, ServiceRequest
from app.notify import mask_phone
from app.registries import RegistryUnavailable
from app.services import catalogue, otp, patient_identity, request_summary, survey
from app.services import requests as request_service
from app.services.catalogue import Service

# The shared labels live in the request kernel; these names stay importable from here.
from app.services.requests import CHANNEL_LABELS, STATUS_LABELS, channel_label, status_label

log = logging.getLogger(__name__)

__all__ = [
    "CHANNEL_LABELS",
    "LIST_LIMIT",
    "STATUS_LABELS",
    "Follower",
    "HistoryEntry",
    "Lookup",
    "RequestStatus",
    "StatusError",
    "Viewer",
    "channel_label",
    "code_purpose",
    "confirm_code",
    "describe",
    "find",
    "follower_iin",
    "follower_of",
    "is_party",
    "look_up",
    "mask_iin",
    "masked_phone_of_code",
    "my_request",
    "my_requests",
    "register_follower",
    "requests_of",
    "send_code",
    "status_label",
]

LIST_LIMIT = 100


class StatusError(Exception):
    """The code cannot be sent; `message` says why in the visitor's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def mask_iin(iin: str | None) -> str:
    """ "900101300123" -> "90••••••••23": enough to recognise one's own IIN, not to read it."""
    if not iin or len(iin) < 4:
        return ""
    return f"{iin[:2]}{'•' * (len(iin) - 4)}{iin[-2:]}"


# Services whose requests the status page never shows, whatever number is typed (HIV testing: results only in
# person). A service hides itself from its face (`hide_service(SERVICE)`).
_hidden_services: set[str] = set()


def hide_service(service_slug: str) -> None:
    _hidden_services.add(service_slug)


def find(number: str) -> ServiceRequest | None:
    number = (number or "").strip().upper()
    if not number or len(number) > 20:
        return None
    request = request_service.find_by_number(number)
    return None if request is None or request.service in _hidden_services else request


# ---- who follows a request ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Follower:
    """Who follows a request and where their code goes. Without a `phone`, the code goes to the phone on file
    for `iin` and proves that IIN (a sign-in); with one (written in the request), it proves this request only.
    """

    iin: str
    phone: str = ""
    language: str = ""  # of the SMS to `phone`

    @property
    def proves_iin(self) -> bool:
        return not self.phone


FollowerFunction = Callable[[ServiceRequest], Follower | None]
_followers: dict[str, FollowerFunction] = {}


def register_follower(service_slug: str, function: FollowerFunction) -> None:
    """For a service whose requests name their own follower (called once from the service's face)."""
    _followers[service_slug] = function


def follower_of(request: ServiceRequest) -> Follower | None:
    """The service's follower if it names one, else the applicant (else the subject), by their IIN."""
    function = _followers.get(request.service)
    if function is not None:
        return function(request)
    person = request.applicant or request.subject
    return Follower(iin=person.iin) if person is not None else None


def follower_iin(request: ServiceRequest) -> str | None:
    follower = follower_of(request)
    return follower.iin if follower is not None else None


def is_party(request: ServiceRequest, iin: str | None) -> bool:
    """The IIN belongs to the request's subject or applicant, or to the follower its service names."""
    if not iin:
        return False
    if any(person is not None and person.iin == iin for person in (request.subject, request.applicant)):
        return True
    return request.service in _followers and follower_iin(request) == iin


@dataclass(frozen=True)
class Viewer:
    """What this browser has proved: the IIN it is signed in as, and the requests whose code it confirmed
    without proving an IIN (a complaint's)."""

    iin: str | None = None
    granted: frozenset[str] = frozenset()

    def may_follow(self, request: ServiceRequest) -> bool:
        return request.number in self.granted or is_party(request, self.iin)


class Lookup:
    """A request found by its number, as one browser may see it: `followed` says whether it may, and `view`
    is what it sees (worked out only when asked for)."""

    def __init__(self, request: ServiceRequest, viewer: Viewer):
        self.request = request
        self.viewer = viewer

    @property
    def number(self) -> str:
        return self.request.number

    @property
    def surveyed(self) -> bool:
        return survey.is_surveyed(self.request)

    @cached_property
    def followed(self) -> bool:
        return self.viewer.may_follow(self.request)

    @cached_property
    def view(self) -> "RequestStatus":
        return describe(
            self.request, viewer_iin=self.viewer.iin, granted=self.request.number in self.viewer.granted
        )


def look_up(number: str, viewer: Viewer) -> Lookup | None:
    """The request with this number as `viewer` may see it, or None when no request has this number."""
    request = find(number)
    return Lookup(request, viewer) if request is not None else None


# ---- the one-time code ---------------------------------------------------------------------------------


def code_purpose(request: ServiceRequest) -> str:
    return f"status:{request.number}"


def send_code(request: ServiceRequest, *, ip: str, language: str) -> OneTimeCode:
    """Send a one-time code for following `request`.

    Raises StatusError (nobody to send it to, no phone on file, the registry is down),
    otp.TooManyRequests, or notify.SmsUnavailable.
    """
    follower = follower_of(request)
    if follower is None:
        raise StatusError(
            _l("This request was made at the registry desk without a patient card: ask there about it.")
        )
    if follower.proves_iin:
        try:
            contact = patient_identity.contact_for(follower.iin)
        except patient_identity.IdentityError as error:
            raise StatusError(error.message) from error
        except RegistryUnavailable as error:
            raise StatusError(
                _l("We cannot find the phone on file right now. Please try again in a few minutes.")
            ) from error
        phone, sms_language = contact.phone, contact.sms_language(language)
    else:
        phone, sms_language = follower.phone, follower.language

    def text(code: str) -> str:
        return _(
            "Code to see %(number)s: %(code)s. It is valid for %(minutes)s minutes. Do not tell it to "
            "anyone.",
            number=request.number,
            code=code,
            minutes=otp.lifetime_minutes(),
        )

    return otp.issue(
        purpose=code_purpose(request), iin=follower.iin, phone=phone, language=sms_language, ip=ip, text=text
    )


def confirm_code(request: ServiceRequest, code: str) -> Follower:
    """Accept the code for `request` or raise an otp.OtpError. Returns whom the code proved: the caller signs
    them in (`proves_iin`) or remembers this request only."""
    follower = follower_of(request)
    if follower is None:
        raise otp.NoActiveCode("nobody to follow this request")
    otp.verify(purpose=code_purpose(request), iin=follower.iin, code=code)
    return follower


def masked_phone_of_code(request: ServiceRequest) -> str:
    iin = follower_iin(request)
    record = otp.latest(code_purpose(request), iin) if iin else None
    return mask_phone(record.phone) if record is not None else ""


# ---- what the status page shows ------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    status: str
    service: str | None = None

    @property
    def label(self) -> str:
        return status_label(self.status, self.service)


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
    # "What you got", from the service module; only for whoever proved the request is theirs.
    summary: request_summary.Summary | None = None
    masked_iin: str = ""
    # Regulation 003's survey is about the 14 services; a complaint is not surveyed.
    surveyed: bool = True
    # What happened to the person so far, in their words (the service's; None: the status says it).
    progress: request_summary.Progress | None = None

    @property
    def number(self) -> str:
        return self.request.number

    @property
    def is_open(self) -> bool:
        return self.request.is_open

    @property
    def status_label(self) -> str:
        """What the person reads: what happened to them (booked, doctor assigned, visit done, result ready)
        where the service says it, else the regulation's status. Staff and monitoring keep the latter."""
        if self.progress is not None:
            return self.progress.label
        return status_label(self.request.status, self.request.service)

    @property
    def actions(self) -> tuple[request_summary.Action, ...]:
        return self.summary.actions if self.summary else ()

    @property
    def service_name(self) -> str:
        return str(self.service.name) if self.service else self.request.service

    @property
    def document_label(self) -> str:
        return (self.summary.document_label if self.summary else "") or _("View result")

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


def describe(
    request: ServiceRequest, *, viewer_iin: str | None = None, granted: bool = False
) -> RequestStatus:
    """The request as its follower sees it. The service's summary ("what you got") is filled in only for
    whoever proved the request is theirs: `viewer_iin` (the proven IIN of whoever looks) is the request's
    subject's, applicant's or follower's, or this request's code was confirmed (`granted`)."""
    try:
        service = catalogue.get(request.service)
    except KeyError:
        service = None
    document = db.session.get(Document, request.result_document_id) if request.result_document_id else None
    if document is not None and document.revoked_at is not None:
        document = None  # a revoked result is no result; the history says so
    completed = request_service.was_completed(request)
    surveyed = survey.is_surveyed(request)
    answered = survey.has_answered(request) if completed and surveyed else False
    progress = request_summary.progress_for(request)
    delivered = progress is None or progress.delivered
    history = [
        HistoryEntry(at=event.at, status=event.to_status, service=request.service)
        for event in request.events
        if event.to_status is not None
    ]
    person = request.subject or request.applicant
    return RequestStatus(
        request=request,
        service=service,
        result_document=document,
        history=history,
        survey_offered=completed and surveyed and delivered and not answered,
        survey_answered=answered,
        was_completed=completed,
        summary=(request_summary.summary_for(request) if granted or is_party(request, viewer_iin) else None),
        masked_iin=mask_iin(person.iin if person is not None else follower_iin(request)),
        surveyed=surveyed,
        progress=progress,
    )


def requests_of(iin: str) -> list[ServiceRequest]:
    """Requests about or by the person with this IIN, newest first.

    The card is found by its IIN first (a unique index), then its requests through the indexes on
    subject_id and applicant_id: no join of every request to its patients (issue 22, item 3)."""
    card = select(Patient.id).where(Patient.iin == iin).scalar_subquery()
    return list(
        db.session.scalars(
            select(ServiceRequest)
            .where(or_(ServiceRequest.subject_id == card, ServiceRequest.applicant_id == card))
            .options(selectinload(ServiceRequest.subject), selectinload(ServiceRequest.applicant))
            .order_by(ServiceRequest.created_at.desc(), ServiceRequest.id.desc())
            .limit(LIST_LIMIT)
        )
    )


def my_requests(iin: str | None) -> list[RequestStatus]:
    """What the person signed in as `iin` sees in their list (complaints filed with a card among them), each
    with what the service says it gave them and what they may do with it. What the rows read (documents,
    survey answers, the services' own rows) is loaded for all of them at once first (issue 22)."""
    if not iin:
        return []
    requests = requests_of(iin)
    _prefetch(requests)
    return [describe(request, viewer_iin=iin) for request in requests]


def _prefetch(requests: list[ServiceRequest]) -> None:
    if not requests:
        return
    document_ids = [request.result_document_id for request in requests if request.result_document_id]
    if document_ids:
        # Into the session's identity map, where describe's db.session.get finds them; the PDFs stay unread.
        db.session.scalars(
            select(Document).where(Document.id.in_(document_ids)).options(defer(Document.pdf))
        ).all()
    survey.prefetch_answers(requests)
    request_summary.prefetch(requests)


def my_request(iin: str | None, number: str) -> RequestStatus | None:
    """One of the person's own requests, fresh (the cabinet refreshes it), or None if not theirs."""
    request = find(number)
    if request is None or not iin or not is_party(request, iin):
        return None
    return describe(request, viewer_iin=iin)
