"""Factories shared by the service tests: a person in the local registry and, optionally, their card."""

from datetime import date

from app.core.clock import now
from app.core.iin import make_iin
from app.extensions import db
from app.models import District, Patient, RegistryAttachment, RegistryPerson

CLINIC_CODE = "EMH-0007"
ADDRESS = "Алматы қ., Абай даңғылы, 10, 5"


def district(number: int) -> District:
    return db.session.query(District).filter_by(number=number).one()


def make_patient(
    serial: int,
    *,
    birth: date = date(1985, 4, 1),
    sex: str = "F",
    last_name: str = "Ахметова",
    first_name: str = "Әсел",
    middle_name: str = "Серікқызы",
    address: str = ADDRESS,
    phone: str = "+77010000001",
    language: str = "kk",
    district_number: int | None = 1,
    attached_to: str | None = CLINIC_CODE,
    with_card: bool = True,
) -> Patient | str:
    """A person in the local registry (attached to `attached_to`) and, with_card, the clinic's card.

    Returns the card, or the IIN when there is no card."""
    iin = make_iin(birth, sex, serial=serial)
    person = RegistryPerson(
        iin=iin,
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        birth_date=birth,
        sex=sex,
        address=address,
        phone=phone,
        updated_at=now(),
    )
    db.session.add(person)
    db.session.add(
        RegistryAttachment(
            person=person,
            clinic_code=attached_to,
            clinic_name="№7" if attached_to else "",
            district_number=district_number if attached_to else None,
            since=date(2020, 1, 1) if attached_to else None,
        )
    )
    if not with_card:
        db.session.commit()
        return iin
    patient = Patient(
        iin=iin,
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        birth_date=birth,
        sex=sex,
        address=address,
        phone=phone,
        language=language,
        district=district(district_number) if district_number and attached_to == CLINIC_CODE else None,
        created_at=now(),
    )
    db.session.add(patient)
    db.session.commit()
    return patient
