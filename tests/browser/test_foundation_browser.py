"""The public site and staff sign-in in a real browser, with accessibility checks on every page visited."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, has_no_horizontal_scroll, snap


def test_home_in_kazakh_switch_to_russian_and_read_a_passport(page, live_server):
    page.goto(live_server + "/")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.get_by_role("heading", level=1)).to_have_text("Емхананың электрондық қызметтері")
    assert_accessible(page)
    snap(page, "1-home-kk")

    page.get_by_role("link", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text("Электронные услуги поликлиники")
    assert_accessible(page)
    snap(page, "2-home-ru")

    page.get_by_role("link", name=re.compile("Запись на приём к врачу")).first.click()
    expect(page.locator("table.passport tbody tr")).to_have_count(11)
    expect(page.locator("table.passport")).to_contain_text("Основания для отказа")
    assert_accessible(page)
    snap(page, "3-passport-ru")

    # The choice is remembered on the next visit.
    page.goto(live_server + "/services")
    expect(page.locator("html")).to_have_attribute("lang", "ru")


def test_keyboard_only_skip_link_and_visible_focus(page, live_server):
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Негізгі мазмұнға өту")
    expect(skip).to_be_focused()
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    # The hash change lands after the key press returns: wait for it rather than read the URL at once.
    expect(page).to_have_url(re.compile(r"#main$"))
    snap(page, "skip-link")


def test_layout_holds_on_a_phone_and_at_200_percent_zoom(browser, live_server):
    for width, scale in ((320, 1), (640, 2)):  # 640 CSS px at 2x is a 1280 px screen zoomed to 200%
        context = browser.new_context(viewport={"width": width, "height": 800}, device_scale_factor=scale)
        page = context.new_page()
        for path in ("/", "/services/attachment", "/staff/login"):
            page.goto(live_server + path)
            assert has_no_horizontal_scroll(page), f"{path} scrolls sideways at {width}px"
        context.close()


def test_staff_sign_in_lands_on_the_role_start_page_and_admin_is_refused(page, live_server):
    page.goto(live_server + "/staff/login")
    assert_accessible(page)
    page.get_by_label("Пайдаланушы аты").fill("registrar")
    page.get_by_label("Құпиясөз").fill("wrong-password")
    page.get_by_role("button", name="Кіру").click()
    expect(page.locator(".field__error")).to_contain_text("Пайдаланушы аты немесе құпиясөз қате.")
    expect(page.get_by_label("Пайдаланушы аты")).to_have_value("registrar")
    page.get_by_label("Құпиясөз").fill("emhana-demo-2026")
    page.get_by_role("button", name="Кіру").click()
    expect(page).to_have_url(re.compile(r"/staff/registrar$"))
    assert_accessible(page)
    snap(page, "registrar-start")
    response = page.goto(live_server + "/admin/")
    assert response.status == 403
    snap(page, "admin-refused")
