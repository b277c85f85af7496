"""Home calls at the registry desk and for the doctor: the phone call form, the journal with its deadline
warnings, assignment, the route list PDF, outcomes, access per role and the audit trail."""

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.core.actors import Actor
from app.core.clock import ALMATY
from app.extensions import db
from app.models import AuditEntry, HomeVisit, ServiceRequest, SmsMessage
from app.services import home_visits
from app.signing import check_pdf
from tests.conftest import page_text
from tests.home_visits.factories import (
    district,
    make_clinic,
    make_district_doctor,
    make_patient,
    registry_down,
)


@pytest.fixture
def doctors(app, make_staff):
    make_clinic()
    return {
        1: make_district_doctor(make_staff, "therapist1", 1, full_name="Жұмабаева Асель Қайратқызы"),
        2: make_district_doctor(make_staff, "therapist2", 2, full_name="Волков Дмитрий Сергеевич"),
    }


def call_form(patient, **overrides) -> dict:
    data = {
        "iin": patient.iin,
        "channel": "phone",
        "applicant_kind": "relative",
        "applicant_name": "Ахметов Серік",
        "applicant_relationship": "son",
        "address": patient.address,
        "complaint": "Высокая температура, озноб",
        "temperature": "39,1",
        "callback_phone": "+7 701 555 44 33",
    }
    data.update(overrides)
    return data


def web_call(patient, **overrides):
    values = {
        "address": patient.address,
        "complaint": "Кашель",
        "callback_phone": patient.phone,
    }
    values.update(overrides)
    return home_visits.call_doctor(
        patient,
        home_visits.CallDetails(**values),
        actor=Actor.patient(),
        channel="web",
        language="kk",
        notice_phone=patient.phone,
    )


def audit_actions(staff_id: int) -> list[tuple[str, str]]:
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.staff_id == staff_id).order_by(AuditEntry.id)
    )
    return [(entry.action, entry.object_type) for entry in entries]


# ---- the registrar takes a phone call --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "told", "journal"),
    [
        ("kk", "Қоңырау шалушыға айтыңыз: Жұмабаева Асель Қайратқызы дәрігер", "Шақыруларды тіркеу журналы"),
        ("ru", "Сообщите звонящему: Визит врача Жұмабаева Асель Қайратқызы:", "Журнал регистрации вызовов"),
    ],
)
def test_a_registrar_takes_a_phone_call_and_the_caller_is_told_the_time(
    client, login, doctors, frozen, language, told, journal
):
    frozen(2026, 11, 23, 9, 40)
    registrar = login("registrar")
    client.get(f"/lang/{language}")
    patient = make_patient(1, language="ru")
    found = client.get(f"/staff/home-visits/new?iin={patient.iin}")
    assert found.status_code == 200
    html = found.get_data(as_text=True)
    assert patient.full_name in html and f'value="{patient.address}"' in html

    response = client.post("/staff/home-visits/new", data=call_form(patient))
    assert response.status_code == 303
    shown = client.get(response.headers["Location"])
    text = page_text(shown)
    assert told in text and "10:00–14:00" in text
    visit = db.session.scalars(select(HomeVisit)).one()
    assert visit.request.channel == "phone" and visit.request.created_by_id == registrar.id
    assert visit.temperature == 39.1 and visit.callback_phone == "+77015554433"
    assert visit.applicant_kind == "relative" and visit.applicant_name == "Ахметов Серік"
    assert visit.request.deadline_at.astimezone(ALMATY).strftime("%H:%M") == "09:50"
    sms = db.session.scalars(select(SmsMessage)).one()
    assert sms.phone == "+77015554433" and sms.language == "ru" and "Визит врача" in sms.text
    assert ("create", "home_visit") in audit_actions(registrar.id)
    assert ("view", "patient") in audit_actions(registrar.id)
    assert journal in page_text(client.get("/staff/home-visits/?day=2026-11-23"))


