"""Attachment to the clinic (issue 6): applying online, on the kiosk and at the desk, the checks, the
decision, the talon and the refusal, deadlines, bad input, the registry being down, access and audit."""

import html
import io
import re
from datetime import date, datetime, timedelta

import pytest
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import func, select

from app.core.actors import Actor
from app.core.clock import ALMATY, local_now, now
from app.core.iin import make_iin
from app.extensions import db
from app.models import (
    AttachmentApplication,
    AttachmentFile,
    AuditEntry,
    Clinic,
    District,
    Patient,
    RegistryAttachment,
    RegistryPerson,
    ServiceRequest,
    SmsMessage,
)
from app.models.registry import name_key
from app.registries import get_registry
from app.services import attachment as attachment_service
from app.services import registry_pending, uploads
from app.services.patient_identity import NoPhoneOnFile
from tests.conftest import TEST_PASSWORD, page_text

CLINIC_CODE = "EMH-0007"
OTHER_CODE = "EMH-0012"
OTHER_NAME = "Алматы қаласының №12 қалалық емханасы"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


# ---- setting the scene -----------------------------------------------------------------------------------
@pytest.fixture
def clinic(app, make_staff):
    """A small clinic: two adult districts and a paediatric one, a doctor in each, one attached patient."""
    clinic = Clinic(
        name_kk="№7 қалалық емхана",
        name_ru="Городская поликлиника №7",
        code=CLINIC_CODE,
        address_kk="Алматы қ., Абай даңғылы, 120",
        address_ru="г. Алматы, проспект Абая, 120",
        attached_population_norm=30000,
    )
    db.session.add(clinic)
    db.session.flush()
    districts = {
        1: District(
            clinic=clinic, number=1, kind="therapeutic", territory="Абай даңғылы\nДостық даңғылы 1-99"
        ),
        2: District(
            clinic=clinic, number=2, kind="therapeutic", territory="Төле би көшесі\nЖібек жолы даңғылы"
        ),
        4: District(clinic=clinic, number=4, kind="paediatric", territory="Абай даңғылы\nТөле би көшесі"),
    }
    db.session.add_all(districts.values())
    db.session.commit()
    make_staff(
        "therapist1", roles=("doctor",), speciality="therapist", district_id=districts[1].id, room="105"
    )
    make_staff(
        "therapist2", roles=("doctor",), speciality="therapist", district_id=districts[2].id, room="106"
    )
    make_staff(
        "paediatrician",
        roles=("doctor",),
        speciality="paediatrician",
        district_id=districts[4].id,
        room="110",
    )
    existing = registry_person("Ахметов", "Айдар", date(1980, 5, 5), "M", serial=10, clinic_code=CLINIC_CODE)
    db.session.add(
        Patient(
            iin=existing.iin,
            last_name="Ахметов",
            first_name="Айдар",
            birth_date=date(1980, 5, 5),
            sex="M",
            phone="+77010000010",
            address="Алматы қ., Абай даңғылы, 3",
            district=districts[1],
            created_at=now(),
        )
    )
    db.session.commit()
    return {"clinic": clinic, "districts": districts, "attached_here": existing}


def registry_person(
    last_name,
    first_name,
    birth_date,
    sex,
    *,
    serial,
    phone="",
    address="Алматы қ., Абай даңғылы, 15, 3",
    clinic_code=None,
    clinic_name="",
    district_number=1,
    last_free_choice_on=None,
):
    person = RegistryPerson(
        iin=make_iin(birth_date, sex, serial=serial),
        last_name=last_name,
        first_name=first_name,
        middle_name="",
        birth_date=birth_date,
        sex=sex,
        address=address,
        phone=phone or f"+7701555{serial:04d}",
        name_key=name_key(last_name, first_name),
        updated_at=now(),
    )
    db.session.add(person)
    if clinic_code or last_free_choice_on:
        person.attachment = RegistryAttachment(
            clinic_code=clinic_code,
            clinic_name=clinic_name or ("№7 қалалық емхана" if clinic_code == CLINIC_CODE else ""),
            district_number=district_number if clinic_code else None,
            since=date(2020, 1, 1) if clinic_code else None,
            last_free_choice_on=last_free_choice_on,
        )
    db.session.commit()
    return person


