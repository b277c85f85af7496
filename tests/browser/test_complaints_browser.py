"""A written complaint in a real browser: filed on the website in Russian, followed on the status page with
the code sent to the phone written in it, answered by the head, and the answer read by the complainant;
with accessibility checks on every page visited.

The live server runs on the real clock: the complaint is due 5 working days (Monday to Friday, public holidays
not counted) after today, whatever today is, so the pages are checked for "no later than" and the way on, not
for a date (the dates are checked on a frozen clock in tests/complaints/test_complaint_terms.py).
"""

import re

from playwright.sync_api import expect

from app.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, snap
from tests.complaints.factories import IIN

PHONE = "+77015559876"
ANSWER = "Тексеру жүргізілді. Тіркеу бөліміне екінші қызметкер қосылды."
AUTHORISED_BODY = "уполномоченный орган по оценке и контролю за качеством оказания государственных услуг"


def _code_from_outbox(browser, live_server, phone: str) -> str:
    """Read the one-time code as the demo does: an admin opens the SMS outbox."""
    context = browser.new_context()
    admin = context.new_page()
    _sign_in(admin, live_server, "admin")
    admin.goto(live_server + f"/admin/outbox/?phone={phone}")
    text = admin.locator("td.outbox-table__text").first.inner_text()
    context.close()
    return re.search(r"\b\d{6}\b", re.sub(r"[A-Z]{2}-\d{4}-\d{6}", "", text)).group()


def _sign_in(page, live_server, username: str) -> None:
    page.goto(live_server + "/staff/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("button[type=submit]").click()


def test_a_complaint_is_filed_followed_and_answered(browser, page, live_server):
    page.goto(live_server + "/complaints/new")
    page.get_by_role("link", name="Русский").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Подать жалобу")
    assert_accessible(page)
    page.locator("[name=complainant_name]").fill("Серіков Айдар Бекұлы")
    page.locator("[name=iin]").fill(IIN)
    page.locator("[name=postal_address]").fill("Алматы қ., Абай даңғылы, 10, 5")
    page.locator("[name=phone]").fill(PHONE)
    page.locator("[name=text]").fill("Тіркеу бөлімінде екі сағат күттім.")
    snap(page, "1-form")
    page.locator("main button[type=submit]").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Жалоба зарегистрирована")
    number = re.search(r"CM-\d{4}-\d{6}", page.locator("main").inner_text()).group()
    # The receipt: the last day of the answer, then where to go next (004 items 8, 12 and 14).
    main = page.locator("main")
    expect(main).to_contain_text("Срок ответа — не позднее")
    expect(main).to_contain_text("в течение 5 рабочих дней со дня регистрации")
    expect(main).to_contain_text(AUTHORISED_BODY)
    expect(main).to_contain_text("вправе обратиться в суд")
    assert_accessible(page)
    snap(page, "2-registered")

    page.get_by_role("link", name="Следить за жалобой").click()
    page.locator("main form button[type=submit]").first.click()
    page.locator("[name=code]").fill(_code_from_outbox(browser, live_server, PHONE))
    page.locator("main form button[type=submit]").first.click()
    card = page.locator("#status-card")
    expect(card).to_contain_text(number)
    expect(card).to_contain_text("Принята")
    expect(card).to_contain_text("Срок ответа — не позднее")
    expect(card).to_contain_text(AUTHORISED_BODY)
    expect(card).not_to_contain_text(IIN)
    assert_accessible(page)
    snap(page, "3-status-received")

    head_context = browser.new_context()
    head = head_context.new_page()
    _sign_in(head, live_server, "head")
    head.goto(live_server + "/staff/complaints")
    head.get_by_role("link", name=number).click()
    head.locator("[name=answer_text]").fill(ANSWER)
    head.locator("button[name=action][value=send]").click()
    expect(head.locator("main")).to_contain_text(ANSWER.split(".")[0])
    head_context.close()

    page.reload()
    expect(card).to_contain_text("Дан ответ")
    expect(page.get_by_role("link", name="Прочитать ответ")).to_be_visible()
    assert_accessible(page)
    snap(page, "4-status-answered")
