"""Demo HIV tests for `flask seed-demo` (service 7), one in each state, so every room has work to see:

- anonymous, registered this morning, waiting for the blood draw;
- anonymous, blood drawn, waiting for the laboratory;
- anonymous, negative, ready to hand over (try the hand-over with its code from the list);
- anonymous, positive screening, ready for post-test counselling;
- anonymous, negative, handed over with its certificate;
- confidential (a person of the demo registry), negative, ready to hand over with a named certificate.

The clinic's settings: the regulation's terms (3 / 20 working days), a price for foreigners, room 115.
Idempotent: nothing is added once any test exists. Codes are random: read them from the staff list.
"""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.core.actors import Actor
from app.core.clock import ALMATY, frozen_clock, local_now
from app.demo.registry import other_people
from app.extensions import db
from app.models import HivSettings, HivTest, StaffMember
from app.services import hiv_testing

# regime, payer, reason, sex, birth year, hours ago registered, how far it went
TESTS = (
    ("anonymous", "citizen", "voluntary", "M", 1994, 1, "registered"),
    ("anonymous", "citizen", "voluntary", "F", 2001, 3, "drawn"),
    ("anonymous", "foreigner", "migrant", "M", 1987, 30, "negative"),
    ("anonymous", "kandas", "contact", "F", 1979, 30, "positive"),
    ("anonymous", "citizen", "pregnancy", "F", 1996, 54, "handed_over"),
    ("confidential", "citizen", "employment", "F", None, 30, "negative"),
)


def _actor(username: str) -> Actor:
    staff = db.session.scalars(select(StaffMember).where(StaffMember.username == username)).one()
    return Actor.of_staff(staff, ip="127.0.0.1", user_agent="seed-demo")


def seed_hiv_demo() -> int:
    """Add the demo tests when there are none; returns how many were added."""
    if db.session.scalar(select(HivTest.id).limit(1)) is not None:
        return 0
    if db.session.scalar(select(HivSettings.id).limit(1)) is None:
        db.session.add(
            HivSettings(
                positive_term_days=3,
                negative_term_days=20,
                price=8500,
                room="115",
                hours_kk="Дүйсенбі–жұма, 14:00–17:00",
                hours_ru="Понедельник–пятница, 14:00–17:00",
            )
        )
        db.session.flush()
    doctor, nurse, lab = _actor("counselling"), _actor("procnurse"), _actor("laboratory")
    person = other_people()[0]
    added = 0
    for regime, payer, reason, sex, birth_year, hours_ago, reached in TESTS:
        registered = local_now() - timedelta(hours=hours_ago)
        registered = max(registered, datetime.combine(registered.date(), time(8, 30), ALMATY))
        paid = hiv_testing.is_paid(payer)
        with frozen_clock(registered):
            test = hiv_testing.register(
                hiv_testing.Registration(
                    regime=regime,
                    payer=payer,
                    reason=reason,
                    pre_test_counselling=True,
                    sex=sex,
                    birth_year=birth_year,
                    language="ru" if payer == "foreigner" else "kk",
                    iin=person["iin"] if regime == "confidential" else "",
                    payment_amount=8500 if paid else None,
                    payment_receipt="КВ-000417" if paid else "",
                    payment_date=registered.date() if paid else None,
                ),
                actor=doctor,
            )
        added += 1
        if reached == "registered":
            continue
        with frozen_clock(registered + timedelta(minutes=25)):
            hiv_testing.draw_blood(test, actor=nurse)
        if reached == "drawn":
            continue
        with frozen_clock(registered + timedelta(hours=5)):
            hiv_testing.enter_result(test, "positive" if reached == "positive" else "negative", actor=lab)
        if reached == "handed_over":
            with frozen_clock(registered + timedelta(hours=26)):
                hiv_testing.issue_certificate(test, actor=nurse)
    db.session.flush()
    return added
