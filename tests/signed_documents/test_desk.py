"""The staff pages over HTTP: the PHC certificate from the desk to the PDF, the inpatient extract's four
sign-offs, fragments for htmx, refusals (wrong role audited, bad proxy input kept), the module switch, the
registers, /status for the person, and monitoring per step."""

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.core.actors import Actor
from app.extensions import db
from app.models import AuditEntry, ServiceRequest
from app.services import inpatient_extracts, modules, phc_certificates, signoff
from app.services.monitoring import Period, build_report
from app.services.request_summary import summary_for
from tests.conftest import TEST_PASSWORD, page_text
from tests.signed_documents.factories import make_clinic, make_patient

HTMX = {"HX-Request": "true"}


@pytest.fixture
def clinic(app):
    return make_clinic()


@pytest.fixture
def people(clinic, make_staff):
    return {
        "registrar": make_staff(username="registrar", roles=("registrar",), full_name="Нұрланова Айгүл"),
        "doctor": make_staff(username="doctor", roles=("doctor",), full_name="Жұмабаева Асель"),
        "headdept": make_staff(username="headdept", roles=("head_of_department",), full_name="Сапаров Ерлан"),
        "nurse": make_staff(username="nurse", roles=("senior_nurse",), full_name="Ким Ольга"),
        "admin": make_staff(username="admin", roles=("admin",), full_name="Омарова Жанар"),
        "head": make_staff(username="head", roles=("head",), full_name="Бекова Сәуле"),
    }


