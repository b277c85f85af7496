"""Factories of the sick-leave tests: the clinic, the staff of every step, a patient, the doctor's fields."""

from datetime import date

from app.core.actors import Actor
from app.services import sick_leave
from tests.factories import make_patient
from tests.home_visits.factories import make_clinic, registry_down, registry_up

__all__ = ["make_clinic", "make_patient", "registry_down", "registry_up"]


def make_team(make_staff) -> dict[str, Actor]:
    people = {
        "registrar": make_staff(username="registrar", roles=("registrar",), full_name="Нұрланова Айгүл"),
        "doctor": make_staff(
            username="doctor", roles=("doctor",), speciality="therapist", full_name="Жұмабаева Асель"
        ),
        "doctor2": make_staff(
            username="doctor2", roles=("doctor",), speciality="surgeon", full_name="Волков Дмитрий"
        ),
        "head_of_department": make_staff(
            username="headdept", roles=("head_of_department",), full_name="Сапаров Ерлан"
        ),
        "head": make_staff(username="head", roles=("head",), full_name="Омарова Жанар"),
        "issuing_desk": make_staff(username="desk", roles=("issuing_desk",), full_name="Мұратова Айжан"),
    }
    return {role: Actor.of_staff(staff) for role, staff in people.items()}


def sheet_fields(starts_on=date(2026, 11, 25), ends_on=date(2026, 11, 29), **overrides):
    values = {
        "starts_on": starts_on,
        "ends_on": ends_on,
        "issue_mode": "paper",
        "cause": "illness",
        "regime": "outpatient",
        "workplace": "«Алатау» ЖШС, бухгалтер",
        "diagnosis": "J06.9",
    }
    values.update(overrides)
    return sick_leave.SheetFields(**values)


def open_visit(team, patient, fields=None, service=sick_leave.SHEET):
    """Registrar then doctor: the visit after the doctor's signature."""
    request = sick_leave.receive(
        patient, service, identity_document="Жеке куәлік № 041234567", actor=team["registrar"]
    )
    return sick_leave.sign_as_doctor(request, fields or sheet_fields(), actor=team["doctor"])