def new_person(serial=100, **fields):
    """Someone the clinic has never seen: in the registry, attached nowhere, no patient card."""
    return registry_person("Сейітова", "Аружан", date(1995, 8, 9), "F", serial=serial, **fields)


def last_sms() -> SmsMessage:
    return db.session.scalars(select(SmsMessage).order_by(SmsMessage.id.desc())).first()


def sign_in_online(client, iin, language="kk"):
    client.get(f"/lang/{language}")
    response = client.post("/attachment/code", data={"iin": iin})
    assert response.status_code == 200, page_text(response)
    code = re.search(r"\b(\d{6})\b", last_sms().text)[1]
    response = client.post("/attachment/code/check", data={"code": code})
    assert response.status_code == 303, page_text(response)
    assert response.headers["Location"].endswith("/attachment/apply")


def apply_online(
    client, iin, *, reason="free_choice", address="Алматы қ., Абай даңғылы, 15, 3", language="kk", **extra
):
    sign_in_online(client, iin, language)
    response = client.post("/attachment/apply", data={"address": address, "reason": reason, **extra})
    return response


def staff_client(app, make_staff, *roles, username=None):
    username = username or "desk-" + "-".join(roles)
    make_staff(username, roles=roles)
    staff = app.test_client()
    response = staff.post("/staff/login", data={"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return staff


def application_of(iin) -> AttachmentApplication:
    db.session.expire_all()
    return db.session.scalars(
        select(AttachmentApplication)
        .where(AttachmentApplication.iin == iin)
        .order_by(AttachmentApplication.id.desc())
    ).first()


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


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


# ---- the grounds -----------------------------------------------------------------------------------------
def test_a_second_free_choice_within_the_year_is_refused_with_the_ground_named(
    app, client, clinic, make_staff
):
    three_months_ago = local_now().date() - timedelta(days=90)
    person = new_person(
        serial=102, clinic_code=OTHER_CODE, clinic_name=OTHER_NAME, last_free_choice_on=three_months_ago
    )
    number = apply_online(client, person.iin).headers["Location"].rsplit("/", 1)[-1]
    application = application_of(person.iin)
    assert attachment_service.assess(application).grounds == ["free_choice_once_a_year"]

    desk = staff_client(app, make_staff, "registrar")
    detail = page_text(desk.get(f"/staff/attachment/{number}"))
    assert "МСАК ұйымын еркін таңдау кезінде жылына бір реттен жиі тіркелу" in detail
    blocked = desk.post(
        f"/staff/attachment/{number}/approve",
        data={"district_id": clinic["districts"][1].id},
        follow_redirects=True,
    )
    assert "мақұлдау мүмкін емес" in page_text(blocked)
    assert get_registry().attachment_of(person.iin).clinic_code == OTHER_CODE  # nothing changed

    desk.post(f"/staff/attachment/{number}/refuse", data={"ground": "free_choice_once_a_year"})
    application = application_of(person.iin)
    assert application.request.status == "refused"
    assert application.request.refusal_ground == "free_choice_once_a_year"
    status = page_text(client.get(f"/attachment/{number}"))
    assert "МСАК ұйымын еркін таңдау кезінде жылына бір реттен жиі тіркелу" in status
    refusal = pdf_text(client.get(f"/attachment/{number}/document").data)
    assert "еркін таңдау кезінде жылына бір реттен жиі тіркелу" in refusal
    assert (three_months_ago + timedelta(days=365)).strftime("%d.%m") in refusal  # when it becomes possible
    assert "бас тартылды" in last_sms().text


def test_a_change_of_residence_is_not_held_to_the_once_a_year_rule(app, clinic):
    person = new_person(
        serial=103, clinic_code=OTHER_CODE, last_free_choice_on=local_now().date() - timedelta(days=30)
    )
    application = attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=person.iin, address="Алматы, Абай даңғылы 20", reason="residence"
        ),
        actor=Actor.patient(),
        channel="web",
    )
    assert attachment_service.assess(application).grounds == []


