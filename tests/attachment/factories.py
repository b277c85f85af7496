"""Factories for the attachment tests: a small clinic with districts and doctors, people in the registry,
signing in and applying online, a signed-in desk, and reading back what was made."""

import io
import re
from datetime import date

from pypdf import PdfReader
from sqlalchemy import func, select

from app.core.clock import now
from app.core.iin import make_iin
from app.extensions import db
from app.models import (
    AttachmentApplication,
    Clinic,
    District,
    Patient,
    RegistryAttachment,
    RegistryPerson,
    SmsMessage,
)
from app.models.registry import name_key
from tests.conftest import TEST_PASSWORD, page_text

CLINIC_CODE = "EMH-0007"
OTHER_CODE = "EMH-0012"
OTHER_NAME = "Алматы қаласының №12 қалалық емханасы"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def make_clinic(make_staff) -> dict:
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
