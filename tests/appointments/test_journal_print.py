"""The printed pre-registration journal of a day with several doctors: every booking's words are on the
sheet, in its row's order, and nothing runs off a page (issue 22: the journal is laid out for speed, with one
text per cell; the words of 001 annex 2 item 8's columns must stay the same)."""

import io
from datetime import timedelta

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from pypdf import PdfReader

from app.core.actors import Actor
from app.core.person import SEX_LABELS, age_label
from app.documents import html_to_pages, render_html
from app.extensions import db
from app.models import Appointment
from app.services import appointments
from tests.appointments.factories import MONDAY, at, make_clinic, make_doctor, make_patient

TUESDAY = MONDAY + timedelta(days=1)
DOCTORS = ("Әбдірахманова Гүлнар Серікқызы", "Бекова Асель", "Иванов Пётр Сергеевич", "Жұмабаев Ерлан")
TIMES = [(9, 0), (9, 15), (9, 30), (9, 45), (10, 0), (10, 15), (11, 0), (11, 15), (11, 30), (11, 45)]
REASONS = (
    "",
    "Екі күннен бері қызу 38,5, жөтел",
    ("Оң жақ тізе ауырады, жүргенде ісінеді, үш күн бұрын баспалдақтан құлап қалдым. " * 4)[:300],
    "ж" * 120,  # typed without a single space
    "Головная боль, давление 150/95",
)
LONG_ADDRESS = "Алматы қ., Медеу ауданы, Достық даңғылы, 240-үй, 3-подъезд, 12-қабат, 148-пәтер"
STATUS_MESSAGES = {
    "pending": "waiting for the registry",
    "booked": "booked",
    "attended": "came",
    "no_show": "did not come",
    "cancelled": "cancelled",
}


@pytest.fixture
def full_day(app, frozen, make_staff):
    """Four doctors, each with every slot of Tuesday booked (40 bookings): long and empty reasons, long
    addresses, rooms."""
    frozen(2026, 11, 23, 8, 30)
    make_clinic()
    serial = 0
    for number, name in enumerate(DOCTORS):
        doctor = make_doctor(
            make_staff,
            f"doctor{number}",
            full_name=name,
            room=str(101 + number),
            district_number=1 if number == 0 else None,  # one district doctor; the others see anyone
        )
        for hour, minute in TIMES:
            serial += 1
            patient = make_patient(serial, last_name=f"Пациентова{serial}")
            if serial % 3 == 0:
                patient.address = LONG_ADDRESS
            appointments.book_appointment(
                patient,
                doctor,
                at(TUESDAY, hour, minute),
                actor=Actor.patient(),
                channel="web",
                reason=REASONS[serial % len(REASONS)],
            )
    db.session.commit()
    return appointments.journal(TUESDAY)


def row_text(index: int, booking: Appointment, language: str) -> str:
    """A booking's row as the sheet prints it, cell by cell (the template's words, computed here)."""
    patient = booking.patient
    with force_locale(language):
        cells = [
            str(index),
            booking.starts_at.astimezone(at(TUESDAY, 0).tzinfo).strftime("%H:%M"),
            booking.doctor.full_name,
            _("room %(room)s", room=booking.room) if booking.room else "",
            patient.full_name,
            _("IIN"),
            patient.iin,
            age_label(patient.birth_date, TUESDAY),
            str(SEX_LABELS[patient.sex]),
            booking.reason or "—",
            patient.address or "—",
            patient.phone or "—",
            booking.number,
            _(STATUS_MESSAGES[booking.status]),
        ]
    return "".join("".join(cells).split())


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_printed_journal_holds_every_bookings_words_in_its_row(client, login, full_day, language):
    """Each of the 40 rows is on the sheet with all its columns, in order: №, time, doctor and room, name
    and IIN, age, sex, condition, actual address, phone, number, mark (compared without spaces, as the PDF's
    text runs cells together)."""
    client.get(f"/lang/{language}")
    login("registrar")
    printed = client.get(f"/staff/appointments/journal.pdf?day={TUESDAY.isoformat()}")
    assert printed.status_code == 200
    pages = PdfReader(io.BytesIO(printed.data)).pages
    assert len(pages) >= 2
    text = "".join("".join(page.extract_text() for page in pages).split())
    assert len(full_day) == len(DOCTORS) * len(TIMES)
    assert [booking.doctor.full_name for booking in full_day][:: len(TIMES)] == sorted(DOCTORS)
    for index, booking in enumerate(full_day, start=1):
        assert row_text(index, booking, language) in text, (index, row_text(index, booking, language))


def test_no_cell_of_the_full_day_runs_off_its_page(app, full_day):
    """On every page of the sheet, as the document engine lays it out, every box (each cell's text
    included) stays inside the page's content area, right and bottom."""
    with app.test_request_context():
        html = render_html(
            "documents/appointment_journal.html",
            {
                "day": TUESDAY,
                "doctor": None,
                "entries": full_day,
                "printed_at": at(TUESDAY, 8, 0),
                "printed_by": "Нұрланова А. М.",
                "age_label": age_label,
                "sex_labels": SEX_LABELS,
                "no_shows": {},
            },
            language="ru",
        )
    document = html_to_pages(html)
    assert len(document.pages) >= 2
    for page in document.pages:
        page_box = page._page_box
        right = page_box.content_box_x() + page_box.width
        bottom = page_box.content_box_y() + page_box.height

        def edges(box):
            yield box.position_x + box.margin_width(), box.position_y + box.margin_height()
            for child in getattr(box, "children", ()):
                yield from edges(child)

        html_box = page_box.children[0]
        assert max(x for x, _y in edges(html_box)) <= right + 0.5
        assert max(y for _x, y in edges(html_box)) <= bottom + 0.5
