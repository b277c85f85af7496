"""Information forms end to end, through the Flask client as a patient, an applicant, a subject and a
registrar would use them, in Kazakh and Russian."""

import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.core.actors import Actor
from app.core.iin import make_iin
from app.extensions import db
from app.models import AuditEntry, Consent, Document, InformationFormRequest, ServiceRequest, SmsMessage
from app.services import catalogue, certificates, registry_pending
from tests.certificates.factories import (
    TOKEN_LINK,
    last_code_to,
    last_message_to,
    messages_to,
    patient_card,
    registry_down,
    registry_person,
    registry_up,
    subject_person,
    wrong_code,
)
from tests.conftest import page_text

TEXT = {
    "kk": {
        "step3": "3-қадам",
        "registered": "иә, есепте тұрады",
        "valid": "Жарамды",
        "waiting_consent": "Адамның келісімін күтуде",
        "refused": "Бас тартылды",
        "no_consent": "Сұрау салу жасалған адамның келісімінің болмауы",
        "wrong_code": "Код қате. Тағы 4 рет",
        "expired": "Кодтың мерзімі өтті",
        "no_phone": "тіркеу орнына",
        "registry_waiting": "Ұлттық тізілім қазір жауап бермей тұр",
    },
    "ru": {
        "step3": "Шаг 3",
        "registered": "да, состоит",
        "valid": "Действителен",
        "waiting_consent": "Ожидает согласия человека",
        "refused": "Отказано",
        "no_consent": "Отсутствие согласия лица, в отношении которого сделан запрос",
        "wrong_code": "Неверный код. Осталось 4 попытки",
        "expired": "Срок действия кода истёк",
        "no_phone": "регистратуру",
        "registry_waiting": "Национальный регистр сейчас не отвечает",
    },
}


def choose_language(client, language):
    client.get(f"/lang/{language}")


def sign_in(client, person, register="tb"):
    response = client.post(f"/certificates/{register}/code", data={"iin": person.iin})
    assert response.status_code == 200
    code = last_code_to(person.phone)
    response = client.post(f"/certificates/{register}/sign-in", data={"iin": person.iin, "code": code})
    assert response.status_code == 200
    return response


def request_for(client, register, **data):
    data.setdefault("for_whom", "self")
    return client.post(f"/certificates/{register}/requests", data=data)


def only_request() -> ServiceRequest:
    return db.session.scalars(
        select(ServiceRequest).where(ServiceRequest.service.in_(certificates.SERVICE_SLUGS))
    ).one()


def pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


