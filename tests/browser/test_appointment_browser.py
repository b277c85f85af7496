"""Booking a doctor's appointment in a real browser: IIN -> code -> speciality -> doctor -> day -> time ->
reason -> confirm, each step swapped in by htmx; then the registrar finds the booking, with the reason the
patient gave, in the day's journal, whose columns are those of regulation 001 annex 2 item 8 («тегі, аты,
әкесінің аты, жасы және жынысы, көрсетілетін қызметті алушының жағдайы және жазатайым оқиға немесе ауруы
бойынша қысқа мәліметтер, нақты мекен-жайы мен байланыс телефоны»).

The server runs on the project's clock frozen at a moment of the test's choosing (app.core.clock), so the
test means the same at any time of day it is run. It books the first time the patient may still move online:
the move cut-off (APPOINTMENT_CHANGE_CUTOFF) hides the "move" link of a visit closer than that, and the first
free time of the day is often closer. Each moment is a case the wall clock used to decide by chance.
"""

import re
import threading
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from app import create_app
from app.core.clock import ALMATY, frozen_clock
from app.demo import DEMO_PASSWORD, demo_patients, seed
from app.extensions import db
from app.models import Appointment, Base, ServiceRequest
from app.services.appointments import parse_slot_key
from tests.browser.conftest import assert_accessible, snap
from tests.browser.test_home_visit_browser import _code_from_outbox

REASON = "Екі күннен бері жөтел, қызу 37,8"  # what the patient types: a cough for two days, 37.8

# Tuesday 24 November 2026, a working day. The patient's district doctor receives 08:00-14:00 in the demo, in
# 15-minute times with a break at 11:00-11:20: 11:20, 11:35, ... 13:05, 13:20, 13:35.
MOMENTS = {
    # The first free time (11:20) is inside the two-hour cut-off; the first the patient may move is 13:05,
    # whose cut-off (11:05) is two minutes away.
    "near-the-cut-off": datetime(2026, 11, 24, 11, 3, tzinfo=ALMATY),
    # When the test failed on the wall clock: 13:05 to 13:35 are free but too close to move; the first time
    # the patient may move is the next morning.
    "after-the-last-movable-time": datetime(2026, 11, 24, 12, 56, tzinfo=ALMATY),
}


@dataclass(frozen=True)
class FrozenServer:
    url: str
    app: Flask
    moment: datetime


@pytest.fixture(params=list(MOMENTS))
def frozen_server(request, tmp_path_factory):
    """The demo clinic served on loopback (as the `live_server` fixture does), with the clock frozen at the
    moment named by the test's parameter for as long as the test runs."""
    moment = MOMENTS[request.param]
    database = tmp_path_factory.mktemp("appointment-db") / "browser.db"
    with frozen_clock(moment):
        app = create_app(
            {
                "SECRET_KEY": "browser-tests",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
                "SIGNING_KEY_FILE": str(database.parent / "clinic.p12"),
            }
        )
        with app.app_context():
            Base.metadata.create_all(db.engine)
            seed()
            db.session.commit()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield FrozenServer(f"http://127.0.0.1:{server.server_port}", app, moment)
        finally:
            server.shutdown()


def slot_start(link) -> datetime:
    """The start of the time a chooser's slot link offers (its `slot` query parameter)."""
    return parse_slot_key(parse_qs(urlsplit(link.get_attribute("href")).query)["slot"][0])


def choose_first_movable_slot(page, server: FrozenServer) -> datetime:
    """Open the days in order and choose the first free time still outside the move cut-off."""
    movable_after = server.moment + server.app.config["APPOINTMENT_CHANGE_CUTOFF"]
    days = page.locator(".choices--days a.choice")
    expect(days.first).to_be_visible()  # the doctor's days were swapped in
    for index in range(days.count()):
        days.nth(index).click()
        expect(days.nth(index)).to_have_attribute("aria-current", "true")  # the chooser was swapped in
        for link in page.locator(".choices--slots a.choice").all():
            starts_at = slot_start(link)
            if starts_at > movable_after:
                link.click()
                return starts_at
    raise AssertionError(f"no free time after {movable_after} within the booking horizon")


