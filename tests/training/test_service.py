"""Training documents through the service functions: the 15-working-day clock from the commission's
decision, the duplicate's month, suspension and resumption without the paused time, the duplicate's
conditions, blanks used once, and one original per person and programme (the database refuses a second)."""

from datetime import date, datetime, time

import pytest
from sqlalchemy.exc import IntegrityError

from app.core.actors import Actor
from app.core.clock import ALMATY
from app.extensions import db
from app.models import CalendarException, TrainingDocument
from app.services import catalogue, training
from app.services.calendar import get_calendar
from app.services.training import operations as training_operations
from app.services.training import rules
from tests.training.factories import (
    decide,
    make_clinic,
    make_cohort,
    make_ready,
    make_signers,
    switch_on,
)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ALMATY)


@pytest.fixture
def centre(app, make_staff):
    make_clinic()
    switch_on()
    return make_signers(make_staff)


def duplicate_application(original, **changes):
    values = {
        "applied_on": date(2026, 11, 20),
        "loss_circumstances": "Утеряно при переезде",
        "notice_title": "Вечерний Алматы",
        "notice_number": "131",
        "notice_date": date(2026, 11, 10),
        "payment_document": "Квитанция № 5521",
        "payment_amount": 5000,
        "payment_date": date(2026, 11, 19),
        "actor": Actor.system(),
    }
    values.update(changes)
    return training.apply_for_duplicate(original, **values)


# ---- the 15-working-day clock ----------------------------------------------------------------------------


def test_the_clock_is_15_working_days_of_the_law_from_the_commission_decision(centre):
    documents = decide(make_cohort())
    # Wednesday 4 November: the 15th working day of the law after it (Monday to Friday; the clinic's Saturdays
    # do not count, B.14: the term of a college under the Law on public services) is Wednesday 25th, 18:00.
    assert [document.request.deadline_at for document in documents] == [at(date(2026, 11, 25), 18)] * 3
    # The clinic's own calendar (open on Saturdays) would have said Saturday 21st, 14:00.
    assert catalogue.DeadlineRule("working_days", 15).apply(at(date(2026, 11, 4), 0), get_calendar()) == at(
        date(2026, 11, 21), 14
    )
    assert all(document.request.status == "in_review" for document in documents)


def test_a_day_off_the_admin_declares_moves_the_deadline(centre):
    db.session.add(CalendarException(day=date(2026, 11, 10), is_working=False, note="перенос"))
    db.session.commit()
    (document,) = decide(make_cohort(trainees=1))
    assert document.request.deadline_at == at(date(2026, 11, 26), 18)  # the admin's day off counts in law too


def test_a_decision_on_a_sunday_counts_from_the_next_working_day(centre):
    deadline = rules.original_deadline(date(2026, 11, 1), get_calendar())  # a Sunday
    assert deadline == rules.original_deadline(date(2026, 11, 2), get_calendar())


def test_the_worklist_shows_what_is_late_and_what_is_due(centre, frozen):
    cohort = make_cohort()
    late = decide(cohort, cohort.trainees[:1], number="11", day=date(2026, 10, 30))  # due Fri 20 Nov, 18:00
    due = decide(cohort, cohort.trainees[1:2], number="12", day=date(2026, 11, 20))
    worklist = training.worklist(actor=Actor.system())
    assert worklist.late == late
    assert worklist.due == due
    frozen(2026, 11, 20, 17, 59)  # before the close of the 15th working day: nothing late yet
    assert training.worklist(actor=Actor.system()).late == []


def test_the_request_completes_when_the_document_is_ready_and_is_in_time(centre, frozen):
    frozen(2026, 11, 20, 11, 0)
    (document,) = decide(make_cohort(trainees=1))
    make_ready(document, centre)
    assert document.request.status == "completed"
    assert document.request.completed_at <= document.request.deadline_at
    assert training.state_of(document) == "ready"


# ---- suspension and resumption ---------------------------------------------------------------------------


def test_a_debt_suspends_and_lifting_it_resumes_the_clock_without_the_paused_days(centre, frozen):
    frozen(2026, 11, 5, 10, 0)  # Thursday, the day after the decision
    (document,) = decide(make_cohort(trainees=1))
    assert document.request.deadline_at == at(date(2026, 11, 25), 18)
    training.suspend(
        document, debt_kind="financial", reason="Не оплачено обучение: 20 000 тг", actor=Actor.system()
    )
    assert document.request.deadline_at is None
    assert training.state_of(document) == "suspended"
    assert document.request.status == "in_review"  # suspended, never refused
    with pytest.raises(rules.Suspended):
        make_ready(document, centre)

    frozen(2026, 11, 10, 9, 0)  # Tuesday: Thu, Fri and Mon (3 working days of the law) were paused
    training.lift_suspension(document, actor=Actor.system())
    # 25 Nov (Wed) + 3 working days: Thu 26, Fri 27, Mon 30.
    assert document.request.deadline_at == at(date(2026, 11, 30), 18)
    assert document.suspended_at is None
    steps = [event.step for event in document.request.events]
    assert "suspended" in steps and "suspension_lifted" in steps


