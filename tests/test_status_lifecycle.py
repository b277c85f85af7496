"""The end of a request's life and what it gave, as the patient follows it on /status.

A booking or a home call cancelled after its answer ends "cancelled" (not "completed") on the status page,
the patient's list and the staff screens, keeps the moment it was answered, and is offered the survey.
The status card shows each service's own summary ("what you got") to the request's subject or applicant only.
"""

from datetime import date, datetime, time, timedelta

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from app.core.actors import Actor
from app.core.clock import ALMATY
from app.extensions import db
from app.services import appointments, attachment, certificates, home_visits, survey
from app.services import requests as request_service
from app.services import status as status_service
from tests import factories
from tests.appointments import factories as appointment_factories
from tests.certificates import factories as certificate_factories
from tests.conftest import page_text
from tests.feedback_factories import last_code
from tests.home_visits import factories as home_visit_factories

MONDAY = date(2026, 11, 23)
TUESDAY = MONDAY + timedelta(days=1)
DOCTOR = "Волков Дмитрий Сергеевич"

TEXTS = {
    "kk": {
        "cancelled": "Күшін жойды",
        "completed": "Орындалды",
        "booked": "Жазылды",
        "doctor_assigned": "Дәрігер тағайындалды",
        "answered": "Жауап берілді",
        "survey": "Қызметті бағалаңыз",
        "visit": "Дәрігердің қабылдауы",
        "booking_cancelled": "Бұл жазылудың күші жойылды; уақыт басқа пациенттерге бос.",
        "booking_day": "24 қараша 2026",
        "room": "Кабинет",
        "home_visit": "Дәрігердің үйге келуі",
        "visit_window": "Келу уақыты",
        "visit_day": "дүйсенбі, 23 қараша 2026",
        "stay_home": "Дәрігер осы уақыт аралығында келеді.",
        "call_cancelled": "Бұл шақырудың күші жойылды.",
    },
    "ru": {
        "cancelled": "Отменена",
        "completed": "Исполнена",
        "booked": "Записан",
        "doctor_assigned": "Врач назначен",
        "answered": "Дан ответ",
        "survey": "Оцените услугу",
        "visit": "Приём у врача",
        "booking_cancelled": "Эта запись отменена; время свободно для других пациентов.",
        "booking_day": "24 ноября 2026",
        "room": "Кабинет",
        "home_visit": "Визит врача на дом",
        "visit_window": "Время визита",
        "visit_day": "понедельник, 23 ноября 2026",
        "stay_home": "Врач придёт в это время.",
        "call_cancelled": "Этот вызов отменён.",
    },
}


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ALMATY)


def _use_language(client, language):
    client.set_cookie("emhana_lang", language, domain="localhost")


def _follow(client, request, phone):
    """Prove the request by the one-time code sent to the phone on file, as on /status."""
    assert client.post("/status", data={"number": request.number}).status_code == 303
    response = client.post(f"/status/{request.number}/code", data={"code": last_code(phone)})
    assert response.status_code == 303


def _badge(page_html: str) -> str:
    """The text of the status badge of the card."""
    start = page_html.index('class="badge status-badge')
    return page_html[page_html.index(">", start) + 1 : page_html.index("</span>", start)]


# ---- the generic request: cancelling after the answer -------------------------------------------------
@pytest.fixture
def patient(app):
    home_visit_factories.make_clinic()
    return home_visit_factories.make_patient(1)


