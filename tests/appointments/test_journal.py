"""The pre-registration journal's columns and the condition or reason for the visit a booking keeps.

Regulation 001, annex 2 («Дәрігердің қабылдауына жазылу»), item 8 (001:339-345): «көрсетілетін қызметті
берушінің медициналық тіркеушісі алдын-ала жазылу журналына көрсетілетін қызметті алушының мәліметтерін
енгізеді (тегі, аты, әкесінің аты, жасы және жынысы, көрсетілетін қызметті алушының жағдайы және жазатайым
оқиға немесе ауруы бойынша қысқа мәліметтер, нақты мекен-жайы мен байланыс телефоны)».

So the journal, on the screen and on paper, lists the surname, name and patronymic, the age and sex (from the
IIN, on the card), the condition with brief notes on the illness or accident (given by the patient online or
told to the registrar), the actual address (the card's) and the contact phone.
"""

import io
import re
from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from app.core.actors import Actor
from app.core.clock import ALMATY
from app.core.person import SEX_LABELS, age_label, age_on
from app.demo import DEMO_PASSWORD, demo_patients, seed
from app.demo.appointments import BOOKINGS
from app.demo.cabinet import CABINET_PATIENTS
from app.documents import html_to_pages, render_html
from app.extensions import db
from app.models import Appointment, AuditEntry, ServiceRequest
from app.models.notify import SmsMessage
from app.services import appointments
from tests.appointments.factories import MONDAY, at, make_clinic, make_doctor, make_patient
from tests.appointments.test_web import sign_in
from tests.conftest import TEST_PASSWORD, page_text

TUESDAY = MONDAY + timedelta(days=1)
HX = {"HX-Request": "true"}
REASON = "Екі күннен бері қызу 38,5, жөтел"  # "fever of 38.5 for two days, a cough"
ADDRESS = "Алматы қ., Абай даңғылы, 10"

# The journal's columns in each language: the regulation's list as column headers (nouns, docs/glossary.md).
COLUMNS = {
    "kk": (
        "Тегі, аты, әкесінің аты",
        "Жасы",
        "Жынысы",
        "Жағдайы және жазатайым оқиға немесе ауруы бойынша қысқа мәліметтер",
        "Нақты мекенжайы",
        "Байланыс телефоны",
    ),
    "ru": (
        "Фамилия, имя, отчество",
        "Возраст",
        "Пол",
        "Состояние и краткие сведения о несчастном случае или заболевании",
        "Фактический адрес",
        "Контактный телефон",
    ),
}
# The patient of make_patient(1): born 2 April 1985 (a woman), so 41 on the day of the visit.
AGE_AND_SEX = {"kk": ("41 жас", "әйел"), "ru": ("41 год", "женский")}
TOO_LONG = {
    "kk": "Жағдайы немесе қаралу себебі тым ұзын (таңба саны: 301). Ең көбі 300 таңба болуы керек",
    "ru": "Текст о состоянии или причине обращения слишком длинный (символов: 301). Допустимо не более 300",
}


@pytest.fixture
def clinic(app, frozen):
    frozen(2026, 11, 23, 8, 30)
    return make_clinic()


@pytest.fixture
def doctor(clinic, make_staff):
    return make_doctor(make_staff, full_name="Жұмабаева Асель Қайратқызы")


def words(text: str) -> str:
    return " ".join(text.split())


def pdf_text(response) -> str:
    return words("".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages))


def nothing_was_booked() -> bool:
    return db.session.query(Appointment).count() == 0 and db.session.query(ServiceRequest).count() == 0


# ---- the service ------------------------------------------------------------------------------------------
def test_the_reason_is_kept_tidied_and_moving_keeps_it(clinic, doctor):
    """«…жағдайы және жазатайым оқиға немесе ауруы бойынша қысқа мәліметтер» (001 annex 2 item 8): brief
    notes, kept with the booking as typed, tidied of stray spaces and invisible characters."""
    patient = make_patient(1)
    typed = "  Құлап қалдым,\n\tбілек  ісіп\u200b кетті.\x07 "  # "I fell, the wrist is swollen"
    booking = appointments.book_appointment(
        patient, doctor, at(TUESDAY, 9, 15), actor=Actor.patient(), channel="web", reason=typed
    )
    assert booking.reason == "Құлап қалдым, білек ісіп кетті."
    appointments.move_appointment(
        booking, doctor, at(TUESDAY, 9, 45), actor=Actor.patient(), channel="web", by_patient=True
    )
    assert booking.reason == "Құлап қалдым, білек ісіп кетті."
    # A letter typed as a base and a combining mark is one letter (й = и + U+0306), and counts as one.
    assert appointments.normalise_reason("и\u0306") == "й"
    assert appointments.normalise_reason(None) == "" and appointments.normalise_reason(" \n ") == ""
    # Without one the booking is made all the same: the notes are optional.
    other = appointments.book_appointment(
        make_patient(2), doctor, at(TUESDAY, 10, 0), actor=Actor.patient(), channel="kiosk"
    )
    assert other.reason == ""