def test_a_suspension_lifted_the_same_day_costs_nothing(centre, frozen):
    frozen(2026, 11, 5, 10, 0)
    (document,) = decide(make_cohort(trainees=1))
    before = document.request.deadline_at
    training.suspend(document, debt_kind="other", reason="Не сдан обходной лист", actor=Actor.system())
    frozen(2026, 11, 5, 16, 0)
    training.lift_suspension(document, actor=Actor.system())
    assert document.request.deadline_at == before


def test_lifting_what_is_not_suspended_is_refused(centre):
    (document,) = decide(make_cohort(trainees=1))
    with pytest.raises(rules.NotSuspended):
        training.lift_suspension(document, actor=Actor.system())


# ---- who gets a document ---------------------------------------------------------------------------------


def test_someone_who_did_not_pass_gets_no_document(centre):
    cohort = make_cohort()
    decide(cohort, cohort.trainees[:1])
    failed = cohort.trainees[1]
    with pytest.raises(rules.NotPassed):
        training.open_original(failed, actor=Actor.system())
    assert db.session.query(TrainingDocument).count() == 1


def test_a_second_original_for_the_same_programme_is_refused(centre):
    cohort = make_cohort(trainees=1)
    (document,) = decide(cohort)
    with pytest.raises(rules.SecondOriginal):
        training.open_original(cohort.trainees[0], actor=Actor.system())
    with pytest.raises(rules.NothingTicked):  # already passed: nobody left to pass
        decide(cohort, number="13")


def test_the_database_refuses_a_second_original_too(centre):
    (document,) = decide(make_cohort(trainees=1))
    db.session.add(
        TrainingDocument(
            request_id=document.request_id,
            trainee_id=document.trainee_id,
            course_id=document.course_id,
            trainee_iin=document.trainee_iin,
            full_name="x",
            duplicate_no=0,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# ---- the blank, signatures, seal -------------------------------------------------------------------------


def test_a_blank_is_used_once(centre):
    first, second, _third = decide(make_cohort())
    make_ready(first, centre, series="kz", number="0001")
    with pytest.raises(rules.BlankUsed):
        make_ready(second, centre, series="KZ", number="0001")
    db.session.rollback()
    assert second.ready_at is None and second.blank_number is None


def test_a_blank_taken_by_another_desk_at_the_same_moment_is_refused_cleanly(centre, monkeypatch):
    first, second, _third = decide(make_cohort())
    make_ready(first, centre, series="KZ", number="0002")
    db.session.commit()
    # Both desks checked the blank while it was free; the other desk wrote it first.
    monkeypatch.setattr(training_operations, "blank_in_use", lambda series, number: False)
    with pytest.raises(rules.BlankUsed):
        make_ready(second, centre, series="KZ", number="0002")
    db.session.commit()  # the session is still usable: only the blank's savepoint was rolled back
    db.session.expire_all()
    assert second.ready_at is None and second.blank_number is None and second.request.status == "in_review"
    make_ready(second, centre, series="KZ", number="0003")  # the next blank goes through
    db.session.commit()
    assert second.request.status == "completed" and second.blank_number == "0003"


def test_the_document_is_signed_by_the_head_or_deputy_and_sealed(centre):
    (document,) = decide(make_cohort(trainees=1))
    actor = Actor.system()
    with pytest.raises(rules.WrongSigner):
        training.prepare(
            document,
            blank_series="A",
            blank_number="1",
            signed_by=centre["methodologist"],
            deputy_signed_by=None,
            sealed=True,
            actor=actor,
        )
    with pytest.raises(rules.NotSealed):
        training.prepare(
            document,
            blank_series="A",
            blank_number="1",
            signed_by=centre["deputy"],
            deputy_signed_by=None,
            sealed=False,
            actor=actor,
        )
    training.prepare(
        document,
        blank_series="A",
        blank_number="1",
        signed_by=centre["deputy"],
        deputy_signed_by=None,
        sealed=True,
        actor=actor,
    )
    assert document.document.kind == "training_certificate"
    assert document.document.number.startswith("TQU-2026-")


def test_hand_over_to_a_proxy_needs_the_power_of_attorney_and_the_journal_signature(centre):
    (document,) = decide(make_cohort(trainees=1))
    with pytest.raises(rules.WrongStep):  # not ready yet
        training.hand_over(
            document,
            received_by="self",
            proxy_name="",
            power_of_attorney="",
            journal_signed=True,
            actor=Actor.system(),
        )
    make_ready(document, centre)
    with pytest.raises(rules.ProxyDetailsMissing):
        training.hand_over(
            document,
            received_by="proxy",
            proxy_name="Ахметов Айдар",
            power_of_attorney="",
            journal_signed=True,
            actor=Actor.system(),
        )
    with pytest.raises(rules.JournalNotSigned):
        training.hand_over(
            document,
            received_by="self",
            proxy_name="",
            power_of_attorney="",
            journal_signed=False,
            actor=Actor.system(),
        )
    training.hand_over(
        document,
        received_by="proxy",
        proxy_name="Ахметов Айдар",
        power_of_attorney="№ 77 от 18.11.2026",
        journal_signed=True,
        actor=Actor.system(),
    )
    assert training.state_of(document) == "issued"
    row = training.journal_row(document)
    assert "Ахметов Айдар" in " ".join(row) and "KZ 0001234" in row


# ---- paid duplicates -------------------------------------------------------------------------------------


@pytest.fixture
def issued(centre, frozen):
    frozen(2026, 11, 5, 10, 0)
    (document,) = decide(make_cohort(trainees=1))
    make_ready(document, centre, series="KZ", number="0000777")
    frozen(2026, 11, 25, 10, 0)
    return document


def test_the_duplicate_clock_is_one_month_from_the_application(issued):
    duplicate = duplicate_application(issued, applied_on=date(2026, 11, 20))
    assert duplicate.request.deadline_at == datetime(2026, 12, 20, 23, 59, 59, tzinfo=ALMATY)
    assert duplicate.request.status == "submitted"
    assert training.state_of(duplicate) == "awaiting_decision"
    assert duplicate.full_name == issued.full_name and duplicate.duplicate_no == 1


def test_a_month_from_the_31st_ends_on_the_months_last_day():
    assert rules.add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert rules.add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"notice_title": ""}, rules.NoticeMissing),
        ({"notice_date": None}, rules.NoticeMissing),
        ({"payment_document": ""}, rules.PaymentMissing),
        ({"payment_amount": None}, rules.PaymentMissing),
        ({"payment_amount": 4999}, rules.PaymentTooSmall),
        ({"loss_circumstances": " "}, rules.LossNotStated),
        ({"payment_date": date(2026, 11, 26)}, rules.DateInFuture),
    ],
)
def test_a_duplicate_without_notice_or_payment_is_refused(issued, changes, error):
    with pytest.raises(error):
        duplicate_application(issued, **changes)
    assert db.session.query(TrainingDocument).count() == 1


