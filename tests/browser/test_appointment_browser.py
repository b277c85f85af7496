"""Booking a doctor's appointment in a real browser: IIN -> code -> speciality -> doctor -> day -> time ->
confirm, each step swapped in by htmx; then the registrar finds the booking in the day's journal.

The live server runs on the real clock with the demo plans, so the test takes the first open day it is shown.
"""

import re

from playwright.sync_api import expect

from app.demo import DEMO_PASSWORD, demo_patients
from tests.browser.conftest import assert_accessible, snap
from tests.browser.test_home_visit_browser import _code_from_outbox


def test_a_patient_books_moves_and_the_registrar_sees_the_journal(browser, page, live_server):
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
    page.locator(".choices--days a.choice").first.click()
    page.locator(".choices--slots a.choice").first.click()
    expect(page.locator(".chooser__confirm")).to_be_visible()
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
    assert_accessible(desk)
    snap(desk, "5-desk-patient")
    staff.close()
