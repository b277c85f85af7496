"""/status: follow a request by number and a one-time code, from pending to done, in both languages."""

import html

import pytest
from flask_babel import force_locale

from app.channels import KIOSK_COOKIE
from app.core.actors import Actor
from app.extensions import db
from app.models import SmsMessage
from app.services import catalogue, documents, otp
from app.services import kiosk as kiosk_service
from app.services import requests as request_service
from app.services.patient_identity import NoPhoneOnFile
from tests.conftest import page_text
from tests.feedback_factories import attach_result, last_code, make_patient, make_request

HTMX = {"HX-Request": "true"}

TEXTS = {
    "kk": {
        "code_sent": "6 таңбалы код",
        "unknown": "Бұл нөмірмен өтінім де, шағым да жоқ",
        "submitted": "Жіберілді",
        "completed": "Орындалды",
        "result": "Нәтижені көру",
        "survey": "Қызметті бағалаңыз",
        "mine": "Сіздің өтінімдеріңіз",
    },
    "ru": {
        "code_sent": "6-значный код",
        "unknown": "Нет ни заявки, ни жалобы с таким номером",
        "submitted": "Подана",
        "completed": "Исполнена",
        "result": "Посмотреть результат",
        "survey": "Оцените услугу",
        "mine": "Ваши заявки",
    },
}


def _use_language(client, language):
    client.set_cookie("emhana_lang", language, domain="localhost")


