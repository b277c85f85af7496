"""Factories for the home-call tests: a clinic with districts and their territories, doctors, patients."""

from datetime import date

from flask import current_app

from app.extensions import db
from app.models import Clinic, District
from tests.factories import ADDRESS, CLINIC_CODE, district, make_patient  # noqa: F401  (re-exported)

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