def sign_in(client, username, language="kk"):
    client.post("/staff/logout")
    client.get(f"/lang/{language}")
    response = client.post("/staff/login", data={"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_phc_certificate_from_the_desk_to_the_pdf(client, people):
    patient = make_patient(1)
    sign_in(client, "registrar")
    page = client.get(f"/staff/phc-certificates/new?iin={patient.iin}")
    assert page.status_code == 200 and patient.full_name in page_text(page)
    response = client.post(
        "/staff/phc-certificates/new",
        data={
            "iin": patient.iin,
            "kind": "phc",
            "purpose": "Жұмысқа",
            "presented_by": "self",
            "identity_document": "Жеке куәлік 041234567",
        },
    )
    assert response.status_code == 303
    number = db.session.scalars(select(ServiceRequest.number)).one()
    sign_in(client, "doctor")
    queue = client.get("/staff/phc-certificates/")
    assert number in page_text(queue)
    fragment = client.post(
        f"/staff/phc-certificates/{number}/sign", data={"conclusion": "Дені сау."}, headers=HTMX
    )
    assert fragment.status_code == 200
    assert "<html" not in fragment.get_data(as_text=True) and "request-panel" in fragment.get_data(
        as_text=True
    )
    pdf = client.get(f"/staff/phc-certificates/{number}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    register = client.get("/staff/phc-certificates/register")
    assert patient.full_name in page_text(register)
    # The journal's fragment for htmx, and the printed register (the shared journal of issued documents).
    document = db.session.scalars(select(ServiceRequest)).one().result_document
    rows = client.get("/staff/phc-certificates/register?start=2026-11-01", headers=HTMX)
    assert '<div id="register">' in rows.get_data(as_text=True) and "<html" not in rows.get_data(as_text=True)
    assert document.number in page_text(rows)
    printed = client.get("/staff/phc-certificates/register.pdf?start=2026-11-01")
    assert printed.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(printed.data)).pages)
    assert document.number in text and patient.iin in text


def test_the_doctor_sends_a_certificate_back_from_its_page(client, people):
    patient = make_patient(1)
    sign_in(client, "registrar")
    client.post(
        "/staff/phc-certificates/new",
        data={
            "iin": patient.iin,
            "kind": "phc",
            "purpose": "Жұмысқа",
            "presented_by": "self",
            "identity_document": "Жеке куәлік 041234567",
        },
    )
    request = db.session.scalars(select(ServiceRequest)).one()
    sign_in(client, "doctor")
    page = client.get(f"/staff/phc-certificates/{request.number}").get_data(as_text=True)
    send_back_url = f"/staff/phc-certificates/{request.number}/send-back"
    assert f'action="{send_back_url}"' in page and f'hx-post="{send_back_url}"' in page
    fragment = client.post(send_back_url, data={"reason": "Құжат анық емес"}, headers=HTMX)
    assert fragment.status_code == 200 and "request-panel" in fragment.get_data(as_text=True)
    db.session.expire_all()
    assert signoff.current_step(request).code == "documents_checked"
    # Back at the first step, the form is offered to nobody: there is no step before it.
    sign_in(client, "registrar")
    assert send_back_url not in client.get(f"/staff/phc-certificates/{request.number}").get_data(as_text=True)


def test_a_missing_proxy_document_is_refused_keeping_what_was_typed(client, people):
    patient = make_patient(1)
    sign_in(client, "registrar", "ru")
    response = client.post(
        "/staff/phc-certificates/new",
        data={
            "iin": patient.iin,
            "kind": "phc",
            "presented_by": "proxy",
            "identity_document": "Удостоверение 041234567",
            "proxy_name": "Ахметов Айдар",
            "proxy_iin": "850401300175",
        },
    )
    assert response.status_code == 422
    text = page_text(response)
    assert "Для представителя укажите его ФИО, ИИН, номер и дату доверенности." in text
    assert 'value="Ахметов Айдар"' in response.get_data(as_text=True)
    assert db.session.scalars(select(ServiceRequest)).all() == []


def test_an_unknown_iin_is_a_clear_message(client, people):
    sign_in(client, "registrar", "ru")
    response = client.get("/staff/phc-certificates/new?iin=123")
    assert response.status_code == 422 and "Введите 12-значный ИИН пациента." in page_text(response)


def test_a_step_posted_by_a_role_that_does_not_hold_it_is_refused_and_audited(client, people):
    patient = make_patient(1)
    request = phc_certificates.receive(
        patient,
        phc_certificates.Reception("phc", "", "self", "Жеке куәлік"),
        actor=Actor.of_staff(people["registrar"]),
    )
    db.session.commit()
    sign_in(client, "registrar", "ru")
    response = client.post(f"/staff/phc-certificates/{request.number}/sign", data={"conclusion": "x"})
    assert "Этот шаг подписывает другая роль" in page_text(response)
    db.session.expire_all()
    assert db.session.get(ServiceRequest, request.id).status == "in_review"
    refused = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "refused")).all()
    assert [entry.object_id for entry in refused] == [request.number]


def test_the_module_switched_off_offers_nothing_and_the_admin_switches_it_on(client, people):
    sign_in(client, "doctor")
    assert "Емхананың күндізгі стационар модулі өшірулі" in page_text(
        client.get("/staff/inpatient-extracts/new")
    )
    sign_in(client, "admin")
    response = client.post("/staff/inpatient-extracts/module", data={"enabled": "y"})
    assert response.status_code == 303
    assert modules.is_enabled(inpatient_extracts.MODULE)


