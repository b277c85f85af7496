"""Service 10 through its operations: routing at each threshold (over the settings), extension, closing, the
issuing desk's register book, and the database's refusals (overlap, a second open sheet)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from app.core.clock import now
from app.extensions import db
from app.models import AuditEntry, SickLeave, SickLeavePeriod
from app.services import sick_leave, signoff
from app.services.requests import create_request
from tests.sick_leave.factories import make_clinic, make_patient, make_team, open_visit, sheet_fields


@pytest.fixture
def team(app, make_staff):
    make_clinic()
    return make_team(make_staff)


@pytest.fixture
def patient(team):
    return make_patient(1)


def _settings(team, alone, deputy, commission, backdate=1):
    sick_leave.save_settings(
        doctor_alone_days=alone,
        deputy_after_days=deputy,
        commission_after_days=commission,
        backdate_days=backdate,
        actor=team["head"],
    )


def _steps_after_doctor(request):
    return [row.step.code for row in signoff.progress(request) if row.state in ("current", "waiting")]


@pytest.mark.parametrize(
    ("settings", "days", "expected"),
    [
        ((6, 20, 30), 5, ["issued"]),
        ((6, 20, 30), 6, ["issued"]),
        ((6, 20, 30), 7, ["head_signed", "issued"]),
        ((3, 20, 30), 5, ["head_signed", "issued"]),
        ((6, 20, 30), 21, ["head_signed", "issued"]),
        ((6, 20, 30), 31, ["head_signed", "commission_signed", "issued"]),
        ((10, 15, 20), 10, ["issued"]),
        ((10, 15, 20), 11, ["head_signed", "issued"]),
        ((10, 15, 20), 21, ["head_signed", "commission_signed", "issued"]),
    ],
)
def test_the_settings_route_the_sheet(team, patient, settings, days, expected):
    _settings(team, *settings)
    start = date(2026, 11, 25) - timedelta(days=1)
    request = open_visit(
        team, patient, sheet_fields(starts_on=start, ends_on=start + timedelta(days=days - 1))
    )
    assert _steps_after_doctor(request) == expected
    routing = sick_leave.routing_of(request.sick_leave_period)
    assert routing.total_days == days
    assert bool(routing.reasons) == (len(expected) > 1)


def test_a_backdated_opening_goes_to_the_commission(team, patient):
    _settings(team, 6, 20, 30, backdate=1)
    request = open_visit(team, patient, sheet_fields(date(2026, 11, 22), date(2026, 11, 25)))
    assert _steps_after_doctor(request) == ["commission_signed", "issued"]
    with pytest.raises(sick_leave.SickLeaveError):
        sick_leave.sign_as_commission(request, protocol=" ", actor=team["head"])
    sick_leave.sign_as_commission(request, protocol="ВКК-17", actor=team["head"])
    assert signoff.current_step(request).code == "issued"


def test_past_the_deputy_threshold_the_head_of_department_is_refused(team, patient):
    _settings(team, 6, 10, 30)
    request = open_visit(team, patient, sheet_fields(date(2026, 11, 24), date(2026, 12, 5)))
    with pytest.raises(sick_leave.SickLeaveError) as refused:
        sick_leave.sign_as_head(request, actor=team["head_of_department"])
    assert "10" in str(refused.value.message)
    assert signoff.current_step(request).code == "head_signed"
    sick_leave.sign_as_head(request, actor=team["head"])
    assert signoff.current_step(request).code == "issued"


def test_a_ten_day_sheet_with_one_extension_through_every_step(team, patient, frozen):
    first = open_visit(team, patient, sheet_fields(starts_on=date(2026, 11, 25), ends_on=date(2026, 11, 29)))
    assert signoff.current_step(first).code == "issued"
    sick_leave.register_in_book(first, actor=team["issuing_desk"])
    assert first.status == "completed"
    sheet = first.sick_leave_period.sick_leave
    assert sheet.book_number == 1 and sheet.number == first.number
    assert first.result_document is not None
    frozen(2026, 11, 30, 9, 0)
    second = sick_leave.receive(patient, sick_leave.SHEET, identity_document="ЖК", actor=team["registrar"])
    assert second.sick_leave_period.sick_leave is sheet and second.sick_leave_period.position == 1
    # the extension starts the day after the last one, whatever the doctor types for its start
    sick_leave.sign_as_doctor(
        second, sheet_fields(starts_on=None, ends_on=date(2026, 12, 4)), actor=team["doctor2"]
    )
    assert sick_leave.routing_of(second.sick_leave_period).total_days == 10
    assert signoff.current_step(second).code == "head_signed"
    sick_leave.sign_as_head(second, actor=team["head_of_department"])
    sick_leave.register_in_book(second, actor=team["issuing_desk"])
    assert second.status == "completed"
    periods = [(p.starts_on, p.ends_on, p.doctor_name, p.head_name) for p in sheet.periods]
    assert periods == [
        (date(2026, 11, 25), date(2026, 11, 29), "Жұмабаева Асель", ""),
        (date(2026, 11, 30), date(2026, 12, 4), "Волков Дмитрий", "Сапаров Ерлан"),
    ]
    assert sheet.book_number == 1
    rows = sick_leave.register_book(sick_leave.BookFilter(date(2026, 11, 1), date(2026, 12, 31)))
    assert rows == [sheet]


def _close(sheet, return_on, actor, diagnosis=""):
    sick_leave.close(sheet, outcome="return_to_work", return_on=return_on, diagnosis=diagnosis, actor=actor)


def test_closing_return_to_work_and_continues_ill(team, patient, make_staff):
    request = open_visit(team, patient)
    sheet = request.sick_leave_period.sick_leave
    with pytest.raises(sick_leave.SickLeaveError):  # the visit is not registered yet
        sick_leave.close(
            sheet, outcome="return_to_work", return_on=date(2026, 11, 30), diagnosis="", actor=team["doctor"]
        )
    sick_leave.register_in_book(request, actor=team["issuing_desk"])
    with pytest.raises(sick_leave.SickLeaveError):  # not a doctor
        sick_leave.close(
            sheet,
            outcome="return_to_work",
            return_on=date(2026, 11, 30),
            diagnosis="",
            actor=team["registrar"],
        )
    with pytest.raises(sick_leave.SickLeaveError):  # return before the end
        sick_leave.close(
            sheet, outcome="return_to_work", return_on=date(2026, 11, 29), diagnosis="", actor=team["doctor"]
        )
    assert sheet.state == "open"
    sick_leave.close(
        sheet, outcome="return_to_work", return_on=date(2026, 11, 30), diagnosis="J06.9", actor=team["doctor"]
    )
    assert (sheet.state, sheet.return_on, sheet.diagnosis_close) == ("closed", date(2026, 11, 30), "J06.9")
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.detail == "closed: return_to_work")).all()
    other = make_patient(2)
    second = open_visit(team, other)
    sick_leave.register_in_book(second, actor=team["issuing_desk"])
    other_sheet = second.sick_leave_period.sick_leave
    sick_leave.close(other_sheet, outcome="continues_ill", return_on=None, diagnosis="", actor=team["doctor"])
    assert (other_sheet.state, other_sheet.return_on) == ("closed", None)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_on": date(2026, 11, 20), "starts_on": date(2026, 11, 24)}, "ends_on"),
        ({"issue_mode": "electronic", "national_number": "12345"}, "national_number"),
        ({"issue_mode": "electronic", "national_number": "1234567890AB"}, "national_number"),
        ({"cause": "holiday"}, "cause"),
        ({"ends_on": date(2027, 11, 25)}, "ends_on"),
        ({"primary": False, "continues_number": ""}, "continues_number"),
        ({"starts_on": date(2026, 11, 26)}, "starts_on"),
        ({"diagnosis": "Q99.99"}, "diagnosis"),
    ],
)
def test_bad_fields_are_refused_and_nothing_changes(team, patient, overrides, field):
    request = sick_leave.receive(patient, sick_leave.SHEET, identity_document="ЖК", actor=team["registrar"])
    with pytest.raises(sick_leave.SickLeaveError) as refused:
        sick_leave.sign_as_doctor(request, sheet_fields(**overrides), actor=team["doctor"])
    assert refused.value.field == field and "%(" not in str(refused.value.message)
    assert signoff.current_step(request).code == "doctor_signed"
    assert request.sick_leave_period.starts_on is None


def test_an_electronic_sheet_keeps_the_national_number_and_prints_nothing(team, patient):
    request = open_visit(team, patient, sheet_fields(issue_mode="electronic", national_number="202611250001"))
    sick_leave.register_in_book(request, actor=team["issuing_desk"])
    sheet = request.sick_leave_period.sick_leave
    assert (sheet.number, sheet.book_number, request.result_document) == ("202611250001", 1, None)


def test_a_wrong_role_cannot_sign_the_head_step(team, patient):
    request = open_visit(team, patient, sheet_fields(date(2026, 11, 17), date(2026, 11, 25)))
    with pytest.raises(signoff.NotYourStep):
        sick_leave.sign_as_head(request, actor=team["doctor"])
    with pytest.raises(signoff.StepOutOfOrder):
        sick_leave.register_in_book(request, actor=team["issuing_desk"])


def test_overlapping_periods_are_refused_by_the_service_and_by_the_database(team, patient):
    request = open_visit(team, patient)
    sick_leave.register_in_book(request, actor=team["issuing_desk"])
    sheet = request.sick_leave_period.sick_leave
    certificate = sick_leave.receive(
        patient, sick_leave.CERTIFICATE, identity_document="ЖК", actor=team["registrar"]
    )
    with pytest.raises(sick_leave.SickLeaveError) as refused:
        sick_leave.sign_as_doctor(
            certificate,
            sheet_fields(date(2026, 11, 28), date(2026, 12, 2)),
            actor=team["doctor"],
        )
    assert refused.value.field == "starts_on"
    bare = _bare_request(team, patient)
    db.session.commit()
    # Past the service: a row written straight into the table is refused by the database itself.
    with pytest.raises(DBAPIError) as raw, db.session.begin_nested():
        db.session.execute(
            SickLeavePeriod.__table__.update()
            .where(SickLeavePeriod.id == certificate.sick_leave_period.id)
            .values(starts_on=date(2026, 11, 29), ends_on=date(2026, 11, 30))
        )
    assert "sick_leave_period_overlap" in str(raw.value)
    with pytest.raises(DBAPIError), db.session.begin_nested():
        db.session.execute(
            SickLeavePeriod.__table__.insert().values(
                sick_leave_id=sheet.id,
                patient_id=patient.id,
                request_id=bare.id,
                position=7,
                starts_on=date(2026, 11, 20),
                ends_on=date(2026, 11, 25),
                doctor_name="",
                head_name="",
                commission_protocol="",
                registered=False,
                attachment_state="",
            )
        )
    # Touching periods (the next day) are not an overlap.
    db.session.execute(
        SickLeavePeriod.__table__.update()
        .where(SickLeavePeriod.id == certificate.sick_leave_period.id)
        .values(starts_on=date(2026, 11, 30), ends_on=date(2026, 12, 1))
    )
    db.session.commit()


def _bare_request(team, patient):
    return create_request(sick_leave.SHEET, channel="desk", actor=team["registrar"], subject=patient)


def _sheet_row(patient, request, *, state):
    return {
        "kind": "sheet",
        "patient_id": patient.id,
        "opened_request_id": request.id,
        "state": state,
        "issue_mode": "paper",
        "number": "",
        "primary": True,
        "continues_number": "",
        "cause": "",
        "regime": "",
        "workplace": "",
        "diagnosis_open": "",
        "diagnosis_close": "",
        "diagnosis_consent": False,
        "department": "",
        "outcome": "",
        "closed_by_name": "",
        "created_at": now(),
    }


def test_the_database_refuses_a_second_open_sheet(team, patient):
    open_visit(team, patient)
    bare = _bare_request(team, patient)
    db.session.commit()
    with pytest.raises(DBAPIError), db.session.begin_nested():
        db.session.execute(SickLeave.__table__.insert().values(**_sheet_row(patient, bare, state="open")))
    # The same row for a closed sheet is accepted: the index refuses only the second open one.
    db.session.execute(SickLeave.__table__.insert().values(**_sheet_row(patient, bare, state="closed")))
    db.session.commit()
    # A new visit while the open sheet's visit is being signed is refused.
    with pytest.raises(sick_leave.SickLeaveError):  # its visit is still being signed
        sick_leave.receive(patient, sick_leave.SHEET, identity_document="ЖК", actor=team["registrar"])


def test_sent_back_from_the_desk_to_the_doctor_and_from_the_doctor_to_the_registrar(team, patient):
    request = open_visit(team, patient)
    sick_leave.send_back(request, reason="Диагнозды нақтылаңыз", actor=team["issuing_desk"])
    assert signoff.current_step(request).code == "doctor_signed"  # the skipped head's step is passed over
    sick_leave.send_back(request, reason="Құжат анық емес", actor=team["doctor"])
    assert signoff.current_step(request).code == "documents_checked"
    with pytest.raises(sick_leave.SickLeaveError):
        sick_leave.receive_again(request, identity_document=" ", actor=team["registrar"])
    sick_leave.receive_again(request, identity_document="Төлқұжат N123", actor=team["registrar"])
    sick_leave.sign_as_doctor(request, sheet_fields(ends_on=date(2026, 11, 28)), actor=team["doctor"])
    sick_leave.register_in_book(request, actor=team["issuing_desk"])
    assert request.status == "completed" and request.sick_leave_period.ends_on == date(2026, 11, 28)
