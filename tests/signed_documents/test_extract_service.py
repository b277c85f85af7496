"""Service 8 through its operations: the module switch, all four sign-offs, send-back to a chosen step,
deadlines per step, refusals (wrong role, skipped or repeated step, bad codes, surname not in full)."""

from datetime import date, timedelta

import pytest

from app.core.clock import now
from app.services import inpatient_extracts, modules, signoff
from tests.signed_documents.factories import make_clinic, make_patient, make_team


@pytest.fixture
def team(app, make_staff):
    make_clinic()
    team = make_team(make_staff)
    modules.switch(inpatient_extracts.MODULE, True, actor=team["head"])
    return team


@pytest.fixture
def patient(team):
    return make_patient(1)


def summary(**overrides) -> inpatient_extracts.DischargeSummary:
    values = {
        "card_number": "ДС-2026/311",
        "department": "Күндізгі стационар",
        "admitted_on": date(2026, 11, 16),
        "discharged_on": date(2026, 11, 25),
        "main_diagnosis": "J18.9",
        "other_diagnoses": ("I10",),
        "examinations": "ЖҚА, рентгенография",
        "treatment": "Цефтриаксон",
        "condition": "Қанағаттанарлық",
        "recommendations": "Учаскелік дәрігердің бақылауы",
    }
    values.update(overrides)
    return inpatient_extracts.DischargeSummary(**values)


def sign_all(request, team):
    inpatient_extracts.sign_as_head(request, surname="Сапаров", actor=team["head_of_department"])
    inpatient_extracts.stamp(request, stamped=True, actor=team["senior_nurse"])
    inpatient_extracts.hand_over(
        request, identity_document="Жеке куәлік 041234567", handed_to="Ахметова Әсел", actor=team["registrar"]
    )


def test_switched_off_nothing_is_offered(team, patient):
    modules.switch(inpatient_extracts.MODULE, False, actor=team["head"])
    assert not inpatient_extracts.is_offered()
    with pytest.raises(inpatient_extracts.ExtractError):
        inpatient_extracts.write_summary(patient, summary(), actor=team["doctor"])


def test_four_sign_offs_issue_the_extract_within_fifteen_minutes_each(team, patient, frozen):
    request = inpatient_extracts.write_summary(patient, summary(), actor=team["doctor"])
    assert request.deadline_at == now() + timedelta(minutes=60)
    assert signoff.current_step(request).code == "head_signed"
    assert request.signoff.step_due_at == now() + timedelta(minutes=15)
    frozen(2026, 11, 25, 10, 10)
    inpatient_extracts.sign_as_head(request, surname="сапаров", actor=team["head_of_department"])
    assert request.signoff.step_due_at == now() + timedelta(minutes=15)
    frozen(2026, 11, 25, 10, 20)
    inpatient_extracts.stamp(request, stamped=True, actor=team["senior_nurse"])
    frozen(2026, 11, 25, 10, 30)
    inpatient_extracts.hand_over(
        request, identity_document="Жеке куәлік 041234567", handed_to="Ахметова Әсел", actor=team["registrar"]
    )
    assert request.status == "completed" and request.result_document is not None
    assert [s.step.code for s in signoff.signatories(request)] == [
        "summary_signed",
        "head_signed",
        "stamped",
        "handed_over",
    ]
    assert request.inpatient_extract.head_surname == "сапаров"


def test_each_step_refuses_the_other_roles(team, patient):
    request = inpatient_extracts.write_summary(patient, summary(), actor=team["doctor"])
    for role in ("doctor", "senior_nurse", "registrar"):
        with pytest.raises(signoff.NotYourStep):
            inpatient_extracts.sign_as_head(request, surname="Сапаров", actor=team[role])
    with pytest.raises(signoff.StepOutOfOrder):
        inpatient_extracts.stamp(request, stamped=True, actor=team["senior_nurse"])
    with pytest.raises(signoff.StepOutOfOrder):
        inpatient_extracts.rewrite_summary(request, summary(), actor=team["doctor"])


def test_the_head_writes_the_surname_in_full(team, patient):
    request = inpatient_extracts.write_summary(patient, summary(), actor=team["doctor"])
    for written in ("С.", "Сап", "", "Иванов"):
        with pytest.raises(inpatient_extracts.ExtractError) as refused:
            inpatient_extracts.sign_as_head(request, surname=written, actor=team["head_of_department"])
        assert refused.value.field == "surname"
    assert signoff.current_step(request).code == "head_signed"