def test_no_duplicate_of_an_original_not_yet_issued(centre):
    (document,) = decide(make_cohort(trainees=1))
    with pytest.raises(rules.NoOriginal):
        duplicate_application(document)


def test_the_head_decides_and_head_and_academic_deputy_sign_the_duplicate(issued, centre, frozen):
    duplicate = duplicate_application(issued)
    with pytest.raises(rules.WrongStep):  # not before the head's decision
        make_ready(duplicate, centre, number="0009999")
    training.approve_duplicate(duplicate, actor=Actor.of_staff(centre["head"]))
    db.session.commit()
    assert duplicate.request.status == "in_review"
    with pytest.raises(rules.DuplicateSigners):
        training.prepare(
            duplicate,
            blank_series="KZ",
            blank_number="0009999",
            signed_by=centre["head"],
            deputy_signed_by=centre["head"],
            sealed=True,
            actor=Actor.system(),
        )
    with pytest.raises(rules.WrongSigner):  # the head signs a duplicate, not the deputy alone
        training.prepare(
            duplicate,
            blank_series="KZ",
            blank_number="0009999",
            signed_by=centre["deputy"],
            deputy_signed_by=centre["deputy"],
            sealed=True,
            actor=Actor.system(),
        )
    with pytest.raises(rules.BlankUsed):  # on the current blank, a new one
        make_ready(duplicate, centre, number="0000777")
    db.session.rollback()
    make_ready(duplicate, centre, number="0009999")
    assert duplicate.request.status == "completed"
    assert duplicate.request.completed_at <= duplicate.request.deadline_at


def test_a_suspended_duplicate_resumes_its_month_by_calendar_days(issued, frozen):
    duplicate = duplicate_application(issued, applied_on=date(2026, 11, 20))
    training.suspend(duplicate, debt_kind="financial", reason="Долг по оплате", actor=Actor.system())
    frozen(2026, 11, 30, 10, 0)
    training.lift_suspension(duplicate, actor=Actor.system())
    assert duplicate.request.deadline_at == datetime(2026, 12, 25, 23, 59, 59, tzinfo=ALMATY)


def test_the_module_switched_off_changes_nothing(centre):
    cohort = make_cohort(trainees=1)
    training.save_settings(is_enabled=False, is_bilingual=False, duplicate_price=0, actor=Actor.system())
    with pytest.raises(rules.ModuleSwitchedOff):
        decide(cohort)
    assert db.session.query(TrainingDocument).count() == 0
