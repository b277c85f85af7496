"""Factories for the HIV testing tests: staff of the three rooms, a clinic, and tests at each step."""

from datetime import date

from flask_babel import force_locale, gettext

from app.core.actors import Actor
from app.extensions import db
from app.services import hiv_testing
from tests.factories import make_patient
from tests.home_visits.factories import make_clinic  # noqa: F401  (re-exported)

# The person of the privacy tests. They are in the state database of individuals (the local registry), as
# anyone in Kazakhstan is; the anonymous flow must never bring any of this into the clinic's tables or logs.
NAME = ("Жұмабекова", "Динара", "Ержанқызы")
PHONE = "+77015553311"
BIRTH = date(1990, 7, 14)


def registry_person() -> str:
    """The person in the local registry only (no clinic card); returns their IIN."""
    return make_patient(
        serial=4242,
        birth=BIRTH,
        sex="F",
        last_name=NAME[0],
        first_name=NAME[1],
        middle_name=NAME[2],
        phone=PHONE,
        address="Алматы қ., Жароков көшесі, 77, 12",
        with_card=False,
    )


def actor_for(make_staff, role: str, username: str | None = None) -> Actor:
    staff = make_staff(username=username or role, roles=(role,), full_name=f"Staff {role}")
    return Actor.of_staff(staff, ip="10.0.0.9", user_agent="pytest")


def registration(**fields) -> hiv_testing.Registration:
    values = {
        "regime": "anonymous",
        "payer": "citizen",
        "reason": "voluntary",
        "pre_test_counselling": True,
        "sex": "F",
        "birth_year": 1990,
    }
    values.update(fields)
    return hiv_testing.Registration(**values)


def register(actor: Actor, **fields):
    test = hiv_testing.register(registration(**fields), actor=actor)
    db.session.commit()
    return test


def kk(msgid: str, **values) -> str:
    """The message as a page in the default language (Kazakh) shows it."""
    with force_locale("kk"):
        return gettext(msgid, **values)
