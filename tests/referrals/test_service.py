"""Hospitalization referrals through the service: the review against the profile's checklist, the medical
decisions, the Bureau's queue on an outage, the answer typed in or given by the gateway, the SMS,
the hand-over, the talon and the status page."""

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.core.actors import Actor
from app.core.clock import local_now
from app.extensions import db
from app.models import HospitalReferral, SmsMessage
from app.services import document_signing, referrals, request_summary
from app.signing import check_pdf
from tests.bureau_gateway import TOKEN, BureauServer
from tests.referrals.factories import complete_package, make_clinic, make_patient, make_specialist


@pytest.fixture
def specialist(app, make_staff):
    make_clinic()
    return make_specialist(make_staff)


@pytest.fixture
def patient(specialist):
    return make_patient(41, language="ru", phone="+77017770041")


def today() -> date:
    return local_now().date()


def actor(staff) -> Actor:
    return Actor.of_staff(staff)


def test_a_complete_package_goes_to_the_bureau(specialist, patient):
    referral = referrals.review_and_send(patient, complete_package(today()), actor=actor(specialist))
    assert referral.status == "at_bureau" and referral.bureau_ticket == f"EMB-{referral.number}"
    assert referral.request.status == "in_review"
    # Wednesday 25 November 10:00 + 1 working day: the Bureau's step is tracked, due Thursday's close.
    assert referral.bureau_due_at.date() == date(2026, 11, 26)
    steps = [event.step for event in referral.request.events]
    assert steps == ["submitted", "package_reviewed", "sent_to_bureau"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"ecg": None}, "missing"),
        ({"blood_count": date(2026, 11, 1)}, "expired"),  # 10 days valid: out of date on 25 November
    ],
)
def test_an_incomplete_or_expired_package_is_not_sent(specialist, patient, change, problem):
    package = complete_package(today())
    for code, value in change.items():
        if value is None:
            package.examinations.pop(code)
        else:
            package.examinations[code] = value
    with pytest.raises(referrals.InvalidReferral) as raised:
        referrals.review_and_send(patient, package, actor=actor(specialist))
    assert set(raised.value.problems.values()) == {problem}
    assert db.session.scalars(select(HospitalReferral)).all() == []


def test_an_examination_in_the_future_is_refused(specialist, patient):
    package = complete_package(today())
    package.examinations["ecg"] = today() + timedelta(days=1)
    with pytest.raises(referrals.InvalidReferral) as raised:
        referrals.record_decision(patient, package, "incomplete", "ЭКГ нет", actor=actor(specialist))
    assert raised.value.problems == {"ecg": "future"}


@pytest.mark.parametrize("decision", ["not_indicated", "incomplete"])
def test_a_medical_decision_is_recorded_with_its_reason_not_as_a_refusal(specialist, patient, decision):
    package = complete_package(today(), examinations={})
    referral = referrals.record_decision(
        patient, package, decision, "Показаний к плановой госпитализации нет", actor=actor(specialist)
    )
    assert referral.status == decision and "Показаний" in referral.decision_reason
    assert referral.request.status == "completed" and referral.request.refusal_ground is None
    with pytest.raises(referrals.InvalidReferral):
        referrals.record_decision(patient, package, decision, "  ", actor=actor(specialist))


def test_a_bureau_outage_queues_the_referral_and_staff_send_it_again(app, specialist, patient):
    app.config.update(BUREAU_BACKEND="http", BUREAU_URL="")
    referral = referrals.review_and_send(patient, complete_package(today()), actor=actor(specialist))
    assert referral.status == "queued" and referral.last_error == "not_configured"
    assert referral.examinations and referral.diagnosis_code == "I11.9"  # nothing typed is lost
    assert "bureau_unavailable" in [event.step for event in referral.request.events]
    assert referrals.queued() == [referral]
    app.config["BUREAU_BACKEND"] = "embedded"
    taken, waiting = referrals.retry_queue(actor=actor(specialist), referrals=referrals.queued())
    assert (taken, waiting) == (1, 0) and referral.status == "at_bureau"


