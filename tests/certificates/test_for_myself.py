"""Information forms about oneself, through the Flask client as a patient would use them, in Kazakh and
Russian: signing in with the one-time code, asking, reading and downloading the form."""

from datetime import date

import pytest
from sqlalchemy import select

from app.core.iin import make_iin
from app.extensions import db
from app.models import InformationFormRequest, ServiceRequest, SmsMessage
from app.services import catalogue, certificates
from tests.certificates.factories import (
    TEXT,
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
    sign_in_with,
    wrong_code,
)
from tests.conftest import CODE_SENT, page_text


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_tb_form_for_myself_end_to_end(app, client, demo_clinic, language):
    me = registry_person(registers=("tb",))
    choose_language(client, language)
    start = client.get("/certificates/tb/")
    assert start.status_code == 200 and 'name="iin"' in start.get_data(as_text=True)

    code_step = client.post("/certificates/tb/code", data={"iin": me.iin})
    assert CODE_SENT[language] in page_text(code_step)
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


def test_an_unknown_iin_is_answered_as_a_known_one_and_nothing_is_sent(app, client):
    """Issue 13: «the message never reveals whether the IIN exists»: the code step's words cover it."""
    response = client.post("/certificates/tb/code", data={"iin": make_iin(date(1990, 1, 1), "M", serial=999)})
    assert CODE_SENT["kk"] in page_text(response) and "табылмады" not in page_text(response)
    assert db.session.scalars(select(SmsMessage)).all() == []


def test_requests_are_rate_limited_per_applicant(app, client):
    app.config["CERTIFICATE_REQUESTS_PER_DAY"] = 2
    me = registry_person()
    sign_in(client, me)
    assert request_for(client, "tb").status_code == 303
    assert request_for(client, "tb").status_code == 303
    third = request_for(client, "tb")
    assert third.status_code == 200 and "тым көп" in page_text(third).lower()
    assert len(db.session.scalars(select(ServiceRequest)).all()) == 2


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
