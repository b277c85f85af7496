"""The website and the lobby kiosk side by side: booking an appointment and applying for attachment, once in
Kazakh and once in Russian, with htmx partial updates, keyboard-only use and printing.

These tests run against the kiosk live server (the one with a short idle timeout); a context without the
device cookie is the plain website. Each visited page is checked with axe-core and screenshotted.
"""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.demo import demo_patients
from app.demo.registry import other_people
from tests.browser.conftest import assert_accessible, has_no_horizontal_scroll, print_at_kiosk, snap

ATTACHMENT_ADDRESS = "Алматы қ., Абай даңғылы, 15, 3"
# The two demo people attached nowhere: each may apply once per server, so each language gets one.
UNATTACHED = {person["key"]: person for person in other_people()}


def latest_code(server, phone: str) -> str:
    """The newest one-time code sent to this phone, read from the SMS outbox of the server's database."""
    from app.extensions import db
    from app.models.notify import SmsMessage

    with server.app.app_context():
        text = db.session.scalars(
            select(SmsMessage.text).where(SmsMessage.phone == phone).order_by(SmsMessage.id.desc())
        ).first()
    return re.search(r"\b\d{6}\b", text).group()


def request_channel(server, number: str) -> str:
    from app.extensions import db
    from app.models.requests import ServiceRequest

    with server.app.app_context():
        return db.session.scalars(select(ServiceRequest.channel).where(ServiceRequest.number == number)).one()


def choose_language(page, lang: str) -> None:
    if page.locator("html").get_attribute("lang") != lang:
        page.locator(f".lang-switch a[lang={lang}]").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def identify(page, server, iin: str, phone: str, *, step: str) -> None:
    """IIN -> code, both swapped in by htmx: the page must not reload in between."""
    page.wait_for_load_state("load")  # htmx is a deferred script: let it wire the forms first
    page.evaluate("() => { window.__marker = 'still-here'; }")
    page.locator("input[name=iin]").fill(iin)
    page.locator("#identify button[type=submit]").first.click()
    code_field = page.locator("input[name=code]")
    expect(code_field).to_be_visible()
    assert page.evaluate("() => window.__marker") == "still-here", "the code step reloaded the whole page"
    assert_accessible(page)
    snap(page, f"{step}-code")
    code_field.fill(latest_code(server, phone))
    page.locator("#identify button[type=submit]").first.click()


def book_appointment(page, server, patient: dict, lang: str) -> str:
    page.goto(server.url + "/appointments/")
    choose_language(page, lang)
    assert_accessible(page)
    snap(page, "1-start")
    identify(page, server, patient["iin"], patient["phone"], step="2")
    expect(page.locator("#chooser")).to_be_visible()
    assert_accessible(page)
    snap(page, "3-choose")

    page.evaluate("() => { window.__marker = 'still-here'; }")
    page.locator("#chooser a.choice", has_text=re.compile("терапевт", re.I)).first.click()
    page.locator(".choices--doctors a.choice").first.click()
    page.locator(".choices--days a.choice").first.click()
    page.locator(".choices--slots a.choice").first.click()
    expect(page.locator(".chooser__confirm")).to_be_visible()
    assert page.evaluate("() => window.__marker") == "still-here", "choosing a slot reloaded the whole page"
    assert_accessible(page)
    snap(page, "4-chosen")
    page.locator(".chooser__confirm button[type=submit]").click()

    expect(page.locator("h1")).to_contain_text("AP-")
    assert_accessible(page)
    snap(page, "5-booked")
    return re.search(r"AP-\d{4}-\d{6}", page.locator("h1").inner_text()).group()


def apply_for_attachment(page, server, person: dict, lang: str) -> str:
    page.goto(server.url + "/attachment/")
    choose_language(page, lang)
    assert_accessible(page)
    snap(page, "1-start")
    identify(page, server, person["iin"], person["phone"], step="2")
    expect(page.locator("form.attachment-form")).to_be_visible()
    assert_accessible(page)
    snap(page, "3-form")
    page.locator("textarea[name=address]").fill(ATTACHMENT_ADDRESS)
    page.locator("input[name=reason][value=residence]").check()
    page.locator("form.attachment-form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("AT-")
    assert_accessible(page)
    snap(page, "4-sent")
    return re.search(r"AT-\d{4}-\d{6}", page.locator("h1").inner_text()).group()


def test_web_booking_in_kazakh_prints_without_navigation(page, kiosk_server):
    number = book_appointment(page, kiosk_server, demo_patients()[5], "kk")
    assert request_channel(kiosk_server, number) == "web"

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.locator("main")).to_contain_text(number)
    snap(page, "6-print")
    assert page.pdf(format="A4").startswith(b"%PDF")


