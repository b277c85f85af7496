"""A constant number of SQL statements per page, whatever its rows (issue 22, item 3).

Each list, journal and queue page is read with a few rows, then with ten times as many, and must run the same
number of statements: a page that loads something per row (a patient, a doctor, a count) grows with the
clinic, and at a clinic-year's size answers in seconds. The rows are written directly (the services' own
tests cover how they come to be); every row has its own patient and staff member, so a per-row load cannot
hide behind the session's identity map.
"""

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from app.core.actors import Actor
from app.core.clock import now
from app.extensions import db
from app.models import (
    Appointment,
    AttachmentApplication,
    AuditEntry,
    Document,
    HomeVisit,
    HospitalReferral,
    Patient,
    PhcCertificate,
    Signoff,
    UrgentCall,
)
from app.models.attachment import REASONS
from app.services import schedules
from app.services.requests import create_request
from app.services.staff_accounts import create_staff
from tests import factories
from tests import statement_rows as more
from tests.appointments.factories import WEEKDAY_PLAN, at, make_clinic
from tests.conftest import TEST_PASSWORD
from tests.feedback_factories import last_code

TODAY = date(2026, 11, 25)  # the suite's stopped clock: Wednesday 25 November 2026, 10:00
FEW, MANY = 3, 30


class Rows:
    """Distinct patients and staff members, numbered across the whole test."""

    def __init__(self):
        self.serial = 0
        self.me = None  # the staff member signed in

    def next(self) -> int:
        self.serial += 1
        return self.serial

    def patient(self, phone: str | None = None) -> Patient:
        n = self.next()
        patient = Patient(
            iin=f"{850401400000 + n:012d}",
            last_name=f"Серікова{n}",
            first_name="Динара",
            middle_name="",
            birth_date=date(1985, 4, 1),
            sex="F",
            address=f"Алматы қ., Абай даңғылы, {n}",
            phone=phone or f"+7702{n:07d}",
            language="kk",
            created_at=now(),
        )
        db.session.add(patient)
        return patient

    def staff(self, *roles: str, **fields):
        n = self.next()
        return create_staff(
            username=f"staff{n}",
            full_name=f"Жұмабаева Асель {n}",
            password=TEST_PASSWORD,
            roles=set(roles),
            **fields,
        )


def _bookings(rows: Rows, count: int, *, doctor=None, person=None) -> list[str]:
    shown = []
    for n in range(count):
        patient = person or rows.patient()
        doctor_of_row = doctor or rows.staff("doctor", speciality="therapist", room="105")
        request = create_request(
            "appointment", channel="web", actor=Actor.patient(), subject=patient, status="completed"
        )
        starts = at(TODAY, 8, 0) + timedelta(minutes=rows.serial % 600)  # distinct times for one doctor
        db.session.add(
            Appointment(
                request=request,
                patient=patient,
                doctor=doctor_of_row,
                speciality="therapist",
                starts_at=starts,
                ends_at=starts + timedelta(minutes=10),
                channel="web",
                booked_at=now(),
                status="booked",
            )
        )
        if n % 3 == 0:  # a patient who missed a visit before: the desk's warning
            missed = create_request("appointment", channel="web", actor=Actor.patient(), subject=patient)
            db.session.add(
                Appointment(
                    request=missed,
                    patient=patient,
                    doctor=doctor_of_row,
                    speciality="therapist",
                    starts_at=starts - timedelta(days=7),
                    ends_at=starts - timedelta(days=7, minutes=-10),
                    channel="web",
                    booked_at=now(),
                    status="no_show",
                )
            )
        db.session.flush()
        shown.append(patient.last_name)
    db.session.commit()
    return shown


def _home_calls(rows: Rows, count: int) -> list[str]:
    shown = [_home_call(rows, rows.patient()).number for _ in range(count)]
    db.session.commit()
    return shown


def _home_call(rows: Rows, patient: Patient, *, day: date = TODAY):
    request = create_request(
        "home-visit", channel="web", actor=Actor.patient(), subject=patient, status="completed"
    )
    db.session.add(
        HomeVisit(
            request=request,
            patient=patient,
            status="assigned",
            address=patient.address,
            complaint="Температура",
            callback_phone=patient.phone,
            visit_day=day,
            doctor=rows.staff("doctor", speciality="therapist"),
            window_starts_at=at(day, 11),
            window_ends_at=at(day, 15),
            answered_at=now(),
            created_at=now(),
        )
    )
    db.session.flush()
    return request


def _doctors_visits(rows: Rows, count: int) -> list[str]:
    return _bookings(rows, count, doctor=rows.me)