def test_an_answered_request_ends_cancelled_and_keeps_its_answer_time(patient, frozen):
    frozen(2026, 11, 23, 9, 0)
    request = request_service.create_request(
        "appointment", channel="web", actor=Actor.patient(), subject=patient
    )
    frozen(2026, 11, 23, 9, 5)
    request_service.transition(request, "completed", actor=Actor.patient(), step="booked")
    answered_at = request.completed_at
    frozen(2026, 11, 24, 8, 0)
    event = request_service.cancel(request, actor=Actor.patient(), step="booking_cancelled", channel="web")

    assert request.status == "cancelled" and not request.is_open
    assert request.completed_at == answered_at == at(MONDAY, 9, 5), "cancelling does not move the answer"
    assert (event.step, event.from_status, event.to_status) == ("booking_cancelled", "completed", "cancelled")
    assert request_service.was_completed(request)
    with pytest.raises(request_service.InvalidTransition):
        request_service.cancel(request, actor=Actor.patient())


def test_an_open_request_is_cancelled_as_any_transition_and_was_never_answered(patient, frozen):
    frozen(2026, 11, 23, 9, 0)
    request = request_service.create_request(
        "appointment", channel="web", actor=Actor.patient(), subject=patient
    )
    frozen(2026, 11, 23, 9, 3)
    request_service.cancel(request, actor=Actor.patient(), step="booking_cancelled")
    assert request.status == "cancelled" and request.completed_at == at(MONDAY, 9, 3)
    assert not request_service.was_completed(request)
    assert not survey.is_offered(request)
    with pytest.raises(survey.SurveyError):
        survey.record_answer(request, process="satisfied", information="satisfied")


def test_a_refused_request_cannot_be_cancelled(patient, frozen):
    frozen(2026, 11, 23, 9, 0)
    request = request_service.create_request(
        "appointment", channel="web", actor=Actor.patient(), subject=patient
    )
    request_service.refuse(request, "not_attached", actor=Actor.system())
    with pytest.raises(request_service.InvalidTransition):
        request_service.cancel(request, actor=Actor.patient())
    assert request.status == "refused"


# ---- appointments ----------------------------------------------------------------------------------------
@pytest.fixture
def booking(app, make_staff, frozen):
    """A booking for Tuesday 09:00 made on Monday morning: answered at once (completed)."""
    appointment_factories.make_clinic()
    frozen(2026, 11, 23, 7, 30)
    doctor = appointment_factories.make_doctor(make_staff, full_name="Жұмабаева Асель Қайратқызы", room="105")
    patient = appointment_factories.make_patient(1)
    appointment = appointments.book_appointment(
        patient, doctor, at(TUESDAY, 9, 0), actor=Actor.patient(), channel="web", language="kk"
    )
    db.session.commit()
    assert appointment.request.status == "completed"
    return appointment


def test_a_booking_cancelled_by_the_patient_ends_cancelled(booking, frozen):
    request = booking.request
    answered_at = request.completed_at
    frozen(2026, 11, 23, 12, 0)
    appointments.cancel_appointment(booking, actor=Actor.patient(), channel="web", by_patient=True)
    db.session.commit()
    assert booking.status == "cancelled" and request.status == "cancelled"
    assert request.completed_at == answered_at
    cancel_event = next(e for e in request.events if e.step == "booking_cancelled")
    assert (cancel_event.from_status, cancel_event.to_status, cancel_event.channel) == (
        "completed",
        "cancelled",
        "web",
    )
    assert survey.is_offered(request), "the booking was delivered: its rating still matters"


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_status_page_and_the_list_say_cancelled_and_show_the_booking(client, booking, frozen, language):
    _use_language(client, language)
    texts = TEXTS[language]
    request = booking.request
    frozen(2026, 11, 23, 12, 0)
    _follow(client, request, booking.patient.phone)

    page = client.get(f"/status/{request.number}")
    text, html = page_text(page), page.get_data(as_text=True)
    # The person reads what happened to them (booked), not the regulation's "completed"; and the visit
    # has not happened yet, so there is no survey yet (issue 14).
    assert _badge(html) == texts["booked"]
    assert texts["survey"] not in text
    # What the booking gave: day and time, the doctor and the room, and a way to the talon.
    assert texts["visit"] in text and texts["booking_day"] in text and "09:00–09:15" in text
    assert "Жұмабаева Асель Қайратқызы" in text and texts["room"] in text and "105" in text
    assert f'href="/appointments/{request.number}"' in html

    frozen(2026, 11, 23, 12, 5)
    cancelled = client.post(f"/appointments/{request.number}/cancel")
    assert cancelled.status_code == 303, page_text(cancelled)
    page = client.get(f"/status/{request.number}")
    assert page.status_code == 200, page.headers.get("Location")
    text, html = page_text(page), page.get_data(as_text=True)
    assert _badge(html) == texts["cancelled"]
    assert "status-badge--cancelled" in html and "status-badge--completed" not in html
    assert texts["answered"] in text, "the moment it was answered is still shown"
    assert texts["booking_cancelled"] in text and texts["booking_day"] in text
    assert f'href="/appointments/{request.number}"' not in html, "nothing left to manage"
    assert texts["survey"] in text

    listing = client.get("/status").get_data(as_text=True)
    assert "status-badge--cancelled" in listing and "status-badge--completed" not in listing
    assert texts["cancelled"] in listing