def test_kiosk_booking_in_russian_is_recorded_from_the_kiosk(kiosk_page, kiosk_server):
    number = book_appointment(kiosk_page, kiosk_server, demo_patients()[6], "ru")
    assert request_channel(kiosk_server, number) == "kiosk"

    # The print button prints the talon document itself, from a frame out of sight, never the page
    # (issue 14; tests/browser/test_kiosk14_browser.py checks the document).
    kiosk_page.evaluate(
        "() => { window.__printed = false; window.print = () => { window.__printed = true; }; }"
    )
    with kiosk_page.expect_request(re.compile(rf"/appointments/{number}/talon\.pdf$")):
        kiosk_page.locator("button[data-print-pdf]").tap()
    assert kiosk_page.evaluate("() => window.__printed") is False
    snap(kiosk_page, "6-print")


@pytest.mark.parametrize(
    ("where", "lang", "key"), [("web", "kk", "unattached-1"), ("kiosk", "ru", "unattached-2")]
)
def test_attachment_application(where, lang, key, page, kiosk_page, kiosk_server):
    screen = kiosk_page if where == "kiosk" else page
    person = UNATTACHED[key]
    number = apply_for_attachment(screen, kiosk_server, person, lang)
    assert request_channel(kiosk_server, number) == where
    if where == "kiosk":  # the application's receipt comes out of the kiosk's 80 mm printer
        receipt = print_at_kiosk(screen, screen.locator("button[data-print]"), paper_width_mm=80)
        expect(screen.locator("main")).to_contain_text(number)
        snap(screen, "5-print")
        (screen.artifacts / "6-receipt.pdf").write_bytes(receipt)


def _tab_to(page, predicate_js: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!el && ({predicate_js}); }}"):
            return
    pytest.fail(f"Tab never reached an element where {predicate_js}")


