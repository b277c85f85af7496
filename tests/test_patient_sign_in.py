"""The patient sign-in the services share (IIN -> code to the phone on file -> confirm), service by service,
in Kazakh and Russian: what each step answers, where a confirmed person lands, and signing out."""

import re

import pytest

from app.extensions import db
from app.models.notify import SmsMessage
from tests.conftest import CODE_SENT, page_text
from tests.home_visits.factories import make_clinic, make_district_doctor, make_patient

HX = {"HX-Request": "true"}
PHONE = "+77010000001"

# Each service: where its sign-in lives, and where a confirmed person lands.
SERVICES = {
    "appointments": ("/appointments", "/appointments/choose"),
    "home_visits": ("/home-visits", "/home-visits/new"),
    "attachment": ("/attachment", "/attachment/apply"),
}

TEXTS = {
    "kk": {
        "iin_label": "Сіздің ЖСН",
        "sent": CODE_SENT["kk"],
        "wrong": "Код қате. Тағы 4 рет енгізуге болады.",
        "empty_code": "SMS-тегі 6 таңбалы кодты енгізіңіз.",
        "expired": "Сеанс уақыты бітті. ЖСН-ді қайта енгізіңіз.",
    },
    "ru": {
        "iin_label": "Ваш ИИН",
        "sent": CODE_SENT["ru"],
        "wrong": "Неверный код. Осталось 4 попытки.",
        "empty_code": "Введите 6-значный код из SMS.",
        "expired": "Сеанс истёк. Пожалуйста, введите ИИН ещё раз.",
    },
}

services = pytest.mark.parametrize("service", list(SERVICES))
languages = pytest.mark.parametrize("language", ["kk", "ru"])


@pytest.fixture
def patient(app, frozen, make_staff):
    frozen(2026, 11, 23, 10, 0)  # a working Monday morning: home calls are taken
    make_clinic()
    make_district_doctor(make_staff, "therapist1", 1)
    return make_patient(1, phone=PHONE)


def last_code() -> str:
    message = db.session.query(SmsMessage).filter_by(phone=PHONE).order_by(SmsMessage.id.desc()).first()
    return re.search(r"\b(\d{6})\b", message.text).group(1)


def sign_in(client, service, iin):
    prefix, _ = SERVICES[service]
    assert client.post(f"{prefix}/code", data={"iin": iin}).status_code == 200
    return client.post(f"{prefix}/code/check", data={"code": last_code()})


@services
@languages
def test_a_confirmed_code_lands_on_the_service_and_sign_out_returns_to_the_start(
    client, patient, service, language
):
    prefix, landing = SERVICES[service]
    client.get(f"/lang/{language}")
    start = client.get(f"{prefix}/")
    assert start.status_code == 200 and TEXTS[language]["iin_label"] in page_text(start)

    sent = client.post(f"{prefix}/code", data={"iin": patient.iin})
    assert sent.status_code == 200 and TEXTS[language]["sent"] in page_text(sent)
    confirmed = client.post(f"{prefix}/code/check", data={"code": last_code()})
    assert confirmed.status_code == 303 and confirmed.headers["Location"].endswith(landing)

    # Signed in, the start page sends the person straight on.
    again = client.get(f"{prefix}/")
    assert again.status_code == 302 and again.headers["Location"].endswith(landing)

    signed_out = client.post(f"{prefix}/sign-out")
    assert signed_out.status_code == 303 and signed_out.headers["Location"].endswith(f"{prefix}/")
    assert client.get(f"{prefix}/").status_code == 200
    assert client.get(landing).status_code in (302, 303)  # the service asks for the IIN again


@services
@languages
def test_a_wrong_code_keeps_the_pending_iin_and_the_right_one_then_works(client, patient, service, language):
    prefix, landing = SERVICES[service]
    client.get(f"/lang/{language}")
    client.post(f"{prefix}/code", data={"iin": patient.iin})

    empty = client.post(f"{prefix}/code/check", data={"code": ""})
    assert empty.status_code == 200 and TEXTS[language]["empty_code"] in page_text(empty)
    wrong = client.post(f"{prefix}/code/check", data={"code": "000000"})
    text = page_text(wrong)
    assert wrong.status_code == 200
    assert TEXTS[language]["wrong"] in text and TEXTS[language]["sent"] in text  # still on the code step

    right = client.post(f"{prefix}/code/check", data={"code": last_code()})
    assert right.status_code == 303 and right.headers["Location"].endswith(landing)