def _doctors_with_plans(rows: Rows, count: int) -> list[str]:
    shown = []
    for _ in range(count):
        doctor = rows.staff("doctor", speciality="therapist", room="105")
        schedules.save_plan(
            doctor,
            slot_minutes=15,
            room="105",
            weekdays={1: WEEKDAY_PLAN, 3: WEEKDAY_PLAN},
            actor=Actor.system(),
        )
        shown.append(doctor.full_name)
    db.session.commit()
    return shown


def _attachment_applications(rows: Rows, count: int, *, decided: bool = False, person=None) -> list[str]:
    shown = []
    for _ in range(count):
        patient = person or rows.patient()
        request = create_request(
            "attachment",
            channel="desk",
            actor=Actor.patient(),
            subject=patient,
            status="completed" if decided else "submitted",
        )
        db.session.add(
            AttachmentApplication(
                request=request,
                iin=patient.iin,
                address=patient.address,
                reason=REASONS[0],
                district=factories.district(1) if decided else None,
                attached_on=TODAY if decided else None,
                decided_at=now() if decided else None,
                decided_by=rows.staff("registrar") if decided else None,
                preferred_doctor=rows.staff("doctor", speciality="therapist"),
            )
        )
        db.session.flush()
        shown.append(request.number)
    db.session.commit()
    return shown


def _decided_applications(rows: Rows, count: int) -> list[str]:
    return _attachment_applications(rows, count, decided=True)


def _urgent_calls(rows: Rows, count: int, *, person=None) -> list[str]:
    shown = []
    for _ in range(count):
        patient = person or rows.patient()
        request = create_request("urgent-care", channel="phone", actor=Actor.patient(), subject=patient)
        db.session.add(
            UrgentCall(
                request=request,
                patient=patient,
                status="passed",
                received_at=now(),
                examination_due_at=now() + timedelta(hours=7),
                caller_phone=patient.phone,
                patient_iin=patient.iin,
                patient_name=patient.last_name,
                address=patient.address,
                district=factories.district(1),
                complaint="Температура",
                team=rows.staff("urgent_doctor"),
                passed_at=now(),
            )
        )
        db.session.flush()
        shown.append(request.number)
    db.session.commit()
    return shown


def _referrals(rows: Rows, count: int, *, person=None) -> list[str]:
    shown = []
    for _ in range(count):
        patient = person or rows.patient()
        request = create_request(
            "hospitalization-referral", channel="desk", actor=Actor.patient(), subject=patient
        )
        db.session.add(
            HospitalReferral(
                request=request,
                patient=patient,
                status="queued",
                profile="therapy",
                reviewed_at=now(),
                specialist=rows.staff("referral_specialist"),
            )
        )
        db.session.flush()
        shown.append(request.number)
    db.session.commit()
    return shown


def _certificates(rows: Rows, count: int, *, issued: bool = True) -> list[str]:
    shown = []
    for _ in range(count):
        patient = rows.patient()
        request = create_request(
            "phc-certificate",
            channel="desk",
            actor=Actor.patient(),
            subject=patient,
            status="completed" if issued else "in_review",
        )
        db.session.add(PhcCertificate(request=request, kind="035-2", doctor=rows.staff("doctor")))
        if issued:
            request.result_document = Document(
                kind="phc_certificate",
                number=f"PC-2026-{rows.serial:06d}",
                issued_at=now(),
                language="kk",
                sha256="0" * 64,
                pdf=b"%PDF-1.4",
                verification_code=f"verify-{rows.serial}",
                subject_id=None,
                revocation_reason="",
            )
        else:
            db.session.add(
                Signoff(
                    request=request, position=0, step_started_at=now(), step_due_at=now() + timedelta(hours=1)
                )
            )
        db.session.flush()
        shown.append(request.number)
    db.session.commit()
    return shown


def _waiting_signatures(rows: Rows, count: int) -> list[str]:
    return _certificates(rows, count, issued=False)


def _audit_entries(rows: Rows, count: int) -> list[str]:
    shown = []
    for _ in range(count):
        staff = rows.staff("registrar")
        db.session.flush()
        db.session.add(
            AuditEntry(
                at=now() - timedelta(minutes=rows.serial),
                staff_id=staff.id,
                action="view",
                object_type="patient",
                object_id=str(rows.serial),
                patient_id=rows.serial,
            )
        )
        shown.append(staff.full_name)
    db.session.commit()
    return shown


def _staff_accounts(rows: Rows, count: int) -> list[str]:
    shown = [rows.staff("registrar").username for _ in range(count)]
    db.session.commit()
    return shown


