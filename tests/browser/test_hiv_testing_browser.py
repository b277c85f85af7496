"""HIV testing by personal code in a real browser (issue 16): the counselling doctor registers an anonymous
test, the procedure-room nurse draws blood and prints the talon, the laboratory enters the result by sample
number, and the nurse hands the result over against the code and prints the certificate, whose PDF text is
checked for the code, the dates, the validity and both languages. Accessibility checked on every room's page.
"""

import re
from io import BytesIO

from playwright.sync_api import expect
from pypdf import PdfReader

from app.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, snap


def _sign_in(browser, live_server, username: str, artifacts):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.artifacts = artifacts
    page.set_default_timeout(10_000)
    page.policy_violations = []

    def watch(message) -> None:  # as tests/browser/conftest.py watches its own page
        if "Content Security Policy" in message.text:
            page.policy_violations.append(f"{page.url}: {message.text}")

    page.on("console", watch)
    page.goto(live_server + "/staff/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("button[type=submit]").click()
    page.get_by_role("link", name="Русский").click()
    return context, page


def _pdf_text(page, live_server, href: str) -> str:
    response = page.request.get(live_server + href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(response.body())).pages)
    return re.sub(r"\s+", " ", text)


def test_counselling_nurse_lab_and_hand_over_with_the_certificate(browser, page, live_server):
    # The counselling doctor registers an anonymous test.
    doctor_context, doctor = _sign_in(browser, live_server, "counselling", page.artifacts)
    doctor.goto(live_server + "/staff/hiv/new")
    expect(doctor.get_by_role("heading", level=1)).to_have_text(
        "Регистрация обследования под индивидуальным кодом"
    )
    expect(doctor.get_by_label("Анонимно")).to_be_checked()
    assert_accessible(doctor)
    doctor.get_by_label("Год рождения (необязательно)").fill("1993")
    doctor.get_by_label("Дотестовое консультирование проведено").check()
    doctor.get_by_role("button", name="Зарегистрировать и направить в процедурный кабинет").click()
    code = doctor.locator("h1 .hiv-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]", code), code
    assert_accessible(doctor)
    snap(doctor, "hiv-1-registered")
    assert doctor.policy_violations == []
    doctor_context.close()

    # The procedure-room nurse finds the code, records the draw and prints the talon.
    nurse_context, nurse = _sign_in(browser, live_server, "procnurse", page.artifacts)
    nurse.goto(live_server + "/staff/hiv/")
    nurse.get_by_label("Индивидуальный код или номер образца").fill(code)
    nurse.get_by_role("button", name="Найти").click()
    expect(nurse.locator("#hiv-tests tbody tr")).to_have_count(1)  # swapped in by htmx
    nurse.get_by_role("link", name=code).click()
    nurse.get_by_role("button", name="Кровь взята: записать образец").click()
    sample = nurse.locator("dt:text-is('Номер образца') + dd").inner_text().strip()
    assert sample.startswith("S")
    assert_accessible(nurse)
    snap(nurse, "hiv-2-drawn")
    for name in ("Распечатать талон (A6)", "Распечатать талон (80 мм)"):
        talon = _pdf_text(nurse, live_server, nurse.get_by_role("link", name=name).get_attribute("href"))
        assert code in talon and "Дата забора крови" in talon and "Қан алу күні" in talon
        assert "115" in talon

    # The laboratory knows the sample by its number only.
    lab_context, lab = _sign_in(browser, live_server, "laboratory", page.artifacts)
    lab.goto(live_server + "/staff/hiv/lab")
    expect(lab.locator("main")).to_contain_text(sample)
    expect(lab.locator("main")).not_to_contain_text(code)
    lab.get_by_label("Номер образца").fill(sample)
    lab.get_by_label("Отрицательный: антитела не обнаружены").check()
    assert_accessible(lab)
    lab.get_by_role("button", name="Внести результат").click()
    expect(lab.locator(".flashes")).to_contain_text(sample)
    assert lab.policy_violations == []
    lab_context.close()

    # The hand-over: only against the code on the talon; a mistyped code is refused without a hint.
    nurse.get_by_role("link", name="Выдать результат").first.click()
    wrong = code[:-1] + ("A" if code[-1] != "A" else "C")
    nurse.get_by_label("Индивидуальный код с талона").fill(wrong)
    nurse.get_by_role("button", name="Найти результат").click()
    expect(nurse.locator("#hand-over")).to_contain_text("Обследования с таким индивидуальным кодом нет")
    nurse.get_by_label("Индивидуальный код с талона").fill(code.lower().replace("-", " "))
    nurse.get_by_role("button", name="Найти результат").click()
    expect(nurse.get_by_role("button", name="Выдать справку-сертификат")).to_be_visible()
    assert_accessible(nurse)
    nurse.get_by_role("button", name="Выдать справку-сертификат").click()
    expect(nurse.locator("#hand-over")).to_contain_text("Справка-сертификат выдана")
    snap(nurse, "hiv-3-certificate")
    certificate = _pdf_text(
        nurse,
        live_server,
        nurse.get_by_role("link", name="Распечатать справку-сертификат").get_attribute("href"),
    )
    assert code in certificate
    dates = re.findall(r"\d\d\.\d\d\.\d{4}", certificate)
    assert len(set(dates)) >= 2  # the day of the draw and issue, and the end of validity
    assert "Справка-сертификат об исследовании на антитела" in certificate
    assert "антиденелерді зерттеу туралы анықтама-сертификат" in certificate
    assert "действительна 3 (три) месяца" in certificate.lower() and "3 (үш) ай бойы жарамды" in certificate
    assert "антитела не обнаружены" in certificate and "антиденелер анықталған жоқ" in certificate
    assert nurse.policy_violations == []
    nurse_context.close()


def test_the_passport_page_shows_the_service_in_person_with_the_clinics_terms(page, live_server):
    page.goto(live_server + "/services/hiv-testing")
    page.get_by_role("link", name="Русский").click()
    notice = page.locator(".hiv-passport")
    expect(notice).to_contain_text("Поликлиника оказывает эту услугу лично")
    expect(notice).to_contain_text("Для анонимного обследования документ не нужен")
    expect(notice).to_contain_text("рабочих дней: 20")  # the demo clinic's settings
    expect(notice).to_contain_text("рабочих дней: 3")
    expect(notice).to_contain_text("8500 тенге")
    expect(page.get_by_role("link", name="Начать онлайн")).to_have_count(0)
    expect(page.locator("table.passport tbody tr")).to_have_count(11)
    assert_accessible(page)
    snap(page, "hiv-passport-ru")