@services
@languages
def test_an_invalid_iin_is_explained_and_kept(client, patient, service, language):
    prefix, _ = SERVICES[service]
    client.get(f"/lang/{language}")
    response = client.post(f"{prefix}/code", data={"iin": "12345"}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<div id="identify"')
    assert 'value="12345"' in html and TEXTS[language]["iin_label"] in page_text(response)
    assert db.session.query(SmsMessage).count() == 0


@services
@languages
def test_a_code_without_a_pending_iin_says_the_session_expired(client, patient, service, language):
    prefix, _ = SERVICES[service]
    client.get(f"/lang/{language}")
    response = client.post(f"{prefix}/code/check", data={"code": "123456"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{prefix}/")
    assert TEXTS[language]["expired"] in page_text(client.get(f"{prefix}/"))

    by_htmx = client.post(f"{prefix}/code/check", data={"code": "123456"}, headers=HX)
    assert by_htmx.status_code == 200 and by_htmx.headers["HX-Redirect"].endswith(f"{prefix}/")


@services
def test_htmx_steps_swap_the_box_and_the_last_one_navigates(client, patient, service):
    prefix, landing = SERVICES[service]
    sent = client.post(f"{prefix}/code", data={"iin": patient.iin}, headers=HX)
    assert sent.get_data(as_text=True).lstrip().startswith('<div id="identify"')
    assert "HX-Request" in sent.headers["Vary"]
    confirmed = client.post(f"{prefix}/code/check", data={"code": last_code()}, headers=HX)
    assert confirmed.status_code == 200 and confirmed.headers["HX-Redirect"].endswith(landing)


@services
def test_signing_out_drops_a_code_on_its_way(client, patient, service):
    prefix, _ = SERVICES[service]
    client.post(f"{prefix}/code", data={"iin": patient.iin})
    client.post(f"{prefix}/sign-out")
    response = client.post(f"{prefix}/code/check", data={"code": last_code()})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"{prefix}/")


@languages
def test_booking_needs_a_card_so_a_registry_outage_at_the_code_keeps_the_person_out(
    client, app, frozen, monkeypatch, language
):
    from app.registries import RegistryUnavailable, get_registry

    frozen(2026, 11, 23, 10, 0)
    make_clinic()
    iin = make_patient(1, phone=PHONE, with_card=False)  # the phone comes from the state database
    client.get(f"/lang/{language}")
    client.post("/appointments/code", data={"iin": iin})

    def unavailable(iin):
        raise RegistryUnavailable("timeout")

    monkeypatch.setattr(get_registry(), "find_person", unavailable)
    response = client.post("/appointments/code/check", data={"code": last_code()})
    assert response.status_code == 200
    assert ("жауап бермей тұр" if language == "kk" else "сейчас не отвечает") in page_text(response)
    assert client.get("/appointments/choose").status_code in (302, 303)


def test_home_visits_land_on_the_call_page_that_asked_for_the_code_but_a_fresh_start_does_not(
    client, patient, frozen
):
    # Each sign-in a few minutes after the last: one code per IIN a minute (issue 13, item 2: «a short
    # cool-down plus a daily cap»).
    sign_in(client, "home_visits", patient.iin)
    created = client.post(
        "/home-visits/new",
        data={
            "for_whom": "self",
            "address": patient.address,
            "complaint": "Температура",
            "callback_phone": PHONE,
        },
    )
    call_page = created.headers["Location"]
    client.post("/home-visits/sign-out")

    assert client.get(call_page).status_code == 403  # asks for the code, remembering the page
    frozen(2026, 11, 23, 10, 2)
    assert sign_in(client, "home_visits", patient.iin).headers["Location"] == call_page

    client.post("/home-visits/sign-out")
    client.get(call_page)
    client.get("/home-visits/")  # starting afresh forgets the call page
    frozen(2026, 11, 23, 10, 4)
    assert sign_in(client, "home_visits", patient.iin).headers["Location"].endswith("/home-visits/new")


def test_a_posted_next_is_followed_only_by_booking_and_only_within_the_site(client, patient, frozen):
    """Only the booking flow takes a `next` from the IIN form, and never one that leaves the site."""
    client.post("/appointments/code", data={"iin": patient.iin, "next": "https://evil.example/"})
    landed = client.post("/appointments/code/check", data={"code": last_code()})
    assert landed.headers["Location"].endswith("/appointments/choose")
    client.post("/appointments/sign-out")
    frozen(2026, 11, 23, 10, 2)  # past the one-minute cool-down between two codes for one IIN (issue 13)
    client.post("/attachment/code", data={"iin": patient.iin, "next": "/home-visits/"})
    landed = client.post("/attachment/code/check", data={"code": last_code()})
    assert landed.headers["Location"].endswith("/attachment/apply")