def _requests_of_one_person(rows: Rows, count: int) -> list[str]:
    """Requests of several services about or by the signed-in person: a booking, a home call, an attachment
    application, an urgent call, a hospital referral, an information form asked for someone else (the
    applicant's requests are theirs to follow too)."""
    person = db.session.query(Patient).filter_by(phone=PERSON_PHONE).one()
    shown = []
    for n in range(count):
        kind = n % 6
        if kind == 0:
            _bookings(rows, 1, person=person)
            shown.append(db.session.query(Appointment).order_by(Appointment.id.desc()).first().request.number)
        elif kind == 1:
            shown.append(_home_call(rows, person, day=TODAY - timedelta(days=rows.next())).number)
        elif kind == 2:
            shown += _attachment_applications(
                rows, 1, decided=n % 12 == 2, person=person
            )  # one of them approved
        elif kind == 3:
            shown += _urgent_calls(rows, 1, person=person)
        elif kind == 4:
            shown += _referrals(rows, 1, person=person)
        else:
            request = create_request(
                "tb-certificate",
                channel="web",
                actor=Actor.patient(),
                subject=rows.patient(),
                applicant=person,
            )
            shown.append(request.number)
    db.session.commit()
    return shown


def _requests_of_every_service(rows: Rows, count: int) -> list[str]:
    """The person's requests of every service that has a person: the six above, and a complaint, a PHC
    certificate, an inpatient extract, a sick-leave certificate (the few rows: one of each)."""
    person = db.session.query(Patient).filter_by(phone=PERSON_PHONE).one()
    more.switch_extracts_on()
    shown = []
    for n in range(count):
        kind = n % 10
        if kind < 6:
            before = rows.serial
            shown += _requests_of_one_person(rows, 1) if kind == 0 else []
            if kind:
                shown += _one_of_six(rows, person, kind)
            assert rows.serial > before
        elif kind == 6:
            shown.append(_complaint_of(rows, person))
        elif kind == 7:
            shown += more.phc_received(rows, 1, person=person)
        elif kind == 8:
            shown += more.extracts_written(rows, 1, person=person)
        else:
            shown += more.sick_leave_visits(rows, 1, person=person, service="sick-leave-certificate")
    db.session.commit()
    return shown


def _one_of_six(rows: Rows, person: Patient, kind: int) -> list[str]:
    if kind == 1:
        return [_home_call(rows, person, day=TODAY - timedelta(days=rows.next())).number]
    if kind == 2:
        return _attachment_applications(rows, 1, person=person)
    if kind == 3:
        return _urgent_calls(rows, 1, person=person)
    if kind == 4:
        return _referrals(rows, 1, person=person)
    request = create_request(
        "tb-certificate", channel="web", actor=Actor.patient(), subject=rows.patient(), applicant=person
    )
    return [request.number]


def _complaint_of(rows: Rows, person: Patient) -> str:
    from app.services import complaints

    complaint = complaints.file_complaint(
        complaints.ComplaintInput(
            complainant_name=person.full_name,
            iin=person.iin,
            postal_address=person.address,
            phone=person.phone,
            text=f"Тіркеу бөлімінде екі сағат күттім ({rows.next()}).",
            related_number="",
        ),
        channel="web",
        actor=Actor.applicant(),
        language="kk",
        proven_iin=person.iin,
    )
    db.session.flush()
    return complaint.request.number


def _training(add_rows):
    def switched_on(rows: Rows, count: int) -> list[str]:
        more.switch_training_on()
        return add_rows(rows, count)

    return switched_on


def _extracts(add_rows):
    def switched_on(rows: Rows, count: int) -> list[str]:
        more.switch_extracts_on()
        return add_rows(rows, count)

    return switched_on


PERSON_PHONE = "+77010009999"

