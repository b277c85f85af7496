"""Factories for the referral tests: a clinic, a specialist, a patient and a complete package."""

from datetime import date, timedelta

from app.services import referrals
from tests.home_visits.factories import make_clinic, make_patient  # noqa: F401  (re-exported)


def complete_package(today: date, profile: str = "therapy", **fields) -> referrals.Package:
    """Every examination the profile requires, done two days before `today`."""
    values = {
        "profile": profile,
        "diagnosis_code": "I11.9",
        "diagnosis_title": "Гипертензивная болезнь сердца",
        "preferred_hospital": "ГКБ №7",
        "examinations": {code: today - timedelta(days=2) for code in referrals.required_for(profile)},
    }
    values.update(fields)
    return referrals.Package(**values)


def make_specialist(make_staff, username="specialist"):
    return make_staff(username=username, roles=("referral_specialist",), full_name="Маман Гүлмира")