def test_at_the_desk_the_identity_document_is_required(client, login, doctors, frozen):
    frozen(2026, 11, 23, 9, 40)
    login("registrar")
    client.get("/lang/ru")
    patient = make_patient(1)
    response = client.post("/staff/home-visits/new", data=call_form(patient, channel="desk"))
    # A missed box is a form error beside the box, everything typed kept, and no refusal anywhere.
    assert response.status_code == 422
    text = page_text(response)
    assert "Проверьте документ, удостоверяющий личность звонящего" in text
    assert "Высокая температура, озноб" in response.get_data(as_text=True)
    assert "Ахметов Серік" in response.get_data(as_text=True)
    assert db.session.scalars(select(ServiceRequest)).first() is None
    ticked = call_form(patient, channel="desk", identity_document_checked="y")
    assert client.post("/staff/home-visits/new", data=ticked).status_code == 303
    request = db.session.scalars(select(ServiceRequest)).one()
    assert request.status != "refused" and request.refusal_ground is None


def test_a_wrong_iin_and_a_down_registry_are_explained_and_the_input_kept(client, login, doctors, frozen):
    frozen(2026, 11, 23, 9, 40)
    login("registrar")
    client.get("/lang/kk")
    wrong = client.get("/staff/home-visits/new?iin=85040140001")
    assert wrong.status_code == 422 and "ЖСН 12 цифрдан тұрады" in page_text(wrong)
    assert 'value="85040140001"' in wrong.get_data(as_text=True)

    iin = make_patient(1, with_card=False)
    registry_down()
    down = client.get(f"/staff/home-visits/new?iin={iin}")
    assert down.status_code == 422 and "103" in page_text(down)

    patient = make_patient(2)
    response = client.post("/staff/home-visits/new", data=call_form(patient, complaint="Слабость, давление"))
    assert response.status_code == 303
    visit = db.session.scalars(select(HomeVisit).where(HomeVisit.patient_id == patient.id)).one()
    assert visit.status == "waiting" and visit.complaint == "Слабость, давление"


def test_an_invalid_call_names_the_field_and_keeps_the_rest(client, login, doctors, frozen):
    frozen(2026, 11, 23, 9, 40)
    login("registrar")
    client.get("/lang/ru")
    patient = make_patient(1)
    response = client.post(
        "/staff/home-visits/new", data=call_form(patient, temperature="жарко", complaint="Ломота в теле")
    )
    assert response.status_code == 422
    assert "Введите температуру в градусах Цельсия" in page_text(response)
    assert "Ломота в теле" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(HomeVisit)) == 0


def test_the_desk_sees_an_existing_call_before_taking_another(client, login, doctors, frozen):
    frozen(2026, 11, 23, 9, 40)
    login("registrar")
    client.get("/lang/ru")
    patient = make_patient(1)
    first = web_call(patient)
    db.session.commit()
    page = client.get(f"/staff/home-visits/new?iin={patient.iin}")
    assert "У этого пациента уже есть вызов на 23 ноября" in page_text(page) and first.number in page_text(
        page
    )
    again = client.post("/staff/home-visits/new", data=call_form(patient))
    assert again.status_code == 409 and "Для этого пациента врач уже вызван" in page_text(again)


# ---- assigning and reassigning ------------------------------------------------------------------------
def test_the_registrar_assigns_a_waiting_call_and_reassigns_it(client, login, doctors, frozen, make_staff):
    frozen(2026, 11, 23, 9, 0)
    registrar = login("registrar")
    client.get("/lang/kk")
    patient = make_patient(1, address="Алматы қ., Розыбакиев көшесі, 7", district_number=None)
    visit = web_call(patient)  # no district: nobody is the district doctor, a covering doctor takes it
    number = visit.number
    assert visit.status == "assigned"
    db.session.commit()

    response = client.post(
        f"/staff/home-visits/{number}/assign", data={"doctor": str(doctors[2].id), "starts_at": "15:00"}
    )
    assert response.status_code == 303
    visit = home_visits.find_by_number(number)
    assert visit.doctor_id == doctors[2].id
    assert visit.window_starts_at.astimezone(ALMATY).strftime("%H:%M") == "15:00"
    assert ("update", "home_visit") in audit_actions(registrar.id)
    assert "Дәрігер немесе уақыт өзгертілді" in page_text(client.get(response.headers["Location"]))

    refused = client.post(f"/staff/home-visits/{number}/assign", data={"doctor": "", "starts_at": ""})
    assert refused.status_code == 422 and "Тізімнен дәрігерді таңдаңыз." in page_text(refused)


