"""Information forms in a real browser, as a new user of the demo clinic would go through them: the one-time
codes are read from the SMS outbox by an admin in a second browser, as the demo (with no SMS provider) works.
"""

import re

from playwright.sync_api import expect

from app.demo import demo_patients
from app.demo.registry import PATIENT_REGISTERS
from tests.browser.conftest import assert_accessible, has_no_horizontal_scroll, snap

PASSWORD = "emhana-demo-2026"
CODE = re.compile(r"(?<![\w-])(\d{6})(?![\w-])")


def demo_person(register: str) -> dict:
    index = next(index for index, registers in PATIENT_REGISTERS.items() if registers == (register,))
    return demo_patients()[index]


def demo_person_on_no_register() -> dict:
    return demo_patients()[10]


def outbox_reader(browser, live_server):
    """An admin's browser on the SMS outbox; returns a function giving the latest code sent to a phone."""
    context = browser.new_context()
    admin = context.new_page()
    admin.goto(live_server + "/staff/login")
    admin.locator("#username").fill("admin")
    admin.locator("#password").fill(PASSWORD)
    admin.locator("button[type=submit]").click()

    def latest(phone: str, *, link: bool = False) -> str:
        """The newest link or code sent to `phone` (the demo may have sent that phone other messages)."""
        admin.goto(f"{live_server}/admin/outbox/?phone={phone.lstrip('+')}")
        pattern = re.compile(r"https?://\S+/c/[\w-]+") if link else CODE
        for text in admin.locator(".outbox-table__text").all_inner_texts():
            found = pattern.search(text)
            if found:
                return found.group(0) if link else found.group(1)
        raise AssertionError(f"no {'link' if link else 'code'} was sent to {phone}")

    return context, latest


def sign_in(page, live_server, person: dict, register: str, read_code) -> None:
    page.goto(f"{live_server}/certificates/{register}/")
    page.locator("#iin").fill(person["iin"])
    page.locator("#certificate-flow button[type=submit]").first.click()
    expect(page.locator("#code")).to_be_visible()
    page.locator("#code").fill(read_code(person["phone"]))
    page.locator("#certificate-flow button.button--primary").click()
    expect(page.locator("input[name=for_whom]").first).to_be_visible()


def test_tb_form_for_myself_in_kazakh_then_its_qr_link_says_valid(browser, page, live_server):
    me = demo_person("tb")
    context, read_code = outbox_reader(browser, live_server)
    try:
        page.goto(live_server + "/services/tb-certificate")
        page.get_by_role("link", name="Онлайн бастау").click()
        expect(page.get_by_role("heading", level=2)).to_contain_text("1-қадам")
        assert_accessible(page)
        snap(page, "1-iin-kk")

        page.locator("#iin").fill(me["iin"])
        page.get_by_role("button", name="Кодты жіберу").click()
        expect(page.get_by_role("heading", level=2)).to_contain_text("2-қадам")
        assert_accessible(page)
        snap(page, "2-code-kk")

        page.locator("#code").fill(read_code(me["phone"]))
        page.get_by_role("button", name="Растау").click()
        expect(page.get_by_role("heading", level=2)).to_contain_text("3-қадам")
        assert_accessible(page)
        snap(page, "3-for-whom-kk")

        page.get_by_role("button", name="Мәлімет алу").click()
        expect(page.locator(".result-box")).to_contain_text("иә, есепте тұрады")
        expect(page).to_have_url(re.compile(r"/certificates/requests/TB-\d{4}-\d{6}$"))
        assert_accessible(page)
        snap(page, "4-result-kk")

        pdf_link = page.get_by_role("link", name="Мәліметті жүктеу (PDF)").get_attribute("href")
        pdf = page.request.get(live_server + pdf_link)
        assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

        page.get_by_role("link", name="Мәліметті тексеру").click()
        expect(page.locator(".verify__status")).to_have_text("Жарамды")
        expect(page.locator(".facts")).not_to_contain_text(me["first_name"])
        assert_accessible(page)
        snap(page, "5-verify-kk")

        page.set_viewport_size({"width": 360, "height": 800})
        assert has_no_horizontal_scroll(page)
    finally:
        context.close()


def test_psychiatry_form_for_another_person_in_russian_needs_their_consent(browser, page, live_server):
    applicant = demo_person_on_no_register()
    subject = demo_person("psychiatry")
    context, read_code = outbox_reader(browser, live_server)
    try:
        page.goto(live_server + "/lang/ru?next=/certificates/psychiatry/")
        sign_in(page, live_server, applicant, "psychiatry", read_code)
        page.get_by_label("О другом человеке, с его согласия").check()
        page.locator("#subject_iin").fill(subject["iin"])
        page.get_by_role("button", name="Получить сведения").click()
        expect(page.locator("#request-status")).to_contain_text("Ожидает согласия человека")
        expect(page.locator("#certificate-request")).not_to_contain_text("состоит")
        assert_accessible(page)
        snap(page, "1-waiting-for-consent-ru")

        # The subject opens the link from their SMS on their own phone and agrees with the code.
        subject_context = browser.new_context(viewport={"width": 390, "height": 800})
        subject_page = subject_context.new_page()
        subject_page.artifacts = page.artifacts
        subject_page.goto(read_code(subject["phone"], link=True).replace("http://localhost", live_server))
        expect(subject_page.locator("#consent-answer")).to_contain_text(applicant["last_name"])
        assert_accessible(subject_page)
        snap(subject_page, "2-subject-consent-page")
        subject_page.locator("#code").fill(read_code(subject["phone"]))
        subject_page.locator("button[value=agree]").click()
        expect(subject_page.locator("#consent-answer .notice")).to_be_visible()
        snap(subject_page, "3-subject-agreed")
        subject_context.close()

        # The applicant's page notices by itself (it polls) and shows the answer.
        expect(page.locator(".result-box")).to_be_visible(timeout=15_000)
        expect(page.locator(".result-box")).to_contain_text("да, состоит")
        snap(page, "4-issued-ru")
    finally:
        context.close()
