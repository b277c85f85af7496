"""Factories for the training-centre tests: the module switched on, a course with a cohort of trainees, the
head and the deputy head for academic work who sign, and documents at each stage."""

from datetime import date

from app.core.actors import Actor
from app.core.iin import make_iin
from app.extensions import db
from app.services import training
from tests.home_visits.factories import make_clinic  # noqa: F401  (re-exported)

DECISION_DAY = date(2026, 11, 4)  # a Wednesday; the clock of the tests stands at Wednesday 25 November


def iin(serial: int) -> str:
    return make_iin(date(1990, 5, 17), "F", serial=serial)


def switch_on(*, price: int = 5000, bilingual: bool = False) -> None:
    training.save_settings(
        is_enabled=True, is_bilingual=bilingual, duplicate_price=price, actor=Actor.system()
    )
    db.session.commit()


def make_signers(make_staff) -> dict:
    return {
        "head": make_staff(username="chief", roles=("head",), full_name="Сапаров Ерлан Бекұлы"),
        "deputy": make_staff(username="deputy", roles=("academic_deputy",), full_name="Ким Ольга Викторовна"),
        "methodologist": make_staff(
            username="method", roles=("methodologist",), full_name="Әбенова Динара Маратқызы"
        ),
    }


def make_cohort(kind: str = "qualification_upgrade", trainees: int = 3):
    actor = Actor.system()
    course = training.create_course(programme="Сестринское дело в терапии", kind=kind, hours=144, actor=actor)
    cohort = training.create_cohort(
        course, code="2026-10", starts_on=date(2026, 10, 5), ends_on=date(2026, 10, 30), actor=actor
    )
    names = ("Ахметова Айгерім Серікқызы", "Петрова Елена Ивановна", "Омарова Жансая Бекқызы")
    for index in range(trainees):
        training.add_trainee(
            cohort,
            full_name=names[index % len(names)],
            iin=iin(2000 + index * 11),
            workplace="Городская поликлиника №7",
            actor=actor,
        )
    db.session.commit()
    return cohort


def decide(cohort, passed=None, *, number: str = "12", day: date = DECISION_DAY):
    """The commission passes `passed` trainees (all by default); returns the documents opened."""
    ids = [trainee.id for trainee in (cohort.trainees if passed is None else passed)]
    _decision, documents = training.record_decision(
        cohort, number=number, decided_on=day, passed_ids=ids, actor=Actor.system()
    )
    db.session.commit()
    return documents


def make_ready(document, signers, *, series: str = "KZ", number: str = "0001234"):
    training.prepare(
        document,
        blank_series=series,
        blank_number=number,
        signed_by=signers["head"],
        deputy_signed_by=signers["deputy"] if document.is_duplicate else None,
        sealed=True,
        actor=Actor.of_staff(signers["methodologist"]),
    )
    db.session.commit()
    return document
