"""The staff pages over HTTP: a 10-day sheet with one extension from the desk to the printed sheet and the
register book (PDF in kk and ru, CSV), refusals (a malformed national number keeps what was typed, a wrong
role is audited), the certificate, the passport's thresholds, /status and monitoring per step."""

from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry
from app.services import sick_leave, signoff
from app.services.monitoring import Period, build_report
from app.services.request_summary import summary_for
from tests.conftest import TEST_PASSWORD, page_text
from tests.sick_leave.factories import make_clinic, make_patient, make_team, open_visit, sheet_fields
from tests.test_documents import pdf_text

HTMX = {"HX-Request": "true"}


@pytest.fixture
def team(app, make_staff):
    make_clinic()
    actors = make_team(make_staff)
    make_staff(username="admin", roles=("admin",), full_name="Әкімші")
    return actors


def sign_in(client, username, language="kk"):
    client.post("/staff/logout")
    client.get(f"/lang/{language}")
    response = client.post("/staff/login", data={"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302


def _doctor_data(**overrides):
    data = {
        "issue_mode": "paper",
        "primary": "yes",
        "cause": "illness",
        "regime": "outpatient",
        "workplace": "«Алатау» ЖШС",
        "diagnosis": "j069",
        "starts_on": "2026-11-25",
        "ends_on": "2026-11-29",
    }
    data.update(overrides)
    return data


def test_a_ten_day_sheet_with_one_extension_from_the_desk_to_the_book(client, team, frozen):
    patient = make_patient(1)
    sign_in(client, "registrar")
    assert patient.full_name in page_text(client.get(f"/staff/sick-leave/new?iin={patient.iin}"))
    response = client.post(
        "/staff/sick-leave/new",
        data={"iin": patient.iin, "service": sick_leave.SHEET, "identity_document": "ЖК 041234567"},
    )
    assert response.status_code == 303
    number = response.headers["Location"].rsplit("/", 1)[-1]
    sign_in(client, "doctor")
    bad = client.post(
        f"/staff/sick-leave/{number}/doctor",
        data=_doctor_data(issue_mode="electronic", national_number="12-34"),
        headers=HTMX,
    )
    text = page_text(bad)
    assert "12-34" in bad.get_data(as_text=True) and "«Алатау» ЖШС" in bad.get_data(as_text=True)
    assert "12" in text and sick_leave.find_by_number(number).sick_leave_period.starts_on is None
    ok = client.post(f"/staff/sick-leave/{number}/doctor", data=_doctor_data(), headers=HTMX)
    assert ok.status_code == 200
    sign_in(client, "desk")
    client.post(f"/staff/sick-leave/{number}/issue", headers=HTMX)
    first = sick_leave.find_by_number(number)
    assert first.status == "completed"
    # The extension: a new visit through the same steps; 10 days in all cross the 6 of the doctor alone.
    frozen(2026, 11, 30, 9, 0)
    sign_in(client, "registrar")
    response = client.post(
        "/staff/sick-leave/new",
        data={"iin": patient.iin, "service": sick_leave.SHEET, "identity_document": "ЖК 041234567"},
    )
    second_number = response.headers["Location"].rsplit("/", 1)[-1]
    sign_in(client, "doctor2")
    client.post(f"/staff/sick-leave/{second_number}/doctor", data={"ends_on": "2026-12-04"}, headers=HTMX)
    second = sick_leave.find_by_number(second_number)
    assert signoff.current_step(second).code == "head_signed"
    sign_in(client, "desk")  # the issuing desk cannot skip the head
    refused = client.post(f"/staff/sick-leave/{second_number}/issue", headers=HTMX)
    assert refused.status_code == 200 and signoff.current_step(second).code == "head_signed"
    sign_in(client, "headdept")
    client.post(f"/staff/sick-leave/{second_number}/head", headers=HTMX)
    sign_in(client, "desk", "ru")
    client.post(f"/staff/sick-leave/{second_number}/issue", headers=HTMX)
    assert sick_leave.find_by_number(second_number).status == "completed"
    sheet_pdf = client.get(f"/staff/sick-leave/{second_number}/document.pdf")
    assert sheet_pdf.status_code == 200
    text = pdf_text(sheet_pdf.data)
    assert "Еңбекке уақытша жарамсыздық парағы" in text  # issued in the visit's language (kk)
    assert "30.11.2026" in text and "04.12.2026" in text and "Сапаров Ерлан" in text
    for language, title in (
        ("kk", "Еңбекке уақытша жарамсыздық парақтарын тіркеу кітабы"),
        ("ru", "Книга регистрации листов о временной нетрудоспособности"),
    ):
        sign_in(client, "desk", language)
        book = client.get("/staff/sick-leave/book.pdf?start=2026-11-01&end=2026-12-31")
        assert book.status_code == 200
        text = pdf_text(book.data)
        assert title in text and patient.iin in text and "Волков Дмитрий" in text and "04.12.2026" in text
    csv = client.get("/staff/sick-leave/book.csv?start=2026-11-01&end=2026-12-31")
    assert patient.iin in csv.get_data(as_text=True)
    other = client.get("/staff/sick-leave/book?start=2026-11-01&end=2026-12-31&department=surgeon")
    assert patient.iin not in page_text(other)
    # The doctor closes it: «приступить к работе с 05.12.2026».
    sign_in(client, "doctor")
    client.post(
        f"/staff/sick-leave/{second_number}/close",
        data={"outcome": "return_to_work", "return_on": "2026-12-05"},
        headers=HTMX,
    )
    assert first.sick_leave_period.sick_leave.state == "closed"


def test_a_wrong_role_is_refused_and_audited(client, team):
    request = open_visit(team, make_patient(1), sheet_fields(date(2026, 11, 17), date(2026, 11, 25)))
    sign_in(client, "doctor")
    response = client.post(f"/staff/sick-leave/{request.number}/head", headers=HTMX)
    assert response.status_code == 200
    assert signoff.current_step(request).code == "head_signed"
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "refused")).all()


