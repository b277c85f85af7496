"""The demo training centre for `flask seed-demo` (service 14): the module switched on, two courses, and
documents in every state.

- «Сестринское дело в терапии» (qualification upgrade, 144 h), cohort 2026-09: the commission's decision was
  40 days ago. Ахметова Айгерім received hers in person and later lost it: a duplicate application waits for
  the head's decision; Петрова Елена's duplicate is approved and printed (stamp top right); Омарова Жансая's
  document is late; Қасымов Нұрлан owes for the course: suspended.
- «Функциональная диагностика» (retraining, 504 h), cohort 2026-10: decided 3 days ago. Ким Ольга (a clinic
  registrar) and Серіков Арман are due; Иванов Сергей's is printed and waits to be handed over; Жақсылықов
  Темірлан did not pass.

Signed by the head (head) and the deputy for academic work (academic_deputy); kept by the methodologist
(methodologist). Idempotent: nothing is added once a course exists. The steps in the past are taken on their
days (so their audit entries are dated then); none falls 4 or 5 days before today, the days
tests/test_admin.py counts audit entries on.
"""

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.core.actors import Actor
from app.core.clock import ALMATY, frozen_clock, local_now
from app.core.iin import make_iin
from app.extensions import db
from app.models import TrainingCourse
from app.services import staff_accounts, training

WORKPLACE = "Городская поликлиника №7 г. Алматы"


def _at(day: date, hour: int = 11) -> datetime:
    return datetime.combine(day, time(hour, 0), ALMATY)


def _person(cohort, name: str, birth: date, sex: str, serial: int, actor, *, staff=None, workplace=WORKPLACE):
    return training.add_trainee(
        cohort,
        full_name=name,
        iin=make_iin(birth, sex, serial=serial),
        workplace=workplace,
        staff=staff,
        actor=actor,
    )


def seed_training_demo() -> int:
    """Switch the centre on and add its courses; returns how many documents were opened."""
    if db.session.scalar(select(TrainingCourse.id).limit(1)) is not None:
        return 0
    methodologist = staff_accounts.find_by_username("methodologist")
    head = staff_accounts.find_by_username("head")
    deputy = staff_accounts.find_by_username("academic_deputy")
    if not (methodologist and head and deputy):
        return 0
    actor = Actor.of_staff(methodologist)
    training.save_settings(is_enabled=True, is_bilingual=True, duplicate_price=4500, actor=actor)
    today = local_now().date()

    nursing = training.create_course(
        programme="Сестринское дело в терапии", kind="qualification_upgrade", hours=144, actor=actor
    )
    autumn = training.create_cohort(
        nursing,
        code="2026-09",
        starts_on=today - timedelta(days=70),
        ends_on=today - timedelta(days=42),
        actor=actor,
    )
    people = [
        _person(autumn, "Ахметова Айгерім Серікқызы", date(1991, 3, 14), "F", 4101, actor),
        _person(autumn, "Петрова Елена Ивановна", date(1987, 7, 2), "F", 4112, actor),
        _person(
            autumn,
            "Омарова Жансая Бекқызы",
            date(1995, 11, 23),
            "F",
            4123,
            actor,
            workplace="ГКП на ПХВ «Городская поликлиника №12»",
        ),
        _person(
            autumn,
            "Қасымов Нұрлан Маратұлы",
            date(1990, 1, 9),
            "M",
            4134,
            actor,
            workplace="ГКП на ПХВ «Городская поликлиника №4»",
        ),
    ]
    decided = today - timedelta(days=40)
    with frozen_clock(_at(decided + timedelta(days=1))):
        _decision, (aigerim, elena, zhansaya, nurlan) = training.record_decision(
            autumn, number="14", decided_on=decided, passed_ids=[person.id for person in people], actor=actor
        )
        training.suspend(nurlan, debt_kind="financial", reason="Не оплачено обучение: 38 000 тг", actor=actor)
    with frozen_clock(_at(decided + timedelta(days=8))):
        for document, number in ((aigerim, "0012301"), (elena, "0012302")):
            training.prepare(
                document,
                blank_series="KZ-СПК",
                blank_number=number,
                signed_by=head,
                deputy_signed_by=None,
                sealed=True,
                actor=actor,
            )
    with frozen_clock(_at(decided + timedelta(days=10))):
        training.hand_over(
            aigerim, received_by="self", proxy_name="", power_of_attorney="", journal_signed=True, actor=actor
        )
        training.hand_over(
            elena,
            received_by="proxy",
            proxy_name="Петров Виктор Сергеевич",
            power_of_attorney="№ 2-1187 от 12.10.2026, нотариус Сапарова А. К.",
            journal_signed=True,
            actor=actor,
        )
    duplicates = {}
    for document, applied_days_ago, newspaper in (
        (aigerim, 6, "Вечерний Алматы"),
        (elena, 12, "Алматы ақшамы"),
    ):
        applied = today - timedelta(days=applied_days_ago)
        with frozen_clock(_at(applied)):
            duplicates[document.id] = training.apply_for_duplicate(
                document,
                applied_on=applied,
                loss_circumstances="Документ утерян при переезде, о чём подано объявление в газету.",
                notice_title=newspaper,
                notice_number=str(100 + applied_days_ago),
                notice_date=applied - timedelta(days=6),
                payment_document=f"Квитанция № 55{applied_days_ago:02d}",
                payment_amount=4500,
                payment_date=applied - timedelta(days=1),
                actor=actor,
            )
    with frozen_clock(_at(today - timedelta(days=9))):
        training.approve_duplicate(duplicates[elena.id], actor=Actor.of_staff(head))
    with frozen_clock(_at(today - timedelta(days=7))):
        training.prepare(
            duplicates[elena.id],
            blank_series="KZ-СПК",
            blank_number="0012388",
            signed_by=head,
            deputy_signed_by=deputy,
            sealed=True,
            actor=actor,
        )

    diagnostics = training.create_course(
        programme="Функциональная диагностика", kind="retraining", hours=504, actor=actor
    )
    october = training.create_cohort(
        diagnostics,
        code="2026-10",
        starts_on=today - timedelta(days=60),
        ends_on=today - timedelta(days=5),
        actor=actor,
    )
    registrar = staff_accounts.find_by_username("registrar2")
    passed = [
        _person(
            october,
            registrar.full_name if registrar else "Ким Ольга Викторовна",
            date(1985, 4, 30),
            "F",
            4145,
            actor,
            staff=registrar,
        ),
        _person(october, "Серіков Арман Бекұлы", date(1992, 8, 17), "M", 4156, actor),
        _person(
            october,
            "Иванов Сергей Петрович",
            date(1983, 12, 5),
            "M",
            4167,
            actor,
            workplace="ТОО «Медицинский центр «Достык»»",
        ),
    ]
    _person(october, "Жақсылықов Темірлан Әліұлы", date(1996, 2, 11), "M", 4178, actor)
    decided = today - timedelta(days=3)
    with frozen_clock(_at(decided)):
        _decision, opened = training.record_decision(
            october, number="21", decided_on=decided, passed_ids=[person.id for person in passed], actor=actor
        )
    with frozen_clock(_at(today - timedelta(days=1))):
        training.prepare(
            opened[2],
            blank_series="KZ-УД",
            blank_number="0004511",
            signed_by=deputy,
            deputy_signed_by=None,
            sealed=True,
            actor=actor,
        )
    db.session.flush()
    return 4 + 3 + 2