def test_the_desk_cancels_a_booking_and_the_staff_screens_follow(client, booking, login, frozen):
    login("registrar")
    request = booking.request
    frozen(2026, 11, 23, 8, 0)
    response = client.post(f"/staff/appointments/bookings/{request.number}/cancel", data={"note": "звонок"})
    assert response.status_code == 303
    assert request.status == "cancelled" and booking.status == "cancelled"
    cancel_event = next(e for e in request.events if e.step == "booking_cancelled")
    assert (cancel_event.from_status, cancel_event.to_status) == ("completed", "cancelled")
    # The patient's bookings at the desk say cancelled; the day's journal no longer holds the slot.
    bookings = client.get(f"/staff/appointments/patients/{booking.patient_id}").get_data(as_text=True)
    assert "booking-badge--cancelled" in bookings and request.number in bookings
    journal = client.get(f"/staff/appointments/journal?day={TUESDAY.isoformat()}")
    assert journal.status_code == 200 and request.number not in journal.get_data(as_text=True)


def test_staff_do_not_get_the_patients_summary_on_status(client, booking, login):
    login("registrar")
    # Staff work through their own screens; /status stays the patient's, and asks for the code.
    assert client.get(f"/status/{booking.request.number}").status_code == 302


def test_the_summary_is_only_for_the_subject_or_the_applicant(booking):
    request = booking.request
    stranger = appointment_factories.make_patient(2)
    assert status_service.describe(request, viewer_iin=booking.patient.iin).summary
    assert status_service.describe(request, viewer_iin=stranger.iin).summary is None
    assert status_service.describe(request).summary is None


