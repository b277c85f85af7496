"""Factories of the signed-documents tests: the clinic, the staff of every step, a patient, a reception."""

from datetime import date

from app.core.actors import Actor
from app.services import phc_certificates
from tests.factories import make_patient
from tests.home_visits.factories import make_clinic, registry_down, registry_up

__all__ = ["make_clinic", "make_patient", "registry_down", "registry_up"]


def make_team(make_staff) -> dict[str, Actor]:
    """One staff member per role of the sign-off steps, as actors."""
    people = {
        "registrar": make_staff(
            username="registrar", roles=("registrar",), full_name="Нұрланова Айгүл Маратқызы"
        ),
        "doctor": make_staff(
            username="doctor",
            roles=("doctor",),
            speciality="therapist",
            full_name="Жұмабаева Асель Қайратқызы",
        ),
        "head_of_department": make_staff(
            username="headdept", roles=("head_of_department",), full_name="Сапаров Ерлан Бекұлы"
        ),
        "senior_nurse": make_staff(
            username="nurse", roles=("senior_nurse",), full_name="Ким Ольга Викторовна"
        ),
        "head": make_staff(username="head", roles=("head",), full_name="Омарова Жанар Серікқызы"),
    }
    return {role: Actor.of_staff(staff) for role, staff in people.items()}


def reception(**overrides) -> phc_certificates.Reception:
    values = {
        "kind": "phc",
        "purpose": "Жұмыс орнына ұсыну үшін",
        "presented_by": "self",
        "identity_document": "Жеке куәлік № 041234567",
    }
    values.update(overrides)
    return phc_certificates.Reception(**values)


def proxy_reception(**overrides) -> phc_certificates.Reception:
    values = {
        "presented_by": "proxy",
        "proxy_name": "Ахметов Айдар Серікұлы",
        "proxy_iin": "850401300175",
        "proxy_document_number": "N-2026/118",
        "proxy_document_date": date(2026, 11, 2),
    }
    values.update(overrides)
    return reception(**values)
