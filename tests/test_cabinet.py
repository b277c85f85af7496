"""The personal cabinet (/my/, issue 14): one code, then every request of the person with the portal's
columns, a refresh per row, the result when ready, and cancel where the service allows."""

import pytest

from app.core.actors import Actor
from app.extensions import db
from app.services import home_visits, survey
from app.services import requests as request_service
from tests.conftest import page_text
from tests.feedback_factories import attach_result, last_code, make_patient, make_request
from tests.home_visits import factories as home_visit_factories

HTMX = {"HX-Request": "true"}
TEXTS = {
    "kk": {
        "title": "Менің сұрау салуларым",
        "assigned": "Дәрігер тағайындалды",
        "cancel": "Шақырудың күшін жою",
    },
    "ru": {"title": "Мои запросы", "assigned": "Врач назначен", "cancel": "Отменить вызов"},
}


def _use_language(client, language):
    client.set_cookie("emhana_lang", language, domain="localhost")


def _sign_in(client, patient):
    response = client.post("/my/code", data={"iin": patient.iin})
    assert response.status_code == 200 and 'name="code"' in response.get_data(as_text=True)
    response = client.post("/my/code/check", data={"code": last_code(patient.phone)})
    assert response.status_code == 303, page_text(response)
    assert response.headers["Location"].endswith("/my/requests")


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


def test_the_cabinet_asks_who_you_are_first(client):
    assert client.get("/my/requests").headers["Location"].endswith("/my/")
    page = client.get("/my/")
    assert page.status_code == 200 and 'name="iin"' in page.get_data(as_text=True)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_request_of_the_person_after_one_code(client, frozen, language):
    frozen(2026, 3, 18, 10, 0)
    _use_language(client, language)
    patient = make_patient(1)
    stranger = make_patient(2, phone="+77019999999")
    form = make_request(patient, "tb-certificate")
    attachment_request = make_request(patient, "attachment")
    other = make_request(stranger, "tb-certificate")
    request_service.transition(form, "completed", actor=Actor.system())
    attach_result(form)
    db.session.commit()

    _sign_in(client, patient)
    page = client.get("/my/requests")
    text, html = page_text(page), page.get_data(as_text=True)
    assert TEXTS[language]["title"] in text
    assert form.number in text and attachment_request.number in text
    assert other.number not in text
    assert patient.iin not in html and f"{patient.iin[:2]}" in text  # the IIN column, masked
    assert f'href="/status/{form.number}/document.pdf"' in html  # the result, without a second code
    assert f'hx-get="/my/requests/{attachment_request.number}"' in html

    # The refresh button: one fresh row; a stranger's number is not theirs to refresh.
    row = client.get(f"/my/requests/{attachment_request.number}", headers=HTMX)
    assert row.status_code == 200 and row.get_data(as_text=True).lstrip().startswith("<tr")
    assert client.get(f"/my/requests/{other.number}", headers=HTMX).status_code == 404
    assert client.get(f"/status/{form.number}/document.pdf").status_code == 200

    client.post("/my/sign-out")
    assert client.get(f"/my/requests/{form.number}", headers=HTMX).status_code == 200
    assert form.number not in page_text(client.get("/my/requests", follow_redirects=True))


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_home_call_is_cancelled_from_the_cabinet(client, home_call, frozen, language):
    _use_language(client, language)
    texts = TEXTS[language]
    _sign_in(client, home_call.patient)
    page = client.get("/my/requests")
    text, html = page_text(page), page.get_data(as_text=True)
    # What happened to the person, not the regulation's "completed"; and no survey before the visit.
    assert texts["assigned"] in text and texts["cancel"] in text
    assert f'action="/home-visits/{home_call.number}/cancel"' in html and "data-confirm=" in html
    assert not survey.is_offered(home_call.request)

    frozen(2026, 11, 23, 10, 40)
    response = client.post(f"/home-visits/{home_call.number}/cancel", data={"next": "/my/requests"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/my/requests")
    assert home_call.status == "cancelled" and home_call.request.status == "cancelled"
    event = next(e for e in home_call.request.events if e.step == "call_cancelled")
    assert (event.step, event.channel, event.actor_label) == ("call_cancelled", "web", "patient")
    assert texts["cancel"] not in page_text(client.get("/my/requests"))


def test_a_stranger_cannot_cancel_a_call(client, home_call):
    stranger = make_patient(5, phone="+77019999998")
    _sign_in(client, stranger)
    response = client.post(f"/home-visits/{home_call.number}/cancel")
    assert response.status_code == 403
    assert home_call.status == "assigned"
