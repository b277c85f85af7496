"""The lobby kiosk in a real browser on a 1080p touch screen: start screen and language, start over, the
on-screen keypad, and the inactivity reset that leaves no personal data behind.

The kiosk live server forgets an idle visitor after KIOSK_IDLE_SECONDS (a few seconds here, 60 in use).
"""

import re

from playwright.sync_api import expect

from app.demo import demo_patients
from tests.browser.conftest import KIOSK_IDLE_SECONDS, assert_accessible, has_no_horizontal_scroll, snap
from tests.browser.test_services_browser import identify


def test_start_screen_language_and_start_over(kiosk_page, kiosk_server):
    page = kiosk_page
    page.goto(kiosk_server.url + "/kiosk/")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.locator("body")).to_have_class(re.compile(r"\bkiosk\b"))
    expect(page.locator(".kiosk-tile").first).to_be_visible()
    expect(page.locator(".main-nav")).to_have_count(0)  # no website navigation on the kiosk
    assert has_no_horizontal_scroll(page)
    restart_colours = page.locator(".kiosk-restart").evaluate(
        "(el) => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]"
    )
    assert restart_colours[0] != restart_colours[1], "the Start over label must be readable"
    assert_accessible(page)
    snap(page, "1-start-kk")

    page.locator(".lang-switch a[lang=ru]").tap()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator(".kiosk-restart")).to_have_text("Начать сначала")
    assert_accessible(page)
    snap(page, "2-start-ru")

    page.locator(".kiosk-tile[href='/appointments/']").tap()
    expect(page.locator("input[name=iin]")).to_be_visible()
    assert_accessible(page)
    snap(page, "3-service-ru")

    page.locator(".kiosk-restart").tap()
    expect(page).to_have_url(kiosk_server.url + "/kiosk/")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    snap(page, "4-start-over-kk")


def test_the_on_screen_keypad_types_an_iin(kiosk_page, kiosk_server):
    page = kiosk_page
    page.goto(kiosk_server.url + "/appointments/")
    keypad = page.locator("#keypad")
    expect(keypad).to_be_hidden()
    field = page.locator("input[name=iin][inputmode=numeric]")
    field.tap()
    expect(keypad).to_be_visible()
    assert_accessible(page)
    snap(page, "1-keypad-open")

    def key(name: str):
        keypad.locator(f"[data-key='{name}']").tap()

    for digit in "9907":
        key(digit)
    expect(field).to_have_value("9907")
    key("back")
    expect(field).to_have_value("990")
    key("clear")
    expect(field).to_have_value("")
    iin = demo_patients()[8]["iin"]
    for digit in iin:
        key(digit)
    expect(field).to_have_value(iin)
    expect(field).to_be_focused()  # the keys do not steal the focus
    snap(page, "2-iin-typed")
    key("done")
    expect(keypad).to_be_hidden()
    snap(page, "3-keypad-closed")


def test_an_idle_kiosk_forgets_the_visitor(kiosk_page, kiosk_server):
    page = kiosk_page
    patient = demo_patients()[3]
    page.goto(kiosk_server.url + "/attachment/")
    page.locator(".lang-switch a[lang=ru]").tap()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    identify(page, kiosk_server, patient["iin"], patient["phone"], step="1")
    # This demo patient is attached already: the page names them (masked) and offers no form (issue 14).
    expect(page.locator(".lead strong")).to_be_visible()
    shown_name = page.locator(".lead strong").inner_text()
    assert shown_name and patient["last_name"] not in page.content()  # the kiosk shows the name masked
    snap(page, "2-applicant-with-masked-name")

    # Nobody touches the screen: it must go back to the start and forget everything.
    page.wait_for_url(kiosk_server.url + "/kiosk/", timeout=(KIOSK_IDLE_SECONDS + 5) * 1000)
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    content = page.content()
    assert patient["iin"] not in content
    assert shown_name not in content
    assert patient["last_name"] not in content
    assert_accessible(page)
    snap(page, "3-back-to-start")

    page.goto(kiosk_server.url + "/attachment/apply")
    expect(page.locator("input[name=iin]")).to_be_visible()  # the session is gone: identify again
    assert patient["iin"] not in page.content()
    snap(page, "4-asks-to-identify-again")

    page.go_back()  # the browser's Back button must not bring the visitor's page back either
    assert patient["iin"] not in page.content()
    assert shown_name not in page.content()


def test_every_kiosk_tile_opens_an_accessible_page(kiosk_page, kiosk_server):
    page = kiosk_page
    page.goto(kiosk_server.url + "/kiosk/")
    hrefs = page.locator(".kiosk-tile").evaluate_all("(tiles) => tiles.map((t) => t.getAttribute('href'))")
    assert len(hrefs) >= 6  # booking, home call, attachment, three forms, status, complaint
    for number, href in enumerate(hrefs, start=1):
        page.goto(kiosk_server.url + href)
        expect(page.locator(".kiosk-restart")).to_be_visible()  # still the kiosk layout
        assert has_no_horizontal_scroll(page), href
        assert_accessible(page)
        snap(page, f"{number}-{href.strip('/').replace('/', '-') or 'start'}")