def test_a_certificate_from_doctor_to_desk_prints_illness_without_consent(client, team):
    patient = make_patient(1)
    request = open_visit(
        team,
        patient,
        sheet_fields(workplace="№ 12 мектеп, 9 «А» сынып", diagnosis_consent=False),
        service=sick_leave.CERTIFICATE,
    )
    assert signoff.current_step(request).code == "issued"
    sick_leave.register_in_book(request, actor=team["issuing_desk"])
    assert request.status == "completed"
    sign_in(client, "desk", "ru")
    text = pdf_text(client.get(f"/staff/sick-leave/{request.number}/document.pdf").data)
    assert "Еңбекке уақытша жарамсыздық туралы анықтама" in text and "ауру" in text
    assert "J06.9" not in text and "№ 12 мектеп" in text


def test_the_passport_shows_the_settings_and_an_admin_changes_them(client, team):
    sign_in(client, "admin")
    bad = client.post(
        "/staff/sick-leave/settings",
        data={
            "doctor_alone_days": "10",
            "deputy_after_days": "5",
            "commission_after_days": "30",
            "backdate_days": "1",
        },
    )
    assert bad.status_code == 422 and sick_leave.get_settings().doctor_alone_days == 6
    client.post(
        "/staff/sick-leave/settings",
        data={
            "doctor_alone_days": "5",
            "deputy_after_days": "15",
            "commission_after_days": "30",
            "backdate_days": "2",
        },
    )
    assert sick_leave.get_settings().doctor_alone_days == 5
    client.get("/lang/ru")
    page = page_text(client.get("/services/sick-leave-sheet"))
    assert "до 5 дней" in page and "Свыше 15 дней" in page


def test_status_and_monitoring_follow_each_step(team, frozen):
    request = open_visit(team, make_patient(1))
    summary = summary_for(request)
    labels = [fact.label for fact in summary.facts]
    assert labels[0] == "Құжаттарды қабылдау және тексеру" and len(labels) == 5
    assert [fact.value for fact in summary.facts][2] == "Қажет емес"
    frozen(2026, 11, 25, 10, 20)
    sick_leave.register_in_book(request, actor=team["issuing_desk"])
    report = build_report(Period(date(2026, 11, 1), date(2026, 11, 30)), sick_leave.SHEET)
    steps = {timing.step for timing in report.signoff_steps}
    assert {"documents_checked", "doctor_signed", "issued"} <= steps
