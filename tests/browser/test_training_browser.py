"""The training centre in a real browser: the methodologist records the final attestation commission's
decision for a trainee who re-sat, finds the document due, prints it on a blank (a reused blank is refused
with what was typed kept), hands it over, and the accounting journal shows the recipient's signature. In
Russian, with accessibility checks on every page visited."""

from playwright.sync_api import expect

from app.core.clock import local_now
from app.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, snap

TRAINEE = "Жақсылықов Темірлан Әліұлы"  # did not pass in the demo's retraining cohort: he re-sits


def test_from_the_commission_decision_to_the_signed_journal_entry(page, live_server):
    page.goto(live_server + "/staff/login")
    page.locator("#username").fill("methodologist")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("button[type=submit]").click()
    page.get_by_role("link", name="Русский").click()
    page.get_by_role("link", name="Учебный центр").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Документы к выдаче")
    expect(page.locator("#group-late")).to_be_visible()
    assert_accessible(page)
    snap(page, "1-worklist")

    page.get_by_role("link", name="Курсы и группы").click()
    page.get_by_role("link", name="Группа 2026-10").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Функциональная диагностика")
    assert_accessible(page)
    page.get_by_label("Номер решения").fill("22")
    page.get_by_label("Дата решения").fill(local_now().date().isoformat())
    page.get_by_label(TRAINEE, exact=False).check()
    snap(page, "2-decision")
    page.get_by_role("button", name="Записать решение").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Документы к выдаче")
    expect(page.locator(".flash--success")).to_contain_text("документов к подготовке: 1")
    row = page.locator(".training-group--due tr", has_text=TRAINEE)
    expect(row).to_have_count(1)
    row.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TRAINEE)
    assert_accessible(page)

    # A blank the demo already used is refused; what was typed stays.
    page.get_by_label("Серия бланка").fill("KZ-УД")
    page.get_by_label("Номер бланка").fill("0004511")
    page.get_by_label("Подписал", exact=True).select_option(label="Ерлан Бекұлы Сапаров")
    page.get_by_label("Скреплён печатью организации").check()
    page.get_by_role("button", name="Напечатать на бланке").click()
    expect(page.locator(".field__error")).to_contain_text(
        "На этом бланке (серия и номер) документ уже напечатан"
    )
    expect(page.get_by_label("Серия бланка")).to_have_value("KZ-УД")
    snap(page, "3-blank-refused")
    page.get_by_label("Номер бланка").fill("0004599")
    page.get_by_label("Скреплён печатью организации").check()
    page.get_by_role("button", name="Напечатать на бланке").click()
    expect(page.locator(".flash--success")).to_contain_text("Документ готов к выдаче.")
    expect(page.get_by_role("link", name="(PDF)")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Получатель расписался в журнале учёта").check()
    page.get_by_role("button", name="Выдать документ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Журнал учёта")
    entry = page.locator("tr", has_text=TRAINEE)
    expect(entry).to_contain_text("KZ-УД 0004599")
    expect(entry).to_contain_text("22, ")
    expect(entry).to_contain_text("Лично")
    expect(entry).to_contain_text("Подписано")
    assert_accessible(page)
    snap(page, "4-journal")