def test_a_patient_books_moves_and_the_registrar_sees_the_journal(browser, page, frozen_server):
    live_server = frozen_server.url
    patient = demo_patients()[1]  # district 2, attached to the demo clinic
    page.goto(live_server + "/appointments/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Дәрігердің қабылдауына жазылу")
    assert_accessible(page)
    snap(page, "1-start")

    page.get_by_label("Сіздің ЖСН").fill(patient["iin"])
    page.get_by_role("button", name="Код алу").click()
    expect(page.get_by_label("SMS-тегі код")).to_be_visible()  # swapped in by htmx
    page.get_by_label("SMS-тегі код").fill(_code_from_outbox(browser, live_server, patient["phone"]))
    page.get_by_role("button", name="Растау").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Дәрігер мен уақытты таңдаңыз")
    assert_accessible(page)

    page.locator("#chooser").get_by_role("link", name="Учаскелік терапевт").click()
    district_doctor = page.locator("#chooser a.choice", has_text="сіздің учаскелік дәрігеріңіз")
    expect(district_doctor).to_have_count(1)
    expect(page.locator(".choices--doctors a.choice").first).to_contain_text("учаскелік дәрігеріңіз")
    district_doctor.click()
    choose_first_movable_slot(page, frozen_server)
    expect(page.locator(".chooser__confirm")).to_be_visible()
    page.get_by_label("Қаралу себебі (міндетті емес)").fill(REASON)
    assert_accessible(page)
    snap(page, "2-chosen")
    page.get_by_role("button", name="Осы уақытқа жазылу").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("AP-")
    number = re.search(r"AP-\d{4}-\d{6}", page.locator("h1").inner_text()).group()
    expect(page.locator(".booking-status")).to_contain_text("Сіз жазылдыңыз")
    assert_accessible(page)
    snap(page, "3-booked")

    page.get_by_role("link", name="Русский").click()
    page.get_by_role("link", name="Перенести на другое время").click()
    page.locator(".choices--doctors a.choice").first.click()
    page.locator(".choices--days a.choice").last.click()
    page.locator(".choices--slots a.choice").last.click()
    page.get_by_role("button", name="Перенести мою запись на это время").click()
    expect(page.locator(".flash--success")).to_contain_text(f"Запись {number} перенесена")
    snap(page, "4-moved")

    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    desk = staff.new_page()
    desk.artifacts = page.artifacts
    desk.goto(live_server + "/staff/login")
    desk.locator("#username").fill("registrar")
    desk.locator("#password").fill(DEMO_PASSWORD)
    desk.locator("button[type=submit]").click()
    desk.goto(live_server + "/staff/appointments/")
    desk.get_by_label("ЖСН немесе тегі мен аты").fill(patient["iin"])
    expect(desk.locator("#patient-results")).to_contain_text(patient["last_name"])  # live search
    desk.locator("#patient-results a").first.click()
    expect(desk.locator("h1")).to_contain_text(patient["last_name"])
    expect(desk.locator("main")).to_contain_text(number)
    expect(desk.locator("main")).to_contain_text(REASON)
    assert_accessible(desk)
    snap(desk, "5-desk-patient")

    with frozen_server.app.app_context():
        starts_at = db.session.scalars(
            select(Appointment.starts_at).join(ServiceRequest).where(ServiceRequest.number == number)
        ).one()
    desk.goto(
        f"{live_server}/staff/appointments/journal?day={starts_at.astimezone(ALMATY).date().isoformat()}"
    )
    header = desk.locator("table.booking-journal thead")
    for column in ("Тегі, аты, әкесінің аты", "Жасы", "Жынысы", "Нақты мекенжайы", "Байланыс телефоны"):
        expect(header).to_contain_text(column)
    expect(header).to_contain_text("Жағдайы және жазатайым оқиға немесе ауруы бойынша қысқа мәліметтер")
    row = desk.locator("table.booking-journal tbody tr", has_text=number)
    for value in (REASON, patient["address"], patient["phone"], "әйел"):
        expect(row).to_contain_text(value)
    assert_accessible(desk)
    snap(desk, "6-journal")
    staff.close()
