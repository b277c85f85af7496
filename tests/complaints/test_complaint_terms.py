"""The complaint's term and the way on (issue 24, item 2; fidelity review rows 9 and 10).

The law and the regulation quoted:
- Law «О государственных услугах», art. 25 (as amended; not among the texts in shared/regulations, the review
  marks it [GK]): a complaint addressed to the provider that gave the service is considered within 5 working
  days of its registration, and one addressed to the authorised body for the quality of public services
  within 15.
- Regulation 004 (ҚР ДСМ-51), item 8: «Көрсетілетін қызметті берушінің шешіміне, әрекетіне (әрекетсіздігіне)
  шағым … денсаулық сақтау саласындағы уәкілетті органға және (немесе) мемлекеттік қызметтер көрсету сапасын
  бағалау және бақылау жөніндегі уәкілетті органға беріледі.»
- 004 item 12: «… шағымы тіркелген күнінен бастап 15 (он бес) жұмыс күні ішінде қаралуға жатады.»
- 004 item 14: «Көрсетілген мемлекеттік қызметтің нәтижелерімен келіспеген жағдайда көрсетілетін қызметті
  алушының "Мемлекеттік көрсетілетін қызметтер туралы" Қазақстан Республикасының Заңы 4-бабының 6)
  тармақшасына сәйкес сотқа жүгінуге құқығы бар.»
- 004 item 11: the receipt states «берілген шағымға жауап алу мерзімі мен орны» (when and where the answer is
  given).
- Working days (review row 10, 004 item 12 «жұмыс күні»): working days in the labour-law sense, Monday to
  Friday less public holidays; the clinic's open Saturday is none.
"""

import io
from datetime import date, datetime

import pytest
from babel.dates import format_date
from pypdf import PdfReader

from app.channels import KIOSK_COOKIE
from app.core.actors import Actor
from app.core.clock import ALMATY
from app.extensions import db
from app.models import Complaint, SmsMessage
from app.services import catalogue, complaints
from app.services import kiosk as kiosk_service
from app.services.calendar import get_calendar
from app.services.catalogue import DeadlineRule
from tests.complaints.factories import FORM, PHONE, file_complaint
from tests.conftest import page_text
from tests.feedback_factories import last_code

# What the pages and the letter say, word for word, in each language.
TEXTS = {
    "kk": {
        "due_label": "Жауап берудің соңғы күні",
        "due": "Жауап беру мерзімі – {date} күнінен кешіктірмей.",
        "term": "Емхана басшысы тіркелген күннен бастап 5 жұмыс күні ішінде жазбаша жауап береді.",
        # 004 item 8's bodies, in its own words, and item 12's term.
        "appeal": (
            "Жауаппен келіспеген жағдайда денсаулық сақтау саласындағы уәкілетті органға және (немесе) "
            "мемлекеттік қызметтер көрсету сапасын бағалау және бақылау жөніндегі уәкілетті органға шағым "
            "бере аласыз; онда шағым тіркелген күнінен бастап 15 (он бес) жұмыс күні ішінде қаралады."
        ),
        # 004 item 14.
        "court": (
            "Олардың шешімімен келіспеген жағдайда «Мемлекеттік көрсетілетін қызметтер туралы» Қазақстан "
            "Республикасы Заңының 4-бабының 6) тармақшасына сәйкес сотқа жүгінуге құқығыңыз бар."
        ),
    },
    "ru": {
        "due_label": "Срок ответа — не позднее",
        "due": "Срок ответа — не позднее {date}",
        "term": "Руководитель поликлиники отвечает письменно в течение 5 рабочих дней со дня регистрации.",
        # 004 has items 8-14 in Kazakh only: the Russian names are the Law's.
        "appeal": (
            "Если вы не согласны с ответом, вы можете подать жалобу в уполномоченный орган в области "
            "здравоохранения и (или) в уполномоченный орган по оценке и контролю за качеством оказания "
            "государственных услуг; там жалоба рассматривается в течение 15 (пятнадцати) рабочих дней со дня "
            "её регистрации."
        ),
        "court": (
            "Если вы не согласны с их решением, вы вправе обратиться в суд (подпункт 6) статьи 4 Закона "
            "Республики Казахстан «О государственных услугах»)."
        ),
    },
}


