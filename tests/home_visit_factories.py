"""Factories for the home-call tests: a clinic with districts and their territories, doctors, patients."""

from datetime import date

from flask import current_app

from app.extensions import db
from app.models import Clinic, District, Patient, RegistryAttachment, RegistryPerson
from app.services.clock import now
from app.services.iin import make_iin

CLINIC_CODE = "EMH-0007"
# A Monday, a Saturday and a Sunday of November 2026; 16 December 2026 (a Wednesday) is Independence Day.
MONDAY = date(2026, 11, 23)
SATURDAY = date(2026, 11, 28)
SUNDAY = date(2026, 11, 29)
INDEPENDENCE_DAY = date(2026, 12, 16)

DISTRICTS = (
    (1, "therapeutic", "Абай даңғылы\nДостық даңғылы"),
    (2, "therapeutic", "Сейфуллин даңғылы, 1-99"),
    (3, "paediatric", "Абай даңғылы\nСейфуллин даңғылы"),
)
ADDRESS = "Алматы қ., Абай даңғылы, 10, 5"


def make_clinic() -> Clinic:
    clinic = Clinic(
        name_kk="№7 қалалық емхана",
        name_ru="Городская поликлиника №7",
        code=CLINIC_CODE,
        address_kk="Алматы қ., Абай даңғылы, 120",
        address_ru="г. Алматы, проспект Абая, 120",
        phones="+7 727 300 00 07",
    )
    db.session.add(clinic)
    for number, kind, territory in DISTRICTS:
        db.session.add(District(clinic=clinic, number=number, kind=kind, territory=territory))
    db.session.commit()
    return clinic


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


def make_district_doctor(
    make_staff, username: str, district_number: int, *, speciality="therapist", **fields
):
    """A district doctor without a weekly plan: their day is the clinic's hours."""
    return make_staff(
        username=username,
        roles=("doctor",),
        speciality=speciality,
        district_id=district(district_number).id,
        full_name=fields.pop("full_name", f"Дәрігер {username}"),
        **fields,
    )


def registry_down() -> None:
    """Point the app at an HTTP registry with no address: every registry call is RegistryUnavailable."""
    current_app.config["REGISTRY_BACKEND"] = "http"
    current_app.config["REGISTRY_URL"] = ""


def registry_up() -> None:
    current_app.config["REGISTRY_BACKEND"] = "local"
