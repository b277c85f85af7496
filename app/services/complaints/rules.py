"""The rules of written complaints (regulation 004, items 8-14): what a complaint must say, how many one
address or IIN may send, when the answer is due, where the person may go next, and the errors."""

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from app.core.iin import InvalidIin, parse_iin
from app.services.catalogue import COMPLAINT_TERM_WORKING_DAYS
from app.services.local_registry import normalise_phone

# Its catalogue slug: a complaint is a service request numbered CM-2026-000001 (the catalogue's prefix), due
# by the close of the 5th working day after the day of registration (the catalogue's deadline rule: the Law
# «О государственных услугах», art. 25, for a complaint to the provider itself), counted in legal working
# days, Monday to Friday less public holidays, whatever Saturdays the clinic opens.
SERVICE = "complaint"
NUMBER_PREFIX = "CM"
ANSWER_TERM_WORKING_DAYS = COMPLAINT_TERM_WORKING_DAYS
# Where the person may go next (004 item 8): «денсаулық сақтау саласындағы уәкілетті органға және (немесе)
# мемлекеттік қызметтер көрсету сапасын бағалау және бақылау жөніндегі уәкілетті органға»; there the complaint
# is considered «тіркелген күнінен бастап 15 (он бес) жұмыс күні ішінде» (item 12); then court (item 14).
# The receipt, the status page and the reply letter say so (texts.APPEAL_TO_AUTHORISED_BODIES, texts.COURT).
# Enough for a family at one computer or a busy kiosk; stops a script from flooding the head's list.
COMPLAINTS_PER_IP = 10
COMPLAINTS_PER_IIN = 5
COMPLAINT_WINDOW = timedelta(hours=1)
MAX_TEXT = 5000
LIST_FILTERS = ("open", "overdue", "answered", "all")
REPLY_TEMPLATE = "documents/complaint_reply.html"


class ComplaintError(ValueError):
    """A complaint cannot be taken or answered as given; `field` names the form field, if one is at fault."""

    def __init__(self, field: str | None, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ComplaintInput:
    complainant_name: str
    iin: str
    postal_address: str
    phone: str
    text: str
    related_number: str = ""


def checked_input(data: ComplaintInput) -> ComplaintInput:
    """What regulation 004 item 10 requires, cleaned: the name's spaces collapsed, the IIN checked, the phone
    in +7 form, the text within its length. Raises ComplaintError naming the first field at fault."""
    name = " ".join(data.complainant_name.split())
    if not name:
        raise ComplaintError("complainant_name", _l("Enter your surname, name and patronymic."))
    try:
        iin = parse_iin(data.iin).iin
    except InvalidIin as error:
        raise ComplaintError("iin", error.message) from error
    address = data.postal_address.strip()
    if not address:
        raise ComplaintError("postal_address", _l("Enter the postal address for the written answer."))
    try:
        phone = normalise_phone(data.phone)
    except ValueError:
        phone = ""
    if not phone:
        raise ComplaintError("phone", _l("Enter a Kazakhstan phone number, for example +7 701 123 45 67."))
    text = checked_text("text", data.text, _l("Describe what you are complaining about."))
    return ComplaintInput(
        complainant_name=name,
        iin=iin,
        postal_address=address,
        phone=phone,
        text=text,
        related_number=data.related_number.strip(),
    )


def checked_text(field: str, text: str, empty_message) -> str:
    """A complaint's or an answer's text: not empty, at most MAX_TEXT characters."""
    text = text.strip()
    if not text:
        raise ComplaintError(field, empty_message)
    if len(text) > MAX_TEXT:
        raise ComplaintError(field, _l("The text is too long: at most %(count)s characters.", count=MAX_TEXT))
    return text
