"""What a newcomer hit in the browser (issue 14), the parts finished last: on a portrait 1080x1920 kiosk
the talon printed is the talon document, not the page; links and buttons are finger-sized; the sign-in
offers the desk to someone without a phone; a kiosk is activated with a short one-time code; the head's
monitoring is a dashboard whose tables open behind tabs. Screenshots land in test-artifacts/browser/."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from app.demo import DEMO_PASSWORD, demo_patients
from tests.browser.conftest import (
    KIOSK_IDLE_SECONDS,
    _assert_no_policy_violation,
    _watched_page,
    assert_accessible,
    snap,
)
from tests.browser.test_services_browser import book_appointment, choose_language

PORTRAIT = {"width": 1080, "height": 1920}
# Patients no other browser test signs in with (a code has an IIN cool-down) and with no demo booking (the
# demo's BOOKINGS would answer "you already have a booking with this speciality").
KIOSK_PATIENTS = {"kk": 27, "ru": 28}
TEXTS = {
    "kk": {"no_phone": "Телефон жоқ па?", "desk": "тіркеу орнына барыңыз", "talon": "Талонды басып шығару"},
    "ru": {"no_phone": "Нет телефона?", "desk": "Подойдите в регистратуру", "talon": "Распечатать талон"},
}
MIN_TAP = 48  # CSS px: the smallest target a finger hits at arm's length on the lobby screen


@pytest.fixture
def portrait_kiosk(browser, kiosk_server, request):
    """The lobby kiosk as it stands: a 1080x1920 portrait touch screen carrying the device cookie."""
    from app.channels import KIOSK_COOKIE

    context = browser.new_context(viewport=PORTRAIT, has_touch=True)
    context.add_cookies([{"name": KIOSK_COOKIE, "value": kiosk_server.token, "url": kiosk_server.url}])
    # The session's kiosk server forgets a visitor after 5 idle seconds (for the idle test); on a loaded
    # machine a whole booking can pause that long. This test is not about idling: the kiosk's idle timer
    # waits ten minutes here, every other timer is left alone.
    idle_ms = KIOSK_IDLE_SECONDS * 1000
    context.add_init_script(
        f"""(() => {{
          const later = window.setTimeout;
          window.setTimeout = (fn, ms, ...rest) => later(fn, ms === {idle_ms} ? 600000 : ms, ...rest);
        }})();"""
    )
    page = _watched_page(context, request)
    yield page
    context.close()
    _assert_no_policy_violation(page)


def small_targets(page) -> list[str]:
    """Visible links, buttons and boxes in the page's main part smaller than a finger."""
    return page.evaluate(
        """(min) => [...document.querySelectorAll(
              'main a[href], main button, main input[type=checkbox], main input[type=radio], '
              + 'main label.check')]
            .filter((el) => el.offsetParent !== null)
            .map((el) => [el, el.getBoundingClientRect()])
            .filter(([el, box]) => box.height < min || box.width < min)
            .map(([el, box]) => `${el.tagName} "${(el.textContent || el.name || '').trim().slice(0, 40)}" `
                                + `${Math.round(box.width)}x${Math.round(box.height)}`)""",
        MIN_TAP,
    )


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_kiosk_prints_the_talon_document_and_fits_a_finger(portrait_kiosk, kiosk_server, lang):
    page, texts = portrait_kiosk, TEXTS[lang]
    page.goto(kiosk_server.url + "/kiosk/")
    choose_language(page, lang)
    snap(page, "0-tiles")
    assert small_targets(page) == []

    # Someone without a phone on file is told where to go, before and after they type their IIN.
    page.locator(".kiosk-tile[href='/appointments/']").tap()
    help_box = page.locator(".desk-help")
    expect(help_box).to_contain_text(texts["no_phone"])
    expect(help_box).to_contain_text(texts["desk"])
    assert small_targets(page) == []
    snap(page, "0-sign-in-with-the-desk-offered")

    number = book_appointment(page, kiosk_server, demo_patients()[KIOSK_PATIENTS[lang]], lang)
    assert small_targets(page) == [], "targets smaller than a finger on the booking page"

    # "Print the talon" prints the talon document (the PDF, with the clinic and the number), not the page.
    button = page.locator("button[data-print-pdf]")
    expect(button).to_have_text(texts["talon"])
    snap(page, "6-booking")
    # The frame's own print() is the kiosk printer's business; headless Chromium has no printer to give it
    # to, so the test stops it there and watches that the page itself is never printed.
    page.evaluate(
        """() => {
          window.__pagePrints = 0;
          window.print = () => { window.__pagePrints += 1; };
          new MutationObserver(() => {
            const frame = document.getElementById("print-frame");
            if (frame && !frame.__watched) {
              frame.__watched = true;
              frame.addEventListener("load", (event) => event.stopImmediatePropagation(), { capture: true });
            }
          }).observe(document.body, { childList: true });
        }"""
    )
    with page.expect_request(re.compile(rf"/appointments/{number}/talon\.pdf$")):
        button.tap()
    frame = page.locator("iframe#print-frame")
    expect(frame).to_have_attribute("src", f"/appointments/{number}/talon.pdf")
    box = frame.bounding_box()
    assert box is None or (box["width"] <= 1 and box["height"] <= 1), "the frame must stay out of sight"
    assert page.evaluate("() => window.__pagePrints") == 0, "the page itself must not be printed"
    talon = page.context.request.get(kiosk_server.url + f"/appointments/{number}/talon.pdf")
    assert talon.headers["content-type"] == "application/pdf"
    assert talon.headers["content-disposition"].startswith("inline")  # shown, never saved to the kiosk's disk
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(talon.body())).pages)
    assert number in text


