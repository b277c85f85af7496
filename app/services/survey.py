"""The satisfaction survey of regulation 003: two questions, offered once a request is completed.

A request completed and cancelled afterwards (a booking the patient gave up, a home call called off once
the doctor and the window were given) is offered the survey too: regulation 003 measures the service as it
was delivered, and it was delivered; how the booking or the call went, and whether the information about it
was clear, may be exactly why it was cancelled. A request cancelled before it was answered is not offered.

A booking or a home call is answered (completed) before the visit: the survey waits until the visit happened
(app.services.request_summary.is_delivered), so nobody rates a visit that has not taken place (issue 14).

Regulation 003 surveys the 14 services of the catalogue: a complaint (a request about one of them) is not
surveyed.

The words follow the channel the request was made on (issue 24, fidelity review row 15): a request made on the
website or the lobby kiosk is an electronic public service, and its survey asks regulation 003's questions
word for word; a request made at the desk or by phone keeps the shorter form, without «Электрондық
мемлекеттік». Either way the survey names the service it is about, as the form's «(қызметтің атауы)» line
does.

Answers are anonymous in every report: `results()` counts them by question and rating and never reads the
request they came from; the link is kept only so a request is rated once.
"""

import logging
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.core.clock import local_now
from app.core.transaction_cache import remember, remembered
from app.extensions import db
from app.models import ServiceRequest, SurveyResponse
from app.models.feedback import SURVEY_QUESTIONS, SURVEY_RATINGS
from app.services import catalogue
from app.services.request_summary import is_delivered
from app.services.requests import was_completed

log = logging.getLogger(__name__)

# Regulation 003, annex 3 (003:216-230): «"Сапа" және "қолжетімділік" электрондық мемлекеттік қызметтің
# көрсеткіштерін айқындауға арналған сауалнама нысаны», then «(қызметтің атауы)», then
# «1. Электрондық мемлекеттік қызмет көрсетудің үдеріс сапасына және нәтижесіне қанағаттанасыз ба?»
# «2. Электрондық мемлекеттік қызмет көрсету тәртібі жөніндегі ақпараттың сапасына қанағаттанасыз ба?»
# These exact words for web and kiosk requests (kk; ru is the project's faithful translation, 003 has none):
ELECTRONIC_QUESTION_TEXTS = {
    "process": _l(
        "Are you satisfied with the quality of the process and the result of the electronic public service?"
    ),
    "information": _l(
        "Are you satisfied with the quality of the information about the procedure for providing the "
        "electronic public service?"
    ),
}
# The same two questions without "electronic public": desk and phone requests, and the reports, which count
# the answers of every channel together.
QUESTION_TEXTS = {
    "process": _l("Are you satisfied with the quality of the process and the result of the service?"),
    "information": _l(
        "Are you satisfied with the quality of the information about how the service is provided?"
    ),
}
ELECTRONIC_CHANNELS = frozenset({"web", "kiosk"})
RATING_LABELS = {
    "not_satisfied": _l("Not satisfied"),
    "partly_satisfied": _l("Partly satisfied"),
    "satisfied": _l("Satisfied"),
}
QUESTION_SHORT_LABELS = {
    "process": _l("Process and result"),
    "information": _l("Information about the service"),
}


def question_texts(channel: str) -> dict:
    """The two questions as the survey of a request made on `channel` asks them."""
    return ELECTRONIC_QUESTION_TEXTS if channel in ELECTRONIC_CHANNELS else QUESTION_TEXTS


class SurveyError(ValueError):
    """The answer cannot be taken; `message` says why in the user's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


SURVEYED_SERVICES = frozenset(service.slug for service in catalogue.all_services())


def is_surveyed(request: ServiceRequest) -> bool:
    """The request is one of a surveyed service (one of the 14; not a complaint)."""
    return request.service in SURVEYED_SERVICES


def is_offered(request: ServiceRequest) -> bool:
    """The survey is offered for a completed (maybe since cancelled) request of a surveyed service that has
    not been rated yet, once what the person waited for has happened."""
    return (
        is_surveyed(request)
        and was_completed(request)
        and is_delivered(request)
        and not has_answered(request)
    )


def has_answered(request: ServiceRequest) -> bool:
    return remembered(
        ("survey_answered", request.id),
        lambda: (
            db.session.scalar(select(SurveyResponse.id).where(SurveyResponse.request_id == request.id))
            is not None
        ),
        depends_on=(SurveyResponse,),
    )


def prefetch_answers(requests: list[ServiceRequest]) -> None:
    """`has_answered` of many requests in one query (a person's list of requests)."""
    answered = set(
        db.session.scalars(
            select(SurveyResponse.request_id).where(SurveyResponse.request_id.in_([r.id for r in requests]))
        )
    )
    for request in requests:
        remember(("survey_answered", request.id), request.id in answered, depends_on=(SurveyResponse,))


def record_answer(request: ServiceRequest, *, process: str, information: str) -> SurveyResponse:
    if not is_surveyed(request):
        raise ValueError(f"{request.service} requests are not surveyed")
    if not was_completed(request):
        raise SurveyError(_l("The survey opens once the request is completed."))
    if not is_delivered(request):
        raise SurveyError(_l("The survey opens after the visit."))
    if process not in SURVEY_RATINGS or information not in SURVEY_RATINGS:
        raise SurveyError(_l("Please answer both questions."))
    if has_answered(request):
        raise SurveyError(_l("This request has already been rated. Thank you!"))
    response = SurveyResponse(
        request_id=request.id,
        service=request.service,
        channel=request.channel,
        answered_on=local_now().date(),
        process_rating=process,
        information_rating=information,
    )
    try:
        with db.session.begin_nested():
            db.session.add(response)
    except IntegrityError as error:  # the same request rated from two tabs at once
        raise SurveyError(_l("This request has already been rated. Thank you!")) from error
    log.info("survey answer recorded for a %s request", request.service)
    return response


@dataclass(frozen=True)
class QuestionResult:
    question: str
    counts: dict[str, int]  # rating -> number of answers, every rating present

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, rating: str) -> float | None:
        return self.counts[rating] / self.total if self.total else None

    @property
    def text(self):
        return QUESTION_TEXTS[self.question]

    @property
    def short_label(self):
        return QUESTION_SHORT_LABELS[self.question]


def results(start: date, end: date, service: str | None = None) -> list[QuestionResult]:
    """Answers given between the local days `start` and `end` (inclusive), per question and rating."""
    conditions = [SurveyResponse.answered_on >= start, SurveyResponse.answered_on <= end]
    if service:
        conditions.append(SurveyResponse.service == service)
    found = []
    for question in SURVEY_QUESTIONS:
        column = getattr(SurveyResponse, f"{question}_rating")
        rows = db.session.execute(
            select(column, func.count(SurveyResponse.id)).where(*conditions).group_by(column)
        ).all()
        counts = dict.fromkeys(SURVEY_RATINGS, 0)
        counts.update({rating: count for rating, count in rows if rating in counts})
        found.append(QuestionResult(question=question, counts=counts))
    return found
