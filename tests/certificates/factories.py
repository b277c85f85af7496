"""Test data for information forms, one-time codes and documents: registry people, cards, SMS codes; and the
steps a person takes through the web, with the Kazakh and Russian phrases the tests look for."""

import io
import re
from datetime import date

from flask import current_app
from pypdf import PdfReader
from sqlalchemy import or_, select

from app.core.clock import now
from app.core.iin import make_iin
from app.demo import demo_patients
from app.demo.cabinet import CABINET_PATIENTS
from app.extensions import db
from app.models import Patient, RegistryPerson, RegistryRegisterEntry, ServiceRequest, SmsMessage
from app.models.registry import name_key
from app.services import certificates
from tests.conftest import page_text

CODE = re.compile(r"(?<![\w-])(\d{6})(?![\w-])")  # not the digits of a request number or link
TOKEN_LINK = re.compile(r"/c/([A-Za-z0-9_-]+)")


def registry_person(
    last_name="Ахметова",
    first_name="Әсел",
    middle_name="Серікқызы",
    *,
    birth_date=date(1985, 4, 12),
    sex="F",
    serial=1234,
    phone="+77011234567",
    address="Алматы қ., Абай даңғылы, 10, 5",
    registers=(),
) -> RegistryPerson:
    person = RegistryPerson(
        iin=make_iin(birth_date, sex, serial=serial),
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        birth_date=birth_date,
        sex=sex,
        address=address,
        phone=phone,
        name_key=name_key(last_name, first_name, middle_name),
        updated_at=now(),
    )
    db.session.add(person)
    db.session.flush()
    for register in registers:
        db.session.add(RegistryRegisterEntry(person=person, register=register, since=date(2019, 3, 1)))
    db.session.commit()
    return person


def subject_person(**fields) -> RegistryPerson:
    """A second person, for requests about someone else."""
    values = {
        "last_name": "Иванов",
        "first_name": "Сергей",
        "middle_name": "Петрович",
        "birth_date": date(1979, 9, 3),
        "sex": "M",
        "serial": 4321,
        "phone": "+77057654321",
        "address": "Алматы қ., Сейфуллин даңғылы, 44",
    }
    values.update(fields)
    return registry_person(**values)


def patient_card(person: RegistryPerson, *, phone=None, language="kk") -> Patient:
    patient = Patient(
        iin=person.iin,
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=person.middle_name,
        birth_date=person.birth_date,
        sex=person.sex,
        address=person.address,
        phone=person.phone if phone is None else phone,
        language=language,
        created_at=now(),
    )
    db.session.add(patient)
    db.session.commit()
    return patient


def messages_to(phone: str) -> list[SmsMessage]:
    return list(
        db.session.scalars(select(SmsMessage).where(SmsMessage.phone == phone).order_by(SmsMessage.id))
    )


def last_message_to(phone: str) -> SmsMessage:
    messages = messages_to(phone)
    assert messages, f"no SMS to {phone}"
    return messages[-1]


def last_code_to(phone: str) -> str:
    return CODE.search(last_message_to(phone).text).group(1)


def wrong_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def registry_down() -> None:
    """An HTTP registry with no address: every call is RegistryUnavailable("not_configured")."""
    current_app.config["REGISTRY_BACKEND"] = "http"
    current_app.config["REGISTRY_URL"] = ""


def registry_up() -> None:
    current_app.config["REGISTRY_BACKEND"] = "local"


# ---- through the web ---------------------------------------------------------------------------------------

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
    """The one information-form request the test made (the demo cabinet's patients' own are not it)."""
    demo = [demo_patients()[index]["iin"] for index in CABINET_PATIENTS]
    return db.session.scalars(
        select(ServiceRequest)
        .outerjoin(Patient, Patient.id == ServiceRequest.subject_id)
        .where(ServiceRequest.service.in_(certificates.SERVICE_SLUGS))
        .where(or_(Patient.iin.is_(None), Patient.iin.not_in(demo)))
    ).one()


def pdf_text(data: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def sign_in_with(client, person):
    code = last_code_to(person.phone)
    return client.post("/certificates/tb/sign-in", data={"iin": person.iin, "code": code})


def ask_about(client, applicant, subject, register="psychiatry"):
    sign_in(client, applicant, register)
    response = request_for(client, register, for_whom="other", subject_iin=subject.iin)
    assert response.status_code == 303, page_text(response)
    return only_request()