# ---- home calls -------------------------------------------------------------------------------------
@pytest.fixture
def home_call(app, make_staff, frozen):
    """A web call on Monday 10:30 answered at once: the district doctor, 11:00-15:00."""
    home_visit_factories.make_clinic()
    home_visit_factories.make_district_doctor(
        make_staff, "therapist1", 1, full_name="Волков Дмитрий Сергеевич"
    )
    frozen(2026, 11, 23, 10, 30)
    patient = home_visit_factories.make_patient(1, phone="+77010000001")
    visit = home_visits.call_doctor(
        patient,
        home_visits.CallDetails(
            address="Алматы қ., Абай даңғылы, 10, 5",
            complaint="Температура, кашель",
            callback_phone="8 701 000 00 01",
            temperature=38.2,
        ),
        actor=Actor.patient(),
        channel="web",
        language="kk",
        notice_phone=patient.phone,
    )
    db.session.commit()
    assert visit.status == "assigned" and visit.request.status == "completed"
    return visit


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_status_page_shows_the_visit_window_and_the_doctor(client, home_call, language):
    _use_language(client, language)
    texts = TEXTS[language]
    _follow(client, home_call.request, home_call.patient.phone)
    page = client.get(f"/status/{home_call.number}")
    text = page_text(page)
    assert texts["home_visit"] in text and texts["visit_window"] in text and "11:00–15:00" in text
    assert texts["visit_day"] in text
    assert DOCTOR in text and texts["stay_home"] in text
    assert "Температура" not in text, "the complaint stays off the status page"
    # The polling fragment carries the same summary.
    fragment = client.get(f"/status/{home_call.number}", headers={"HX-Request": "true"})
    assert "11:00–15:00" in page_text(fragment)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_call_cancelled_after_the_window_was_given(client, home_call, login, frozen, language):
    _use_language(client, language)
    texts = TEXTS[language]
    frozen(2026, 11, 23, 10, 45)
    home_visits.cancel_call(home_call, actor=Actor.system(), channel="phone", note="Жақсы болды")
    db.session.commit()
    request = home_call.request
    assert request.status == "cancelled" and request_service.was_completed(request)
    assert request.completed_at == home_call.answered_at

    _follow(client, request, home_call.patient.phone)
    page = client.get(f"/status/{home_call.number}")
    text, html = page_text(page), page.get_data(as_text=True)
    assert _badge(html) == texts["cancelled"]
    assert texts["call_cancelled"] in text and "11:00–15:00" in text
    assert texts["survey"] in text

    # The answer of someone who called the doctor off is taken, once, like any other.
    rated = client.post(
        f"/status/{home_call.number}/survey",
        data={"process_rating": "partly_satisfied", "information_rating": "satisfied"},
    )
    assert rated.status_code == 303
    assert survey.has_answered(request) and not survey.is_offered(request)
    assert texts["survey"] not in page_text(client.get(f"/status/{home_call.number}"))


# ---- attachment and information forms -------------------------------------------------------------
@pytest.mark.parametrize("language", ["kk", "ru"])
def test_an_approved_attachment_shows_the_district_and_its_doctor(app, make_staff, frozen, language):
    frozen(2026, 11, 23, 10, 0)
    home_visit_factories.make_clinic()
    home_visit_factories.make_district_doctor(
        make_staff, "therapist1", 1, full_name="Волков Дмитрий Сергеевич"
    )
    iin = factories.make_patient(7, attached_to=None, with_card=False, phone="+77010000007")
    application = attachment.submit_application(
        attachment.ApplicationInput(iin=iin, address="Алматы қ., Абай даңғылы, 15, 3", reason="free_choice"),
        actor=Actor.patient(),
        channel="web",
    )
    assert status_service.describe(application.request, viewer_iin=iin).summary is None, "nothing yet"
    attachment.approve(application, district=factories.district(1), actor=Actor.system())
    with force_locale(language):
        summary = status_service.describe(application.request, viewer_iin=iin).summary
        facts = {fact.label: fact.value for fact in summary.facts}
        assert facts[_("District")].startswith("1 (")
        assert facts[_("District doctor")] == DOCTOR
        assert str(summary.title) == _("Your attachment to the clinic")
    assert status_service.describe(application.request, viewer_iin="900101300123").summary is None


def test_an_information_form_shows_its_number_and_validity_not_the_answer(app, frozen):
    frozen(2026, 11, 23, 10, 0)
    person = certificate_factories.registry_person(registers=("tb",))
    request = certificates.request_form(
        "tb",
        applicant_iin=person.iin,
        subject_iin=person.iin,
        channel="web",
        actor=Actor.patient(),
        language="ru",
    )
    assert request.status == "completed"
    document = certificates.result_document(request)
    with force_locale("ru"):
        summary = status_service.describe(request, viewer_iin=person.iin).summary
        facts = {fact.label: fact.value for fact in summary.facts}
        assert facts["Номер документа"] == document.number
        assert facts["Действителен до"].startswith("3 декабря 2026")
        assert not any("состоит" in value for value in facts.values()), "the answer stays on the request page"
