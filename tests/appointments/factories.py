"""Factories for the appointment tests: a clinic, attached patients, doctors with weekly plans, and local
moments."""

from datetime import date, datetime, time

from app.core.actors import Actor
from app.core.clock import ALMATY
from app.extensions import db
from app.models import Clinic, District, Patient
from app.services import schedules
from tests import factories
from tests.factories import CLINIC_CODE

# Mondays of November-December 2026; 16 December (a Wednesday) is Independence Day.
MONDAY = date(2026, 11, 23)
WEEKDAY_PLAN = schedules.DayPlan(time(9, 0), time(12, 0), time(10, 30), time(11, 0))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local (Asia/Almaty) moment of `day`."""
    return datetime.combine(day, time(hour, minute), ALMATY)


def make_clinic(*, with_district: bool = True) -> Clinic:
    clinic = Clinic(
        name_kk="№7 қалалық емхана",
        name_ru="Городская поликлиника №7",
        code=CLINIC_CODE,
        address_kk="Алматы қ., Абай даңғылы, 120",
        address_ru="г. Алматы, проспект Абая, 120",
        phones="+7 727 300 00 07",
    )
    db.session.add(clinic)
    if with_district:
        db.session.add(District(clinic=clinic, number=1, kind="therapeutic"))
    db.session.commit()
    return clinic


def district(number: int = 1) -> District:
    return factories.district(number)


def make_patient(
    serial: int,
    *,
    attached_to: str | None = CLINIC_CODE,
    district_number: int | None = 1,
    phone: str | None = None,
    language: str = "kk",
    with_card: bool = True,
    last_name: str = "Ахметова",
    first_name: str = "Әсел",
) -> Patient | str:
    """A registry person (and card) whose phone and birth date follow from `serial`: tests never collide."""
    return factories.make_patient(
        serial,
        birth=date(1985, 4, 1 + serial % 27),
        last_name=last_name,
        first_name=first_name,
        address="Алматы қ., Абай даңғылы, 10",
        phone=phone if phone is not None else f"+7701{serial:07d}",
        language=language,
        district_number=district_number,
        attached_to=attached_to,
        with_card=with_card,
    )


def make_doctor(
    make_staff,
    username: str = "therapist1",
    *,
    speciality: str = "therapist",
    district_number: int | None = 1,
    room: str = "105",
    weekdays: dict | None = None,
    slot_minutes: int = 15,
    full_name: str | None = None,
):
    doctor = make_staff(
        username=username,
        roles=("doctor",),
        speciality=speciality,
        district_id=district(district_number).id if district_number else None,
        room=room,
        full_name=full_name or f"Жұмабаева Асель {username}",
    )
    schedules.save_plan(
        doctor,
        slot_minutes=slot_minutes,
        room=room,
        weekdays=weekdays if weekdays is not None else {d: WEEKDAY_PLAN for d in range(1, 6)},
        actor=Actor.system(),
    )
    db.session.commit()
    return doctor