# page -> (the roles that open it; None: the person signed in with a code), its address, the rows it lists
PAGES = {
    "appointment journal": (("registrar",), f"/staff/appointments/journal?day={TODAY}", _bookings),
    "doctor's visits": (("doctor",), f"/staff/appointments/visits?day={TODAY}", _doctors_visits),
    "doctors' schedules": (("head",), "/staff/appointments/schedules", _doctors_with_plans),
    "attachment queue": (("registrar",), "/staff/attachment/", _attachment_applications),
    "attached population": (("registrar",), "/staff/attachment/population", _decided_applications),
    "urgent-care journal": (("urgent_nurse",), "/staff/urgent-care/", _urgent_calls),
    "referrals": (("referral_specialist",), "/staff/referrals/", _referrals),
    "PHC certificate register": (("registrar",), "/staff/phc-certificates/register", _certificates),
    "sign-off queue": (("registrar",), "/staff/sign-off/", _waiting_signatures),
    "home-call journal": (("registrar",), f"/staff/home-visits/?day={TODAY}", _home_calls),
    "audit log": (("admin",), "/admin/audit", _audit_entries),
    # A page older than a cursor (keyset pagination): the page's query and one look-up of a newer entry.
    "audit log, an older page": (
        ("admin",),
        "/admin/audit?before_at=2026-11-25T05:00:01.000000&before_id=2147483647",
        _audit_entries,
    ),
    "staff accounts": (("admin",), "/admin/staff", _staff_accounts),
    # Six services a person's requests come from: the few rows hold one of each.
    "personal cabinet": (None, "/my/requests", _requests_of_one_person, 6),
    "status page, signed in": (None, "/status", _requests_of_one_person, 6),
    # Ten services (/my itself sends a signed-in person here): the few rows hold one of each.
    "personal cabinet, every service": (None, "/my/requests", _requests_of_every_service, 10),
    "HIV tests": (("counselling_doctor",), "/staff/hiv/", more.hiv_tests),
    "HIV laboratory queue": (("lab",), "/staff/hiv/lab", more.hiv_samples),
    "HIV journal": (("counselling_doctor",), "/staff/hiv/journal", more.hiv_tests),
    "training worklist": (("methodologist",), "/staff/training/", _training(more.training_documents)),
    "training courses": (("methodologist",), "/staff/training/courses", _training(more.training_courses)),
    "training journal": (("methodologist",), "/staff/training/journal", _training(more.training_documents)),
    "complaints": (("head",), "/staff/complaints", more.complaint_list),
    "SMS outbox": (("admin",), "/admin/outbox/", more.sms_messages),
    "registry pending": (("registrar",), "/staff/registry-pending/", more.waiting_for_registry),
    "PHC certificate desk": (("doctor",), "/staff/phc-certificates/", more.phc_received),
    "inpatient extract desk": (
        ("head_of_department",),
        "/staff/inpatient-extracts/",
        _extracts(more.extracts_written),
    ),
    "inpatient extract journal": (
        ("registrar",),
        "/staff/inpatient-extracts/journal",
        _extracts(more.extracts_issued),
    ),
    "sick-leave queue": (("doctor",), "/staff/sick-leave/", more.sick_leave_visits),
    "sick-leave register book": (("registrar",), "/staff/sick-leave/book", more.sick_leave_book),
}


def _statements(client, url: str) -> tuple[list[str], str]:
    client.get(url)  # once to warm what is cached per process (templates, the clinic's modules)
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert response.status_code == 200, url
    return seen, response.get_data(as_text=True)


@pytest.mark.parametrize("page", PAGES)
def test_a_page_runs_as_many_statements_for_many_rows_as_for_few(app, client, page):
    roles, url, add_rows, *sizes = PAGES[page]
    few_rows = sizes[0] if sizes else FEW
    make_clinic()
    rows = Rows()
    if roles is None:
        person = factories.make_patient(
            9999, phone=PERSON_PHONE
        )  # in the registry: the code goes to its phone
        client.post("/my/code", data={"iin": person.iin})
        assert client.post("/my/code/check", data={"code": last_code(PERSON_PHONE)}).status_code == 303
    else:
        staff = rows.me = (
            rows.staff(*roles, speciality="therapist") if "doctor" in roles else rows.staff(*roles)
        )
        db.session.commit()
        response = client.post("/staff/login", data={"username": staff.username, "password": TEST_PASSWORD})
        assert response.status_code == 302

    shown = add_rows(rows, few_rows)
    few, _html = _statements(client, url)
    shown += add_rows(rows, MANY - few_rows)
    many, html = _statements(client, url)
    assert [text for text in shown if text not in html] == []  # the page lists every row
    assert len(many) == len(few), _difference(few, many, few_rows)


def _difference(few: list[str], many: list[str], few_rows: int) -> str:
    """The statements the bigger page ran more often: what it loads per row."""
    counts = {}
    for statement in many:
        counts[statement] = counts.get(statement, 0) + 1
    for statement in few:
        counts[statement] = counts.get(statement, 0) - 1
    grown = [f"{extra}x {statement[:200]}" for statement, extra in counts.items() if extra]
    return f"{len(few)} statements for {few_rows} rows, {len(many)} for {MANY}:\n" + "\n".join(grown)
