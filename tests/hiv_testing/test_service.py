"""The four steps of HIV testing through the service, the clock frozen."""

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, HivSettings, RequestEvent
from app.services import document_signing, hiv_testing, registry_pending, status
from app.services.hiv_testing.texts import NOT_NEGATIVE
from app.signing import check_pdf
from tests.hiv_testing.factories import NAME, actor_for, make_clinic, register, registry_person
from tests.home_visits.factories import registry_down, registry_up


@pytest.fixture
def rooms(app, make_staff):
    make_clinic()
    return {
        "doctor": actor_for(make_staff, "counselling_doctor"),
        "nurse": actor_for(make_staff, "procedure_nurse"),
        "lab": actor_for(make_staff, "lab"),
    }


def test_an_anonymous_test_is_a_request_with_no_person_and_a_random_code(rooms):
    test = register(rooms["doctor"])
    request = test.request
    assert request.service == "hiv-testing"
    assert request.subject_id is None and request.applicant_id is None and request.applicant_name == ""
    assert test.identity is None
    assert hiv_testing.normalise_code(hiv_testing.display_code(test.code)) == test.code
    assert [event.step for event in request.events] == ["submitted", "hiv_registered"]
    # Nothing in /status, whatever number is typed.
    assert status.find(request.number) is None
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "hiv_test")).one()
    assert entry.object_id == test.code and entry.patient_id is None


def test_the_steps_in_order_with_the_talon_dates_from_the_settings(rooms):
    db.session.add(HivSettings(positive_term_days=3, negative_term_days=5, price=0))
    db.session.commit()
    test = register(rooms["doctor"])
    hiv_testing.draw_blood(test, actor=rooms["nurse"])
    # Wednesday 25 November 2026 + 5 working days (the clinic works Saturdays): Tuesday 1 December.
    assert test.drawn_at is not None and test.sample_number.startswith("S")
    assert test.result_due_on == date(2026, 12, 1)
    assert test.request.status == "in_review"
    talon = hiv_testing.print_talon(test, "a6", actor=rooms["nurse"])
    assert talon.pdf.startswith(b"%PDF") and talon.signature_state == "signed"
    hiv_testing.enter_result(test, "negative", actor=rooms["lab"])
    document = hiv_testing.issue_certificate(test, actor=rooms["nurse"])
    assert test.request.status == "completed"
    assert document.subject_id is None
    assert document.valid_until.date() == date(2027, 2, 25)
    steps = [event.step for event in test.request.events]
    assert steps[-3:] == ["hiv_blood_drawn", "hiv_result_entered", "hiv_certificate_issued"]


@pytest.mark.parametrize("talon_format", ["a6", "80mm"])
def test_the_talon_is_a_signed_document_that_names_no_one(rooms, talon_format):
    iin = registry_person()
    test = register(rooms["doctor"], regime="confidential", iin=iin)
    hiv_testing.draw_blood(test, actor=rooms["nurse"])
    document = hiv_testing.print_talon(test, talon_format, actor=rooms["nurse"])
    assert document.kind == "hiv_talon" and document.number.startswith("HIVT-2026-")
    assert document.subject_id is None and check_pdf(document.pdf).valid
    assert document_signing.signature_report(document).state == "valid"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(document.pdf)).pages)
    assert hiv_testing.display_code(test.code) in text and document.number in text
    assert "Дата забора крови" in text and "Қан алу күні" in text  # Kazakh and Russian on one slip
    assert iin not in text and not [part for part in NAME if part in text]
    # Printed again: the same talon.
    assert hiv_testing.print_talon(test, talon_format, actor=rooms["nurse"]) is document


def test_a_result_entered_twice_is_refused_and_nothing_changes(rooms):
    test = register(rooms["doctor"])
    hiv_testing.draw_blood(test, actor=rooms["nurse"])
    hiv_testing.enter_result(test, "negative", actor=rooms["lab"])
    events = db.session.scalar(select(db.func.count(RequestEvent.id)))
    with pytest.raises(hiv_testing.HivError):
        hiv_testing.enter_result(test, "positive", actor=rooms["lab"])
    assert test.result == "negative"
    assert db.session.scalar(select(db.func.count(RequestEvent.id))) == events


def test_no_certificate_for_a_positive_or_pending_result(rooms):
    pending = register(rooms["doctor"])
    with pytest.raises(hiv_testing.HivError):
        hiv_testing.issue_certificate(pending, actor=rooms["nurse"])
    hiv_testing.draw_blood(pending, actor=rooms["nurse"])
    with pytest.raises(hiv_testing.HivError):
        hiv_testing.issue_certificate(pending, actor=rooms["nurse"])
    hiv_testing.enter_result(pending, "positive", actor=rooms["lab"])
    with pytest.raises(hiv_testing.HivError) as refused:
        hiv_testing.issue_certificate(pending, actor=rooms["nurse"])
    assert refused.value.message == hiv_testing.HivError(NOT_NEGATIVE).message
    assert pending.certificate is None and pending.handed_over_at is None
    hiv_testing.record_post_test_counselling(pending, actor=rooms["doctor"])
    assert pending.referred_for_confirmation and pending.request.status == "completed"
    assert pending.certificate is None


