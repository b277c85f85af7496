"""Demo urgent-care calls and hospitalization referrals for `flask seed-demo`, so the dispatch journal and the
referral list show their states.

Urgent care (accounts `nurse`, `urgent1`, `urgent2`): a call nearly out of its 7 hours (amber), one past them
(red), one with its team, one examined waiting for the nurse to register the result, one done yesterday, one
handed to 103. Referrals (account `referrals`): at the Bureau, dated (talon to print), handed over, a decision
"not indicated", and one waiting in the queue because the Bureau could not be reached. Idempotent: nothing is
added when the demo already has urgent-care calls.
"""

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from app.core.actors import Actor
from app.core.clock import frozen_clock, local_now
from app.extensions import db
from app.models import Patient, UrgentCall
from app.services import referrals, staff_accounts, urgent_care

# hours ago, patient, age, sex, address, complaint, what happened next
CALLS = (
    (
        6.5,
        "Нұрланов Бекзат",
        67,
        "M",
        "Алматы қ., Абай даңғылы, 44, 12",
        "Қан қысымы 170/100, бас айналады",
        "none",
    ),
    (
        8,
        "Иванова Галина Петровна",
        74,
        "F",
        "Алматы қ., Достық даңғылы, 9, 30",
        "Температура 38.7, кашель",
        "none",
    ),
    (2, "Серікова Аяжан", 35, "F", "Алматы қ., Сейфуллин даңғылы, 15, 7", "Іш ауруы, құсу", "passed"),
    (
        4,
        "Петров Олег",
        52,
        "M",
        "Алматы қ., Тимирязев көшесі, 3, 88",
        "Боль в пояснице, не может встать",
        "examined",
    ),
    (26, "Ахметова Зейнеп", 81, "F", "Алматы қ., Сәтбаев көшесі, 20, 5", "Әлсіздік, қызуы 38", "done"),
)


def seed_urgent_care_demo() -> int:
    """Add the demo calls and referrals when there are none yet; returns how many were added."""
    if db.session.scalar(select(UrgentCall.id).limit(1)) is not None:
        return 0
    nurse = staff_accounts.find_by_username("nurse")
    teams = [staff_accounts.find_by_username(name) for name in ("urgent1", "urgent2")]
    if nurse is None or None in teams:
        return 0
    moment = local_now()
    added = 0
    for hours_ago, name, age, sex, address, complaint, state in CALLS:
        received = moment - timedelta(hours=hours_ago)
        with frozen_clock(received):
            call = urgent_care.register_call(
                urgent_care.CallDetails(
                    caller_phone="+77017001122",
                    patient_name=name,
                    patient_age=age,
                    patient_sex=sex,
                    address=address,
                    entrance="1",
                    floor="3",
                    complaint=complaint,
                ),
                actor=Actor.of_staff(nurse),
            )
        if state != "none":
            with frozen_clock(received + timedelta(minutes=4)):
                urgent_care.pass_to_team(call, teams[added % 2], actor=Actor.of_staff(nurse))
        if state in ("examined", "done"):
            ended = received + timedelta(hours=3)
            with frozen_clock(ended):
                outcome = urgent_care.Outcome(
                    arrived_at=received + timedelta(hours=2, minutes=20),
                    examined_at=ended - timedelta(minutes=5),
                    result="treated_at_home" if state == "done" else "referred_to_district_doctor",
                    diagnosis_code="J06.9" if state == "done" else "M54.5",
                    diagnosis_title="ОРВИ" if state == "done" else "Боль внизу спины",
                )
                urgent_care.record_outcome(call, outcome, actor=Actor.of_staff(call.team))
        if state == "done":
            with frozen_clock(received + timedelta(hours=3, minutes=2)):
                urgent_care.register_result(call, actor=Actor.of_staff(nurse))
        added += 1
    with frozen_clock(moment - timedelta(hours=1)):
        urgent_care.register_call(
            urgent_care.CallDetails(
                caller_phone="+77017003344",
                caller_kind="other",
                caller_name="Көршісі Марат",
                patient_name="Бекова Роза",
                patient_age=59,
                patient_sex="F",
                address="Алматы қ., Розыбакиев көшесі, 77, 2",
                complaint="Боль в груди, задыхается",
            ),
            actor=Actor.of_staff(nurse),
            handover_note="103, диспетчер Касымова, передан сразу",
        )
    db.session.flush()
    return added + 1 + _seed_referrals(moment.date())


def _seed_referrals(today: date) -> int:
    specialist = staff_accounts.find_by_username("referrals")
    patients = list(db.session.scalars(select(Patient).order_by(Patient.id).limit(5)))
    if specialist is None or len(patients) < 5:
        return 0
    actor = Actor.of_staff(specialist)
    fresh = today - timedelta(days=2)

    def package(profile: str, **fields) -> referrals.Package:
        values = {
            "profile": profile,
            "diagnosis_code": "I11.9" if profile == "cardiology" else "K80.2",
            "diagnosis_title": "Гипертензивная болезнь сердца"
            if profile == "cardiology"
            else "Желчнокаменная болезнь",
            "examinations": {code: fresh for code in referrals.required_for(profile)},
        }
        values.update(fields)
        return referrals.Package(**values)

    referrals.review_and_send(patients[0], package("cardiology"), actor=actor)
    dated = referrals.review_and_send(patients[1], package("surgery"), actor=actor)
    referrals.record_answer(
        dated, "KZ-HB-2026-104233", "ГКБ №7, хирургия", today + timedelta(days=6), actor=actor
    )
    handed = referrals.review_and_send(patients[2], package("cardiology"), actor=actor)
    referrals.record_answer(
        handed, "KZ-HB-2026-103871", "ГКБ №4, кардиология", today + timedelta(days=3), actor=actor
    )
    referrals.hand_over(handed, actor=actor)
    referrals.record_decision(
        patients[3],
        package("surgery", examinations={}),
        "not_indicated",
        "Көрсеткіштер тұрақты, амбулаториялық емдеу жеткілікті / Показатели стабильны, достаточно "
        "амбулаторного лечения",
        actor=actor,
    )
    backend = current_app.config.get("BUREAU_BACKEND"), current_app.config.get("BUREAU_URL")
    current_app.config.update(BUREAU_BACKEND="http", BUREAU_URL="")  # the Bureau cannot be reached
    try:
        referrals.review_and_send(patients[4], package("therapy"), actor=actor)
    finally:
        current_app.config.update(BUREAU_BACKEND=backend[0], BUREAU_URL=backend[1])
    db.session.flush()
    return 5
