"""Information forms at the registry desk: the registrar checks the identity document, issues and prints the
form, types the subject's consent code, retries a waiting registry; every read is audited."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Consent, ServiceRequest
from app.services import certificates
from tests.certificates.factories import (
    last_code_to,
    only_request,
    registry_down,
    registry_person,
    registry_up,
    request_for,
    sign_in,
    subject_person,
)
from tests.conftest import page_text


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
