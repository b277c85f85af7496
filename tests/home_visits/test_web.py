"""Calling the doctor home as a patient would, on the website and the lobby kiosk, in Kazakh and Russian."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from app.channels import KIOSK_COOKIE
from app.core.clock import now
from app.extensions import db
from app.models import HomeVisit, ServiceRequest, SmsMessage
from app.patient_auth import IIN_KEY, SEEN_KEY
from app.services import kiosk as kiosk_service
from tests.conftest import on_the_code_step, page_text
from tests.home_visits.factories import make_clinic, make_district_doctor, make_patient, registry_down

# What each language says, so every test checks real translations, not English fallbacks.
TEXTS = {
    "kk": {
        "title": "Дәрігерді үйге шақыру",
        "until": "Бүгінгі шақыруларды қабылдаудың соңғы уақыты: 18:00.",
        "doctor_comes": "дәрігер дүйсенбі, 23 қараша күні сағат 11:00 мен 15:00 аралығында келеді.",
        "after_cutoff": "Бүгінгі шақыруларды қабылдау аяқталды (соңғы уақыт – 18:00, емхана жабылардан "
        "екі сағат бұрын). Шақыруыңыз келесі жұмыс күніне, сейсенбі, 24 қараша, тіркелді.",
        "urgent_care": "шұғыл медициналық көмекке қоңырау шалыңыз: 103",
        "sunday": "Емхана бүгін жұмыс істемейді. Шақыруыңыз келесі жұмыс күніне, дүйсенбі, 30 қараша, "
        "тіркелді.",
        "holiday": "Бүгін мереке күні, емхана жұмыс істемейді. Шақыруыңыз келесі жұмыс күніне, бейсенбі, "
        "17 желтоқсан, тіркелді.",
        "emergency": "Дереу 103 нөміріне қоңырау шалыңыз",
        "duplicate": "Бұл науқасқа 23 қараша күнге дәрігер шақырылып қойған",
        "waiting": "Бекітілген халық тіркелімі қазір жауап бермей тұр.",
        "address_missing": "Дәрігер баратын мекенжайды енгізіңіз: көше, үй және пәтер.",
        "not_attached": "науқас осы емханаға бекітілмеген",
    },
    "ru": {
        "title": "Вызов врача на дом",
        "until": "Вызовы на сегодня принимаются до 18:00.",
        "doctor_comes": "понедельник, 23 ноября, с 11:00 до 15:00.",
        "after_cutoff": "Приём вызовов на сегодня закончился в 18:00, за два часа до закрытия поликлиники. "
        "Ваш вызов зарегистрирован на следующий рабочий день, вторник, 24 ноября.",
        "urgent_care": "звоните в неотложную помощь: 103",
        "sunday": "Сегодня поликлиника не работает. Ваш вызов зарегистрирован на следующий рабочий день, "
        "понедельник, 30 ноября.",
        "holiday": "Сегодня праздничный день, поликлиника не работает. Ваш вызов зарегистрирован на "
        "следующий рабочий день, четверг, 17 декабря.",
        "emergency": "Срочно звоните 103",
        "duplicate": "Для этого пациента врач уже вызван на 23 ноября",
        "waiting": "Регистр прикреплённого населения сейчас не отвечает.",
        "address_missing": "Введите адрес, куда должен прийти врач: улица, дом и квартира.",
        "not_attached": "пациент не прикреплён к этой поликлинике",
    },
}


@pytest.fixture
def clinic(app, make_staff):
    make_clinic()
    return {
        1: make_district_doctor(make_staff, "therapist1", 1, full_name="Жұмабаева Асель Қайратқызы"),
        3: make_district_doctor(make_staff, "paediatrician", 3, speciality="paediatrician"),
    }


def sign_in(client, patient) -> None:
    """The shortcut for tests that are not about signing in: the session a confirmed code leaves."""
    with client.session_transaction() as session:
        session[IIN_KEY] = patient.iin
        session[SEEN_KEY] = now().timestamp()


def form(patient, **overrides) -> dict:
    data = {
        "for_whom": "self",
        "address": patient.address,
        "complaint": "Температура, кашель",
        "temperature": "38.4",
        "callback_phone": patient.phone,
    }
    data.update(overrides)
    return data


def call_number(response) -> str:
    assert response.status_code == 303, page_text(response)
    return response.headers["Location"].rsplit("/", 1)[1]


# ---- the whole flow ----------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_patient_calls_the_doctor_before_the_cutoff_and_sees_the_window(client, clinic, frozen, language):
    frozen(2026, 11, 23, 10, 30)
    texts = TEXTS[language]
    patient = make_patient(1, language=language)
    client.get(f"/lang/{language}")

    start = client.get("/home-visits/")
    assert start.status_code == 200
    assert texts["title"] in page_text(start) and texts["until"] in page_text(start)
    assert 'inputmode="numeric"' in start.get_data(as_text=True)

    sent = client.post("/home-visits/code", data={"iin": patient.iin})
    assert sent.status_code == 200 and on_the_code_step(sent)
    code = re.search(r"\b\d{6}\b", db.session.scalars(select(SmsMessage)).one().text).group()
    confirmed = client.post("/home-visits/code/check", data={"code": code})
    assert confirmed.status_code == 303 and confirmed.headers["Location"].endswith("/home-visits/new")

    blank = client.get("/home-visits/new")
    assert blank.status_code == 200
    assert f'value="{patient.address}"' in blank.get_data(as_text=True)  # prefilled from the card

    number = call_number(client.post("/home-visits/new", data=form(patient)))
    answer = client.get(f"/home-visits/{number}")
    text = page_text(answer)
    assert number in text and "11:00–15:00" in text
    assert texts["doctor_comes"] in text and "Жұмабаева Асель Қайратқызы" in text
    visit = db.session.scalars(select(HomeVisit)).one()
    assert visit.request.channel == "web" and visit.request.language == language
    assert visit.temperature == 38.4 and visit.applicant_kind == "self"


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_after_the_cutoff_the_answer_names_the_next_day_and_urgent_care(client, clinic, frozen, language):
    frozen(2026, 11, 23, 18, 30)
    texts = TEXTS[language]
    patient = make_patient(1)
    client.get(f"/lang/{language}")
    sign_in(client, patient)
    before = page_text(client.get("/home-visits/new"))
    assert texts["after_cutoff"] in before and texts["urgent_care"] in before  # said before anything is sent
    number = call_number(client.post("/home-visits/new", data=form(patient)))
    text = page_text(client.get(f"/home-visits/{number}"))
    assert texts["after_cutoff"] in text and texts["urgent_care"] in text
    assert "08:00–12:00" in text


@pytest.mark.parametrize("language", ["kk", "ru"])
@pytest.mark.parametrize(
    ("moment", "key"), [((2026, 11, 29, 11, 0), "sunday"), ((2026, 12, 16, 9, 0), "holiday")]
)
def test_on_a_sunday_or_a_public_holiday_the_call_goes_to_the_next_working_day(
    client, clinic, frozen, language, moment, key
):
    frozen(*moment)
    patient = make_patient(1)
    client.get(f"/lang/{language}")
    sign_in(client, patient)
    number = call_number(client.post("/home-visits/new", data=form(patient)))
    text = page_text(client.get(f"/home-visits/{number}"))
    assert TEXTS[language][key] in text and TEXTS[language]["urgent_care"] in text


# ---- red flags -------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["kk", "ru"])
def test_red_flags_show_103_first_and_mark_the_call_urgent(client, clinic, frozen, language):
    frozen(2026, 11, 23, 10, 0)
    patient = make_patient(1)
    client.get(f"/lang/{language}")
    sign_in(client, patient)
    number = call_number(
        client.post(
            "/home-visits/new", data=form(patient, complaint="Давит в груди", red_flags=["breathing"])
        )
    )
    html = client.get(f"/home-visits/{number}").get_data(as_text=True).split("<main", 1)[1]
    assert TEXTS[language]["emergency"] in html
    assert html.index(TEXTS[language]["emergency"]) < html.index(number)  # the number 103 comes first
    visit = db.session.scalars(select(HomeVisit)).one()
    assert visit.is_urgent and visit.red_flags == ["breathing", "chest_pain"]


def test_the_form_shows_the_emergency_banner_while_it_is_filled_in(client, clinic, frozen):
    frozen(2026, 11, 23, 10, 0)
    patient = make_patient(1)
    sign_in(client, patient)
    client.get("/lang/ru")
    quiet = client.post("/home-visits/signs", data={"complaint": "Насморк"}, headers={"HX-Request": "true"})
    assert quiet.status_code == 200 and "103" not in page_text(quiet)
    alarm = client.post(
        "/home-visits/signs", data={"complaint": "Задыхается"}, headers={"HX-Request": "true"}
    )
    assert "Срочно звоните 103" in page_text(alarm) and "Затруднённое дыхание" in page_text(alarm)
    baby = client.post(
        "/home-visits/signs",
        data={
            "for_whom": "relative",
            "relative_iin": make_patient(9, birth=date(2026, 6, 1)).iin,
            "temperature": "385",
        },
    )
    assert "Ребёнок до года с высокой температурой" in page_text(baby)


# ---- bad input and refusals ---------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_second_call_the_same_day_is_refused_with_a_link_to_the_first(client, clinic, frozen, language):
    frozen(2026, 11, 23, 10, 0)
    patient = make_patient(1)
    client.get(f"/lang/{language}")
    sign_in(client, patient)
    first = call_number(client.post("/home-visits/new", data=form(patient)))
    again = client.post("/home-visits/new", data=form(patient, complaint="Ещё хуже"))
    assert again.status_code == 409
    assert TEXTS[language]["duplicate"] in page_text(again) and first in page_text(again)
    assert f'href="/home-visits/{first}"' in again.get_data(as_text=True)
    assert "Ещё хуже" in again.get_data(as_text=True)  # what was typed is kept
    assert db.session.scalar(select(db.func.count()).select_from(HomeVisit)) == 1


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_missing_address_is_named_and_the_rest_is_kept(client, clinic, frozen, language):
    frozen(2026, 11, 23, 10, 0)
    patient = make_patient(1)
    client.get(f"/lang/{language}")
    sign_in(client, patient)
    response = client.post("/home-visits/new", data=form(patient, address="  ", complaint="Сильная слабость"))
    assert response.status_code == 422
    assert TEXTS[language]["address_missing"] in page_text(response)
    html = response.get_data(as_text=True)
    assert "Сильная слабость" in html and 'value="38.4"' in html
    assert db.session.scalar(select(db.func.count()).select_from(ServiceRequest)) == 0


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_registry_down_keeps_the_call_waiting_and_nothing_is_lost(client, clinic, frozen, language):
    frozen(2026, 11, 23, 10, 0)
    patient = make_patient(1)
    client.get(f"/lang/{language}")
    sign_in(client, patient)
    registry_down()
    number = call_number(client.post("/home-visits/new", data=form(patient, complaint="Кашель трое суток")))
    response = client.get(f"/home-visits/{number}")
    assert TEXTS[language]["waiting"] in page_text(response)
    assert 'hx-trigger="every 10s"' in response.get_data(as_text=True)  # the answer refreshes itself
    visit = db.session.scalars(select(HomeVisit)).one()
    assert visit.request.status == "awaiting_registry" and visit.complaint == "Кашель трое суток"
    fragment = client.get(f"/home-visits/{number}", headers={"HX-Request": "true"})
    assert (
        fragment.get_data(as_text=True).lstrip().startswith("<section")
        and "HX-Request" in fragment.headers["Vary"]
    )


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_patient_attached_elsewhere_is_told_why(client, clinic, frozen, language):
    frozen(2026, 11, 23, 10, 0)
    patient = make_patient(1, attached_to="EMH-0012")
    client.get(f"/lang/{language}")
    sign_in(client, patient)
    number = call_number(client.post("/home-visits/new", data=form(patient)))
    text = page_text(client.get(f"/home-visits/{number}"))
    assert TEXTS[language]["not_attached"] in text and "103" in text
    assert db.session.scalars(select(ServiceRequest)).one().refusal_ground == "not_attached"


def test_a_wrong_relative_iin_is_named(client, clinic, frozen):
    frozen(2026, 11, 23, 10, 0)
    patient = make_patient(1)
    sign_in(client, patient)
    client.get("/lang/ru")
    response = client.post("/home-visits/new", data=form(patient, for_whom="relative", relative_iin="12345"))
    assert response.status_code == 422 and "ИИН" in page_text(response)


# ---- for a family member -----------------------------------------------------------------------------
def test_a_parent_calls_the_paediatrician_for_a_child(client, clinic, frozen):
    frozen(2026, 11, 23, 10, 0)
    parent = make_patient(1, phone="+77010000001")
    child = make_patient(2, birth=date(2020, 2, 2), first_name="Айлин", district_number=3, phone="")
    sign_in(client, parent)
    number = call_number(
        client.post(
            "/home-visits/new",
            data=form(parent, for_whom="relative", relative_iin=child.iin, relationship="мать"),
        )
    )
    visit = db.session.scalars(select(HomeVisit)).one()
    assert visit.patient_id == child.id and visit.applicant_kind == "relative"
    assert visit.applicant_name == parent.full_name and visit.applicant_relationship == "мать"
    assert visit.request.applicant_id == parent.id and visit.request.subject_id == child.id
    assert visit.doctor_id == clinic[3].id  # the paediatric district of the street
    sms = db.session.scalars(select(SmsMessage)).one()
    assert sms.phone == parent.phone  # notices go to the phone the applicant proved
    answer = page_text(client.get(f"/home-visits/{number}"))
    assert child.masked_name in answer and child.full_name not in answer  # an IIN must not reveal a name


@pytest.mark.parametrize(
    ("language", "words"), [("kk", "басқа мекенжайда тіркелген"), ("ru", "по другому адресу")]
)
def test_a_family_member_elsewhere_is_not_sent_to_the_caller_s_address(
    client, clinic, frozen, language, words
):
    frozen(2026, 11, 23, 10, 0)
    caller = make_patient(1)
    mother = make_patient(2, birth=date(1950, 3, 3), address="Алматы қ., Достық даңғылы, 5, 12")
    sign_in(client, caller)
    client.get(f"/lang/{language}")
    data = form(caller, for_whom="relative", relative_iin=mother.iin, relationship="мать")
    asked = client.post("/home-visits/new", data=data)
    # Not taken silently, and the mother's address in the register is not shown to the caller.
    assert asked.status_code == 422 and words in page_text(asked)
    html = asked.get_data(as_text=True)
    assert "Достық" not in html and 'name="address_checked" type="hidden" value="1"' in html
    assert "Температура, кашель" in html  # everything else typed is kept
    assert db.session.scalars(select(HomeVisit)).first() is None
    data |= {"address": "Алматы қ., Достық даңғылы, 5, 12", "address_checked": "1"}
    call_number(client.post("/home-visits/new", data=data))
    assert db.session.scalars(select(HomeVisit)).one().address == "Алматы қ., Достық даңғылы, 5, 12"


def test_a_family_member_at_home_keeps_the_caller_s_address(client, clinic, frozen):
    frozen(2026, 11, 23, 10, 0)
    caller, son = make_patient(1), make_patient(2, birth=date(2010, 3, 3))  # the same household
    sign_in(client, caller)
    call_number(client.post("/home-visits/new", data=form(caller, for_whom="relative", relative_iin=son.iin)))
    assert db.session.scalars(select(HomeVisit)).one().address == caller.address


def test_a_stranger_s_duplicate_call_is_refused_without_its_details(client, clinic, frozen):
    frozen(2026, 11, 23, 10, 0)
    neighbour, caller = make_patient(1), make_patient(2)
    sign_in(client, neighbour)
    first = call_number(client.post("/home-visits/new", data=form(neighbour)))
    client.post("/home-visits/sign-out")
    sign_in(client, caller)
    client.get("/lang/ru")
    again = client.post(
        "/home-visits/new", data=form(caller, for_whom="relative", relative_iin=neighbour.iin)
    )
    text = page_text(again)
    assert again.status_code == 409 and "Для этого человека врач уже вызван на 23 ноября" in text
    assert first not in text and "Жұмабаева" not in text and "11:00" not in text


def test_someone_else_s_call_is_not_shown(client, clinic, frozen):
    frozen(2026, 11, 23, 10, 0)
    owner, stranger = make_patient(1), make_patient(2)
    sign_in(client, owner)
    number = call_number(client.post("/home-visits/new", data=form(owner)))
    client.post("/home-visits/sign-out")
    sign_in(client, stranger)
    response = client.get(f"/home-visits/{number}")
    assert response.status_code == 403
    assert owner.last_name not in page_text(response) and owner.address not in page_text(response)


def test_without_signing_in_the_form_asks_for_the_iin(client, clinic):
    response = client.get("/home-visits/new")
    assert response.status_code == 302 and response.headers["Location"].endswith("/home-visits/")
    assert client.post("/home-visits/new", data={"address": "x"}).status_code == 303


# ---- the kiosk ------------------------------------------------------------------------------------------
def test_on_the_kiosk_the_call_is_recorded_as_such_and_names_are_masked(client, clinic, frozen):
    frozen(2026, 11, 23, 10, 0)
    _device, token = kiosk_service.register_device("Lobby")
    db.session.commit()
    client.set_cookie(KIOSK_COOKIE, token)
    start = client.get("/kiosk/")
    assert "/home-visits/" in start.get_data(as_text=True)  # the built service is on the kiosk menu
    patient = make_patient(1)
    sign_in(client, patient)
    page = client.get("/home-visits/new").get_data(as_text=True)
    assert patient.full_name not in page and patient.masked_name in page
    assert 'name="callback_phone"' in page and 'inputmode="numeric"' in page
    number = call_number(client.post("/home-visits/new", data=form(patient)))
    answer = client.get(f"/home-visits/{number}").get_data(as_text=True)
    assert patient.masked_name in answer and patient.full_name not in answer and patient.address not in answer
    assert db.session.scalars(select(ServiceRequest)).one().channel == "kiosk"
