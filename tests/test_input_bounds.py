"""Every input bounded and normalised before it reaches the database (issue 13, item 3), case by case: the
reproductions the issue lists, each through the shared mechanism that now answers it (app/input_guard.py,
app/forms.py, app/core/inputs.py). tests/test_bad_input.py walks every route with the same kinds of input.

Issue 13, item 3: "Every input bounded and normalised before it reaches the database: integers in range (404
or a form error, never a 500), NUL and other control characters rejected or stripped, bidi controls removed
from text that is printed, lengths capped; every WTForms message in kk/ru."
"""

import io
import re
from datetime import date, time, timedelta

import pytest
from pypdf import PdfReader

from app.blueprints.appointments.forms import CodeForm
from app.core.actors import Actor
from app.core.inputs import clean_text, search_text, to_day, to_id, to_int
from app.documents import html_to_pdf
from app.extensions import db
from app.models import Complaint, KioskDevice, ScheduleWeekday, StaffMember
from app.models.notify import SmsMessage
from app.services import schedules
from tests.appointments.factories import MONDAY, make_clinic, make_doctor, make_patient
from tests.conftest import page_text

TUESDAY = MONDAY + timedelta(days=1)
REFUSAL = {
    "kk": "сақтауға болмайтын көрінбейтін басқару таңбалары бар",
    "ru": "невидимые управляющие символы, которые нельзя сохранить",
}
languages = pytest.mark.parametrize("language", ["kk", "ru"])


@pytest.fixture
def clinic(app, frozen):
    frozen(2026, 11, 23, 7, 30)
    return make_clinic()


@pytest.fixture
def doctor(clinic, make_staff):
    return make_doctor(make_staff, full_name="Жұмабаева Асель Қайратқызы")


def sign_in_patient(client, patient) -> None:
    assert client.post("/appointments/code", data={"iin": patient.iin}).status_code == 200
    message = (
        db.session.query(SmsMessage).filter_by(phone=patient.phone).order_by(SmsMessage.id.desc()).first()
    )
    code = re.search(r"\b(\d{6})\b", message.text).group(1)
    assert client.post("/appointments/code/check", data={"code": code}).status_code == 303


# ---- the helpers ------------------------------------------------------------------------------------------
def test_numbers_days_and_searches_are_read_within_bounds():
    """Issue 13: "Large integers give a 500 on 12 endpoints ... on PostgreSQL from 2147483648"."""
    assert to_int("2147483647") == 2147483647 and to_int("2147483648") is None
    assert to_int("-2147483648") == -2147483648 and to_int("-2147483649") is None
    assert to_int("99999999999999999999999") is None and to_int("9" * 100_000) is None
    assert to_int("12\u00b2") is None and to_int("\u0661\u0662") is None and to_int(True) is None
    assert to_id("0") is None and to_id("-1") is None and to_id(" 42 ") == 42
    assert to_day("2026-11-25") == date(2026, 11, 25)
    assert to_day("9999-12-31") is None and to_day("0001-01-01") is None and to_day("2026-02-30") is None
    assert search_text("  " + "a" * 500) == "a" * 100 and search_text(None) == ""
    assert clean_text("\u202eАбай\u202c 10\x00") == "Абай 10"


# ---- integers: a 404 or a form error -------------------------------------------------------------------
def test_a_huge_doctor_number_in_a_booking_is_not_a_500(client, doctor):
    """Issue 13: "(`POST /appointments/book doctor=99999999999999999999999`)" gave a 500."""
    sign_in_patient(client, make_patient(1))
    for doctor_id in ("99999999999999999999999", "2147483648", "-1"):
        response = client.post(
            "/appointments/book", data={"doctor": doctor_id, "slot": f"{TUESDAY.isoformat()}T09:30"}
        )
        assert response.status_code < 500
    db.session.expire_all()
    assert db.session.query(StaffMember).count() == 1


@pytest.mark.parametrize("number", ["2147483648", "99999999999999999999999", "9" * 5000])
def test_an_id_past_the_integer_column_in_a_path_is_a_404(client, login, number):
    login("admin")
    assert client.get(f"/admin/staff/{number}").status_code == 404
    assert client.post(f"/admin/calendar/{number}/delete").status_code == 404


@languages
def test_an_integer_field_past_the_column_is_a_form_error_in_the_visitors_language(client, login, language):
    login("admin")
    client.get(f"/lang/{language}")
    response = client.get("/admin/audit?patient=2147483648")
    expected = {"kk": "Бұл сан рұқсат етілген шектен тыс.", "ru": "Это число вне допустимого диапазона."}
    assert response.status_code == 200 and expected[language] in page_text(response)


@languages
def test_a_date_no_one_means_is_a_form_error(client, login, language):
    login("admin")
    client.get(f"/lang/{language}")
    response = client.post("/admin/calendar", data={"day": "9999-12-31", "kind": "day_off"})
    expected = {"kk": "1900 және 2199 жылдар", "ru": "с 1900 по 2199 год"}
    assert response.status_code < 500 and expected[language] in page_text(response)


# ---- control characters: refused, in the visitor's language ---------------------------------------------
@languages
def test_a_nul_byte_in_the_staff_sign_in_is_refused_with_a_page_in_the_visitors_language(client, language):
    """Issue 13: "On PostgreSQL a NUL byte in any text gives a 500, anonymous forms included (`POST
    /staff/login username=adm%00in`, ...)"."""
    client.get(f"/lang/{language}")
    response = client.post("/staff/login", data={"username": "adm\x00in", "password": "x"})
    assert response.status_code == 400 and REFUSAL[language] in page_text(response)
    assert f'<html lang="{language}"' in response.get_data(as_text=True)