def test_the_norm_refusal_shows_when_the_clinic_norm_is_reached(app, client, clinic, make_staff):
    clinic["clinic"].attached_population_norm = 1  # the one patient already attached fills it
    db.session.commit()
    person = new_person(serial=104)
    number = apply_online(client, person.iin, reason="residence").headers["Location"].rsplit("/", 1)[-1]
    desk = staff_client(app, make_staff, "registrar")
    detail = page_text(desk.get(f"/staff/attachment/{number}"))
    assert "МСАК ұйымына бекітілген халық санының нормативтерінен асып кетуі" in detail
    blocked = desk.post(
        f"/staff/attachment/{number}/approve",
        data={"district_id": clinic["districts"][2].id},
        follow_redirects=True,
    )
    assert "мақұлдау мүмкін емес" in page_text(blocked)
    desk.post(f"/staff/attachment/{number}/refuse", data={"ground": "population_norm_exceeded"})
    assert application_of(person.iin).request.refusal_ground == "population_norm_exceeded"
    population = page_text(desk.get("/staff/attachment/population"))
    assert "Норматив толды" in population


def test_a_full_district_blocks_approval_into_it_but_another_district_is_fine(app, clinic, make_staff):
    clinic["districts"][1].population_norm = 1
    db.session.commit()
    person = new_person(serial=105)
    application = attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=person.iin, address="Алматы, Абай даңғылы 20", reason="residence"
        ),
        actor=Actor.patient(),
        channel="web",
    )
    assert application.proposed_district.number == 1
    assert "district_full" in attachment_service.assess(application).warnings
    registrar = make_staff("reg", roles=("registrar",))
    with pytest.raises(attachment_service.DecisionBlocked) as blocked:
        attachment_service.approve(
            application, district=clinic["districts"][1], actor=Actor.of_staff(registrar)
        )
    assert blocked.value.ground == "population_norm_exceeded"
    attachment_service.approve(application, district=clinic["districts"][2], actor=Actor.of_staff(registrar))
    assert get_registry().attachment_of(person.iin).district_number == 2


def test_attached_elsewhere_is_detached_from_the_old_clinic_on_approval(app, client, clinic, make_staff):
    person = new_person(serial=106, clinic_code=OTHER_CODE, clinic_name=OTHER_NAME, district_number=3)
    number = apply_online(client, person.iin, reason="residence").headers["Location"].rsplit("/", 1)[-1]
    application = application_of(person.iin)
    assert application.previous_clinic_code == OTHER_CODE
    assert attachment_service.assess(application).grounds == []
    desk = staff_client(app, make_staff, "registrar")
    assert OTHER_NAME in page_text(desk.get(f"/staff/attachment/{number}"))
    desk.post(f"/staff/attachment/{number}/approve", data={"district_id": clinic["districts"][1].id})

    attachment = get_registry().attachment_of(person.iin)
    assert attachment.clinic_code == CLINIC_CODE  # and so no longer attached to the old clinic
    application = application_of(person.iin)
    assert "detached_from_previous" in [event.step for event in application.request.events]
    assert OTHER_NAME in pdf_text(client.get(f"/attachment/{number}/document").data)
    recent = page_text(desk.get("/staff/attachment/population"))
    assert number in recent and OTHER_NAME in recent


def test_attached_elsewhere_for_no_recognised_reason_meets_the_more_than_one_clinic_ground(app, clinic):
    person = new_person(serial=107, clinic_code=OTHER_CODE, clinic_name=OTHER_NAME)
    application = attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=person.iin,
            address="Алматы, Абай даңғылы 20",
            reason="other",
            reason_note="жұмыс орнына жақын",
        ),
        actor=Actor.patient(),
        channel="web",
    )
    assert attachment_service.assess(application).grounds == ["attached_elsewhere"]


def test_the_preferred_doctors_district_is_the_default_of_the_decision(app, clinic, make_staff):
    from app.models import StaffMember

    doctor = db.session.scalars(select(StaffMember).where(StaffMember.username == "therapist2")).one()
    person = new_person(serial=108)
    application = attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=person.iin,
            address="Алматы, Абай даңғылы 20",
            reason="residence",
            preferred_doctor_id=doctor.id,
        ),
        actor=Actor.patient(),
        channel="web",
    )
    assert application.proposed_district.number == 1  # from the address
    assert attachment_service.default_district(application).number == 2  # the doctor the person chose
    registrar = make_staff("reg", roles=("registrar",))
    attachment_service.approve(application, district=None, actor=Actor.of_staff(registrar))
    assert get_registry().attachment_of(person.iin).district_number == 2