def test_the_nurse_confirms_the_stamp(team, patient):
    request = inpatient_extracts.write_summary(patient, summary(), actor=team["doctor"])
    inpatient_extracts.sign_as_head(request, surname="Сапаров", actor=team["head_of_department"])
    with pytest.raises(inpatient_extracts.ExtractError):
        inpatient_extracts.stamp(request, stamped=False, actor=team["senior_nurse"])


def test_the_desk_needs_the_identity_document(team, patient):
    request = inpatient_extracts.write_summary(patient, summary(), actor=team["doctor"])
    inpatient_extracts.sign_as_head(request, surname="Сапаров", actor=team["head_of_department"])
    inpatient_extracts.stamp(request, stamped=True, actor=team["senior_nurse"])
    with pytest.raises(inpatient_extracts.ExtractError) as refused:
        inpatient_extracts.hand_over(
            request, identity_document="", handed_to="Ахметова", actor=team["registrar"]
        )
    assert refused.value.field == "identity_document"
    assert request.status == "in_review"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"main_diagnosis": "Q99.99.9"}, "main_diagnosis"),
        ({"main_diagnosis": ""}, "main_diagnosis"),
        ({"other_diagnoses": ("I10", "ZZZ")}, "other_diagnoses"),
        ({"main_diagnosis": "J99.99"}, "main_diagnosis"),
        ({"discharged_on": date(2026, 11, 10)}, "discharged_on"),
        ({"discharged_on": date(2026, 11, 30)}, "discharged_on"),
        ({"card_number": " "}, "card_number"),
        ({"condition": ""}, "condition"),
    ],
)
def test_a_bad_summary_is_refused_naming_the_field(team, patient, overrides, field):
    with pytest.raises(inpatient_extracts.ExtractError) as refused:
        inpatient_extracts.write_summary(patient, summary(**overrides), actor=team["doctor"])
    assert refused.value.field == field


def test_the_nurse_sends_back_to_the_doctor_and_the_signatures_from_there_fall(team, patient, frozen):
    request = inpatient_extracts.write_summary(patient, summary(), actor=team["doctor"])
    inpatient_extracts.sign_as_head(request, surname="Сапаров", actor=team["head_of_department"])
    frozen(2026, 11, 25, 10, 7)
    inpatient_extracts.send_back(
        request, reason="Диагноз коды қате", to_step="summary_signed", actor=team["senior_nurse"]
    )
    assert signoff.current_step(request).code == "summary_signed"
    assert signoff.signatories(request) == []
    assert request.signoff.step_due_at == now() + timedelta(minutes=15)
    with pytest.raises(signoff.SendBackRefused):
        inpatient_extracts.send_back(request, reason="something", to_step="stamped", actor=team["doctor"])
    inpatient_extracts.rewrite_summary(request, summary(main_diagnosis="J15.9"), actor=team["doctor"])
    sign_all(request, team)
    assert request.inpatient_extract.main_diagnosis == "J15.9"
    assert len(signoff.signatories(request)) == 4
    assert [event.step for event in request.events].count("sent_back") == 1


def test_queues_per_role_show_waiting_and_late(team, patient, frozen):
    request = inpatient_extracts.write_summary(patient, summary(), actor=team["doctor"])
    assert [item.request for item in signoff.queue({"head_of_department"})] == [request]
    assert signoff.queue({"senior_nurse"}) == []
    frozen(2026, 11, 25, 10, 16)
    assert signoff.queue({"head_of_department"})[0].late
    inpatient_extracts.sign_as_head(request, surname="Сапаров", actor=team["head_of_department"])
    [item] = signoff.queue({"senior_nurse"})
    assert not item.late


def test_codes_are_written_as_the_classifier_writes_them(team, patient):
    request = inpatient_extracts.write_summary(
        patient, summary(main_diagnosis="j189", other_diagnoses=("I10", "Е11.9")), actor=team["doctor"]
    )
    extract = request.inpatient_extract
    assert (extract.main_diagnosis, extract.other_diagnoses) == ("J18.9", ["I10", "E11.9"])
    assert inpatient_extracts.title("J18.9", "ru") == "Пневмония неуточненная"