def test_the_answer_typed_in_dates_the_referral_and_sends_an_sms(specialist, patient):
    referral = referrals.review_and_send(patient, complete_package(today()), actor=actor(specialist))
    with pytest.raises(referrals.InvalidReferral) as raised:
        referrals.record_answer(
            referral, "KZ-1", "ГКБ №7", today() - timedelta(days=1), actor=actor(specialist)
        )
    assert raised.value.field == "hospitalization_date" and referral.status == "at_bureau"
    referrals.record_answer(
        referral, "KZ-HB-2026-7781", "ГКБ №7, кардиология", date(2026, 12, 2), actor=actor(specialist)
    )
    db.session.commit()
    assert referral.status == "dated"
    message = db.session.scalars(select(SmsMessage)).one()
    assert message.phone == "+77017770041"
    assert "KZ-HB-2026-7781" in message.text and "2 декабря 2026" in message.text
    summary = request_summary.summary_for(referral.request)
    assert "KZ-HB-2026-7781" in [fact.value for fact in summary.facts]
    referrals.hand_over(referral, actor=actor(specialist))
    assert referral.status == "handed_over" and referral.request.status == "completed"
    steps = [event.step for event in referral.request.events]
    assert steps[-3:] == ["bureau_dated", "sms_dated", "handed_over"]


def test_the_gateway_gives_the_date_by_itself(app, specialist, patient):
    server = BureauServer.start()
    try:
        app.config.update(BUREAU_BACKEND="http", BUREAU_URL=server.url, BUREAU_TOKEN=TOKEN)
        referral = referrals.review_and_send(patient, complete_package(today()), actor=actor(specialist))
        assert referral.status == "at_bureau" and referral.bureau_ticket.startswith("HB-")
        assert referrals.ask_bureau(referral, actor=actor(specialist)) is False
        server.give_date(referral.bureau_ticket, "KZ-HB-9", "ГКБ №4", date(2026, 12, 3))
        assert referrals.ask_bureau(referral, actor=actor(specialist)) is True
        assert (referral.status, referral.bureau_code, referral.hospital) == ("dated", "KZ-HB-9", "ГКБ №4")
    finally:
        server.stop()
        app.config["BUREAU_BACKEND"] = "embedded"


@pytest.mark.parametrize(
    ("language", "title"), [("ru", "Талон на госпитализацию"), ("kk", "Емдеуге жатқызу талоны")]
)
def test_the_talon_is_an_issued_signed_document_with_the_bureau_code_and_date(
    specialist, patient, language, title
):
    referral = referrals.review_and_send(patient, complete_package(today()), actor=actor(specialist))
    referrals.record_answer(referral, "KZ-HB-2026-7781", "ГКБ №7", date(2026, 12, 2), actor=actor(specialist))
    document = referrals.print_talon(referral, actor=actor(specialist), language=language)
    assert document.kind == "referral_talon" and document.number.startswith("HRT-2026-")
    assert document.subject_id == patient.id and document.language == language
    assert document.signature_state == "signed" and check_pdf(document.pdf).valid
    assert document_signing.signature_report(document).state == "valid"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(document.pdf)).pages).replace(
        "\n", " "
    )
    assert title in text and "001-3/у" in text
    assert "KZ-HB-2026-7781" in text and "02.12.2026" in text and patient.iin in text
    assert document.number in text and document.verification_code in text  # the number and the QR's address
    # Printed again unchanged: the same document; a new date: a new one.
    assert referrals.print_talon(referral, actor=actor(specialist), language=language) is document
    referral.hospitalization_date = date(2026, 12, 4)
    again = referrals.print_talon(referral, actor=actor(specialist), language=language)
    assert (
        again.id != document.id and "04.12.2026" in PdfReader(io.BytesIO(again.pdf)).pages[0].extract_text()
    )
