"""Demo contents of the embedded local registry, seeded by `flask seed-demo` (app.demo.seed).

Who is in it, so every service has someone to show each outcome with:
- every demo patient (app.demo.demo_patients), attached to the demo clinic in their district;
  the one at index 6 changed clinic by free choice three months ago (the once-a-year rule);
- people attached to other clinics, and people attached nowhere (OTHER_PEOPLE below);
- on each register at least two people (REGISTER_MEMBERS), and most demo patients on none.

Idempotent: people already in the registry are left as they are.
"""

import random
from datetime import date, timedelta

from sqlalchemy import select

from app.core.clock import local_now, now
from app.core.iin import make_iin
from app.extensions import db
from app.models import Clinic, RegistryAttachment, RegistryPerson, RegistryRegisterEntry
from app.models.registry import name_key

DEMO_CLINIC_CODE = "EMH-0007"
OTHER_CLINICS = {
    "EMH-0012": "Алматы қаласының №12 қалалық емханасы",
    "EMH-0031": "Алматы қаласының №31 қалалық емханасы",
}
# Index in demo_patients() -> registers that patient is on. Every other demo patient is on none.
PATIENT_REGISTERS = {0: ("tb",), 1: ("psychiatry",), 2: ("narcology",), 3: ("psychiatry", "narcology")}
FREE_CHOICE_PATIENT = 6

# key, last, first, middle, birth date, sex, clinic code (None: not attached), district, registers
OTHER_PEOPLE = (
    ("elsewhere-1", "Бекова", "Сәуле", "Ержанқызы", date(1979, 3, 14), "F", "EMH-0012", 3, ()),
    ("elsewhere-2", "Морозов", "Андрей", "Петрович", date(1965, 10, 2), "M", "EMH-0012", 5, ("tb",)),
    ("elsewhere-3", "Тұрсынов", "Ержан", "Асқарұлы", date(1990, 6, 21), "M", "EMH-0031", 2, ()),
    ("elsewhere-4", "Ли", "Светлана", "", date(2001, 12, 30), "F", "EMH-0031", 4, ("psychiatry",)),
    ("unattached-1", "Сейітова", "Аружан", "Бауыржанқызы", date(2003, 8, 9), "F", None, None, ()),
    ("unattached-2", "Кузнецов", "Игорь", "Олегович", date(1958, 1, 27), "M", None, None, ("narcology",)),
    ("unattached-3", "Омаров", "Нұрсұлтан", "", date(2025, 2, 3), "M", None, None, ()),
)


def other_people() -> list[dict]:
    """The demo registry's people who are not demo patients, each with a valid IIN and a `key`."""
    people = []
    for index, (key, last, first, middle, birth, sex, clinic_code, district, registers) in enumerate(
        OTHER_PEOPLE
    ):
        people.append(
            {
                "key": key,
                "iin": make_iin(birth, sex, serial=5000 + index * 11),
                "last_name": last,
                "first_name": first,
                "middle_name": middle,
                "birth_date": birth,
                "sex": sex,
                "address": f"Алматы қ., Төле би көшесі, {40 + index}, {index + 3}",
                "phone": f"+770755500{index:02d}",
                "clinic_code": clinic_code,
                "district_number": district,
                "registers": registers,
            }
        )
    return people


def seed_registry(clinic: Clinic, patients: list[dict]) -> int:
    """Fill the local registry; `patients` is app.demo.demo_patients(). Returns people added."""
    if not clinic.code:
        clinic.code = DEMO_CLINIC_CODE
    today = local_now().date()
    rng = random.Random(7)
    known = set(db.session.scalars(select(RegistryPerson.iin)))
    added = 0

    for index, patient in enumerate(patients):
        since = _attached_since(patient["birth_date"], today, rng)
        if patient["iin"] in known:
            continue
        free_choice = today - timedelta(days=90) if index == FREE_CHOICE_PATIENT else None
        person = _person(patient)
        person.attachment = RegistryAttachment(
            clinic_code=clinic.code,
            clinic_name=clinic.name_kk,
            district_number=patient["district_number"],
            since=free_choice or since,
            last_free_choice_on=free_choice,
        )
        _put_on_registers(person, PATIENT_REGISTERS.get(index, ()), patient["birth_date"], today, rng)
        added += 1

    for extra in other_people():
        since = _attached_since(extra["birth_date"], today, rng)
        if extra["iin"] in known:
            continue
        person = _person(extra)
        if extra["clinic_code"]:
            person.attachment = RegistryAttachment(
                clinic_code=extra["clinic_code"],
                clinic_name=OTHER_CLINICS[extra["clinic_code"]],
                district_number=extra["district_number"],
                since=since,
                last_free_choice_on=since if extra["key"] == "elsewhere-1" else None,
            )
        _put_on_registers(person, extra["registers"], extra["birth_date"], today, rng)
        added += 1
    db.session.flush()
    return added


def _person(values: dict) -> RegistryPerson:
    person = RegistryPerson(
        iin=values["iin"],
        last_name=values["last_name"],
        first_name=values["first_name"],
        middle_name=values["middle_name"],
        birth_date=values["birth_date"],
        sex=values["sex"],
        address=values["address"],
        phone=values["phone"],
        name_key=name_key(values["last_name"], values["first_name"], values["middle_name"]),
        updated_at=now(),
    )
    db.session.add(person)
    return person


def _attached_since(birth_date: date, today: date, rng: random.Random) -> date:
    """A plausible attachment date: after birth (newborns are attached in their first weeks), before today."""
    earliest = max(birth_date + timedelta(days=14), date(2012, 1, 1))
    latest = max(earliest, today - timedelta(days=120))
    return earliest + timedelta(days=rng.randint(0, (latest - earliest).days))


def _put_on_registers(person, registers, birth_date: date, today: date, rng: random.Random) -> None:
    for register in registers:
        earliest = max(birth_date + timedelta(days=365 * 14), today - timedelta(days=365 * 8))
        since = min(today - timedelta(days=30), earliest + timedelta(days=rng.randint(0, 900)))
        person.register_entries.append(RegistryRegisterEntry(register=register, since=since))
