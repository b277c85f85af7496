"""Documents signed at the clinic in a real browser: a PHC certificate from the registrar's desk to the
printed PDF, and an inpatient extract through all four sign-offs (doctor, head of department, senior nurse,
discharge desk), each person in their own browser, with accessibility checks on the pages visited."""

import io
import re

from playwright.sync_api import expect
from pypdf import PdfReader

from app.demo import DEMO_PASSWORD, demo_patients
from tests.browser.conftest import assert_accessible, snap


def staff_page(browser, live_server, username, artifacts, language="Русский"):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
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
    assert response.body().startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.body()))
    return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))


def test_a_phc_certificate_from_the_registrar_to_the_printed_pdf(browser, page, live_server):
    patient = demo_patients()[44]
    desk = staff_page(browser, live_server, "registrar", page.artifacts)
    desk.goto(live_server + "/staff/phc-certificates/new")
    expect(desk.get_by_role("heading", level=1)).to_have_text("Приём документов на справку ПМСП")
    desk.get_by_label("ИИН пациента").fill(patient["iin"])
    desk.get_by_role("button", name="Найти").click()
    desk.get_by_label("Вид справки").select_option("035-2")
    desk.get_by_label("Цель (куда предъявляется)").fill("Для предъявления по месту учёбы")
    desk.get_by_label("Представитель по доверенности").check()
    desk.get_by_label("Документ, удостоверяющий личность (вид и номер)").fill("Удостоверение 041112233")
    desk.get_by_label("ФИО представителя").fill("Ахметов Айдар Серікұлы")
    desk.get_by_label("ИИН представителя").fill("850401300175")
    desk.get_by_label("Номер доверенности").fill("N-2026/205")
    assert_accessible(desk)
    desk.get_by_role("button", name="Документы проверены: подписать и передать врачу").click()
    expect(desk.get_by_role("alert").first).to_contain_text("Для представителя укажите")
    expect(desk.get_by_label("ФИО представителя")).to_have_value("Ахметов Айдар Серікұлы")  # nothing lost
    desk.get_by_label("Дата доверенности").fill("2026-11-02")
    desk.get_by_role("button", name="Документы проверены: подписать и передать врачу").click()
    expect(desk.get_by_role("heading", level=1)).to_contain_text("Справка ПМСП PC-")
    number = re.search(r"PC-\d{4}-\d{6}", desk.locator("h1").inner_text()).group()
    expect(desk.locator(".signoff-step--done")).to_contain_text("Приём и проверка документов")
    assert_accessible(desk)
    snap(desk, "1-received")

    doctor = staff_page(browser, live_server, "therapist1", page.artifacts)
    doctor.goto(live_server + "/staff/sign-off/")
    doctor.get_by_role("link", name=number).click()
    expect(doctor.locator("#request-panel")).to_contain_text("Прикреплён к этой поликлинике")
    doctor.get_by_label("Место учёбы или работы").fill("Колледж связи, 2 курс")
    doctor.get_by_label("Заключение").fill("Здоров, ограничений нет.")
    assert_accessible(doctor)
    doctor.get_by_role("button", name="Подписать и выдать справку").click()  # htmx swaps the panel
    link = doctor.get_by_role("link", name="Распечатать справку")
    expect(link).to_be_visible()
    assert_accessible(doctor)
    snap(doctor, "2-signed")
    text = pdf_text(doctor, live_server, link.get_attribute("href"))
    for expected in (
        "Форма № 035-2/у",
        "Колледж связи, 2 курс",
        "Здоров, ограничений нет.",
        "Подписал",
        "М.П.",
    ):
        assert expected in text
    assert "Айгүл Маратқызы Нұрланова" in text and "Асель Қайратқызы Жұмабаева" in text
    doctor.context.close()
    desk.goto(live_server + "/staff/phc-certificates/register")
    expect(desk.locator("#register")).to_contain_text(number.replace("PC", "PHC")[:8])
    desk.context.close()


def test_an_inpatient_extract_with_all_four_sign_offs(browser, page, live_server):
    patient = demo_patients()[46]
    doctor = staff_page(browser, live_server, "therapist2", page.artifacts, language="Қазақша")
    doctor.goto(live_server + f"/staff/inpatient-extracts/new?iin={patient['iin']}")
    doctor.get_by_label("Медициналық карта нөмірі").fill("ДС-2026/777")
    doctor.get_by_label("Бөлімше").fill("Күндізгі стационар")
    doctor.get_by_label("Түскен күні").fill("2026-11-02")
    doctor.get_by_label("Шыққан күні").fill("2026-11-12")
    doctor.get_by_label("Негізгі диагноз (ХАЖ-10)").fill("J18.9")
    doctor.get_by_label("Шығару кезіндегі жағдайы").fill("Қанағаттанарлық")
    assert_accessible(doctor)
    doctor.get_by_role("button", name="Шығарылу эпикризіне қол қою").click()
    expect(doctor.get_by_role("heading", level=1)).to_contain_text("үзінді көшірме")
    number = re.search(r"IE-\d{4}-\d{6}", doctor.locator("h1").inner_text()).group()
    snap(doctor, "1-summary-signed")
    doctor.context.close()

    head = staff_page(browser, live_server, "headdept", page.artifacts, language="Қазақша")
    expect(head.get_by_role("heading", level=1)).to_have_text("Менің қолымды күтуде")  # their start page
    head.get_by_role("link", name=number).click()
    head.get_by_label("Тегіңіз, толық").fill("С.")
    head.get_by_role("button", name="Бөлім меңгерушісі ретінде қол қою").click()
    expect(head.locator("#request-panel")).to_contain_text("Тегіңізді есептік жазбадағыдай толық жазыңыз")
    head.get_by_label("Тегіңіз, толық").fill("Сейітов")
    head.get_by_role("button", name="Бөлім меңгерушісі ретінде қол қою").click()
    expect(head.locator(".signoff-step--current")).to_contain_text("Мөртабанмен растау")
    assert_accessible(head)
    head.context.close()

    nurse = staff_page(browser, live_server, "seniornurse", page.artifacts, language="Қазақша")
    nurse.get_by_role("link", name=number).click()
    nurse.get_by_label("Қызмет берушінің мөртабаны басылды").check()
    nurse.get_by_role("button", name="Мөртабан басу").click()
    expect(nurse.locator(".signoff-step--current")).to_contain_text("Үзінді көшірмені беру")
    nurse.context.close()

    desk = staff_page(browser, live_server, "registrar2", page.artifacts, language="Қазақша")
    desk.goto(live_server + "/staff/inpatient-extracts/")
    desk.get_by_role("link", name=number).click()
    desk.get_by_label("Ұсынылған жеке басын куәландыратын құжат (түрі мен нөмірі)").fill(
        "Жеке куәлік 045551234"
    )
    desk.get_by_label("Кімге берілді (тегі, аты, әкесінің аты)").fill("Науқастың өзі")
    desk.get_by_role("button", name="Үзінді көшірмені беру").click()
    link = desk.get_by_role("link", name="Үзінді көшірмені басып шығару")
    expect(link).to_be_visible()
    expect(desk.locator(".signoff-step--done")).to_have_count(4)
    assert_accessible(desk)
    snap(desk, "2-handed-over")
    text = pdf_text(desk, live_server, link.get_attribute("href"))
    for expected in (
        "J18.9",
        "ДС-2026/777",
        "Сейітов",
        "Бөлім меңгерушісі",
        "Бөлімшенің аға мейірбикесі",
        "М.О.",
    ):
        assert expected in text
    desk.context.close()