def test_an_over_long_reason_is_refused_before_anything_is_written(clinic, doctor):
    """Brief notes («қысқа мәліметтер», 001 annex 2 item 8): at most 300 characters once tidied. Longer ones
    are refused with the length and the limit, and nothing is booked: no request, no slot, no SMS."""
    patient = make_patient(1)
    limit = appointments.REASON_MAX_LENGTH
    assert limit == 300
    with pytest.raises(appointments.ReasonTooLong) as refused:
        appointments.book_appointment(
            patient, doctor, at(TUESDAY, 9, 15), actor=Actor.patient(), channel="web", reason="а" * 301
        )
    assert "301" in str(refused.value.message) and "300" in str(refused.value.message)
    assert nothing_was_booked() and db.session.query(SmsMessage).count() == 0
    # Spaces that tidying removes do not count; exactly the limit is kept.
    booking = appointments.book_appointment(
        patient,
        doctor,
        at(TUESDAY, 9, 15),
        actor=Actor.patient(),
        channel="web",
        reason="  " + "а" * limit + "   ",
    )
    assert len(booking.reason) == limit


# ---- online: the web and the kiosk ----------------------------------------------------------------------
@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_patient_gives_the_reason_online_and_sees_it_on_the_booking(client, doctor, language):
    """The patient's own «жағдайы … ауруы бойынша қысқа мәліметтер» (001 annex 2 item 8), given at booking."""
    client.get(f"/lang/{language}")
    sign_in(client, make_patient(1, language=language))
    confirm = client.get(
        f"/appointments/choose?speciality=therapist&doctor={doctor.id}&day={TUESDAY.isoformat()}"
        f"&slot={TUESDAY.isoformat()}T09:15",
        headers=HX,
    )
    html = confirm.get_data(as_text=True)
    assert re.search(
        r'<textarea aria-describedby="reason-hint" class="field__input" id="reason" name="reason"', html
    )
    label = {"kk": "Қаралу себебі (міндетті емес)", "ru": "Причина обращения (необязательно)"}[language]
    assert label in page_text(confirm)

    booked = client.post(
        "/appointments/book",
        data={"doctor": doctor.id, "slot": f"{TUESDAY.isoformat()}T09:15", "reason": REASON},
    )
    assert booked.status_code == 303
    booking = db.session.query(Appointment).one()
    assert booking.reason == REASON and booking.channel == "web"
    shown = page_text(client.get(booked.headers["Location"]))
    assert {"kk": "Қаралу себебі", "ru": "Причина обращения"}[language] in shown and REASON in shown
    # Moving the booking asks for no reason again.
    move = client.get(
        f"/appointments/{booking.number}/move?doctor={doctor.id}&day={TUESDAY.isoformat()}"
        f"&slot={TUESDAY.isoformat()}T09:45"
    )
    assert 'name="reason"' not in move.get_data(as_text=True)


