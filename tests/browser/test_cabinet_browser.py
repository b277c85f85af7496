"""The personal cabinet in a real browser (issue 14), in Kazakh and Russian: one code, then the person's
requests of four services (a booking, a home call, the TB and the mental-health forms, made by the demo in
app/demo/cabinet.py) with the portal's columns; a row refreshed in place; a home call cancelled after a
confirmation; the result opened without another code, and an information form started without one."""

import re

import pytest
from playwright.sync_api import expect

from app.demo import demo_patients
from app.demo.cabinet import CABINET_PATIENTS
from tests.browser.conftest import assert_accessible, has_no_horizontal_scroll, snap
from tests.browser.test_services_browser import choose_language, identify

TEXTS = {
    "kk": {
        "booked": "Жазылды",
        "assigned": "Дәрігер тағайындалды",
        "ready": "Нәтиже дайын",
        "cancelled": "Күшін жойды",
        "cancel_call": "Шақырудың күшін жою",
        "services": ("Дәрігердің қабылдауына жазылу", "Дәрігерді үйге шақыру", "Фтизиатрия", "Психиатрия"),
    },
    "ru": {
        "booked": "Записан",
        "assigned": "Врач назначен",
        "ready": "Результат готов",
        "cancelled": "Отменена",
        "cancel_call": "Отменить вызов",
        "services": ("Запись на приём к врачу", "Вызов врача на дом", "Фтизиатрия", "Психиатрия"),
    },
}


@pytest.mark.parametrize("lang, index", list(zip(("kk", "ru"), CABINET_PATIENTS, strict=True)))
def test_the_cabinet_shows_every_request_after_one_code(page, kiosk_server, lang, index):
    texts = TEXTS[lang]
    person = demo_patients()[index]
    page.goto(kiosk_server.url + "/my/")
    choose_language(page, lang)
    assert_accessible(page)
    snap(page, "1-sign-in")
    identify(page, kiosk_server, person["iin"], person["phone"], step="2")
    page.wait_for_url(kiosk_server.url + "/my/requests")

    rows = page.locator("tr.cabinet-row")
    expect(rows).to_have_count(4)
    table = page.locator(".cabinet-table")
    for service in texts["services"]:
        expect(table).to_contain_text(service)
    for status in ("booked", "assigned", "ready"):
        expect(table).to_contain_text(texts[status])
    assert person["iin"] not in page.content()  # the IIN column is masked
    expect(table.locator("th")).to_have_count(6)
    assert has_no_horizontal_scroll(page)
    assert_accessible(page)
    snap(page, "3-cabinet")
    # On a 375 px phone the status badges wrap inside their cells instead of running out of them (issue 14).
    page.set_viewport_size({"width": 375, "height": 812})
    assert has_no_horizontal_scroll(page)
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('.badge')].filter((badge) => {
              const box = badge.getBoundingClientRect(), cell = badge.parentElement.getBoundingClientRect();
              return box.right > cell.right + 1 || box.right > window.innerWidth + 1;
            }).map((badge) => badge.textContent.trim())"""
    )
    assert overflowing == []
    snap(page, "3-cabinet-375px")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Refresh one row in place: htmx swaps the row, the page stays.
    call_row = rows.filter(has_text=re.compile("HV-"))
    page.evaluate("() => { window.__marker = 'still-here'; }")
    call_row.locator("a", has_text=re.compile("Жаңарту|Обновить")).click()
    expect(call_row).to_contain_text(texts["assigned"])
    assert page.evaluate("() => window.__marker") == "still-here", "refresh reloaded the whole page"

    # The result of a form opens without a second code.
    form_row = rows.filter(has_text=re.compile("TB-"))
    href = form_row.locator("a[href$='/document.pdf']").get_attribute("href")
    pdf = page.context.request.get(kiosk_server.url + href)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"

    # Cancel the home call: asked first; dismissing keeps it, accepting cancels it.
    cancel = call_row.locator("button", has_text=texts["cancel_call"])
    page.once("dialog", lambda dialog: dialog.dismiss())
    cancel.click()
    expect(call_row).to_contain_text(texts["assigned"])
    page.once("dialog", lambda dialog: dialog.accept())
    cancel.click()
    page.wait_for_url(kiosk_server.url + "/my/requests")
    call_row = page.locator("tr.cabinet-row").filter(has_text=re.compile("HV-"))
    expect(call_row).to_contain_text(texts["cancelled"])
    expect(call_row.locator("button", has_text=texts["cancel_call"])).to_have_count(0)
    assert_accessible(page)
    snap(page, "4-call-cancelled")

    # Signed in once: an information form goes straight to its "for whom" step, no IIN and no code again.
    page.goto(kiosk_server.url + "/certificates/tb/")
    expect(page.locator("input[name=code]")).to_have_count(0)
    expect(page.locator("input[name=iin]")).to_have_count(0)
    snap(page, "5-form-without-a-second-code")
