"""Information forms about another person: the subject's consent by the code the applicant types or by the
link in the SMS, refusal without it, and the consent SMS that could not go."""

from datetime import date

import pytest
from sqlalchemy import select

from app.core.iin import make_iin
from app.extensions import db
from app.models import Consent, Document, ServiceRequest
from tests.certificates.factories import (
    TEXT,
    TOKEN_LINK,
    ask_about,
    choose_language,
    last_code_to,
    last_message_to,
    messages_to,
    only_request,
    patient_card,
    pdf_text,
    registry_person,
    request_for,
    sign_in,
    subject_person,
    wrong_code,
)
from tests.conftest import page_text


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
    assert consent_sms.language == "ru" and "Ахметова Ә." in consent_sms.text
    assert "психиатрия" in consent_sms.text and TOKEN_LINK.search(consent_sms.text)
    # Two SMS segments at most (134 characters in Cyrillic), with room for a real site address longer than
    # the tests' http://localhost; and no quotes inside quotes (issue 14).
    assert len(consent_sms.text) + 20 <= 134, (len(consent_sms.text), consent_sms.text)
    assert "«" not in consent_sms.text and '"' not in consent_sms.text

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
    # The register's label in the page's language, and no double period after a Russian date (issue 14).
    assert ("Динамикалық бақылауда" in page) == (language == "kk") and "г.." not in page
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


def test_a_new_consent_code_from_the_link_keeps_the_link(app, client, frozen):
    applicant = registry_person()
    subject = subject_person()
    ask_about(client, applicant, subject)
    token = TOKEN_LINK.search(last_message_to(subject.phone).text).group(1)
    subject_browser = app.test_client()
    # Past the one-minute cool-down between two codes for one IIN (issue 13, item 2: «per-IIN limits that a
    # stranger cannot spend for the owner (e.g. a short cool-down plus a daily cap ...)»).
    frozen(2026, 3, 10, 9, 2)
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