def test_the_reason_is_given_at_the_kiosk_too(client, doctor, login):
    """The kiosk is an online channel like the web: the same question, recorded on the kiosk's booking."""
    login("admin")
    token = re.search(
        r'<code class="activation-code">([^<]+)</code>',
        client.post("/admin/kiosks", data={"name": "Lobby"}).get_data(as_text=True),
    ).group(1)
    client.post("/staff/logout")
    client.post("/kiosk/activate", data={"token": token})
    sign_in(client, make_patient(1))
    booked = client.post(
        "/appointments/book",
        data={"doctor": doctor.id, "slot": f"{TUESDAY.isoformat()}T09:15", "reason": REASON},
    )
    assert booked.status_code == 303
    booking = db.session.query(Appointment).one()
    assert booking.channel == "kiosk" and booking.reason == REASON


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_an_over_long_reason_online_is_explained_and_kept_with_the_time(client, doctor, language):
    """Over 300 characters are not «қысқа мәліметтер» (001 annex 2 item 8): the patient is told, in their
    language, beside the field; the chosen time and everything typed stay, and nothing is booked."""
    client.get(f"/lang/{language}")
    sign_in(client, make_patient(1, language=language))
    typed = "Бас ауырады <b>қатты</b> " + "ж" * 300
    response = client.post(
        "/appointments/book",
        data={"doctor": doctor.id, "slot": f"{TUESDAY.isoformat()}T09:15", "reason": typed},
        headers=HX,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="chooser"')
    assert "&lt;b&gt;қатты&lt;/b&gt; " + "ж" * 300 + "</textarea>" in html  # kept, and escaped
    assert 'name="slot" value="2026-11-24T09:15"' in html  # the same time, ready to confirm again
    assert 'aria-invalid="true"' in html and 'id="reason-error"' in html
    problem = page_text(response)
    assert TOO_LONG[language].replace("301", str(len(" ".join(typed.split())))) in problem
    assert nothing_was_booked()


# ---- the desk: booking in person or by phone, the journal on the screen and on paper ---------------------
def desk_book(client, patient, doctor, *, reason, channel="phone", time="09:30", headers=None):
    return client.post(
        f"/staff/appointments/patients/{patient.id}/book",
        data={
            "doctor": doctor.id,
            "slot": f"{TUESDAY.isoformat()}T{time}",
            "channel": channel,
            "identity_document_checked": "y",
            "reason": reason,
        },
        headers=headers or {},
    )


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_journal_lists_the_regulations_columns_on_screen_and_paper(client, login, doctor, language):
    """The registrar enters into the pre-registration journal «тегі, аты, әкесінің аты, жасы және жынысы,
    көрсетілетін қызметті алушының жағдайы және жазатайым оқиға немесе ауруы бойынша қысқа мәліметтер, нақты
    мекен-жайы мен байланыс телефоны» (001 annex 2 item 8, 001:339-345): the screen and the printed journal
    carry each of them, in Kazakh and in Russian."""
    client.get(f"/lang/{language}")
    login("registrar")
    patient = make_patient(1, last_name="Серікова", language=language)
    silent = make_patient(2, last_name="Омарова", language=language)
    assert desk_book(client, patient, doctor, reason=REASON).status_code == 303
    assert desk_book(client, silent, doctor, reason="", channel="desk", time="09:45").status_code == 303
    booking = db.session.query(Appointment).filter_by(patient_id=patient.id).one()
    assert booking.channel == "phone" and booking.reason == REASON

    screen = client.get(f"/staff/appointments/journal?day={TUESDAY.isoformat()}")
    html = screen.get_data(as_text=True)
    headers = re.findall(r"<th>([^<]*)</th>", html.split("<thead>")[1].split("</thead>")[0])
    for column in COLUMNS[language]:
        assert column in headers, (column, headers)
    rows = [
        [words(re.sub(r"<[^>]+>", " ", cell)) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
        for row in html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    ]
    age, sex = AGE_AND_SEX[language]
    column = dict(zip(headers, rows[0], strict=True))
    assert (
        column[COLUMNS[language][0]]
        == f"Серікова Әсел Серікқызы {'ЖСН' if language == 'kk' else 'ИИН'} {patient.iin}"
    )
    assert (column[COLUMNS[language][1]], column[COLUMNS[language][2]]) == (age, sex)
    assert column[COLUMNS[language][3]] == REASON
    assert (column[COLUMNS[language][4]], column[COLUMNS[language][5]]) == (ADDRESS, patient.phone)
    assert rows[0][0] == "09:30"
    assert dict(zip(headers, rows[1], strict=True))[COLUMNS[language][3]] == "—"  # none given: said so

    printed = client.get(f"/staff/appointments/journal.pdf?day={TUESDAY.isoformat()}")
    assert printed.status_code == 200 and printed.headers["Content-Type"] == "application/pdf"
    text = pdf_text(printed)
    for column in COLUMNS[language]:
        assert column in text, (column, text)
    for value in ("Серікова Әсел Серікқызы", patient.iin, age, sex, REASON, patient.phone, booking.number):
        assert value in text, (value, text)
    assert words(ADDRESS) in text
    # A4 landscape: the twelve columns read across the sheet (842 x 595 pt).
    box = PdfReader(io.BytesIO(printed.data)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)


@pytest.mark.parametrize(
    "reason",
    [
        ("Оң жақ тізе ауырады, жүргенде ісінеді, үш күн бұрын баспалдақтан құлап қалдым. " * 4)[:300],
        "ж" * 300,  # typed without a single space
    ],
    ids=["words", "one-long-word"],
)
def test_the_printed_journal_fits_the_sheet_with_long_entries(app, clinic, doctor, reason):
    """Twelve columns with the longest reason and a long address still fit inside the A4 landscape page: no
    cell runs off the right edge (checked on the layout WeasyPrint computes)."""
    patient = make_patient(1)
    patient.address = "Алматы қ., Медеу ауданы, Достық даңғылы, 240-үй, 3-подъезд, 12-қабат, 148-пәтер"
    booking = appointments.book_appointment(
        patient, doctor, at(TUESDAY, 9, 15), actor=Actor.patient(), channel="web", reason=reason
    )
    with app.test_request_context():
        html = render_html(
            "documents/appointment_journal.html",
            {
                "day": TUESDAY,
                "doctor": None,
                "entries": [booking],
                "printed_at": at(TUESDAY, 8, 0),
                "printed_by": "Нұрланова А. М.",
                "age_label": age_label,
                "sex_labels": SEX_LABELS,
                "no_shows": {},
            },
            language="kk",
        )
    document = html_to_pages(html)  # as the document engine lays it out for the PDF
    assert len(document.pages) == 1
    page_box = document.pages[0]._page_box
    assert page_box.margin_width() > page_box.margin_height()  # landscape
    right_edge = page_box.content_box_x() + page_box.width

    def right_edges(box):
        yield box.position_x + box.margin_width()
        for child in getattr(box, "children", ()):
            yield from right_edges(child)

    html_box = page_box.children[0]
    assert max(right_edges(html_box)) <= right_edge + 0.5, (max(right_edges(html_box)), right_edge)


def test_an_over_long_reason_at_the_desk_is_refused_and_kept(client, login, doctor):
    """At the desk too the notes are brief (001 annex 2 item 8): over 300 characters the registrar is told
    beside the field, keeps the time and the text, and nothing is booked."""
    login("registrar")
    patient = make_patient(1)
    typed = "Қызу, жөтел. " + "ә" * 300
    response = desk_book(client, patient, doctor, reason=typed, headers=HX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="chooser"')
    assert typed + "</textarea>" in html and 'name="slot" value="2026-11-24T09:30"' in html
    assert re.search(r'<input checked[^>]*value="phone"', html)  # the rest of the form is kept too
    assert TOO_LONG["kk"].replace("301", str(len(typed))) in page_text(response)
    assert nothing_was_booked()
    assert db.session.query(AuditEntry).filter_by(action="create").count() == 0


def test_the_desk_pages_show_the_reason_address_age_and_sex(client, login, doctor, make_staff):
    """Where the registrar and the doctor look at a booking: the patient's card at the desk (the actual
    address the journal lists, the age and sex) and the doctor's visits of the day carry the reason."""
    login("registrar")
    patient = make_patient(1)
    assert desk_book(client, patient, doctor, reason=REASON).status_code == 303
    card = page_text(client.get(f"/staff/appointments/patients/{patient.id}"))
    assert "Нақты мекенжайы: " + ADDRESS in card and "41 жас, әйел" in card
    assert REASON in card

    client.post("/staff/logout")  # the doctor of the booking signs in
    client.post("/staff/login", data={"username": doctor.username, "password": TEST_PASSWORD})
    visits = page_text(client.get(f"/staff/appointments/visits?day={TUESDAY.isoformat()}"))
    assert "Қаралу себебі: " + REASON in visits


def test_age_is_said_in_years_or_in_months_for_a_baby(app):
    """«жасы» (001 annex 2 item 8): full years on the day, months for a child under one."""
    assert age_on(date(1985, 11, 25), date(2026, 11, 24)) == 40
    assert age_on(date(1985, 11, 24), date(2026, 11, 24)) == 41
    with app.test_request_context(), force_locale("kk"):
        assert age_label(date(2026, 6, 10), date(2026, 11, 24)) == "5 ай"
        assert age_label(date(1985, 4, 2), date(2026, 11, 24)) == "41 жас"


def test_the_demo_clinic_shows_a_journal_filled_in(client, demo_clinic):
    """A visitor of the demo sees the journal's columns filled in (001 annex 2 item 8): today's bookings,
    most with a condition or reason given online or at the desk; seeding again adds nothing."""
    cabinet = {demo_patients()[index]["iin"] for index in CABINET_PATIENTS}  # the cabinet demo's own
    bookings = [booking for booking in db.session.query(Appointment) if booking.patient.iin not in cabinet]
    assert len(bookings) == len(BOOKINGS)
    assert {booking.channel for booking in bookings} == {"web", "kiosk", "desk", "phone"}
    assert sum(1 for booking in bookings if booking.reason) == len(BOOKINGS) - 2
    at_the_desk = {
        booking.request.created_by.username for booking in bookings if booking.channel in ("desk", "phone")
    }
    assert at_the_desk == {"registrar2"}  # the account a visitor signs in as keeps a log of its own only
    today = [
        booking for booking in bookings if booking.starts_at.astimezone(ALMATY).date() == date(2026, 11, 25)
    ]
    assert today and any(booking.reason for booking in today)
    assert seed() and db.session.query(Appointment).count() == len(BOOKINGS) + len(CABINET_PATIENTS)

    client.post("/staff/login", data={"username": "registrar", "password": DEMO_PASSWORD})
    text = page_text(client.get("/staff/appointments/journal?day=2026-11-25"))
    for booking in today:
        assert booking.patient.full_name in text and (booking.reason or "—") in text