def test_cancelling_a_call(client, login, doctors, frozen):
    frozen(2026, 11, 23, 9, 0)
    login("registrar")
    client.get("/lang/ru")
    visit = web_call(make_patient(1))
    db.session.commit()
    response = client.post(f"/staff/home-visits/{visit.number}/cancel", data={"note": "Стало лучше"})
    assert response.status_code == 303
    assert "Вызов HV-2026-000001 отменён." in page_text(client.get(response.headers["Location"]))
    assert home_visits.find_by_number(visit.number).status == "cancelled"


# ---- the journal ---------------------------------------------------------------------------------------
def test_the_journal_shows_the_regulation_columns_and_filters(client, login, doctors, frozen):
    frozen(2026, 11, 23, 9, 0)
    login("registrar")
    client.get("/lang/ru")
    web_call(make_patient(1, last_name="Ахметова"), temperature=38.6)
    web_call(make_patient(2, last_name="Серікова", sex="F"), address="Сейфуллин даңғылы, 5")
    cancelled = web_call(make_patient(3, last_name="Петрова"))
    home_visits.cancel_call(cancelled, actor=Actor.system(), channel="phone")
    db.session.commit()

    page = client.get("/staff/home-visits/?day=2026-11-23")
    text = page_text(page)
    for heading in (
        "Фамилия, имя, отчество",
        "Возраст",
        "Пол",
        "Состояние и жалобы",
        "Фактический адрес",
        "Контактный телефон",
    ):
        assert heading in text
    assert "Ахметова Әсел Серікқызы" in text and "41 год" in text and "38.6 °C" in text
    assert "+77010000001" in text and "Серікова" in text and "Петрова" in text

    by_district = page_text(client.get(f"/staff/home-visits/?day=2026-11-23&district={district(2).id}"))
    assert "Серікова" in by_district and "Ахметова" not in by_district
    by_status = page_text(client.get("/staff/home-visits/?day=2026-11-23&status=cancelled"))
    assert "Петрова" in by_status and "Серікова" not in by_status
    other_day = page_text(client.get("/staff/home-visits/?day=2026-11-24"))
    assert "На этот день вызовов нет." in other_day

    fragment = client.get("/staff/home-visits/?day=2026-11-23", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="journal"') and "<html" not in html
    assert 'hx-trigger="every 20s"' in html and "HX-Request" in fragment.headers["Vary"]


@pytest.mark.parametrize(
    ("language", "soon", "late"),
    [
        ("kk", "4 минут ішінде жауап беріңіз", "1 минутқа кешікті"),
        ("ru", "Ответить в течение 4 минут", "Опоздание на 1 минуту"),
    ],
)
def test_the_journal_warns_before_a_call_is_late(client, login, doctors, frozen, language, soon, late):
    frozen(2026, 11, 23, 10, 0)
    login("registrar")
    client.get(f"/lang/{language}")
    patient = make_patient(1)
    registry_down()
    client.post("/staff/home-visits/new", data=call_form(patient))  # waits for the registry: no answer yet

    frozen(2026, 11, 23, 10, 3)
    calm = client.get("/staff/home-visits/", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "home-row--on-time" in calm and soon not in page_text_of(calm)

    frozen(2026, 11, 23, 10, 6)
    warned = client.get("/staff/home-visits/", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert soon in page_text_of(warned) and "home-row--due-soon" in warned
    assert "home-awaiting__alert" in warned

    frozen(2026, 11, 23, 10, 11)
    overdue = client.get("/staff/home-visits/", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert late in page_text_of(overdue) and "home-row--overdue" in overdue


def page_text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ---- the route list and outcomes --------------------------------------------------------------------------
def route_fixture(doctors):
    addresses = ["Достық даңғылы, 12", "Абай даңғылы, 10", "Абай даңғылы, 9"]
    visits = []
    for serial, address in enumerate(addresses, start=1):
        visits.append(
            web_call(
                make_patient(serial, last_name=f"Пациент{serial}", phone=f"+7701000000{serial}"),
                address=address,
                complaint=f"Жалоба {serial}",
            )
        )
    db.session.commit()
    return visits


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        (
            "kk",
            [
                "Дәрігердің үйге шақырулар бойынша маршрут парағы",
                "Нақты мекенжайы",
                "Байланыс телефоны",
                "Жағдайы мен шағымы",
                "Тегі, аты, әкесінің аты",
            ],
        ),
        (
            "ru",
            [
                "Маршрутный лист врача по вызовам на дом",
                "Фактический адрес",
                "Контактный телефон",
                "Состояние и жалобы",
                "Фамилия, имя, отчество",
            ],
        ),
    ],
)
def test_the_route_list_prints_as_a_pdf_ordered_by_district_and_address(
    client, login, doctors, frozen, language, labels
):
    frozen(2026, 11, 23, 9, 0)
    registrar = login("registrar")
    route_fixture(doctors)
    client.get(f"/lang/{language}")
    response = client.get(f"/staff/home-visits/route.pdf?day=2026-11-23&doctor={doctors[1].id}")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for label in labels:
        assert label in text.replace("\n", " "), label
    assert "Жұмабаева Асель Қайратқызы" in text
    positions = [text.index(f"Пациент{serial}") for serial in (3, 2, 1)]  # Абай 9, Абай 10, Достық 12
    assert positions == sorted(positions)
    assert "+77010000003" in text and "Жалоба 3" in text
    # An issued document: numbered, signed with the clinic's key; printed again unchanged, the same one.
    assert "HVR-2026-" in text and check_pdf(response.data).valid
    again = client.get(f"/staff/home-visits/route.pdf?day=2026-11-23&doctor={doctors[1].id}")
    assert again.data == response.data
    assert ("print", "home_visit_route") in audit_actions(registrar.id)


def test_the_doctor_marks_outcomes_on_the_route_list(client, login, doctors, frozen, make_staff):
    frozen(2026, 11, 23, 9, 0)
    visits = route_fixture(doctors)
    client.post("/staff/login", data={"username": "therapist1", "password": "correct-horse-battery"})
    client.get("/lang/ru")
    page = client.get("/staff/home-visits/route")
    assert page.status_code == 200 and "Пациент1" in page_text(page)

    row = client.post(
        f"/staff/home-visits/{visits[0].number}/outcome",
        data={"outcome": "visited", "note": "", "index": "3"},
        headers={"HX-Request": "true"},
    )
    html = row.get_data(as_text=True)
    assert row.status_code == 200 and html.lstrip().startswith("<tr") and "Осмотрен на дому" in html

    missing_note = client.post(
        f"/staff/home-visits/{visits[1].number}/outcome",
        data={"outcome": "hospitalised", "note": ""},
        headers={"HX-Request": "true"},
    )
    assert "Добавьте примечание" in page_text(missing_note)
    done = client.post(
        f"/staff/home-visits/{visits[1].number}/outcome",
        data={"outcome": "hospitalised", "note": "ГКБ №7, инсульт?"},
    )
    assert done.status_code == 303
    visit = home_visits.find_by_number(visits[1].number)
    assert visit.outcome == "hospitalised" and visit.outcome_note == "ГКБ №7, инсульт?"
    assert visit.outcome_by_id == doctors[1].id
    assert ("update", "home_visit") in audit_actions(doctors[1].id)


def test_a_doctor_sees_and_marks_only_their_own_calls(client, login, doctors, frozen):
    frozen(2026, 11, 23, 9, 0)
    mine = web_call(make_patient(1))
    theirs = web_call(make_patient(2), address="Сейфуллин даңғылы, 5")
    db.session.commit()
    client.post("/staff/login", data={"username": "therapist1", "password": "correct-horse-battery"})
    assert client.get(f"/staff/home-visits/{mine.number}").status_code == 200
    assert client.get(f"/staff/home-visits/{theirs.number}").status_code == 403
    refused = client.post(f"/staff/home-visits/{theirs.number}/outcome", data={"outcome": "visited"})
    assert refused.status_code == 403
    assert home_visits.find_by_number(theirs.number).outcome is None
    # The doctor parameter is ignored for a doctor: their own list only.
    route = page_text(client.get(f"/staff/home-visits/route?doctor={doctors[2].id}"))
    assert "Ахметова" in route and "Жұмабаева" in route and "Волков" not in route


# ---- access per role ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "journal", "new", "route", "outcome"),
    [
        ("registrar", 200, 200, 200, 403),
        ("head", 200, 200, 200, 303),
        ("doctor", 403, 403, 200, 403),
        ("admin", 403, 403, 403, 403),
    ],
)
def test_each_role_gets_its_part(client, login, doctors, frozen, role, journal, new, route, outcome):
    frozen(2026, 11, 23, 9, 0)
    visit = web_call(make_patient(1))
    db.session.commit()
    login(role)
    assert client.get("/staff/home-visits/").status_code == journal
    assert client.get("/staff/home-visits/new").status_code == new
    assert client.get("/staff/home-visits/route").status_code == route
    assert (
        client.post(f"/staff/home-visits/{visit.number}/outcome", data={"outcome": "visited"}).status_code
        == outcome
    )


def test_anonymous_visitors_are_sent_to_sign_in(client, doctors):
    for url in (
        "/staff/home-visits/",
        "/staff/home-visits/new",
        "/staff/home-visits/route",
        "/staff/home-visits/route.pdf",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_every_look_at_the_journal_and_a_call_is_audited(client, login, doctors, frozen):
    frozen(2026, 11, 23, 9, 0)
    registrar = login("registrar")
    visit = web_call(make_patient(1))
    db.session.commit()
    client.get("/staff/home-visits/")
    client.get(f"/staff/home-visits/{visit.number}")
    client.get(f"/staff/home-visits/route?doctor={doctors[1].id}")
    actions = audit_actions(registrar.id)
    assert ("view", "home_visit_journal") in actions
    assert ("view", "home_visit") in actions and ("view", "home_visit_route") in actions
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "home_visit", AuditEntry.action == "view")
    ).one()
    assert entry.object_id == visit.number and entry.patient_id == visit.patient_id
    # The open journal refreshing itself is not a new look; a change of filter is.
    journal_views = len([a for a in audit_actions(registrar.id) if a == ("view", "home_visit_journal")])
    client.get("/staff/home-visits/", headers={"HX-Request": "true", "HX-Trigger": "journal"})
    client.get(
        "/staff/home-visits/?status=assigned", headers={"HX-Request": "true", "HX-Trigger": "journal-filter"}
    )
    after = len([a for a in audit_actions(registrar.id) if a == ("view", "home_visit_journal")])
    assert after == journal_views + 1


def test_the_start_pages_link_to_the_home_calls(client, login, doctors):
    login("registrar")
    client.get("/lang/ru")
    assert "Вызовы на дом" in page_text(client.get("/staff/registrar"))
    client.post("/staff/logout")
    client.post("/staff/login", data={"username": "therapist1", "password": "correct-horse-battery"})
    assert "Маршрутный лист вызовов на дом" in page_text(client.get("/staff/doctor"))


def test_a_child_s_age_reads_in_months(app):
    with app.test_request_context(headers={"Cookie": "emhana_lang=ru"}):
        assert home_visits.age_label(date(2026, 6, 10), date(2026, 11, 23)) == "5 месяцев"
        assert home_visits.age_label(date(1985, 4, 1), date(2026, 11, 23)) == "41 год"
