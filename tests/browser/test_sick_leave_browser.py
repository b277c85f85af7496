"""A sick-leave sheet in a real browser (issue 18, "Must show"): a 10-day sheet with one extension, from the
registrar through the attending doctor to the issuing desk, then the extension through the doctor, the head
of department (10 days cross the doctor's 6) and the issuing desk; the printed sheet and the register book
PDFs checked by their text in Kazakh and Russian. Each person in their own browser, accessibility checked."""

import io
import re
from datetime import timedelta

from playwright.sync_api import expect
from pypdf import PdfReader

from app.core.clock import local_now
from app.demo import DEMO_PASSWORD, demo_patients
from tests.browser.conftest import assert_accessible, snap

UNTIL = "Освобождён от работы по (включительно)"
REGISTER = "Печать и угловой штамп поставлены: внести в книгу регистрации"


def staff_page(browser, live_server, username, artifacts, language="Русский"):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.artifacts = artifacts
    page.goto(live_server + "/staff/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("button[type=submit]").click()
    if language != "Қазақша":  # the default language is not a link
        page.get_by_role("link", name=language).click()
    return page


def pdf_text(page, live_server, href) -> str:
    response = page.request.get(live_server + href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))


def _receive(desk, live_server, iin) -> str:
    desk.goto(live_server + "/staff/sick-leave/new")
    expect(desk.get_by_role("heading", level=1)).to_have_text("Приём документов по нетрудоспособности")
    desk.get_by_label("ИИН пациента").fill(iin)
    desk.get_by_role("button", name="Найти").click()
    desk.get_by_label("Лист нетрудоспособности (для работающего)").check()
    desk.get_by_label("Документ, удостоверяющий личность (вид и номер)").fill("Удостоверение 041112233")
    desk.get_by_role("button", name="Документы проверены: подписать и передать врачу").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("Лист нетрудоспособности: приём SL-")
    return re.search(r"SL-\d{4}-\d{6}", desk.locator("h1").inner_text()).group()


def test_a_ten_day_sheet_with_one_extension_through_every_step(browser, page, live_server):
    patient = demo_patients()[48]
    today = local_now().date()
    desk = staff_page(browser, live_server, "registrar", page.artifacts)
    number = _receive(desk, live_server, patient["iin"])
    assert_accessible(desk)
    snap(desk, "1-received")

    doctor = staff_page(browser, live_server, "therapist1", page.artifacts)
    doctor.goto(live_server + f"/staff/sick-leave/{number}")
    doctor.get_by_label("Электронный лист в национальной системе").check()
    doctor.get_by_label("Номер электронного листа в национальной системе").fill("12-AB")
    doctor.get_by_label("Место работы (для справки – место учёбы или работы)").fill("ТОО «Жетысу Сервис»")
    doctor.get_by_label("Диагноз (МКБ-10)").fill("J06.9")
    doctor.get_by_label("Освобождён от работы с").fill(today.isoformat())
    doctor.get_by_label("Освобождён от работы по (включительно)").fill(
        (today + timedelta(days=4)).isoformat()
    )
    doctor.get_by_role("button", name="Подписать как лечащий врач").click()
    expect(doctor.get_by_role("alert").first).to_contain_text("Это не номер электронного листа")
    expect(doctor.get_by_label("Место работы (для справки – место учёбы или работы)")).to_have_value(
        "ТОО «Жетысу Сервис»"
    )  # nothing typed is lost
    doctor.get_by_label("Бумажный бланк (печатает Emhana)").check()
    doctor.get_by_role("button", name="Подписать как лечащий врач").click()
    expect(doctor.locator(".signoff-step--current")).to_contain_text("Заверение печатью")
    assert_accessible(doctor)
    snap(doctor, "2-doctor")

    issuing = staff_page(browser, live_server, "issuingdesk", page.artifacts)
    issuing.goto(live_server + "/staff/sick-leave/")
    issuing.get_by_role("link", name=number).click()
    issuing.get_by_role(
        "button", name="Печать и угловой штамп поставлены: внести в книгу регистрации"
    ).click()
    expect(issuing.get_by_role("link", name="Печать листа")).to_be_visible()
    snap(issuing, "3-registered")

    # The extension: the next visit adds 5 days; 10 in all cross the doctor's 6, so the head signs.
    extension = _receive(desk, live_server, patient["iin"])
    doctor.goto(live_server + f"/staff/sick-leave/{extension}")
    expect(doctor.locator("#request-panel")).to_contain_text("Продление начинается")
    doctor.get_by_label("Освобождён от работы по (включительно)").fill(
        (today + timedelta(days=9)).isoformat()
    )
    doctor.get_by_role("button", name="Подписать как лечащий врач").click()
    expect(doctor.locator("#request-panel")).to_contain_text("Почему листу нужны дополнительные подписи")
    expect(doctor.locator(".signoff-step--current")).to_contain_text("Подпись заведующего отделением")

    head = staff_page(browser, live_server, "headdept", page.artifacts)
    head.goto(live_server + f"/staff/sick-leave/{extension}")
    expect(head.locator("#request-panel")).to_contain_text("Всего 10 дн.")
    assert_accessible(head)
    head.get_by_role("button", name="Проверено: подписать лист").click()
    expect(head.locator(".signoff-step--current")).to_contain_text("Заверение печатью")
    snap(head, "4-head")

    issuing.goto(live_server + f"/staff/sick-leave/{extension}")
    issuing.get_by_role(
        "button", name="Печать и угловой штамп поставлены: внести в книгу регистрации"
    ).click()
    link = issuing.get_by_role("link", name="Печать листа")
    expect(link).to_be_visible()
    last_day = (today + timedelta(days=9)).strftime("%d.%m.%Y")
    text = pdf_text(issuing, live_server, link.get_attribute("href"))
    for expected in ("Лист о временной нетрудоспособности", "ТОО «Жетысу Сервис»", last_day, "J06.9"):
        assert expected in text, expected
    assert "Сейітов" in text or "Сейитов" in text  # the head of department's signature on the extension

    query = f"?start={today.replace(day=1).isoformat()}&end={today.isoformat()}"
    for language, title in (
        ("Русский", "Книга регистрации листов о временной нетрудоспособности"),
        ("Қазақша", "Еңбекке уақытша жарамсыздық парақтарын тіркеу кітабы"),
    ):
        reader = staff_page(browser, live_server, "issuingdesk", page.artifacts, language=language)
        reader.goto(live_server + "/staff/sick-leave/book" + query)
        expect(reader.locator("#book")).to_contain_text(patient["iin"])
        assert_accessible(reader)
        href = reader.locator("#book a").first.get_attribute("href")
        text = pdf_text(reader, live_server, href)
        assert title in text and patient["iin"] in text and last_day in text
    snap(issuing, "5-book")