def _focus_is_visible(page) -> bool:
    return page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
                || style.boxShadow !== 'none';
        }"""
    )


def test_keyboard_only_booking_on_the_website(page, kiosk_server):
    """IIN, code, speciality, doctor, day, time, reason, confirm and the talon, with the keyboard alone. After
    each htmx step the focus lands in the new content (the code field, the newest step's heading)."""
    patient = demo_patients()[7]
    page.goto(kiosk_server.url + "/appointments/")
    page.wait_for_load_state("load")  # htmx is a deferred script: let it wire the forms first
    _tab_to(page, "el.name === 'iin'")
    assert _focus_is_visible(page)
    page.keyboard.type(patient["iin"])
    _tab_to(page, "el.matches('#identify button[type=submit]')")
    assert _focus_is_visible(page)
    snap(page, "1-focus-on-button")
    page.keyboard.press("Enter")
    expect(page.locator("input[name=code]")).to_be_focused()
    page.keyboard.type(latest_code(kiosk_server, patient["phone"]))
    page.keyboard.press("Enter")
    expect(page.locator("#chooser")).to_be_visible()
    _tab_to(page, "el.matches('#chooser a.choice') && /терапевт/i.test(el.textContent)")
    assert _focus_is_visible(page)
    snap(page, "2-focus-on-speciality")

    for step, choices in ((2, ".choices--doctors"), (3, ".choices--days"), (4, ".choices--slots")):
        page.keyboard.press("Enter")
        heading = page.locator("#chooser h2").nth(step - 1)
        expect(heading).to_be_focused()  # the step just shown, announced by its heading
        expect(heading).to_contain_text(f"{step}.")
        page.keyboard.press("Tab")
        expect(page.locator(f"{choices} a.choice").first).to_be_focused()
        assert _focus_is_visible(page)
        snap(page, f"{step + 1}-focus-in-step-{step}")
    assert_accessible(page)

    page.keyboard.press("Enter")
    expect(page.locator(".chooser__confirm h2")).to_be_focused()
    # The optional condition or reason for the visit, which the journal lists (001 annex 2 item 8: «…жағдайы
    # және жазатайым оқиға немесе ауруы бойынша қысқа мәліметтер»), is typed on the way to the button.
    page.keyboard.press("Tab")
    reason = page.locator(".chooser__confirm textarea[name=reason]")
    expect(reason).to_be_focused()
    assert _focus_is_visible(page)
    page.keyboard.type("Тамақ ауырады")
    page.keyboard.press("Tab")
    confirm = page.locator(".chooser__confirm button[type=submit]")
    expect(confirm).to_be_focused()
    assert _focus_is_visible(page)
    snap(page, "6-focus-on-confirm")
    page.keyboard.press("Enter")

    expect(page.locator("h1")).to_contain_text("AP-")
    number = re.search(r"AP-\d{4}-\d{6}", page.locator("h1").inner_text()).group()
    _tab_to(page, "el.matches('a[href$=\"/talon.pdf\"]')")
    assert _focus_is_visible(page)
    assert_accessible(page)
    snap(page, "7-focus-on-talon")
    talon = page.request.get(page.evaluate("() => document.activeElement.href"))
    assert talon.ok and talon.body().startswith(b"%PDF")
    assert request_channel(kiosk_server, number) == "web"
    expect(page.locator("main")).to_contain_text("Тамақ ауырады")  # the booking shows the reason given


@pytest.mark.parametrize(("where", "lang", "index"), [("web", "kk", 11), ("kiosk", "ru", 12)])
def test_calling_a_doctor_home(where, lang, index, page, kiosk_page, kiosk_server):
    screen = kiosk_page if where == "kiosk" else page
    patient = demo_patients()[index]
    screen.goto(kiosk_server.url + "/home-visits/")
    choose_language(screen, lang)
    assert_accessible(screen)
    snap(screen, "1-start")
    identify(screen, kiosk_server, patient["iin"], patient["phone"], step="2")
    form = screen.locator("form.home-call-form")
    expect(form).to_be_visible()
    assert_accessible(screen)
    snap(screen, "3-form")
    if not screen.locator("input[name=callback_phone]").input_value():
        screen.locator("input[name=callback_phone]").fill(patient["phone"])
    screen.locator("textarea[name=complaint], input[name=complaint]").fill("Кашель, слабость")
    form.locator("button[type=submit]").click()
    expect(screen.locator("h1")).to_contain_text("HV-")
    expect(screen.locator("#home-answer")).to_be_visible()
    assert_accessible(screen)
    snap(screen, "4-answer")
    number = re.search(r"HV-\d{4}-\d{6}", screen.locator("h1").inner_text()).group()
    assert request_channel(kiosk_server, number) == where


TB_GET_BUTTON = {"kk": "Мәлімет алу", "ru": "Получить сведения"}


@pytest.mark.parametrize(("where", "lang", "index"), [("web", "ru", 13), ("kiosk", "kk", 16)])
def test_tb_form_for_myself(where, lang, index, page, kiosk_page, kiosk_server):
    screen = kiosk_page if where == "kiosk" else page
    patient = demo_patients()[index]
    screen.goto(kiosk_server.url + "/certificates/tb/")
    choose_language(screen, lang)
    screen.wait_for_load_state("load")
    assert_accessible(screen)
    snap(screen, "1-iin")
    screen.evaluate("() => { window.__marker = 'still-here'; }")
    screen.locator("#iin").fill(patient["iin"])
    screen.locator("#certificate-flow button[type=submit]").first.click()
    expect(screen.locator("#code")).to_be_visible()
    assert screen.evaluate("() => window.__marker") == "still-here", "the code step reloaded the whole page"
    assert_accessible(screen)
    snap(screen, "2-code")
    screen.locator("#code").fill(latest_code(kiosk_server, patient["phone"]))
    screen.locator("#certificate-flow button.button--primary").click()
    expect(screen.locator("input[name=for_whom]").first).to_be_visible()
    assert_accessible(screen)
    snap(screen, "3-for-whom")
    screen.get_by_role("button", name=TB_GET_BUTTON[lang]).click()
    expect(screen.locator(".result-box")).to_be_visible()
    number = re.search(r"TB-\d{4}-\d{6}", screen.url).group()
    assert_accessible(screen)
    snap(screen, "4-result")
    assert request_channel(kiosk_server, number) == where
    if where == "kiosk":  # a form prints on A4, with the address where anyone can check it
        form = print_at_kiosk(screen, screen.locator("button[data-print]"), paper_width_mm=210)
        expect(screen.locator("h1")).to_contain_text(number)
        expect(screen.locator(".result-box")).to_be_visible()
        expect(screen.locator(".result-box .print-only").first).to_contain_text("/verify/")
        snap(screen, "5-print")
        (screen.artifacts / "6-form.pdf").write_bytes(form)


def test_the_website_works_at_200_percent_zoom(page, kiosk_server):
    """A 1280 px window zoomed to 200% lays pages out as a 640 px one: nothing may need sideways scrolling."""
    page.set_viewport_size({"width": 640, "height": 450})
    for path in ("/", "/appointments/", "/attachment/", "/home-visits/", "/certificates/tb/", "/status"):
        page.goto(kiosk_server.url + path)
        assert has_no_horizontal_scroll(page), path
    snap(page, "status-at-200")