# ---- for myself -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_tb_form_for_myself_end_to_end(app, client, demo_clinic, language):
    me = registry_person(registers=("tb",))
    choose_language(client, language)
    start = client.get("/certificates/tb/")
    assert start.status_code == 200 and 'name="iin"' in start.get_data(as_text=True)

    code_step = client.post("/certificates/tb/code", data={"iin": me.iin})
    assert "+7 701 *** ** 67" in page_text(code_step)
    sms = last_message_to(me.phone)
    assert sms.purpose == "otp:login" and sms.language == language  # no card yet: the visitor's language

    signed_in = sign_in_with(client, me)
    assert TEXT[language]["step3"] in page_text(signed_in)

    created = request_for(client, "tb")
    assert created.status_code == 303
    request = only_request()
    assert created.headers["Location"] == f"/certificates/requests/{request.number}"
    assert request.status == "completed" and request.channel == "web" and request.language == language
    assert request.deadline_at is not None

    page = client.get(created.headers["Location"])
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert TEXT[language]["registered"] in page_text(page)

    document = certificates.result_document(request)
    pdf = client.get(f"/certificates/requests/{request.number}/form.pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.data == document.pdf and document.language == language
    assert "Сведения/Мәлімет" in pdf_text(pdf.data) and me.iin in pdf_text(pdf.data)

    verify = client.get(f"/verify/{document.verification_code}")
    assert TEXT[language]["valid"] in page_text(verify)

    steps = [event.step for event in request.events]
    for step in ("submitted", "registry_checked", "form_issued", "result_viewed", "document_downloaded"):
        assert step in steps
    assert request.subject is not None and request.subject.iin == me.iin  # the card made from the registry


def sign_in_with(client, person):
    code = last_code_to(person.phone)
    return client.post("/certificates/tb/sign-in", data={"iin": person.iin, "code": code})


@pytest.mark.parametrize("register", ["psychiatry", "narcology"])
def test_the_other_two_forms_for_myself(app, client, register):
    me = registry_person(registers=(register,))
    sign_in(client, me, register)
    response = request_for(client, register)
    assert response.status_code == 303
    request = only_request()
    assert request.service == certificates.FORMS[register].service_slug
    assert certificates.result_document(request).kind == f"{register}_form"
    assert "иә, есепте тұрады" in page_text(client.get(response.headers["Location"]))


def test_the_flow_is_an_htmx_component(app, client):
    me = registry_person()
    fragment = client.get("/certificates/tb/", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert "<html" not in html and 'id="certificate-flow"' in html
    assert "HX-Request" in fragment.headers["Vary"]
    step = client.post("/certificates/tb/code", data={"iin": me.iin}, headers={"HX-Request": "true"})
    assert "<html" not in step.get_data(as_text=True) and 'name="code"' in step.get_data(as_text=True)
    code = last_code_to(me.phone)
    client.post(
        "/certificates/tb/sign-in", data={"iin": me.iin, "code": code}, headers={"HX-Request": "true"}
    )
    done = request_for(client, "tb", **{})
    assert done.status_code == 303
    via_htmx = client.post(
        "/certificates/tb/requests", data={"for_whom": "self"}, headers={"HX-Request": "true"}
    )
    assert via_htmx.status_code == 200 and via_htmx.headers["HX-Redirect"].startswith(
        "/certificates/requests/"
    )


def test_bad_iin_is_explained_and_kept(app, client):
    response = client.post("/certificates/tb/code", data={"iin": "12345"})
    assert response.status_code == 200
    text = page_text(response)
    assert "12" in text and 'value="12345"' in response.get_data(as_text=True)
    assert db.session.scalars(select(SmsMessage)).all() == []


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_wrong_code_is_refused_with_the_attempts_left(app, client, language):
    me = registry_person()
    choose_language(client, language)
    client.post("/certificates/tb/code", data={"iin": me.iin})
    code = last_code_to(me.phone)
    response = client.post("/certificates/tb/sign-in", data={"iin": me.iin, "code": wrong_code(code)})
    assert response.status_code == 200
    assert TEXT[language]["wrong_code"] in page_text(response)
    assert TEXT[language]["step3"] not in page_text(response)
    assert (
        client.post("/certificates/tb/requests", data={"for_whom": "self"}).status_code == 200
    )  # not signed in
    assert db.session.scalars(select(ServiceRequest)).all() == []


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_an_expired_code_is_refused(app, client, frozen, language):
    me = registry_person()
    choose_language(client, language)
    frozen(2026, 3, 10, 10, 0)
    client.post("/certificates/tb/code", data={"iin": me.iin})
    code = last_code_to(me.phone)
    frozen(2026, 3, 10, 10, 6)
    response = client.post("/certificates/tb/sign-in", data={"iin": me.iin, "code": code})
    assert TEXT[language]["expired"] in page_text(response)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_person_without_a_phone_is_sent_to_the_desk(app, client, language):
    me = registry_person(phone="")
    choose_language(client, language)
    response = client.post("/certificates/tb/code", data={"iin": me.iin})
    assert response.status_code == 200
    assert TEXT[language]["no_phone"] in page_text(response)
    assert db.session.scalars(select(SmsMessage)).all() == []


def test_the_phone_on_the_clinic_card_wins_and_the_card_language_is_used(app, client):
    me = registry_person(phone="+77010000000")
    patient_card(me, phone="+77017777777", language="ru")
    client.post("/certificates/tb/code", data={"iin": me.iin})
    assert messages_to("+77010000000") == []
    assert "Ваш код" in last_message_to("+77017777777").text


def test_an_unknown_iin_is_told(app, client):
    response = client.post("/certificates/tb/code", data={"iin": make_iin(date(1990, 1, 1), "M", serial=999)})
    assert "табылмады" in page_text(response)


def test_requests_are_rate_limited_per_applicant(app, client):
    app.config["CERTIFICATE_REQUESTS_PER_DAY"] = 2
    me = registry_person()
    sign_in(client, me)
    assert request_for(client, "tb").status_code == 303
    assert request_for(client, "tb").status_code == 303
    third = request_for(client, "tb")
    assert third.status_code == 200 and "тым көп" in page_text(third).lower()
    assert len(db.session.scalars(select(ServiceRequest)).all()) == 2


# ---- for another person ---------------------------------------------------------------------------------


def ask_about(client, applicant, subject, register="psychiatry"):
    sign_in(client, applicant, register)
    response = request_for(client, register, for_whom="other", subject_iin=subject.iin)
    assert response.status_code == 303, page_text(response)
    return only_request()


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_psychiatry_form_for_another_person_is_refused_without_consent(app, client, frozen, language):
    applicant = registry_person()
    subject = subject_person(registers=("psychiatry",))
    patient_card(subject, language="ru")
    choose_language(client, language)
    frozen(2026, 3, 10, 10, 0)
    request = ask_about(client, applicant, subject)
    assert request.status == "awaiting_consent"

    consent_sms = last_message_to(subject.phone)
    assert consent_sms.language == "ru" and "Ахметова Әсел Серікқызы" in consent_sms.text
    assert request.number in consent_sms.text and TOKEN_LINK.search(consent_sms.text)

    page = client.get(f"/certificates/requests/{request.number}")
    assert TEXT[language]["waiting_consent"] in page_text(page)
    assert "состоит" not in page_text(page) and "тұрады" not in page_text(page)

    # The applicant's open page polls its status, which also keeps their session alive.
    frozen(2026, 3, 10, 10, 15)
    client.get(f"/certificates/requests/{request.number}/status?was=awaiting_consent")
    frozen(2026, 3, 10, 10, 29)
    client.get(f"/certificates/requests/{request.number}/status?was=awaiting_consent")
    assert only_request().status == "awaiting_consent"

    frozen(2026, 3, 10, 10, 31)
    page = client.get(f"/certificates/requests/{request.number}")
    request = only_request()
    assert request.status == "refused" and request.refusal_ground == "no_consent"
    assert TEXT[language]["refused"] in page_text(page) and TEXT[language]["no_consent"] in page_text(page)
    assert request.result_document_id is None and request.subject_id is None
    assert db.session.scalars(select(Document)).all() == []
    refusal_sms = last_message_to(applicant.phone)
    assert refusal_sms.purpose == "certificate_refused"

    # The code the subject got is of no use any more.
    late = client.post(f"/certificates/requests/{request.number}/consent", data={"code": "123456"})
    assert late.status_code == 200 and only_request().status == "refused"


def test_expire_consents_command_refuses_the_overdue_ones(app, client, runner, frozen):
    applicant = registry_person()
    subject = subject_person()
    frozen(2026, 3, 10, 10, 0)
    request = ask_about(client, applicant, subject)
    frozen(2026, 3, 10, 10, 20)
    result = runner.invoke(args=["expire-consents"])
    assert "0 request(s)" in result.output
    frozen(2026, 3, 10, 10, 45)
    result = runner.invoke(args=["expire-consents"])
    assert result.exit_code == 0 and "1 request(s)" in result.output
    db.session.expire_all()
    assert db.session.get(ServiceRequest, request.id).status == "refused"


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_psychiatry_form_for_another_person_is_issued_with_consent(app, client, language):
    applicant = registry_person()
    subject = subject_person(registers=("psychiatry",))
    choose_language(client, language)
    request = ask_about(client, applicant, subject)
    subject_code = last_code_to(subject.phone)

    wrong = client.post(
        f"/certificates/requests/{request.number}/consent", data={"code": wrong_code(subject_code)}
    )
    assert TEXT[language]["wrong_code"] in page_text(wrong)
    assert only_request().status == "awaiting_consent"

    done = client.post(f"/certificates/requests/{request.number}/consent", data={"code": subject_code})
    assert done.status_code == 303, page_text(done)
    request = only_request()
    assert request.status == "completed"
    consent = db.session.scalars(select(Consent)).one()
    assert (consent.request_id, consent.subject_iin, consent.method, consent.channel) == (
        request.id,
        subject.iin,
        "code_via_applicant",
        "web",
    )
    page = page_text(client.get(f"/certificates/requests/{request.number}"))
    assert TEXT[language]["registered"] in page
    text = pdf_text(client.get(f"/certificates/requests/{request.number}/form.pdf").data)
    assert "Иванов Сергей Петрович" in text and "Динамикалық бақылауда тұратыны (тұрмайтыны)" in text
    assert request.subject.iin == subject.iin and request.applicant.iin == applicant.iin


def test_the_subject_consents_through_the_link(app, client):
    applicant = registry_person()
    subject = subject_person(registers=())
    request = ask_about(client, applicant, subject, register="narcology")
    sms = last_message_to(subject.phone)
    token = TOKEN_LINK.search(sms.text).group(1)
    code = last_code_to(subject.phone)

    subject_browser = app.test_client()
    page = subject_browser.get(f"/certificates/consent/{token}")
    assert page.status_code == 200 and "Ахметова Әсел Серікқызы" in page_text(page)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    answered = subject_browser.post(f"/certificates/consent/{token}", data={"action": "agree", "code": code})
    assert answered.status_code == 200
    request = only_request()
    assert request.status == "completed"
    assert db.session.scalars(select(Consent)).one().method == "code_via_link"
    assert "тұрмайды" not in page_text(answered) and "не состоит" not in page_text(answered)
    assert subject_browser.get(f"/certificates/consent/{token}").status_code == 404  # the link did its job
    # The applicant, polling, is told to reload, and then sees the result.
    poll = client.get(f"/certificates/requests/{request.number}/status?was=awaiting_consent")
    assert poll.headers.get("HX-Refresh") == "true"
    assert "жоқ, есепте тұрмайды" in page_text(client.get(f"/certificates/requests/{request.number}"))


def test_the_subject_may_decline_through_the_link(app, client):
    applicant = registry_person()
    subject = subject_person()
    request = ask_about(client, applicant, subject)
    token = TOKEN_LINK.search(last_message_to(subject.phone).text).group(1)
    response = app.test_client().post(f"/certificates/consent/{token}", data={"action": "decline"})
    assert response.status_code == 200
    request = only_request()
    assert request.status == "refused" and request.refusal_ground == "no_consent"
    assert "declined" in request.refusal_note


def test_a_new_consent_code_from_the_link_keeps_the_link(app, client):
    applicant = registry_person()
    subject = subject_person()
    ask_about(client, applicant, subject)
    token = TOKEN_LINK.search(last_message_to(subject.phone).text).group(1)
    subject_browser = app.test_client()
    subject_browser.post(f"/certificates/consent/{token}", data={"action": "resend"})
    assert len(messages_to(subject.phone)) == 2
    assert token in last_message_to(subject.phone).text
    code = last_code_to(subject.phone)
    subject_browser.post(f"/certificates/consent/{token}", data={"action": "agree", "code": code})
    assert only_request().status == "completed"


def test_a_subject_without_a_phone_cannot_be_asked_and_nothing_is_stored(app, client):
    applicant = registry_person()
    subject = subject_person(phone="")
    sign_in(client, applicant, "psychiatry")
    response = request_for(client, "psychiatry", for_whom="other", subject_iin=subject.iin)
    assert response.status_code == 200
    assert "тіркеу орнына" in page_text(response)
    assert db.session.scalars(select(ServiceRequest)).all() == []


def test_another_person_needs_a_valid_iin(app, client):
    applicant = registry_person()
    sign_in(client, applicant, "psychiatry")
    missing = request_for(client, "psychiatry", for_whom="other", subject_iin="")
    assert missing.status_code == 200
    unknown = request_for(
        client, "psychiatry", for_whom="other", subject_iin=make_iin(date(1990, 1, 1), "M", 999)
    )
    assert "табылмады" in page_text(unknown)
    assert db.session.scalars(select(ServiceRequest)).all() == []


# ---- privacy --------------------------------------------------------------------------------------------


def test_nobody_else_sees_a_request_or_its_form(app, client):
    me = registry_person(registers=("tb",))
    sign_in(client, me)
    request_for(client, "tb")
    request = only_request()

    stranger_browser = app.test_client()
    anonymous = stranger_browser.get(f"/certificates/requests/{request.number}")
    assert anonymous.status_code == 200
    assert "тұрады" not in page_text(anonymous) and 'name="iin"' in anonymous.get_data(as_text=True)
    assert stranger_browser.get(f"/certificates/requests/{request.number}/form.pdf").status_code == 404

    stranger = subject_person()
    stranger_browser.post("/certificates/tb/code", data={"iin": stranger.iin})
    stranger_browser.post(
        "/certificates/tb/sign-in", data={"iin": stranger.iin, "code": last_code_to(stranger.phone)}
    )
    assert stranger_browser.get(f"/certificates/requests/{request.number}").status_code == 404
    assert stranger_browser.get(f"/certificates/requests/{request.number}/form.pdf").status_code == 404


def test_the_applicant_sees_no_status_before_consent(app, client):
    applicant = registry_person()
    subject = subject_person(registers=("psychiatry",))
    request = ask_about(client, applicant, subject)
    assert not certificates.may_see_result(request, applicant.iin)
    assert client.get(f"/certificates/requests/{request.number}/form.pdf").status_code == 404


def test_signing_in_again_after_the_session_idles_out(app, client, frozen):
    me = registry_person()
    frozen(2026, 3, 10, 10, 0)
    sign_in(client, me)
    frozen(2026, 3, 10, 10, 30)
    response = request_for(client, "tb")
    assert response.status_code == 200 and 'name="iin"' in response.get_data(as_text=True)


# ---- the registry does not answer -----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_registry_down_keeps_the_request_waiting_and_it_completes_later(app, client, frozen, language):
    me = registry_person(registers=("tb",))
    patient_card(me, language=language)  # the phone on the clinic card lets the person sign in
    choose_language(client, language)
    frozen(2026, 3, 10, 10, 0)
    sign_in(client, me)
    registry_down()
    created = request_for(client, "tb")
    assert created.status_code == 303
    request = only_request()
    assert request.status == "awaiting_registry"
    assert request.deadline_at == request.created_at + timedelta(minutes=30)
    page = client.get(created.headers["Location"])
    assert TEXT[language]["registry_waiting"] in page_text(page)
    assert "10:30" in page_text(page)  # the deadline the applicant is told

    registry_up()
    frozen(2026, 3, 10, 10, 5)
    poll = client.get(f"/certificates/requests/{request.number}/status?was=awaiting_registry")
    assert poll.headers.get("HX-Refresh") == "true"
    request = only_request()
    assert request.status == "completed"
    assert last_message_to(me.phone).purpose == "certificate_completed"
    assert "registry_unavailable" in [event.step for event in request.events]


def test_registry_pending_retries_a_third_party_request_and_then_asks_for_consent(app, client):
    applicant = registry_person()
    patient_card(applicant)
    subject = subject_person()
    sign_in(client, applicant, "psychiatry")
    registry_down()
    response = request_for(client, "psychiatry", for_whom="other", subject_iin=subject.iin)
    assert response.status_code == 303
    request = only_request()
    assert request.status == "awaiting_registry" and messages_to(subject.phone) == []
    assert registry_pending.retry(request, Actor.system()).result == "unavailable"
    registry_up()
    outcome = registry_pending.retry(request, Actor.system())
    assert outcome.result == "resolved"
    assert request.status == "awaiting_consent" and len(messages_to(subject.phone)) == 1


# ---- the registry desk ----------------------------------------------------------------------------------


def test_a_registrar_issues_the_form_to_the_person_in_person(app, client, login):
    person = registry_person(registers=("tb",), phone="")  # no phone: the desk is where they come
    registrar = login("registrar")
    unchecked = client.post(
        "/staff/certificates/",
        data={"register": "tb", "subject_iin": person.iin, "subject_present": "yes"},
    )
    assert unchecked.status_code == 200 and db.session.scalars(select(ServiceRequest)).all() == []
    response = client.post(
        "/staff/certificates/",
        data={
            "register": "tb",
            "subject_iin": person.iin,
            "subject_present": "yes",
            "identity_checked": "y",
            "identity_note": "ID card 041234567",
        },
    )
    assert response.status_code == 303
    request = only_request()
    assert (request.status, request.channel, request.created_by_id) == ("completed", "desk", registrar.id)
    assert "identity_checked" in [event.step for event in request.events]
    page = client.get(response.headers["Location"])
    assert "иә, есепте тұрады" in page_text(page)
    printed = client.get(f"/staff/certificates/{request.number}/form.pdf")
    assert printed.status_code == 200 and printed.data == certificates.result_document(request).pdf
    actions = {
        (entry.action, entry.object_type)
        for entry in db.session.scalars(select(AuditEntry).where(AuditEntry.staff_id == registrar.id))
    }
    assert {
        ("create", "information_form_request"),
        ("view", "information_form_request"),
        ("print", "document"),
    } <= (actions)


def test_at_the_desk_another_person_needs_the_subjects_code(app, client, login):
    subject = subject_person(registers=())
    login("registrar")
    response = client.post(
        "/staff/certificates/",
        data={
            "register": "psychiatry",
            "subject_iin": subject.iin,
            "subject_present": "no",
            "applicant_name": "Нұрланова Айгүл",
            "identity_checked": "y",
        },
    )
    assert response.status_code == 303
    request = only_request()
    assert request.status == "awaiting_consent" and request.applicant_name == "Нұрланова Айгүл"
    code = last_code_to(subject.phone)
    done = client.post(f"/staff/certificates/{request.number}/consent", data={"code": code})
    assert done.status_code == 303 and only_request().status == "completed"
    assert db.session.scalars(select(Consent)).one().method == "code_at_desk"


def test_the_desk_retries_a_waiting_registry(app, client, login):
    person = registry_person(registers=("narcology",))
    login("registrar")
    registry_down()
    response = client.post(
        "/staff/certificates/",
        data={
            "register": "narcology",
            "subject_iin": person.iin,
            "subject_present": "yes",
            "identity_checked": "y",
        },
    )
    assert response.status_code == 303 and only_request().status == "awaiting_registry"
    registry_up()
    retried = client.post(f"/staff/certificates/{only_request().number}/retry")
    assert retried.status_code == 200 and only_request().status == "completed"


@pytest.mark.parametrize("role", ["doctor", "admin"])
def test_the_desk_is_for_registrars_and_the_head(client, login, role):
    login(role)
    assert client.get("/staff/certificates/").status_code == 403


def test_the_three_services_are_built_and_start_here(app, client):
    for register, spec in certificates.FORMS.items():
        service = catalogue.get(spec.service_slug)
        assert service.built and service.start_endpoint == f"certificates.start_{register}_form"
        page = client.get(f"/services/{spec.service_slug}")
        assert f'href="/certificates/{register}/"' in page.get_data(as_text=True)


def test_the_index_lists_the_three_forms_and_my_requests(app, client):
    me = registry_person(registers=("tb",))
    assert client.get("/certificates/").status_code == 200
    sign_in(client, me)
    request_for(client, "tb")
    index = page_text(client.get("/certificates/"))
    assert only_request().number in index
    assert db.session.scalars(select(InformationFormRequest)).one().applicant_iin == me.iin


def test_staff_do_not_see_the_answer_of_a_patients_own_web_request(app, client, login):
    me = registry_person(registers=("tb",))
    sign_in(client, me)
    request_for(client, "tb")
    request = only_request()
    registrar = login("registrar")  # the same browser: a staff sign-in does not see the patient's answer
    page = client.get(f"/staff/certificates/{request.number}")
    assert page.status_code == 200
    assert "иә, есепте тұрады" not in page_text(page) and certificates.result_document(
        request
    ).number in page_text(page)
    assert client.get(f"/staff/certificates/{request.number}/form.pdf").status_code == 404
    assert request.number not in page_text(client.get("/staff/certificates/"))
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.staff_id == registrar.id)).all()