def test_an_inpatient_extract_with_all_four_sign_offs(client, people):
    modules.switch(inpatient_extracts.MODULE, True, actor=Actor.of_staff(people["admin"]))
    db.session.commit()
    patient = make_patient(1)
    sign_in(client, "doctor")
    response = client.post(
        "/staff/inpatient-extracts/new",
        data={
            "iin": patient.iin,
            "card_number": "ДС-311",
            "department": "Күндізгі стационар",
            "admitted_on": "2026-11-16",
            "discharged_on": "2026-11-25",
            "main_diagnosis": "J18.9",
            "other_diagnoses": "I10",
            "condition": "Қанағаттанарлық",
        },
    )
    assert response.status_code == 303, page_text(response)
    number = db.session.scalars(select(ServiceRequest.number)).one()
    sign_in(client, "headdept")
    assert number in page_text(client.get("/staff/sign-off/"))
    wrong = client.post(f"/staff/inpatient-extracts/{number}/head", data={"surname": "С."}, headers=HTMX)
    assert "Тегіңізді есептік жазбадағыдай толық жазыңыз" in page_text(wrong)
    client.post(f"/staff/inpatient-extracts/{number}/head", data={"surname": "Сапаров"}, headers=HTMX)
    sign_in(client, "nurse")
    client.post(f"/staff/inpatient-extracts/{number}/stamp", data={"stamped": "y"}, headers=HTMX)
    sign_in(client, "registrar")
    done = client.post(
        f"/staff/inpatient-extracts/{number}/hand-over",
        data={"identity_document": "Жеке куәлік", "handed_to": "Ахметова Әсел"},
        headers=HTMX,
    )
    assert "Үзінді көшірмені басып шығару" in page_text(done)
    assert client.get(f"/staff/inpatient-extracts/{number}/extract.pdf").mimetype == "application/pdf"
    assert "Ахметова Әсел" in page_text(client.get("/staff/inpatient-extracts/journal"))
    printed = client.get("/staff/inpatient-extracts/journal.pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(printed.data)).pages)
    assert printed.mimetype == "application/pdf" and "Ахметова Әсел" in text
    db.session.expire_all()
    request = db.session.scalars(select(ServiceRequest)).one()
    assert request.status == "completed" and len(signoff.signatories(request)) == 4


def test_monitoring_shows_each_step_with_median_p95_and_share_in_time(people, frozen, client):
    actors = {name: Actor.of_staff(person) for name, person in people.items()}
    for serial, doctor_minutes in ((1, 10), (2, 30)):
        frozen(2026, 11, 25, 10, 0)
        request = phc_certificates.receive(
            make_patient(serial),
            phc_certificates.Reception("phc", "", "self", "ЖК"),
            actor=actors["registrar"],
        )
        frozen(2026, 11, 25, 10, doctor_minutes)
        phc_certificates.sign_as_doctor(request, conclusion="Дені сау.", fields={}, actor=actors["doctor"])
    db.session.commit()
    report = build_report(Period(date(2026, 11, 1), date(2026, 11, 30)), phc_certificates.SERVICE)
    by_step = {timing.step: timing for timing in report.signoff_steps}
    doctor = by_step["doctor_signed"]
    assert (doctor.count, doctor.in_time) == (2, 1)
    assert doctor.median_seconds == 20 * 60 and doctor.p95_seconds == pytest.approx(29 * 60)
    assert by_step["documents_checked"].share_in_time == 1
    sign_in(client, "head", "ru")
    page = page_text(
        # the sign-off table is behind its tab of the monitoring dashboard (issue 14)
        client.get(
            "/staff/monitoring?service=phc-certificate&date_from=2026-11-01&date_to=2026-11-30&tab=signoff"
        )
    )
    assert "Время по шагам подписания" in page and "50%" in page


def test_the_person_follows_the_steps_on_status(client, people):
    patient = make_patient(1)
    request = phc_certificates.receive(
        patient,
        phc_certificates.Reception("phc", "", "self", "ЖК"),
        actor=Actor.of_staff(people["registrar"]),
    )
    db.session.commit()
    summary = summary_for(request)
    assert [fact.label for fact in summary.facts] == [
        "Құжаттарды қабылдау және тексеру",
        "Дәрігердің қабылдауы, БХТ-мен салыстыру, анықтаманы беру",
    ]
    assert summary.facts[0].value.startswith("Қол қойылды")


def test_the_passport_of_service_8_offers_nothing_while_the_module_is_off(client, people):
    client.get("/lang/ru")
    text = page_text(client.get("/services/inpatient-extract"))
    assert "Эта поликлиника не оказывает эту услугу." in text
    assert "Медицинские организации, оказывающие стационарную помощь" in text
    modules.switch(inpatient_extracts.MODULE, True, actor=Actor.of_staff(people["admin"]))
    db.session.commit()
    assert "Эта поликлиника не оказывает эту услугу." not in page_text(
        client.get("/services/inpatient-extract")
    )