def _long(day: date, language: str) -> str:
    return " ".join(format_date(day, "long", locale=language).split())


def _pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages
    )


# ---- the term ---------------------------------------------------------------------------------------------


def test_the_complaint_rule_is_five_legal_working_days():
    """Law «О государственных услугах», art. 25: 5 working days for the provider; counted Monday to Friday."""
    assert catalogue.COMPLAINT.deadline_rule("web") == DeadlineRule("legal_working_days", 5)
    for channel in ("web", "kiosk", "desk", "phone"):
        assert catalogue.COMPLAINT.deadline_rule(channel).kind == "legal_working_days"
    assert complaints.ANSWER_TERM_WORKING_DAYS == 5


def test_a_complaint_before_independence_day_is_due_on_friday_the_18th(app, frozen):
    """5 working days (art. 25) over a public holiday: filed Thursday 10 December 2026, the working days are
    Fri 11, Mon 14, Tue 15, (Wednesday 16 December, Independence Day, a holiday), Thu 17, Fri 18."""
    frozen(2026, 12, 10, 11, 0)
    complaint = file_complaint()
    assert complaint.deadline_at == datetime(2026, 12, 18, 18, 0, tzinfo=ALMATY)


def test_a_complaint_filed_on_friday_is_not_due_on_the_open_saturday(app, frozen):
    """«жұмыс күні» (004 item 12) is a working day in law: the clinic opens on Saturdays, but a Saturday is
    never a working day of the term, nor its last day."""
    calendar = get_calendar()
    assert calendar.is_working_day(date(2026, 11, 21)), "the clinic is open on Saturday 21 November"

    # Friday 20 November: Mon 23, Tue 24, Wed 25, Thu 26, Fri 27. Counting the open Saturday 21 (the clinic's
    # calendar) would make it Thursday 26.
    frozen(2026, 11, 20, 10, 0)
    friday = file_complaint()
    assert friday.deadline_at == datetime(2026, 11, 27, 18, 0, tzinfo=ALMATY)
    assert calendar.add_working_days(friday.filed_at, 5).date() == date(2026, 11, 26)

    # Monday 23 November: Tue 24 ... Fri 27, Mon 30. The clinic's calendar would end on the open Saturday 28.
    frozen(2026, 11, 23, 10, 0)
    monday = file_complaint(phone="+77015554434")
    assert monday.deadline_at == datetime(2026, 11, 30, 18, 0, tzinfo=ALMATY)
    assert calendar.add_working_days(monday.filed_at, 5).date() == date(2026, 11, 28)

    # Filed on the open Saturday itself (on the website): registered then, counted from Monday 23.
    frozen(2026, 11, 21, 10, 0)
    saturday = file_complaint(phone="+77015554435")
    assert saturday.deadline_at == datetime(2026, 11, 30, 18, 0, tzinfo=ALMATY)


def test_a_complaint_registered_before_the_change_keeps_its_deadline(app, client, frozen):
    """Existing complaints keep their stored deadline: the one a complaint was registered with (here, as the
    old 15-working-day rule set it) is the one the status page and the reply letter show."""
    frozen(2026, 12, 10, 11, 0)
    complaint = file_complaint()
    complaint.request.deadline_at = datetime(2026, 12, 30, 20, 0, tzinfo=ALMATY)
    db.session.commit()
    client.post("/status", data={"number": complaint.number})
    client.post(f"/status/{complaint.number}/code", data={"code": last_code(PHONE)})
    page = page_text(client.get(f"/status/{complaint.number}"))
    assert f"{TEXTS['kk']['due_label']} {_long(date(2026, 12, 30), 'kk')}" in page