def test_a_kiosk_is_activated_with_a_short_code(browser, kiosk_server, request):
    from app.extensions import db
    from app.services.kiosk import issue_activation_code, register_device, shown_code

    with kiosk_server.app.app_context():
        device, _token = register_device("Second floor")
        code = shown_code(issue_activation_code(device))
        db.session.commit()
    context = browser.new_context(viewport=PORTRAIT, has_touch=True)
    page = _watched_page(context, request)
    page.goto(kiosk_server.url + "/kiosk/")
    assert "kiosk-tile" not in page.content()  # not a kiosk yet
    page.goto(kiosk_server.url + "/kiosk/activate")
    field = page.locator("input[name=token]")
    expect(field).to_have_attribute("inputmode", "numeric")
    field.fill(code)
    snap(page, "1-code-typed")
    page.locator("main button[type=submit]").tap()
    page.wait_for_url(kiosk_server.url + "/kiosk/")
    expect(page.locator(".kiosk-tile").first).to_be_visible()
    expect(page.locator("body")).to_have_class(re.compile(r"\bkiosk\b"))
    snap(page, "2-activated")
    context.close()
    _assert_no_policy_violation(page)


@pytest.mark.parametrize(
    ("lang", "tab_name", "tab_heading"),
    [
        ("kk", "Мерзімі өткен", "Қазір мерзімі өткен өтінімдер"),
        ("ru", "Просроченные", "Просроченные заявки сейчас"),
    ],
    ids=["kk", "ru"],
)
def test_monitoring_is_a_dashboard_with_tables_behind_tabs(page, live_server, lang, tab_name, tab_heading):
    page.goto(live_server + "/staff/login")
    choose_language(page, lang)
    page.locator("#username").fill("head")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("button[type=submit]").click()
    page.goto(live_server + "/staff/monitoring")
    main = page.locator("main")
    expect(main.locator(".monitoring-summary .card")).to_have_count(4)
    expect(main.locator(".monitoring-dashboard svg").first).to_be_visible()
    # Figures and charts first, one table behind the tabs; the page is no longer a scroll of tables.
    assert main.locator("table").count() == 1
    assert page.evaluate("() => document.documentElement.scrollHeight") < 4000
    assert_accessible(page)
    snap(page, "1-dashboard")

    page.evaluate("() => { window.__marker = 'still-here'; }")
    page.locator(".tabs__tab", has_text=tab_name).click()
    expect(page.locator("#monitoring-tables h3")).to_have_text(tab_heading)
    assert page.evaluate("() => window.__marker") == "still-here", "a tab reloaded the whole page"
    expect(page).to_have_url(re.compile(r"tab=overdue"))
    assert_accessible(page)
    snap(page, "2-overdue-tab")
