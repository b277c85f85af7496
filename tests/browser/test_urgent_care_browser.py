"""Urgent care and hospitalization referrals in a real browser: one urgent call from registration to the
registered result (the nurse-registrar, the team), and one referral from the review to the printed talon.

The server shares the tests' stopped clock (app.core.clock), so the times typed here are read against it; the
demo's calls and referrals are there too (seeded on the wall clock, so their amber and red are left to the
HTTP tests, which move the clock).
"""

import re
from datetime import timedelta

from playwright.sync_api import expect

from app.core.clock import local_now
from app.demo import DEMO_PASSWORD, demo_patients
from tests.browser.conftest import assert_accessible, snap


def _sign_in(context, live_server, username: str, artifacts):
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.artifacts = artifacts
    page.goto(live_server + "/staff/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("button[type=submit]").click()
    page.get_by_role("link", name="Русский").click()
    return page


def test_an_urgent_call_from_registration_to_the_result(browser, page, live_server):
    page.goto(live_server + "/staff/login")
    page.locator("#username").fill("nurse")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("button[type=submit]").click()
    page.get_by_role("link", name="Русский").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Диспетчерский журнал неотложной помощи")
    expect(page.locator("#urgent-journal")).to_be_visible()
    assert_accessible(page)
    snap(page, "1-journal")

    page.get_by_role("link", name="Зарегистрировать вызов").click()
    page.get_by_label("Телефон для обратной связи").fill("+7 701 555 44 33")
    page.get_by_label("Имя пациента").fill("Жұмабаев Ерлан")
    page.get_by_label("Возраст, полных лет").fill("58")
    page.get_by_label("Фактический адрес").fill("Алматы қ., Абай даңғылы, 10, 4")
    page.get_by_label("Подъезд").fill("2")
    page.get_by_label("Этаж").fill("3")
    page.get_by_label("Состояние и жалобы").fill("Температура 38.5, кашель третий день")
    assert_accessible(page)
    page.get_by_role("button", name="Зарегистрировать вызов").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Вызов UC-")
    number = re.search(r"UC-\d{4}-\d{6}", page.locator("h1").inner_text()).group()
    page.get_by_label("Бригада").select_option(label="Бригада 1: Тимур Омаров (фельдшер)")
    page.get_by_role("button", name="Передать бригаде").click()
    expect(page.locator("h1")).to_contain_text("Передан бригаде")
    snap(page, "2-passed")

    team_context = browser.new_context(viewport={"width": 1280, "height": 900})
    team = _sign_in(team_context, live_server, "urgent1", page.artifacts)
    expect(team.get_by_role("heading", level=1)).to_have_text("Маршрутный лист бригады")
    call = team.locator(".urgent-route__call", has_text=number)
    call.get_by_label("Помощь оказана на дому").check()
    call.get_by_label("Диагноз (МКБ-10)").fill("J06.9")
    assert_accessible(team)
    call.get_by_role("button", name="Сохранить результат бригады").click()
    expect(team.locator(".urgent-route__call", has_text=number)).to_have_count(1)
    pdf = team.request.get(live_server + "/staff/urgent-care/route.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    snap(team, "3-team-route")
    team_context.close()

    page.goto(live_server + f"/staff/urgent-care/{number}")
    expect(page.locator("h1")).to_contain_text("Осмотрен, результат к регистрации")
    page.get_by_role("button", name="Зарегистрировать результат").click()
    expect(page.locator("h1")).to_contain_text("Результат зарегистрирован")
    expect(page.locator(".booking-summary")).to_contain_text("J06.9")
    assert_accessible(page)
    snap(page, "4-result-registered")


def test_red_flags_are_handed_to_103_not_queued(page, live_server):
    page.goto(live_server + "/staff/login")
    page.locator("#username").fill("nurse")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("button[type=submit]").click()
    page.get_by_role("link", name="Русский").click()
    page.goto(live_server + "/staff/urgent-care/new")
    page.get_by_label("Телефон для обратной связи").fill("+7 701 555 44 34")
    page.get_by_label("Имя пациента").fill("Ли Виктор")
    page.get_by_label("Фактический адрес").fill("Алматы қ., Достық даңғылы, 5")
    page.get_by_label("Состояние и жалобы").fill("Сильная боль в груди")
    page.get_by_role("button", name="Зарегистрировать вызов").click()
    expect(page.locator("#call-103")).to_contain_text("103")
    expect(page.get_by_label("Имя пациента")).to_have_value("Ли Виктор")
    assert_accessible(page)
    page.get_by_label("Передан в 103: кому и когда").fill("Диспетчер 103 Нурланова")
    page.get_by_role("button", name="Записать передачу в 103").click()
    expect(page.locator("h1")).to_contain_text("Передан в 103")


def test_a_referral_from_the_review_to_the_printed_talon(page, live_server):
    patient = demo_patients()[12]
    page.goto(live_server + "/staff/login")
    page.locator("#username").fill("referrals")
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("button[type=submit]").click()
    page.get_by_role("link", name="Русский").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Направления на госпитализацию")
    expect(page.locator(".notice--warning")).to_contain_text("ждёт отправки в Бюро")  # the demo's queue
    assert_accessible(page)
    snap(page, "1-list")

    page.get_by_role("link", name="Рассмотреть пакет").click()
    page.get_by_label("ИИН пациента").fill(patient["iin"])
    page.get_by_role("button", name="Найти пациента").click()
    # The patient's page loaded and htmx bound to it: a change made earlier would swap nothing in.
    expect(page.get_by_label("Профиль принимающего отделения")).to_be_visible()
    page.wait_for_load_state("load")
    page.get_by_label("Профиль принимающего отделения").select_option("therapy")
    expect(page.get_by_label(re.compile("^ЭКГ"))).to_be_visible()  # the checklist, swapped in by htmx
    fresh = (local_now().date() - timedelta(days=2)).isoformat()
    for label in ("Общий анализ крови", "Анализ мочи", "Биохимический анализ крови", "ЭКГ", "Флюорография"):
        page.get_by_label(re.compile(f"^{label}")).fill(fresh)
    page.get_by_label("Диагноз (МКБ-10)").fill("I11.9")
    assert_accessible(page)
    snap(page, "2-review")
    page.get_by_role("button", name="Сохранить рассмотрение").click()
    expect(page.locator("h1")).to_contain_text("В Бюро, ждёт даты")

    day = (local_now().date() + timedelta(days=5)).isoformat()
    page.get_by_label("Код направления Бюро").fill("KZ-HB-2026-555001")
    page.get_by_label("Принимающий стационар").fill("ГКБ №7, терапия")
    page.get_by_label("Дата госпитализации").fill(day)
    page.get_by_role("button", name="Записать ответ Бюро").click()
    expect(page.locator("h1")).to_contain_text("Дата получена")
    number = re.search(r"HR-\d{4}-\d{6}", page.locator("h1").inner_text()).group()
    talon = page.request.get(live_server + f"/staff/referrals/{number}/talon.pdf?lang=kk")
    assert talon.status == 200 and talon.headers["content-type"] == "application/pdf"
    page.get_by_role("button", name="Заверено и выдано").click()
    expect(page.locator("h1")).to_contain_text("Выдано")
    assert_accessible(page)
    snap(page, "3-handed-over")