def test_a_failed_consent_sms_is_told_to_the_applicant_who_can_send_it_again(app, client):
    applicant = registry_person()
    subject = subject_person()
    sign_in(client, applicant, "psychiatry")
    app.config.update(SMS_BACKEND="http", SMS_HTTP_URL="")
    response = request_for(client, "psychiatry", for_whom="other", subject_iin=subject.iin)
    assert response.status_code == 303
    request = only_request()
    assert request.status == "awaiting_consent"
    page = page_text(client.get(f"/certificates/requests/{request.number}"))
    assert "SMS жіберу мүмкін болмады" in page
    app.config["SMS_BACKEND"] = "outbox"
    resent = client.post(f"/certificates/requests/{request.number}/consent-code")
    assert "Адамның телефонына жаңа код жіберілді" in page_text(resent)
    assert last_message_to(subject.phone).status == "stored"


def test_a_poll_after_the_session_ended_reloads_the_page(app, client, frozen):
    me = registry_person()
    subject = subject_person()
    frozen(2026, 3, 10, 10, 0)
    request = ask_about(client, me, subject)
    frozen(2026, 3, 10, 10, 25)
    poll = client.get(f"/certificates/requests/{request.number}/status?was=awaiting_consent")
    assert poll.status_code == 200 and poll.headers.get("HX-Refresh") == "true"
