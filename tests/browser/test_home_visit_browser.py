"""Calling the doctor home in a real browser: the sign-in box, the live emergency banner, the answer, and the
registrar's journal and route list, with accessibility checks on every page visited.

The live server runs on the real clock, so the answer is either a visit window (before the cut-off on a
working day) or the next working day; both are checked as the page states them.
"""

import re

from playwright.sync_api import expect

from app.demo import DEMO_PASSWORD, demo_patients
from tests.browser.conftest import assert_accessible, snap


def _code_from_outbox(browser, live_server, phone: str) -> str:
    """Read the one-time code as the demo does: an admin opens the SMS outbox."""
    context = browser.new_context()
    admin = context.new_page()
    admin.goto(live_server + "/staff/login")
    admin.locator("#username").fill("admin")
    admin.locator("#password").fill(DEMO_PASSWORD)
    admin.locator("button[type=submit]").click()
    admin.goto(live_server + f"/admin/outbox/?phone={phone}")
    text = admin.locator("td.outbox-table__text").first.inner_text()
    context.close()
    return re.search(r"\b\d{6}\b", text).group()


def test_a_patient_calls_the_doctor_and_the_registrar_sees_it(browser, page, live_server):
    # Nobody else in the browser tests asks for a code for this person: on the session's one stopped clock a
    # second code for the same IIN within the minute's cool-down would be refused.
    patient = demo_patients()[30]
    page.goto(live_server + "/home-visits/")
    page.get_by_role("link", name="Русский").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Вызов врача на дом")
    expect(page.locator(".home-emergency__standing")).to_contain_text("103")
    assert_accessible(page)
    snap(page, "1-start")

    page.get_by_label("Ваш ИИН").fill(patient["iin"])
    page.get_by_role("button", name="Получить код").click()
    expect(page.get_by_label("Код из SMS")).to_be_visible()  # swapped in by htmx, no page load
    code = _code_from_outbox(browser, live_server, patient["phone"])
    page.get_by_label("Код из SMS").fill(code)
    page.get_by_role("button", name="Подтвердить").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Вызов врача на дом")
    expect(page.get_by_label("Адрес, куда прийти врачу")).to_have_value(patient["address"])
    assert_accessible(page)

    # The emergency banner appears while the form is filled in, before anything is sent.
    expect(page.locator("#emergency")).not_to_contain_text("103")
    page.get_by_label("Состояние и жалобы").fill("Давит в груди, слабость")
    expect(page.locator("#emergency")).to_contain_text("Срочно звоните 103", timeout=5000)
    page.get_by_label("Температура, °C").fill("378")
    snap(page, "2-form-with-banner")
    page.get_by_role("button", name="Вызвать врача").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Вызов HV-")
    expect(page.locator(".home-emergency__number")).to_have_text("Срочно звоните 103")
    answer = page.locator("#home-answer")
    expect(answer).to_contain_text(re.compile(r"\d\d:\d\d–\d\d:\d\d|следующий рабочий день"))
    number = re.search(r"HV-\d{4}-\d{6}", page.locator("h1").inner_text()).group()
    assert_accessible(page)
    snap(page, "3-answer")

    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    desk = staff.new_page()
    desk.artifacts = page.artifacts  # screenshots of both people in one folder
    desk.goto(live_server + "/staff/login")
    desk.locator("#username").fill("registrar")
    desk.locator("#password").fill(DEMO_PASSWORD)
    desk.locator("button[type=submit]").click()
    desk.get_by_role("link", name="Русский").click()
    desk.goto(live_server + f"/staff/home-visits/{number}")
    expect(desk.locator("h1")).to_contain_text("Срочно")
    assert_accessible(desk)
    snap(desk, "4-call-at-the-desk")

    desk.locator(".booking-summary").get_by_role("link", name="Журнал регистрации вызовов").click()
    expect(desk.get_by_role("heading", level=1)).to_have_text("Журнал регистрации вызовов")
    expect(desk.locator("#journal")).to_contain_text(number)
    expect(desk.locator("#journal")).to_contain_text("Давит в груди, слабость")
    assert_accessible(desk)
    snap(desk, "5-journal")

    desk.get_by_role("link", name="Маршрутный лист").first.click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("Маршрутный лист")
    assert_accessible(desk)
    staff.close()
