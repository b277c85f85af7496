"""Attachment online, in Kazakh and in Russian, and on the lobby kiosk: applying, the decision, the talon."""

import pytest
from sqlalchemy import select

from app.channels import KIOSK_COOKIE
from app.core.clock import local_now, now
from app.extensions import db
from app.models import Patient
from app.registries import get_registry
from app.services import kiosk as kiosk_service
from tests.attachment.factories import (
    CLINIC_CODE,
    application_of,
    apply_online,
    last_sms,
    new_person,
    pdf_text,
    sign_in_online,
    staff_client,
)
from tests.conftest import page_text


# ---- the whole online flow, in Kazakh and in Russian -----------------------------------------------------
def test_a_new_patient_applies_online_in_kazakh_is_approved_and_downloads_the_talon(
    app, client, clinic, make_staff
):
    person = new_person()
    client.get("/lang/kk")
    start = client.get("/attachment/")
    assert "МСАК ұйымына тіркелу" in page_text(start) or "Емханаға тіркелу" in page_text(start)
    assert 'inputmode="numeric"' in start.get_data(as_text=True)

    response = apply_online(client, person.iin)
    assert response.status_code == 303
    number = response.headers["Location"].rsplit("/", 1)[-1]
    assert number.startswith("AT-")
    status = client.get(f"/attachment/{number}")
    assert number in page_text(status)
    assert "Қаралуда" in page_text(status)

    application = application_of(person.iin)
    assert application.request.channel == "web"
    assert application.request.status == "in_review"
    assert application.proposed_district.number == 1
    card = db.session.scalars(select(Patient).where(Patient.iin == person.iin)).one()
    assert card.district is None  # not attached yet: not counted

    desk = staff_client(app, make_staff, "registrar")
    queue = desk.get("/staff/attachment/")
    assert number in page_text(queue)
    detail = desk.get(f"/staff/attachment/{number}")
    assert "Сейітова Аружан" in page_text(detail)
    response = desk.post(
        f"/staff/attachment/{number}/approve", data={"district_id": clinic["districts"][1].id}
    )
    assert response.status_code == 303

    db.session.expire_all()
    attachment = get_registry().attachment_of(person.iin)
    assert (attachment.clinic_code, attachment.district_number) == (CLINIC_CODE, 1)
    assert attachment.last_free_choice_on == local_now().date()
    card = db.session.scalars(select(Patient).where(Patient.iin == person.iin)).one()
    assert card.district.number == 1 and card.address == "Алматы қ., Абай даңғылы, 15, 3"
    assert application_of(person.iin).request.status == "completed"
    sms = last_sms()
    assert sms.phone == person.phone and number in sms.text and "бекітілді" in sms.text

    status = client.get(f"/attachment/{number}")
    assert "Орындалды" in page_text(status)
    assert f"/status/{number}" in status.get_data(as_text=True)  # the satisfaction survey of regulation 003
    survey_page = client.get(f"/status/{number}")
    assert survey_page.status_code == 200 and f"/status/{number}/survey" in survey_page.get_data(as_text=True)
    talon = client.get(f"/attachment/{number}/document")
    assert talon.status_code == 200 and talon.mimetype == "application/pdf"
    text = pdf_text(talon.data)
    for label in ("МСАК ұйымына тіркелу туралы анықтама (талон)", "ЖСН", "Учаскелік дәрігер", "Therapist1"):
        assert label in text, label
    assert person.iin in text


def test_the_russian_flow_gives_a_russian_talon_and_sms(app, client, clinic, make_staff):
    person = new_person(serial=101)
    response = apply_online(client, person.iin, reason="residence", language="ru")
    number = response.headers["Location"].rsplit("/", 1)[-1]
    assert "На рассмотрении" in page_text(client.get(f"/attachment/{number}"))
    desk = staff_client(app, make_staff, "head")
    desk.get("/lang/ru")
    detail = desk.get(f"/staff/attachment/{number}")
    assert "Смена места жительства" in page_text(detail)
    desk.post(f"/staff/attachment/{number}/approve", data={"district_id": clinic["districts"][1].id})
    assert "прикреплены" in last_sms().text
    text = pdf_text(client.get(f"/attachment/{number}/document").data)
    assert "Справка (талон) о прикреплении к организации ПМСП" in text
    assert "Участковый врач" in text
    # a change of residence is not a free choice: the once-a-year clock is not started
    assert get_registry().attachment_of(person.iin).last_free_choice_on is None


# ---- the kiosk -------------------------------------------------------------------------------------------
def test_an_application_on_the_kiosk_is_recorded_with_the_kiosk_channel(app, client, clinic):
    device, token = kiosk_service.register_device("Lobby")
    db.session.commit()
    client.set_cookie(KIOSK_COOKIE, token)
    person = new_person(serial=120)
    patient_card = Patient(
        iin=person.iin,
        last_name="Сейітова",
        first_name="Аружан",
        birth_date=person.birth_date,
        sex="F",
        phone=person.phone,
        created_at=now(),
    )
    db.session.add(patient_card)
    db.session.commit()
    assert "/attachment/" in client.get("/kiosk/").get_data(as_text=True)  # the service's tile
    sign_in_online(client, person.iin)
    form = client.get("/attachment/apply")
    assert "С******* А." in page_text(form) and "Сейітова" not in page_text(form)
    client.post("/attachment/apply", data={"address": "Алматы, Абай даңғылы 1", "reason": "residence"})
    assert application_of(person.iin).request.channel == "kiosk"


@pytest.mark.parametrize(("language", "words"), [("kk", "2-учаскеге"), ("ru", "участку 2")])
def test_someone_attached_here_gets_no_form_but_what_makes_sense(client, clinic, language, words):
    person = new_person(serial=141, clinic_code=CLINIC_CODE, clinic_name="Emhana", district_number=2)
    sign_in_online(client, person.iin, language)
    page = client.get("/attachment/apply")
    html = page.get_data(as_text=True)
    assert words in page_text(page)
    assert 'class="attachment-form"' not in html  # nothing to apply for
    for endpoint in ("/appointments/", "/home-visits/", "/my/"):
        assert f'href="{endpoint}' in html
