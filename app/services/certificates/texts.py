"""What the information forms say: the printed answer, the documents' titles, the SMS to the subject and to
the applicant, and the messages of the consent steps."""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from app.core.bilingual import Bilingual as T
from app.models import ServiceRequest
from app.services import catalogue

STATUS_VALUES = {True: T("тұрады", "состоит"), False: T("тұрмайды", "не состоит")}

# Each form's document title (app.services.documents), which the consent SMS names too.
DOCUMENT_TITLES = {
    "tb": T("Туберкулезге қарсы ұйымнан мәлімет", "Сведения из противотуберкулёзной организации"),
    "psychiatry": T(
        "«Психиатрия» психикалық денсаулық орталығынан мәлімет",
        "Сведения из центра психического здоровья «Психиатрия»",
    ),
    "narcology": T(
        "«Наркология» психикалық денсаулық орталығынан мәлімет",
        "Сведения из центра психического здоровья «Наркология»",
    ),
}


@dataclass(frozen=True)
class FormAnswer:
    """What the printed form says about the subject."""

    issued_on: date
    full_name: str
    birth_date: date
    address: str
    is_registered: bool
    source: str
    subject_iin: str

    @property
    def status_text(self) -> str:
        value = STATUS_VALUES[self.is_registered]
        return f"{value.kk} / {value.ru}"


def applicant_label(request: ServiceRequest) -> str:
    """Who asked, as the subject is told: the applicant's name."""
    if request.applicant is not None:
        return request.applicant.full_name
    return request.applicant_name or _("A person")


def refusal_ground_text(request: ServiceRequest) -> str:
    if not request.refusal_ground:
        return ""
    return str(catalogue.get(request.service).refusal_grounds[request.refusal_ground])


# The register a consent SMS names, in a word: the SMS must stay within two segments (issue 14).
CONSENT_REGISTER_WORDS = {
    "tb": T("фтизиатрия", "фтизиатрия"),
    "psychiatry": T("психиатрия", "психиатрия"),
    "narcology": T("наркология", "наркология"),
}


def short_applicant_label(request: ServiceRequest) -> str:
    """Who asks, as short as still recognisable: surname and first initial ("Ахметова Ә.")."""
    person = request.applicant
    if person is None:
        return (request.applicant_name or _("A person"))[:30]
    initial = f" {person.first_name[:1]}." if person.first_name else ""
    return f"{person.last_name}{initial}"


def consent_sms_text(
    request: ServiceRequest, *, applicant: str, form_title: str, code: str, link: str
) -> str:
    """The subject's SMS: who asks (`short_applicant_label`), about which register, the consent code and the
    link, within two SMS segments (134 Cyrillic characters): no quotes inside quotes, no request number (the
    link page shows it). Not agreeing needs no answer: the request is refused when the time runs out."""
    return _(
        "%(applicant)s asks for information about you (%(form)s). To agree: code %(code)s or %(link)s",
        applicant=applicant,
        form=form_title,
        code=code,
        link=link,
    )


def outcome_sms_text(request: ServiceRequest, outcome: str, *, link: str) -> str:
    """The applicant's SMS when their request ended: completed, refused or cancelled (never the answer)."""
    if outcome == "completed":
        return _(
            "Your information form for request %(number)s is ready: %(link)s",
            number=request.number,
            link=link,
        )
    if outcome == "refused":
        return _(
            "Request %(number)s was refused: the person did not give consent. %(link)s",
            number=request.number,
            link=link,
        )
    return _(
        "Request %(number)s could not be completed. Please apply at the clinic's registry desk.",
        number=request.number,
    )


def new_code_sent_message() -> str:
    return _("A new code has been sent to the person's phone.")