def _sign_in_by_code(client, request, phone="+77011234567"):
    response = client.post("/status", data={"number": request.number.lower()})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/status/{request.number}/code")
    response = client.post(f"/status/{request.number}/code", data={"code": last_code(phone)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/status/{request.number}")


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_follow_a_request_from_pending_to_completed(app, client, frozen, language):
    frozen(2026, 3, 18, 10, 0)
    _use_language(client, language)
    texts = TEXTS[language]
    patient = make_patient()
    request = make_request(patient)

    response = client.post("/status", data={"number": request.number})
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert texts["code_sent"] in page_text(page)
    assert "+7 701 *** ** 67" in page_text(page)
    sms = db.session.query(SmsMessage).one()
    assert request.number in sms.text and sms.phone == patient.phone

    response = client.post(f"/status/{request.number}/code", data={"code": last_code(patient.phone)})
    assert response.status_code == 303

    page = client.get(f"/status/{request.number}")
    text = page_text(page)
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True)
    assert request.number in text
    assert catalogue.get("tb-certificate").name.in_language(language) in text
    assert texts["submitted"] in text
    assert patient.iin not in text and f"{patient.iin[:2]}••••••••{patient.iin[-2:]}" in text
    assert 'hx-trigger="every 5s"' in page.get_data(as_text=True)
    assert page.headers["Vary"] == "HX-Request" or "HX-Request" in page.headers["Vary"]

    # The polling request gets only the card, which keeps polling while the request is open.
    fragment = client.get(f"/status/{request.number}", headers=HTMX)
    html = fragment.get_data(as_text=True)
    assert "<html" not in html and 'id="status-card"' in html and 'hx-trigger="every 5s"' in html

    frozen(2026, 3, 18, 10, 20)
    request_service.transition(request, "completed", actor=Actor.system())
    attach_result(request)

    html = client.get(f"/status/{request.number}", headers=HTMX).get_data(as_text=True)
    assert "hx-trigger" not in html, "a final card must stop polling"
    fragment_text = page_text(client.get(f"/status/{request.number}", headers=HTMX))
    assert texts["completed"] in fragment_text
    assert texts["result"] in fragment_text
    assert texts["survey"] in fragment_text

    pdf = client.get(f"/status/{request.number}/document.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and request.number.encode() in pdf.data


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_wrong_code_is_refused_and_counted(app, client, frozen, language):
    frozen(2026, 3, 18, 10, 0)
    _use_language(client, language)
    patient = make_patient()
    request = make_request(patient)
    client.post("/status", data={"number": request.number})
    right = last_code(patient.phone)
    wrong = "000000" if right != "000000" else "111111"

    response = client.post(f"/status/{request.number}/code", data={"code": wrong})
    assert response.status_code == 200
    with force_locale(language):
        assert otp.WrongCode(4).message in page_text(response)
    assert client.get(f"/status/{request.number}").status_code == 302, "a wrong code opens nothing"

    # The wrong try was committed (four left), and the right code still works after it.
    assert otp.latest(f"status:{request.number}", patient.iin).attempts == 1
    assert client.post(f"/status/{request.number}/code", data={"code": right}).status_code == 303


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_an_expired_code_is_refused(app, client, frozen, language):
    frozen(2026, 3, 18, 10, 0)
    _use_language(client, language)
    patient = make_patient()
    request = make_request(patient)
    client.post("/status", data={"number": request.number})
    code = last_code(patient.phone)
    frozen(2026, 3, 18, 10, 6)
    response = client.post(f"/status/{request.number}/code", data={"code": code})
    assert response.status_code == 200
    with force_locale(language):
        assert otp.CodeExpired(5).message in page_text(response)
    assert client.get(f"/status/{request.number}").status_code == 302


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_an_unknown_number_is_told_and_sends_nothing(app, client, language):
    _use_language(client, language)
    response = client.post("/status", data={"number": "AP-2026-999999"})
    assert response.status_code == 422
    assert TEXTS[language]["unknown"] in page_text(response)
    assert 'value="AP-2026-999999"' in response.get_data(as_text=True), "what was typed is kept"
    assert db.session.query(SmsMessage).count() == 0


def test_the_code_page_needs_a_code_sent_first(app, client):
    request = make_request(make_patient())
    response = client.get(f"/status/{request.number}/code")
    assert response.status_code == 303
    assert f"number={request.number}" in response.headers["Location"]


def test_someone_else_cannot_see_the_status(app, client, frozen):
    frozen(2026, 3, 18, 10, 0)
    request = make_request(make_patient())
    assert client.get(f"/status/{request.number}").status_code == 302
    assert client.get(f"/status/{request.number}/document.pdf").status_code == 302
    ended = client.get(f"/status/{request.number}", headers=HTMX)
    assert ended.status_code == 200
    html = ended.get_data(as_text=True)
    assert "hx-trigger" not in html
    assert "hx-get" not in html, "the notice replacing a polling card must not poll again"


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_signed_in_patient_sees_all_their_requests(app, client, frozen, language):
    frozen(2026, 3, 18, 10, 0)
    _use_language(client, language)
    patient = make_patient()
    other = make_patient(2, phone="+77017654321")
    first = make_request(patient)
    second = make_request(patient, "appointment", channel="web")
    strangers = make_request(other)
    _sign_in_by_code(client, first)

    page = client.get("/status")
    text = page_text(page)
    assert TEXTS[language]["mine"] in text
    assert first.number in text and second.number in text
    assert strangers.number not in text
    # A request of the same person opens without another code; someone else's asks for one.
    assert client.get(f"/status/{second.number}").status_code == 200
    assert client.post("/status", data={"number": second.number}).status_code == 303
    assert client.get(f"/status/{strangers.number}").status_code == 302

    client.post("/status/sign-out")
    assert client.get(f"/status/{first.number}").status_code == 302


def test_a_request_for_someone_without_a_phone_asks_to_come_to_the_desk(app, client):
    patient = make_patient(phone="")
    request = make_request(patient)
    response = client.post("/status", data={"number": request.number})
    assert response.status_code == 200
    with force_locale("kk"):
        assert NoPhoneOnFile(patient.iin).message in html.unescape(page_text(response))
    assert db.session.query(SmsMessage).count() == 0


def test_a_revoked_result_is_not_offered(app, client, frozen):
    frozen(2026, 3, 18, 10, 0)
    patient = make_patient()
    request = make_request(patient)
    _sign_in_by_code(client, request)
    request_service.transition(request, "completed", actor=Actor.system())
    document = attach_result(request)
    documents.revoke(document, "issued by mistake", Actor.system())
    db.session.commit()
    assert TEXTS["kk"]["result"] not in page_text(client.get(f"/status/{request.number}"))
    assert client.get(f"/status/{request.number}/document.pdf").status_code == 404


def test_on_a_kiosk_the_card_does_not_poll(app, client, frozen):
    # Each swap would restart the kiosk's idle timer, so an open request would keep the screen forever.
    frozen(2026, 3, 18, 10, 0)
    _device, token = kiosk_service.register_device("Lobby")
    db.session.commit()
    client.set_cookie(KIOSK_COOKIE, token, domain="localhost")
    patient = make_patient()
    request = make_request(patient, channel="kiosk")
    _sign_in_by_code(client, request)
    html = client.get(f"/status/{request.number}").get_data(as_text=True)
    assert 'class=" kiosk"' in html
    assert "hx-trigger" not in html and request.number in html
