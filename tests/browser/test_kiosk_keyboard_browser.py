"""The kiosk's on-screen text keyboard in a real browser: a visitor with no physical keyboard calls the doctor
home in Kazakh, typing the address and the complaint (қ, ө, ә ...) on the screen, then prints the answer.
"""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.demo import demo_patients
from tests.browser.conftest import assert_accessible, print_at_kiosk, snap
from tests.browser.test_services_browser import identify, request_channel

ADDRESS = "Қонаев көшесі 12, 5 пәтер"
COMPLAINT = "Қызу көтерілді, жөтел, әлсіздік"


def type_on_screen(page, text: str) -> None:
    """Tap the on-screen keys for `text`: Shift before a capital, the space bar for a space."""
    keyboard = page.locator("#osk")
    for char in text:
        if char == " ":
            keyboard.locator("[data-action=space]").tap()
            continue
        if char != char.lower():
            keyboard.locator("[data-action=shift]:visible").tap()
        keyboard.locator(f"[data-key='{char.lower()}']:visible").tap()


def saved_call(server, number: str):
    from app.extensions import db
    from app.models.home_visits import HomeVisit
    from app.models.requests import ServiceRequest

    with server.app.app_context():
        return db.session.execute(
            select(HomeVisit.address, HomeVisit.complaint)
            .join(ServiceRequest, ServiceRequest.id == HomeVisit.request_id)
            .where(ServiceRequest.number == number)
        ).one()


def test_a_kazakh_home_call_typed_on_the_screen_keyboard(kiosk_page, kiosk_server):
    page = kiosk_page
    patient = demo_patients()[17]
    page.goto(kiosk_server.url + "/home-visits/")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    identify(page, kiosk_server, patient["iin"], patient["phone"], step="1")
    form = page.locator("form.home-call-form")
    expect(form).to_be_visible()
    keyboard = page.locator("#osk")
    expect(keyboard).to_be_hidden()

    # The address field: the keyboard opens in the page's language, and the field keeps the focus.
    address = page.locator("[name=address]")
    address.tap()
    expect(keyboard).to_be_visible()
    expect(page.locator("#keypad")).to_be_hidden()
    expect(keyboard.locator("[data-switch=kk]")).to_have_attribute("aria-pressed", "true")
    expect(keyboard.locator("[data-key='ө']")).to_be_visible()
    expect(keyboard.locator("[data-action=back]")).to_have_attribute("aria-label", "Соңғы таңбаны өшіру")
    address.select_text()
    keyboard.locator("[data-action=back]").tap()  # the registered address, selected, goes in one tap
    expect(address).to_have_value("")
    type_on_screen(page, ADDRESS)
    expect(address).to_have_value(ADDRESS)
    expect(address).to_be_focused()
    assert_accessible(page)
    snap(page, "2-address-typed")

    # Russian and Latin letters are one tap away; the Kazakh row is only on the Kazakh layout.
    keyboard.locator("[data-switch=ru]").tap()
    expect(keyboard.locator("[data-switch=ru]")).to_have_attribute("aria-pressed", "true")
    expect(keyboard.locator("[data-key='ө']")).to_be_hidden()
    expect(keyboard.locator("[data-rows=ru] [data-key='ж']")).to_be_visible()
    snap(page, "3-russian-layout")
    keyboard.locator("[data-switch=kk]").tap()

    # The phone keeps the numeric keypad; the complaint brings the keyboard back.
    page.locator("[name=callback_phone]").tap()
    expect(page.locator("#keypad")).to_be_visible()
    expect(keyboard).to_be_hidden()
    complaint = page.locator("[name=complaint]")
    complaint.tap()
    expect(keyboard).to_be_visible()
    expect(page.locator("#keypad")).to_be_hidden()
    type_on_screen(page, COMPLAINT)
    expect(complaint).to_have_value(COMPLAINT)
    expect(complaint).to_be_focused()
    snap(page, "4-complaint-typed")
    keyboard.locator("[data-action=done]").tap()
    expect(keyboard).to_be_hidden()
    expect(complaint).to_be_focused()
    assert_accessible(page)
    snap(page, "5-keyboard-closed")

    form.locator("button[type=submit]").tap()
    expect(page.locator("h1")).to_contain_text("HV-")
    expect(page.locator("#home-answer")).to_be_visible()
    assert_accessible(page)
    snap(page, "6-answer")
    number = re.search(r"HV-\d{4}-\d{6}", page.locator("h1").inner_text()).group()
    assert request_channel(kiosk_server, number) == "kiosk"
    assert tuple(saved_call(kiosk_server, number)) == (ADDRESS, COMPLAINT)

    receipt = print_at_kiosk(page, page.locator("button[data-print]"), paper_width_mm=80)
    expect(page.locator("#home-answer")).to_contain_text(number)
    snap(page, "7-print")
    (page.artifacts / "8-receipt.pdf").write_bytes(receipt)