def test_an_invalid_sample_is_drawn_again_under_a_new_number(rooms):
    test = register(rooms["doctor"])
    hiv_testing.draw_blood(test, actor=rooms["nurse"])
    first = test.sample_number
    hiv_testing.enter_result(test, "invalid", actor=rooms["lab"])
    assert hiv_testing.stage_of(test) == "redraw"
    hiv_testing.draw_blood(test, actor=rooms["nurse"])
    assert test.sample_number != first and test.redraws == 1 and test.result is None


def test_unknown_and_mistyped_codes_say_the_same_and_are_rate_limited(rooms):
    test = register(rooms["doctor"])
    typo = test.code[:-2] + test.code[-1] + test.code[-2]
    messages = set()
    for wrong in ("ACDE-FHJK-M", typo if typo != test.code else "XXXXXXXXX", "hello"):
        with pytest.raises(hiv_testing.HivError) as refused:
            hiv_testing.open_test(wrong, actor=rooms["nurse"], client="10.0.0.9")
        messages.add(str(refused.value.message))
    assert len(messages) == 1
    for _ in range(7):
        with pytest.raises(hiv_testing.HivError):
            hiv_testing.open_test("ACDEFHJKM", actor=rooms["nurse"], client="10.0.0.9")
    with pytest.raises(hiv_testing.HivError) as held:
        hiv_testing.open_test(test.code, actor=rooms["nurse"], client="10.0.0.9")
    assert str(held.value.message) not in messages and "15" in str(held.value.message)
    # Another client is not held.
    assert hiv_testing.open_test(test.code, actor=rooms["nurse"], client="10.0.0.10") is test


def test_a_confidential_test_takes_its_identity_from_the_registry(rooms):
    iin = registry_person()
    test = register(rooms["doctor"], regime="confidential", iin=iin)
    assert test.identity.iin == iin and test.identity.full_name.startswith("Жұмабекова")
    assert test.request.subject_id is None


def test_an_anonymous_test_takes_no_iin_and_a_confidential_one_needs_a_known_one(rooms):
    with pytest.raises(hiv_testing.HivError):
        register(rooms["doctor"], iin="900714400000")
    with pytest.raises(hiv_testing.HivError):
        register(rooms["doctor"], regime="confidential", iin="")
    with pytest.raises(hiv_testing.HivError):
        register(rooms["doctor"], regime="confidential", iin="900714412345")


def test_a_confidential_test_waits_for_the_registry_and_carries_on(rooms):
    iin = registry_person()
    registry_down()
    test = register(rooms["doctor"], regime="confidential", iin=iin)
    assert test.request.status == "awaiting_registry" and test.identity.full_name == ""
    hiv_testing.draw_blood(test, actor=rooms["nurse"])
    hiv_testing.enter_result(test, "negative", actor=rooms["lab"])
    with pytest.raises(hiv_testing.HivError):
        hiv_testing.issue_certificate(test, actor=rooms["nurse"])
    registry_up()
    outcome = registry_pending.retry(test.request, rooms["nurse"])
    assert outcome.result == "resolved"
    assert test.identity.full_name and test.request.status == "in_review"
    document = hiv_testing.issue_certificate(test, actor=rooms["nurse"])
    assert document is not None


def test_a_paid_test_needs_its_payment_record(rooms):
    with pytest.raises(hiv_testing.HivError):
        register(rooms["doctor"], payer="foreigner")
    test = register(
        rooms["doctor"],
        payer="stateless",
        payment_amount=5000,
        payment_receipt="R-17",
        payment_date=date(2026, 11, 25),
    )
    assert test.payment_amount == 5000
    free = register(rooms["doctor"], payer="kandas", payment_amount=5000, payment_receipt="R-18")
    assert free.payment_amount is None and free.payment_receipt == ""


def test_figures_count_without_codes(rooms):
    for result in ("negative", "positive"):
        test = register(rooms["doctor"])
        hiv_testing.draw_blood(test, actor=rooms["nurse"])
        hiv_testing.enter_result(test, result, actor=rooms["lab"])
    register(rooms["doctor"], regime="confidential", iin=registry_person())
    figures = hiv_testing.figures(date(2026, 11, 1), date(2026, 11, 30))
    assert figures.registered == 3 and figures.anonymous == 2 and figures.drawn == 2
    assert figures.results == {"negative": 1, "positive": 1, "invalid": 0}
    assert figures.results_in_time == 2


def test_monitoring_times_each_step_and_names_no_one(rooms, frozen):
    from app.services import monitoring

    test = register(rooms["doctor"])
    frozen(2026, 11, 25, 10, 20)
    hiv_testing.draw_blood(test, actor=rooms["nurse"])
    frozen(2026, 11, 25, 15, 0)
    hiv_testing.enter_result(test, "negative", actor=rooms["lab"])
    frozen(2026, 11, 26, 11, 0)
    hiv_testing.issue_certificate(test, actor=rooms["nurse"])
    report = monitoring.build_report(monitoring.Period(date(2026, 11, 1), date(2026, 11, 30)), "hiv-testing")
    stages = {timing.stage: timing.median_seconds for timing in report.stages}
    assert stages["hiv_registered -> hiv_blood_drawn"] == 20 * 60
    assert stages["hiv_blood_drawn -> hiv_result_entered"] == (4 * 60 + 40) * 60
    assert report.answered == 1 and report.answered_in_time == 1
    assert all(test.code not in str(row) for row in report.overdue)
