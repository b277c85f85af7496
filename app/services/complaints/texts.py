"""The words of complaints: their statuses and steps as people read them, the SMS texts, the reply letter's
title, and the messages of the service."""

from flask_babel import format_date
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
ANSWERED_IN_WRITING = _l("The head of the clinic answers in writing within 15 working days of registration.")
ANSWER_ALSO_BY_POST = _l("The written answer is also sent by post to the address in the complaint.")
ANSWER_TITLE = _l("Answer")
READ_THE_ANSWER = _l("Read the answer")


def registered_sms(number: str, deadline) -> str:
    """Rendered in the complainant's language by the SMS helper."""
    return _(
        "Your complaint %(number)s is registered. The answer is due by %(deadline)s. Follow it at %(url)s",
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
