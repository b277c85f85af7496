"""Service 9 through its operations: every step, the proxy, send-back, deadlines, the register's answer and
its outage, refusals of a wrong role, a step skipped or repeated."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.clock import now
from app.extensions import db
from app.models import AuditEntry, Signature
from app.services import phc_certificates, registry_pending, signoff
from tests.signed_documents.factories import (
    make_clinic,
    make_patient,
    make_team,
    proxy_reception,
    reception,
    registry_down,
    registry_up,
)


@pytest.fixture
def team(app, make_staff):
    make_clinic()
    return make_team(make_staff)


@pytest.fixture
def patient(team):
    return make_patient(1)


def test_registrar_then_doctor_issue_the_certificate_with_both_signatures(team, patient, frozen):
    request = phc_certificates.receive(patient, reception(), actor=team["registrar"])
    assert request.status == "in_review"
    assert request.deadline_at == now() + timedelta(minutes=25)
    assert signoff.current_step(request).code == "doctor_signed"
    assert request.signoff.step_due_at == now() + timedelta(minutes=20)
    assert request.phc_certificate.attachment_state == "attached"
    frozen(2026, 11, 25, 10, 12)
    phc_certificates.sign_as_doctor(request, conclusion="Дені сау.", fields={}, actor=team["doctor"])
    assert request.status == "completed"
    assert request.result_document is not None
    names = [(s.step.code, s.name) for s in signoff.signatories(request)]
    assert names == [
        ("documents_checked", "Нұрланова Айгүл Маратқызы"),
        ("doctor_signed", "Жұмабаева Асель Қайратқызы"),
    ]
    steps = [event.step for event in request.events]
    assert steps == ["submitted", "signoff_started", "documents_checked", "registry_checked", "doctor_signed"]
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "sign")).all()


def test_a_proxy_needs_every_detail_of_the_power_of_attorney(team, patient):
    with pytest.raises(phc_certificates.CertificateError) as refused:
        phc_certificates.receive(patient, proxy_reception(proxy_document_number=""), actor=team["registrar"])
    assert refused.value.field == "proxy_document_number"
    with pytest.raises(phc_certificates.CertificateError) as refused:
        phc_certificates.receive(patient, proxy_reception(proxy_iin="123456789012"), actor=team["registrar"])
    assert refused.value.field == "proxy_iin"
    request = phc_certificates.receive(patient, proxy_reception(), actor=team["registrar"])
    certificate = request.phc_certificate
    assert (certificate.proxy_name, certificate.proxy_document_number) == (
        "Ахметов Айдар Серікұлы",
        "N-2026/118",
    )
    assert "N-2026/118" in signoff.signatories(request)[0].confirmed


def test_unknown_kind_and_missing_identity_are_refused(team, patient):
    with pytest.raises(phc_certificates.CertificateError):
        phc_certificates.receive(patient, reception(kind="086"), actor=team["registrar"])
    with pytest.raises(phc_certificates.CertificateError):
        phc_certificates.receive(patient, reception(identity_document=" "), actor=team["registrar"])


def test_a_wrong_role_is_refused_and_audited(team, patient):
    request = phc_certificates.receive(patient, reception(), actor=team["registrar"])
    with pytest.raises(signoff.NotYourStep):
        phc_certificates.sign_as_doctor(request, conclusion="x", fields={}, actor=team["registrar"])
    refused = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "refused")).all()
    assert [entry.object_id for entry in refused] == [request.number]
    assert request.status == "in_review" and len(request.signoff.signatures) == 1


def test_a_step_repeated_or_skipped_is_refused(team, patient):
    request = phc_certificates.receive(patient, reception(), actor=team["registrar"])
    with pytest.raises(signoff.StepOutOfOrder):
        phc_certificates.receive_again(request, reception(), actor=team["registrar"])
    phc_certificates.sign_as_doctor(request, conclusion="Дені сау.", fields={}, actor=team["doctor"])
    with pytest.raises(signoff.StepOutOfOrder):
        phc_certificates.sign_as_doctor(request, conclusion="again", fields={}, actor=team["doctor"])


def test_the_doctor_sends_back_with_a_reason_and_the_registrar_signs_again(team, patient, frozen):
    request = phc_certificates.receive(patient, reception(), actor=team["registrar"])
    with pytest.raises(signoff.SendBackRefused):
        phc_certificates.send_back(request, reason="no", actor=team["doctor"])
    frozen(2026, 11, 25, 10, 5)
    phc_certificates.send_back(request, reason="Сенімхат мерзімі өткен", actor=team["doctor"])
    assert signoff.current_step(request).code == "documents_checked"
    assert request.signoff.step_due_at == now() + timedelta(minutes=5)
    assert signoff.signatories(request) == []
    with pytest.raises(signoff.SendBackRefused):
        phc_certificates.send_back(request, reason="the first step", actor=team["registrar"])
    phc_certificates.receive_again(request, proxy_reception(), actor=team["registrar"])
    phc_certificates.sign_as_doctor(request, conclusion="Дені сау.", fields={}, actor=team["doctor"])
    actions = [s.action for s in db.session.scalars(select(Signature).order_by(Signature.id))]
    assert actions == ["signed", "sent_back", "signed", "signed"]
    assert len(signoff.signatories(request)) == 2
    assert signoff.send_backs(request)[0].reason == "Сенімхат мерзімі өткен"


def test_a_late_step_shows_late_in_the_doctors_queue(team, patient, frozen):
    request = phc_certificates.receive(patient, reception(), actor=team["registrar"])
    [item] = signoff.queue({"doctor"})
    assert item.request is request and not item.late
    assert signoff.queue({"registrar"}) == []
    frozen(2026, 11, 25, 10, 21)
    [item] = signoff.queue({"doctor"})
    assert item.late and signoff.is_late(request)


def test_a_person_attached_elsewhere_is_a_warning_the_doctor_decides(team):
    patient = make_patient(2, attached_to="EMH-0099")
    request = phc_certificates.receive(patient, reception(), actor=team["registrar"])
    assert request.phc_certificate.attachment_state == "not_attached"
    phc_certificates.sign_as_doctor(request, conclusion="Дені сау.", fields={}, actor=team["doctor"])
    assert request.status == "completed"


def test_a_registry_outage_waits_in_the_pending_queue_then_carries_on(team, patient):
    registry_down()
    request = phc_certificates.receive(patient, reception(), actor=team["registrar"])
    assert request.status == "awaiting_registry"
    assert signoff.queue({"doctor"}) == []  # it waits in the registry-pending queue instead
    with pytest.raises(phc_certificates.CertificateError):
        phc_certificates.sign_as_doctor(request, conclusion="Дені сау.", fields={}, actor=team["doctor"])
    registry_up()
    outcome = registry_pending.retry(request, team["registrar"])
    assert request.status == "in_review", outcome
    assert request.phc_certificate.attachment_state == "attached"
    phc_certificates.sign_as_doctor(request, conclusion="Дені сау.", fields={}, actor=team["doctor"])
    assert request.status == "completed"


def test_the_register_lists_issued_certificates(team, patient):
    request = phc_certificates.receive(patient, reception(kind="079"), actor=team["registrar"])
    phc_certificates.sign_as_doctor(
        request, conclusion="Лагерьге баруға болады.", fields={"school": "№ 12, 5 А"}, actor=team["doctor"]
    )
    day = now().date()
    [row] = phc_certificates.register(day - timedelta(days=1), day + timedelta(days=1))
    assert row.record.fields["school"] == "№ 12, 5 А"
    assert row.record.doctor.full_name == "Жұмабаева Асель Қайратқызы"
