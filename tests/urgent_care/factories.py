"""Factories for the urgent-care tests: a clinic, a team, a nurse-registrar and a call."""

from app.core.actors import Actor
from app.services import urgent_care
from tests.home_visits.factories import make_clinic, make_patient  # noqa: F401  (re-exported)


def details(**fields) -> urgent_care.CallDetails:
    values = {
        "caller_phone": "8 701 555 44 33",
        "patient_name": "Сейтқали Бауыржан",
        "address": "Алматы қ., Абай даңғылы, 12, 5",
        "complaint": "Температура 38.5, бас ауруы, екі күн",
        "patient_age": 45,
        "patient_sex": "M",
        "entrance": "2",
        "floor": "4",
    }
    values.update(fields)
    return urgent_care.CallDetails(**values)


def make_team(make_staff, username="team1", full_name="Бригада: Омаров Т. (фельдшер)"):
    return make_staff(username=username, roles=("urgent_doctor",), full_name=full_name)


def make_nurse(make_staff, username="nurse"):
    return make_staff(username=username, roles=("urgent_nurse",), full_name="Медбике Әлия")


def register(nurse, **fields):
    return urgent_care.register_call(details(**fields), actor=Actor.of_staff(nurse))