def test_a_doctor_who_does_not_serve_a_district_cannot_be_chosen(app, clinic, make_staff):
    person = new_person(serial=109)
    outsider = make_staff("cardiologist", roles=("doctor",), speciality="cardiologist")
    with pytest.raises(attachment_service.InvalidApplication) as invalid:
        attachment_service.submit_application(
            attachment_service.ApplicationInput(
                iin=person.iin, address="Алматы, Абай 1", reason="residence", preferred_doctor_id=outsider.id
            ),
            actor=Actor.patient(),
            channel="web",
        )
    assert invalid.value.field == "preferred_doctor_id"
    assert count(ServiceRequest) == 0


# ---- the district from the address -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("address", "birth", "expected"),
    [
        ("Алматы қ., Абай даңғылы, 15, 3", date(1990, 1, 1), 1),
        ("г. Алматы, проспект Абая, 15, кв. 3", date(1990, 1, 1), 1),  # Russian form of the street
        ("Алматы қ., Абай даңғылы, 15, 3", date(2018, 1, 1), 4),  # a child: the paediatric district
        ("Алматы, ул. Толе би, 40", date(1990, 1, 1), 2),  # without Kazakh letters
        ("Алматы, Достық даңғылы, 50", date(1990, 1, 1), 1),  # inside the house range 1-99
        ("Алматы, Достық даңғылы, 150", date(1990, 1, 1), None),  # outside it
        ("Алматы, Сатпаева, 10", date(1990, 1, 1), None),  # not the clinic's territory
    ],
)
def test_the_district_is_proposed_from_the_address_and_age(app, clinic, address, birth, expected):
    district = attachment_service.propose_district(address, birth, today=date(2026, 6, 1))
    assert (district.number if district else None) == expected


# ---- deadlines across a weekend and a public holiday -----------------------------------------------------
@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        ((2026, 11, 20, 15, 0), (2026, 11, 21, 14, 0)),  # Friday afternoon: by Saturday's closing
        ((2026, 11, 20, 21, 0), (2026, 11, 23, 20, 0)),  # Friday after closing: received Saturday, due Monday
        (
            (2026, 11, 21, 15, 0),
            (2026, 11, 24, 20, 0),
        ),  # Saturday after closing: received Monday, due Tuesday
        ((2026, 11, 22, 11, 0), (2026, 11, 24, 20, 0)),  # Sunday: received Monday, due Tuesday
        ((2026, 12, 15, 10, 0), (2026, 12, 17, 20, 0)),  # Tuesday before Independence Day (16 December)
        ((2026, 12, 15, 21, 0), (2026, 12, 18, 20, 0)),  # Tuesday evening: received the 17th, due the 18th
    ],
)
def test_the_decision_deadline_is_one_working_day(app, clinic, frozen, received, deadline):
    frozen(*received)
    person = new_person(serial=110)
    application = attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=person.iin, address="Алматы, Абай даңғылы 20", reason="residence"
        ),
        actor=Actor.patient(),
        channel="web",
    )
    assert application.request.deadline_at == datetime(*deadline, tzinfo=ALMATY)


def test_the_queue_flags_applications_near_the_deadline_and_highlights_overdue_ones(
    app, clinic, frozen, make_staff
):
    frozen(2026, 12, 15, 10, 0)
    late = new_person(serial=111)
    attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=late.iin, address="Алматы, Абай даңғылы 20", reason="residence"
        ),
        actor=Actor.patient(),
        channel="web",
    )
    frozen(2026, 12, 17, 9, 0)
    recent = new_person(serial=112)
    attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=recent.iin, address="Алматы, Абай даңғылы 21", reason="residence"
        ),
        actor=Actor.patient(),
        channel="web",
    )
    db.session.commit()
    app.config["STAFF_IDLE_TIMEOUT"] = timedelta(days=7)  # the clock jumps a day between pages
    desk = staff_client(app, make_staff, "registrar")

    frozen(2026, 12, 17, 19, 0)  # an hour before the first one's deadline (the 17th, 20:00)
    html = desk.get("/staff/attachment/").get_data(as_text=True)
    assert html.count("attachment-row--due-soon") == 1 and "attachment-row--overdue" not in html

    frozen(2026, 12, 18, 9, 0)  # the first is late; the second is due at 20:00 today
    response = desk.get("/staff/attachment/")
    html = response.get_data(as_text=True)
    assert html.count("attachment-row--overdue") == 1 and "attachment-row--on-time" in html
    assert "Мерзімі өтті" in page_text(response)


