"""The local registry's admin pages and the registry-pending queue in a real browser, in both languages."""

import re
from datetime import date

from playwright.sync_api import expect

from app.core.iin import make_iin
from tests.browser.conftest import assert_accessible, snap

PASSWORD = "emhana-demo-2026"


def sign_in(page, live_server, username: str) -> None:
    page.goto(live_server + "/staff/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.locator("button[type=submit]").click()


def test_admin_checks_the_connection_searches_and_imports(page, live_server, tmp_path):
    sign_in(page, live_server, "admin")
    page.goto(live_server + "/admin/registry/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Жергілікті тізілім")
    # The connection status loads by itself, then the button checks again.
    expect(page.locator(".registry-status--ok")).to_contain_text("Байланыс бар")
    page.get_by_role("button", name="Байланысты тексеру").click()
    expect(page.locator(".registry-status--ok")).to_be_visible()
    assert_accessible(page)
    snap(page, "1-registry-kk")

    # Live search as the admin types.
    page.get_by_label("ЖСН немесе аты-жөні").fill("ахметов")
    expect(page.locator("#registry-results tbody tr").first).to_contain_text("Ахметов")
    snap(page, "2-search-kk")
    page.locator("#registry-results tbody a").first.click()
    expect(page.get_by_role("heading", level=2, name="Бекітілген халық тіркелімі")).to_be_visible()
    assert_accessible(page)
    snap(page, "3-person-kk")

    # A CSV with a bad row: the preview names the line; only the valid rows go in when asked.
    good, bad = make_iin(date(1991, 3, 4), "F", serial=9001), "123456789012"
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(
        f"iin,last_name,first_name\n{good},Браузерова,Алия\n{bad},Қате,Жол\n", encoding="utf-8"
    )
    page.goto(live_server + "/admin/registry/import")
    assert_accessible(page)
    page.locator("input[type=file]").set_input_files(str(csv_file))
    page.get_by_role("button", name="Файлды тексеру").click()
    expect(page.locator("table.import-problems tbody tr")).to_have_count(1)
    expect(page.locator("table.import-problems tbody tr td").first).to_have_text("3")
    assert_accessible(page)
    snap(page, "4-import-preview-kk")
    page.get_by_role("button", name=re.compile("Тек 1 дұрыс жолды импорттау")).click()
    expect(page.locator(".flash--success")).to_contain_text("Импорт аяқталды: 1 қосылды")
    snap(page, "5-imported-kk")

    # The same page in Russian.
    page.get_by_role("link", name="Русский").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Локальный регистр")
    expect(page.locator(".registry-status--ok")).to_contain_text("Соединение есть")
    page.get_by_label("ИИН или ФИО").fill("браузерова")
    expect(page.locator("#registry-results")).to_contain_text("Браузерова Алия")
    assert_accessible(page)
    snap(page, "6-registry-ru")


def test_registrar_opens_the_registry_pending_queue(page, live_server):
    sign_in(page, live_server, "registrar")
    page.goto(live_server + "/staff/registry-pending/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Тізілімді күтіп тұрған өтінімдер")
    assert_accessible(page)
    snap(page, "queue-kk")
    assert page.goto(live_server + "/admin/registry/").status == 403
