"""The rules of the information forms (regulation 004, ҚР ДСМ-51): the three forms as the regulation's annex
words them, how long a form is valid, how long the subject has to consent, and the errors a person sees."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.bilingual import Bilingual as T
from app.core.clock import ALMATY
from app.models import ServiceRequest

VALIDITY_DAYS = 10  # standard row 11: "Қолданылу мерзімі – күнтізбелік 10 күн"
TEMPLATE = "documents/information_form.html"
PENDING_STATUSES = ("submitted", "awaiting_consent", "awaiting_registry")
# How often the applicant's status page may ask a waiting registry again (registry_pending also retries).
LAZY_RETRY_INTERVAL = timedelta(seconds=30)


@dataclass(frozen=True)
class FormSpec:
    """One of the three forms, worded as the regulation's annex prints it."""

    register: str  # the registries' register code
    service_slug: str  # app.services.catalogue
    document_kind: str
    caption: str  # top right, above "нысаны"
    title_explanation: str  # after "Сведения/Мәлімет"
    status_label: T  # the status line: Kazakh label, Russian label under it
    name: object  # short name for our screens (lazy message)


_STANDARD = "мемлекеттік көрсетілетін қызмет стандартына қосымша"
_DYNAMIC_OBSERVATION = T("Динамикалық бақылауда тұратыны (тұрмайтыны)", "На динамическом наблюдении")

FORMS: dict[str, FormSpec] = {
    "tb": FormSpec(
        register="tb",
        service_slug="tb-certificate",
        document_kind="tb_form",
        caption=f'«"Фтизиатрия" Фтизиопульмонология орталығынан мәліметтер ұсыну» {_STANDARD}',
        title_explanation=(
            "(туберкулезбен ауыратын науқастардың диспансерлік есепте тұратыны немесе тұрмайтыны)"
        ),
        status_label=T("Диспансерлік есепте тұратыны (тұрмайтыны)", "На диспансерном учете"),
        name=_l("TB dispensary register"),
    ),
    "psychiatry": FormSpec(
        register="psychiatry",
        service_slug="psychiatry-certificate",
        document_kind="psychiatry_form",
        caption=f'«"Психиатрия" Психикалық денсаулық орталығынан мәліметтер ұсыну» {_STANDARD}',
        title_explanation=(
            "(психикалық мінез-құлық бұзылуларымен науқастардың динамикалық бақылауда тұрғаны туралы "
            "(немесе динамикалық бақылауда болмауы))"
        ),
        status_label=_DYNAMIC_OBSERVATION,
        name=_l("Psychiatric dynamic observation"),
    ),
    "narcology": FormSpec(
        register="narcology",
        service_slug="narcology-certificate",
        document_kind="narcology_form",
        caption=f'«"Наркология" Психикалық денсаулық орталығынан мәліметтер ұсыну» {_STANDARD}',
        title_explanation=(
            "(наркологиялық науқастардың динамикалық бақылауда тұрғаны туралы "
            "(немесе динамикалық бақылауда болмауы))"
        ),
        status_label=_DYNAMIC_OBSERVATION,
        name=_l("Narcological dynamic observation"),
    ),
}
REGISTERS = tuple(FORMS)
SERVICE_SLUGS = tuple(spec.service_slug for spec in FORMS.values())
# The prefix of each form's document number (app.services.documents).
DOCUMENT_PREFIXES = {"tb": "TBF", "psychiatry": "PSF", "narcology": "NRF"}


def consent_timeout() -> timedelta:
    """How long the subject of a third-party request has to consent (the CONSENT_TIMEOUT setting)."""
    value = current_app.config["CONSENT_TIMEOUT"]
    return value if isinstance(value, timedelta) else timedelta(minutes=float(value))


def requests_per_day() -> int:
    """How many requests one applicant may make a day (the CERTIFICATE_REQUESTS_PER_DAY setting)."""
    return int(current_app.config["CERTIFICATE_REQUESTS_PER_DAY"])


def valid_until_for(issued_at: datetime) -> datetime:
    """The end (Almaty time) of the 10th calendar day after the day of issue."""
    last_day = issued_at.astimezone(ALMATY).date() + timedelta(days=VALIDITY_DAYS)
    return datetime.combine(last_day, time(23, 59, 59), tzinfo=ALMATY)


def consent_purpose(request: ServiceRequest) -> str:
    """The one-time code purpose of a request's consent code."""
    return f"consent:{request.number}"


def token_hash(token: str) -> str:
    """What is stored of a consent link's token (the link itself only goes out by SMS)."""
    return hashlib.sha256(token.encode()).hexdigest()


# ---- errors the person sees --------------------------------------------------------------------------------


class CertificateError(Exception):
    @property
    def message(self) -> str:
        raise NotImplementedError


class SubjectUnknown(CertificateError):
    @property
    def message(self) -> str:
        return _(
            "No person with this IIN is found in the state database of individuals. Please check the IIN."
        )


class NoPhoneForConsent(CertificateError):
    @property
    def message(self) -> str:
        return _(
            "This person has no mobile phone number on file, so they cannot give consent by SMS. Please come "
            "to the clinic's registry desk together, each with an identity document."
        )


class TooManyCertificateRequests(CertificateError):
    def __init__(self, retry_after_minutes: int):
        super().__init__("too many requests")
        self.retry_after_minutes = retry_after_minutes

    @property
    def message(self) -> str:
        return _(
            "You have made too many requests for information forms today. Please try again later or apply "
            "at the clinic's registry desk."
        )


class ConsentNotPending(CertificateError):
    def __init__(self, request: ServiceRequest):
        super().__init__(f"{request.number} is {request.status}")
        self.status = request.status

    @property
    def message(self) -> str:
        if self.status == "refused":
            return _("The request was refused because the person did not consent in time.")
        return _("This request no longer waits for consent.")


class IdentityNotChecked(CertificateError):
    @property
    def message(self) -> str:
        return _("Check the identity document and tick the box before issuing the form.")