def test_a_nul_byte_in_a_complaint_is_refused_and_nothing_is_stored(client, clinic):
    """Issue 13: "(`POST /complaints/new text=ab%00cd`); on SQLite the same bytes are stored, so such a
    database cannot move to PostgreSQL"."""
    response = client.post("/complaints/new", data={"complainant_name": "Ахметова", "text": "ab\x00cd"})
    assert response.status_code == 400 and REFUSAL["kk"] in page_text(response)
    assert db.session.query(Complaint).count() == 0


@pytest.mark.parametrize(
    "url",
    [
        "/status?number=AP%00",
        "/services/app%1Bointment",
        "/staff/login?next=/%7F",
        "/status/AP-2026%07000001",
    ],
)
def test_control_characters_in_a_query_or_a_path_are_refused(client, url):
    response = client.get(url)
    assert response.status_code == 400, url


def test_tab_and_new_lines_are_text_not_control_characters(client, login):
    login("admin")
    response = client.post("/admin/kiosks", data={"name": "Фойе\tбірінші қабат"})
    assert response.status_code < 400
    assert db.session.query(KioskDevice).one().name == "Фойе\tбірінші қабат"


# ---- bidi controls: removed from what is typed and from what is printed ---------------------------------
def test_bidi_controls_are_removed_from_typed_text(client, login):
    """Issue 13 (low): "bidi control characters (U+202E) reverse printed addresses and names"."""
    login("admin")
    client.post("/admin/kiosks", data={"name": "\u202eФойе\u202c \u2066№2\u2069"})
    assert db.session.query(KioskDevice).one().name == "Фойе №2"


def test_bidi_controls_never_reach_a_printed_document(app):
    pdf = html_to_pdf("<p>Мекенжай: \u202eАбай даңғылы 10\u202c</p>")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Абай даңғылы 10" in text and "\u202e" not in text


# ---- forms: files and JSON are not values of text fields; lengths capped --------------------------------
def test_a_file_posted_as_a_text_field_or_a_json_body_is_an_empty_form(client, login):
    login("admin")
    as_file = client.post(
        "/admin/kiosks", data={"name": (io.BytesIO(b"x"), "a.txt")}, content_type="multipart/form-data"
    )
    as_json = client.post("/admin/kiosks", json={"name": {"$gt": ""}})
    assert as_file.status_code < 500 and as_json.status_code < 500
    assert db.session.query(KioskDevice).count() == 0


def test_a_text_field_without_a_declared_length_is_capped(app):
    """A field that declares no Length gets one (app.forms): the code of the booking sign-in declares none."""
    with app.test_request_context("/appointments/code/check", method="POST", data={"code": "1" * 5000}):
        form = CodeForm()
        assert not form.validate()
        assert form.code.errors == ["Өріс ұзындығы көп дегенде 1000 таңба болуы тиіс."]


# ---- the schedule: a working day without hours; WTForms' own messages in kk/ru --------------------------
def _plan(**day_one) -> dict:
    data = {"slot_minutes": "20", "room": "210", "bookable_online": "y"}
    data.update({"days-0-works": "y", "days-0-starts": "08:00", "days-0-ends": "12:00"})
    data.update({f"days-0-{key}": value for key, value in day_one.items()})
    return data


@languages
def test_a_working_day_without_a_start_time_is_a_form_error_and_the_form_stays(
    client, login, doctor, language
):
    """Issue 13: "Saving a doctor's schedule with a working day and no start time: 500 and the head loses the
    form (`schedules.py` `_check_day_plan`)"."""
    login("head")
    client.get(f"/lang/{language}")
    before = db.session.query(ScheduleWeekday).count()
    response = client.post(f"/staff/appointments/schedules/{doctor.id}", data=_plan(starts="", ends="12:00"))
    expected = {"kk": "Жұмыс күнінің сағаттарын көрсетіңіз", "ru": "Укажите часы рабочего дня"}
    assert response.status_code == 200 and expected[language] in page_text(response)
    assert 'value="210"' in response.get_data(as_text=True)  # the form is kept
    assert db.session.query(ScheduleWeekday).count() == before


def test_the_service_refuses_a_working_day_without_hours(doctor):
    with pytest.raises(schedules.ScheduleError) as refused:
        schedules.save_plan(
            doctor,
            slot_minutes=15,
            room="",
            weekdays={1: schedules.DayPlan(None, time(12, 0))},
            actor=Actor.system(),
        )
    assert refused.value.field == "day_1"


@pytest.mark.parametrize(
    ("language", "message"), [("kk", "Жарамды уақыт мәні емес."), ("ru", "Неверное значение времени.")]
)
def test_a_malformed_time_is_refused_in_the_visitors_language(client, login, doctor, language, message):
    """Issue 13 (low): ""Not a valid time value." in English on kk/ru pages"."""
    login("head")
    client.get(f"/lang/{language}")
    response = client.post(f"/staff/appointments/schedules/{doctor.id}", data=_plan(starts="25:61"))
    assert message in page_text(response) and "Not a valid time value." not in page_text(response)