# ---- what the person reads: the form, the receipts, the status page, the letter ---------------------------


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_web_receipt_says_the_last_day_and_the_way_on(app, client, frozen, language):
    """004 item 11: the receipt says when and where the answer is given; items 8, 12 and 14: where to go
    next."""
    frozen(2026, 12, 10, 11, 0)
    client.set_cookie("emhana_lang", language, domain="localhost")
    texts = TEXTS[language]
    form = page_text(client.get("/complaints/new"))
    assert texts["appeal"] in form and texts["court"] in form

    response = client.post("/complaints/new", data=FORM)
    assert response.status_code == 303
    page = page_text(client.get(response.headers["Location"]))
    # "No later than" shows the date: Friday 18 December 2026.
    assert f"{texts['due_label']} {_long(date(2026, 12, 18), language)}" in page
    assert texts["term"] in page
    assert texts["appeal"] in page and texts["court"] in page


def test_the_kiosk_receipt_says_the_same(app, client, frozen):
    frozen(2026, 12, 10, 11, 0)
    _device, token = kiosk_service.register_device("Lobby")
    db.session.commit()
    client.set_cookie(KIOSK_COOKIE, token, domain="localhost")
    response = client.post("/complaints/new", data=FORM)
    assert response.status_code == 303
    assert db.session.query(Complaint).one().channel == "kiosk"
    page = page_text(client.get(response.headers["Location"]))
    texts = TEXTS["kk"]
    assert f"{texts['due_label']} {_long(date(2026, 12, 18), 'kk')}" in page
    assert texts["appeal"] in page and texts["court"] in page


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_desk_receipt_says_the_last_day_and_the_way_on(app, client, login, frozen, language):
    frozen(2026, 12, 10, 11, 0)
    client.set_cookie("emhana_lang", language, domain="localhost")
    login("registrar")
    response = client.post("/staff/complaints/new", data={**FORM, "language": language})
    assert response.status_code == 303
    receipt = page_text(client.get(response.headers["Location"]))
    texts = TEXTS[language]
    assert f"{texts['due_label']} {_long(date(2026, 12, 18), language)}" in receipt
    assert texts["term"] in receipt
    assert texts["appeal"] in receipt and texts["court"] in receipt


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_status_page_says_the_last_day_and_the_way_on(app, client, frozen, make_staff, language):
    frozen(2026, 12, 10, 11, 0)
    client.set_cookie("emhana_lang", language, domain="localhost")
    complaint = file_complaint(language=language)
    client.post("/status", data={"number": complaint.number})
    client.post(f"/status/{complaint.number}/code", data={"code": last_code(PHONE)})
    texts = TEXTS[language]
    due = f"{texts['due_label']} {_long(date(2026, 12, 18), language)}"

    page = page_text(client.get(f"/status/{complaint.number}"))
    assert due in page and texts["term"] in page
    assert texts["appeal"] in page and texts["court"] in page

    complaints.answer(complaint, "Жауап.", actor=Actor.of_staff(make_staff("head", roles=("head",))))
    db.session.commit()
    page = page_text(client.get(f"/status/{complaint.number}"))
    assert due in page
    assert texts["appeal"] in page and texts["court"] in page


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_reply_letter_says_the_last_day_and_the_way_on(app, client, frozen, make_staff, language):
    """The printed reply (PDF text): the term the answer was due by, then 004 items 8 and 12 (the authorised
    bodies, 15 working days there) and item 14 (court)."""
    frozen(2026, 12, 10, 11, 0)
    complaint = file_complaint(language=language)
    frozen(2026, 12, 14, 12, 0)
    head = make_staff("head", roles=("head",))
    complaints.answer(complaint, "Тексеру жүргізілді.", actor=Actor.of_staff(head))
    db.session.commit()
    text = _pdf_text(complaint.reply_document.pdf)
    texts = TEXTS[language]
    assert texts["due"].format(date=_long(date(2026, 12, 18), language)) in text
    assert texts["appeal"] in text and texts["court"] in text
    assert text.index(texts["appeal"]) < text.index(texts["court"]), "first the authorised bodies, then court"


@pytest.mark.parametrize(
    ("language", "sms_due"),
    [("kk", "Жауап берудің соңғы күні: 18.12.26."), ("ru", "Срок ответа — не позднее 18.12.2026.")],
)
def test_the_sms_says_no_later_than_the_date(app, frozen, language, sms_due):
    frozen(2026, 12, 10, 11, 0)
    file_complaint(language=language)
    message = db.session.query(SmsMessage).filter_by(phone=PHONE).one()
    assert sms_due in message.text
