"""The words of complaints: their statuses and steps as people read them, the SMS texts, the reply letter's
title, and the messages of the service."""

from flask_babel import LazyString, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.bilingual import Bilingual
from app.core.urls import absolute_url

# A complaint's request statuses in the complaint's own words (registered, being reviewed, answered).
STATUS_LABELS = {
    "submitted": _l("Received"),
    "in_review": _l("Being reviewed"),
    "completed": _l("Answered"),
}
# The steps of a complaint's history that are not statuses.
STEP_LABELS = {
    "sms_registered": _l("SMS sent"),
    "sms_answered": _l("SMS sent"),
    "sms_registered_failed": _l("SMS could not be sent"),
    "sms_answered_failed": _l("SMS could not be sent"),
}
REPLY_TITLE = Bilingual("Шағымға жауап", "Ответ на жалобу")

NO_SUCH_REQUEST = _l("There is no request with this number. Check it, or leave the field empty.")
TOO_MANY = _l(
    "Too many complaints were sent in a short time. Please try again later, or hand the complaint in at the "
    "registry desk."
)
ALREADY_ANSWERED = _l("This complaint has already been answered.")
WRITE_THE_ANSWER = _l("Write the answer to the complaint.")
# What the status page says about a complaint, open and answered.
ANSWERED_IN_WRITING = _l("The head of the clinic answers in writing within 5 working days of registration.")
ANSWER_ALSO_BY_POST = _l("The written answer is also sent by post to the address in the complaint.")
ANSWER_TITLE = _l("Answer")
READ_THE_ANSWER = _l("Read the answer")

# The term and the way on (issue 24), said alike by the receipt (web, kiosk, desk), the status page and the
# reply letter. The clinic's term: 5 working days (Law «О государственных услугах», art. 25), shown as the
# last day, "no later than", since working days in law are Monday to Friday, not the clinic's open days.
ANSWER_DUE_LABEL = _l("Answer due no later than")
# Regulation 004, item 8: «денсаулық сақтау саласындағы уәкілетті органға және (немесе) мемлекеттік
# қызметтер көрсету сапасын бағалау және бақылау жөніндегі уәкілетті органға беріледі»; item 12:
# «тіркелген күнінен бастап 15 (он бес) жұмыс күні ішінде қаралуға жатады». (004 has these items in Kazakh
# only; the Russian names are the Law's: «уполномоченный орган в области здравоохранения», «уполномоченный
# орган по оценке и контролю за качеством оказания государственных услуг».)
APPEAL_TO_AUTHORISED_BODIES = _l(
    "If you disagree with the answer, you may complain to the authorised body in healthcare and (or) the "
    "authorised body for assessing and controlling the quality of public services; there the complaint is "
    "considered within 15 working days of its registration."
)
# Regulation 004, item 14: «"Мемлекеттік көрсетілетін қызметтер туралы" Қазақстан Республикасының Заңы
# 4-бабының 6) тармақшасына сәйкес сотқа жүгінуге құқығы бар».
COURT = _l(
    "If you disagree with their decision, you have the right to go to court (Law of the Republic of "
    "Kazakhstan «On public services», article 4, subparagraph 6)."
)


def answer_due(deadline) -> LazyString:
    """The sentence "the answer is due no later than <date>", put in words when shown: in the language of
    the page or of the letter it is printed in. (The date is the complaint's own deadline: one registered
    under the old 15-day rule keeps it.)"""
    return LazyString(_answer_due, deadline)


def _answer_due(deadline) -> str:
    return _("The answer is due no later than %(date)s.", date=format_date(deadline, "long"))


def terms(deadline=None) -> dict:
    """What the form, a receipt and the reply letter say besides their own facts: the last day of the answer
    (once there is a deadline) and where the person may go next; lazy, so each speaks the language it is
    shown in."""
    found = {"answer_due_label": ANSWER_DUE_LABEL, "appeal": APPEAL_TO_AUTHORISED_BODIES, "court": COURT}
    if deadline is not None:
        found["answer_due"] = answer_due(deadline)
    return found


def registered_sms(number: str, deadline) -> str:
    """Rendered in the complainant's language by the SMS helper."""
    return _(
        "Your complaint %(number)s is registered. The answer is due no later than %(deadline)s. Follow it "
        "at %(url)s",
        number=number,
        deadline=format_date(deadline, "short"),
        url=absolute_url("status.find_request"),
    )


def answered_sms(number: str) -> str:
    return _(
        "The answer to your complaint %(number)s is ready. Read it at %(url)s; it is also sent by post.",
        number=number,
        url=absolute_url("status.find_request"),
    )