# ---- bad input -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "message"), [("kk", "ЖСН 12 цифрдан тұрады"), ("ru", "ИИН состоит из 12 цифр")]
)
def test_an_invalid_iin_is_refused_with_a_message_in_the_visitors_language(
    app, client, clinic, language, message
):
    client.get(f"/lang/{language}")
    response = client.post("/attachment/code", data={"iin": "12345"})
    assert message in page_text(response)
    assert count(SmsMessage) == 0


def test_the_desk_form_keeps_what_was_typed_when_the_iin_is_invalid(app, clinic, make_staff):
    desk = staff_client(app, make_staff, "registrar")
    response = desk.post(
        "/staff/attachment/new",
        data={
            "iin": "900101300124",
            "address": "Алматы, Абай даңғылы 20",
            "reason": "residence",
            "language": "kk",
            "identity_checked": "y",
            "application_file": (io.BytesIO(JPEG), "application.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "бақылау цифры" in page_text(response) or "ЖСН" in page_text(response)
    assert "Абай даңғылы 20" in response.get_data(as_text=True)
    assert count(ServiceRequest) == 0 and count(AttachmentFile) == 0


def test_a_person_with_no_phone_on_file_is_told_to_apply_at_the_desk(app, client, clinic):
    person = new_person(serial=113)
    person.phone = ""
    db.session.commit()
    client.get("/lang/kk")
    response = client.post("/attachment/code", data={"iin": person.iin})
    with force_locale("kk"):
        expected = NoPhoneOnFile(person.iin).message
    assert expected in html.unescape(page_text(response))
    assert count(SmsMessage) == 0


def test_someone_already_attached_here_is_told_so_and_nothing_is_made(app, client, clinic):
    existing = clinic["attached_here"]
    response = apply_online(client, existing.iin)
    assert response.status_code == 422
    assert "Сіз осы емханаға тіркелгенсіз" in page_text(response)
    assert count(ServiceRequest) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 this is a program, not a scan", "Бұл файл фото немесе PDF емес"),
        (b"<html><script>alert(1)</script></html>", "Бұл файл фото немесе PDF емес"),
        (JPEG + b"\x00" * 3000, "Файл тым үлкен"),
    ],
    ids=["program", "web-page", "too-big"],
)
def test_a_file_that_is_not_a_photo_or_pdf_or_is_too_big_is_refused(
    app, clinic, make_staff, content, message
):
    app.config["UPLOAD_MAX_BYTES"] = 2048
    person = new_person(serial=114)
    desk = staff_client(app, make_staff, "registrar")
    desk.get("/lang/kk")
    response = desk.post(
        "/staff/attachment/new",
        data={
            "iin": person.iin,
            "address": "Алматы, Абай даңғылы 20",
            "reason": "residence",
            "language": "kk",
            "identity_checked": "y",
            "application_file": (io.BytesIO(content), "scan.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert message in page_text(response)
    assert count(ServiceRequest) == 0 and count(AttachmentFile) == 0
    folder = uploads.uploads_dir()
    assert not folder.exists() or not any(folder.iterdir())


def test_the_registry_being_down_keeps_the_application_waiting_and_a_retry_carries_on(
    app, client, clinic, make_staff
):
    person = new_person(serial=115)
    db.session.add(
        Patient(
            iin=person.iin,
            last_name=person.last_name,
            first_name=person.first_name,
            birth_date=person.birth_date,
            sex="F",
            phone=person.phone,
            created_at=now(),
        )
    )
    db.session.commit()
    app.config["REGISTRY_BACKEND"] = "http"  # no gateway address: every call is "unavailable"
    app.config["REGISTRY_URL"] = ""
    response = apply_online(client, person.iin, reason="residence", address="Алматы, Абай даңғылы 33, 7")
    assert response.status_code == 303
    number = response.headers["Location"].rsplit("/", 1)[-1]
    with force_locale("kk"):
        waiting = str(registry_pending.WAITING_MESSAGE) % {"number": number}
    assert waiting in html.unescape(page_text(client.get(f"/attachment/{number}")))
    application = application_of(person.iin)
    assert application.request.status == "awaiting_registry"
    assert application.address == "Алматы, Абай даңғылы 33, 7" and application.reason == "residence"

    desk = staff_client(app, make_staff, "registrar")
    down = desk.post(f"/staff/attachment/{number}/check", follow_redirects=True)
    assert application_of(person.iin).request.status == "awaiting_registry"
    assert down.status_code == 200

    app.config["REGISTRY_BACKEND"] = "local"
    outcome = registry_pending.retry(application_of(person.iin).request, Actor.system())
    assert outcome.result == "resolved"
    application = application_of(person.iin)
    assert application.request.status == "in_review"
    assert application.proposed_district.number == 1
    assert application.address == "Алматы, Абай даңғылы 33, 7"


def test_a_desk_application_taken_while_the_registry_is_down_keeps_its_files(app, clinic, make_staff):
    person = new_person(serial=116)
    desk = staff_client(app, make_staff, "registrar")
    app.config["REGISTRY_BACKEND"] = "http"
    app.config["REGISTRY_URL"] = ""
    response = desk.post(
        "/staff/attachment/new",
        data={
            "iin": person.iin,
            "address": "Алматы, Төле би көшесі 5",
            "reason": "free_choice",
            "language": "ru",
            "identity_checked": "y",
            "phone": "8 701 222 33 44",
            "application_file": (io.BytesIO(JPEG), "заявление.jpg"),
            "identity_file": (io.BytesIO(PDF), "udv.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    application = application_of(person.iin)
    assert application.request.status == "awaiting_registry" and application.request.subject is None
    assert application.phone == "+77012223344" and application.request.language == "ru"
    assert sorted(stored.kind for stored in application.files) == ["application", "identity"]
    assert all(uploads.path_of(stored.stored_name) for stored in application.files)

    app.config["REGISTRY_BACKEND"] = "local"
    desk.post(f"/staff/attachment/{application.request.number}/check")
    application = application_of(person.iin)
    assert application.request.status == "in_review"
    assert application.request.subject.iin == person.iin  # the card is made from the registry's answer
    assert application.proposed_district.number == 2


def test_an_unknown_person_at_the_desk_is_told_so(app, clinic, make_staff):
    desk = staff_client(app, make_staff, "registrar")
    desk.get("/lang/ru")
    response = desk.post(
        "/staff/attachment/new",
        data={
            "iin": make_iin(date(1970, 1, 1), "M", serial=9999),
            "address": "Алматы, Абай даңғылы 20",
            "reason": "residence",
            "language": "ru",
            "identity_checked": "y",
            "application_file": (io.BytesIO(JPEG), "a.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    with force_locale("ru"):
        expected = attachment_service.PersonUnknown().message
    assert expected in html.unescape(page_text(response))
    assert count(ServiceRequest) == 0


def test_no_identity_document_at_the_desk_is_the_requirements_ground(app, clinic, make_staff):
    person = new_person(serial=117)
    desk = staff_client(app, make_staff, "registrar")
    response = desk.post(
        "/staff/attachment/new",
        data={
            "iin": person.iin,
            "address": "Алматы, Абай даңғылы 20",
            "reason": "residence",
            "language": "kk",
            "application_file": (io.BytesIO(PDF), "a.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    application = application_of(person.iin)
    assert application.request.channel == "desk"
    assert attachment_service.assess(application).grounds == ["requirements_not_met"]


def test_a_second_open_application_is_not_made(app, client, clinic):
    person = new_person(serial=118)
    first = apply_online(client, person.iin, reason="residence")
    again = client.post("/attachment/apply", data={"address": "Алматы, Абай 1", "reason": "residence"})
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert count(AttachmentApplication) == 1


def test_the_online_form_keeps_what_was_typed_when_a_field_is_wrong(app, client, clinic):
    person = new_person(serial=119)
    response = apply_online(client, person.iin, reason="other", address="Алматы, Абай даңғылы 77")
    assert response.status_code == 422
    assert "Себебін бірнеше сөзбен" in page_text(response)
    assert "Абай даңғылы 77" in response.get_data(as_text=True)
    assert count(AttachmentApplication) == 0


# ---- the kiosk -------------------------------------------------------------------------------------------
def test_an_application_on_the_kiosk_is_recorded_with_the_kiosk_channel(app, client, clinic):
    from app.channels import KIOSK_COOKIE
    from app.services import kiosk as kiosk_service

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


# ---- access, audit, fragments ----------------------------------------------------------------------------
STAFF_PAGES = ("/staff/attachment/", "/staff/attachment/new", "/staff/attachment/population")


@pytest.mark.parametrize(
    ("role", "allowed"), [("registrar", True), ("head", True), ("doctor", False), ("admin", False)]
)
def test_access_per_role(app, clinic, make_staff, role, allowed):
    person = new_person(serial=121)
    application = attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=person.iin, address="Алматы, Абай даңғылы 20", reason="residence"
        ),
        actor=Actor.patient(),
        channel="web",
    )
    number = application.request.number
    db.session.commit()
    staff = staff_client(app, make_staff, role)
    for url in (*STAFF_PAGES, f"/staff/attachment/{number}"):
        assert staff.get(url).status_code == (200 if allowed else 403), url
    response = staff.post(
        f"/staff/attachment/{number}/approve", data={"district_id": clinic["districts"][1].id}
    )
    assert response.status_code == (303 if allowed else 403)
    assert (application_of(person.iin).request.status == "completed") is allowed


def test_anonymous_visitors_are_sent_to_sign_in_and_see_no_application(app, client, clinic):
    person = new_person(serial=122)
    application = attachment_service.submit_application(
        attachment_service.ApplicationInput(
            iin=person.iin, address="Алматы, Абай даңғылы 20", reason="residence"
        ),
        actor=Actor.patient(),
        channel="web",
    )
    number = application.request.number
    db.session.commit()
    for url in STAFF_PAGES:
        assert client.get(url).headers["Location"].startswith("/staff/login")
    public = client.get(f"/attachment/{number}")
    assert public.status_code == 303 and "Сейітова" not in page_text(public)
    # someone signed in with another IIN cannot open it either
    other = new_person(serial=123)
    sign_in_online(client, other.iin)
    assert client.get(f"/attachment/{number}").status_code == 404
    assert client.get(f"/attachment/{number}/document").status_code == 404


def test_staff_views_prints_and_file_downloads_are_audited(app, clinic, make_staff):
    person = new_person(serial=124)
    desk = staff_client(app, make_staff, "registrar")
    desk.post(
        "/staff/attachment/new",
        data={
            "iin": person.iin,
            "address": "Алматы, Абай даңғылы 20",
            "reason": "residence",
            "language": "kk",
            "identity_checked": "y",
            "application_file": (io.BytesIO(JPEG), "a.jpg"),
        },
        content_type="multipart/form-data",
    )
    application = application_of(person.iin)
    number = application.request.number
    desk.get("/staff/attachment/")
    desk.get(f"/staff/attachment/{number}")
    stored = application.files[0]
    download = desk.get(f"/staff/attachment/files/{stored.id}")
    assert download.status_code == 200 and download.mimetype == "image/jpeg" and download.data == JPEG
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    desk.post(f"/staff/attachment/{number}/approve", data={"district_id": clinic["districts"][1].id})
    printed = desk.get(f"/staff/attachment/{number}/document")
    assert printed.mimetype == "application/pdf"
    desk.get("/staff/attachment/population")

    entries = {(entry.action, entry.object_type) for entry in db.session.scalars(select(AuditEntry))}
    for expected in [
        ("create", "attachment_application"),
        ("view", "attachment_queue"),
        ("view", "attachment_application"),
        ("view", "attachment_file"),
        ("update", "attachment_application"),
        ("print", "document"),
        ("view", "attached_population"),
    ]:
        assert expected in entries, expected
    file_entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "attachment_file")
    ).one()
    assert file_entry.patient_id == application_of(person.iin).request.subject_id


def test_uploaded_files_are_never_served_to_patients_or_anonymous_visitors(app, client, clinic, make_staff):
    person = new_person(serial=125)
    desk = staff_client(app, make_staff, "registrar")
    desk.post(
        "/staff/attachment/new",
        data={
            "iin": person.iin,
            "address": "Алматы, Абай даңғылы 20",
            "reason": "residence",
            "language": "kk",
            "identity_checked": "y",
            "application_file": (io.BytesIO(JPEG), "a.jpg"),
        },
        content_type="multipart/form-data",
    )
    stored = application_of(person.iin).files[0]
    assert client.get(f"/staff/attachment/files/{stored.id}").status_code == 302  # to the staff login
    assert str(uploads.uploads_dir()) not in str(app.static_folder)
    assert uploads.path_of("../../etc/passwd") is None


def test_htmx_gets_fragments_and_normal_requests_get_pages(app, client, clinic, make_staff):
    person = new_person(serial=126)
    number = apply_online(client, person.iin, reason="residence").headers["Location"].rsplit("/", 1)[-1]
    page = client.get(f"/attachment/{number}")
    fragment = client.get(f"/attachment/{number}", headers={"HX-Request": "true"})
    assert "<html" in page.get_data(as_text=True)
    assert "<html" not in fragment.get_data(as_text=True) and 'id="application-status"' in fragment.get_data(
        as_text=True
    )
    assert 'hx-trigger="every 30s"' in fragment.get_data(as_text=True)
    assert "HX-Request" in fragment.headers["Vary"]
    desk = staff_client(app, make_staff, "registrar")
    queue = desk.get("/staff/attachment/", headers={"HX-Request": "true"})
    assert "<html" not in queue.get_data(as_text=True) and number in queue.get_data(as_text=True)


def test_signing_in_through_htmx_swaps_the_box_then_loads_the_form(app, client, clinic):
    person = new_person(serial=127)
    htmx = {"HX-Request": "true"}
    box = client.post("/attachment/code", data={"iin": person.iin}, headers=htmx)
    assert "<html" not in box.get_data(as_text=True) and 'id="identify"' in box.get_data(as_text=True)
    code = re.search(r"\b(\d{6})\b", last_sms().text)[1]
    wrong = client.post(
        "/attachment/code/check", data={"code": "000000" if code != "000000" else "111111"}, headers=htmx
    )
    assert wrong.status_code == 200 and 'id="identify"' in wrong.get_data(as_text=True)
    done = client.post("/attachment/code/check", data={"code": code}, headers=htmx)
    # a 303 would be followed inside the XHR and htmx would never see where to go
    assert done.status_code == 200 and done.headers["HX-Redirect"] == "/attachment/apply"


def test_the_service_is_listed_as_built_with_its_start_page(app, client, clinic):
    from app.services import catalogue

    service = catalogue.get("attachment")
    assert service.built and service.start_endpoint == "attachment.start_application"
    assert "/attachment/" in client.get("/services/attachment").get_data(as_text=True)


# ---- uploads, directly -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\xff\xd8\xff\xe1", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00", "image/png"),
        (b"%PDF-1.7", "application/pdf"),
        (b"GIF89a", None),
        (b"PK\x03\x04", None),
        (b"", None),
    ],
)
def test_the_type_of_an_upload_is_read_from_its_content(head, expected):
    detected = uploads.detect_content_type(head)
    assert (detected[0] if detected else None) == expected


def test_a_stored_upload_is_private_and_under_the_configured_folder(app):
    checked = uploads.check(io.BytesIO(PDF), "../../evil name.pdf")
    stored = uploads.save(checked)
    path = uploads.path_of(stored.stored_name)
    assert path.parent == uploads.uploads_dir()
    assert path.stat().st_mode & 0o777 == 0o600
    assert stored.original_name == "evil name.pdf" and stored.content_type == "application/pdf"
    uploads.remove(stored.stored_name)
    assert uploads.path_of(stored.stored_name) is None


# ---- the demo ----------------------------------------------------------------------------------------------
def test_the_demo_has_an_overdue_and_a_fresh_application_and_seeding_again_adds_none(
    app, demo_clinic, make_staff
):
    from app.demo.attachment import seed_attachment_demo

    assert seed_attachment_demo() == 0
    states = sorted(
        attachment_service.deadline_state(item.request) for item in attachment_service.open_applications()
    )
    assert len(states) == 2 and "overdue" in states
    desk = staff_client(app, make_staff, "registrar")
    assert desk.get("/staff/attachment/").get_data(as_text=True).count("attachment-row--overdue") == 1
