"""Rows of the services added since the first pages of tests/test_statements_per_page.py: HIV tests, the
training centre, complaints, SMS, requests waiting for the registry, sick leave, PHC
service's own operations where a row needs its steps (sign-offs, decisions), directly otherwise; every row has
its own staff member (and person, where it has one), so a per-row load cannot hide in the identity map.

Each function takes the test's `Rows` and a count and returns the texts the page must show."""

from datetime import date, timedelta

from app.core.actors import Actor
from app.core.clock import now
from app.core.iin import make_iin
from app.extensions import db
from app.models import ServiceRequest, SmsMessage
from app.services import (
    complaints,
    hiv_testing,
    inpatient_extracts,
    modules,
    phc_certificates,
    sick_leave,
    training,
)
from app.services.registry_pending import AWAITING_REGISTRY
from app.services.requests import create_request

TODAY = date(2026, 11, 25)


def staff_actor(rows, *roles: str, **fields) -> Actor:
    staff = rows.staff(*roles, **fields)
    db.session.flush()
    return Actor.of_staff(staff)


# ---- HIV testing ------------------------------------------------------------------------------------------
def _hiv_tests(rows, count: int, *, drawn: bool = False) -> list:
    tests = []
    for _ in range(count):
        registration = hiv_testing.Registration(
            regime="anonymous",
            payer="citizen",
            reason="voluntary",
            pre_test_counselling=True,
            sex="F",
            birth_year=1990,
        )
        test = hiv_testing.register(registration, actor=staff_actor(rows, "counselling_doctor"))
        if drawn:
            hiv_testing.draw_blood(test, actor=staff_actor(rows, "procedure_nurse"))
        tests.append(test)
    db.session.commit()
    return tests


def hiv_tests(rows, count: int) -> list[str]:
    return [hiv_testing.display_code(test.code) for test in _hiv_tests(rows, count)]


def hiv_samples(rows, count: int) -> list[str]:
    return [test.sample_number for test in _hiv_tests(rows, count, drawn=True)]


# ---- the training centre ----------------------------------------------------------------------------
def switch_training_on() -> None:
    training.save_settings(is_enabled=True, is_bilingual=False, duplicate_price=5000, actor=Actor.system())
    db.session.commit()


def training_documents(rows, count: int) -> list[str]:
    """One course, cohort, trainee and commission decision per row: an original opened for each."""
    actor = Actor.system()
    shown = []
    for _ in range(count):
        n = rows.next()
        course = training.create_course(
            programme=f"Программа {n}", kind="qualification_upgrade", hours=144, actor=actor
        )
        cohort = training.create_cohort(
            course, code=f"2026-{n}", starts_on=date(2026, 10, 5), ends_on=date(2026, 10, 30), actor=actor
        )
        trainee = training.add_trainee(
            cohort,
            full_name=f"Ахметова Айгерім {n}",
            iin=make_iin(date(1990, 5, 17), "F", serial=n),
            workplace="Городская поликлиника №7",
            actor=actor,
        )
        training.record_decision(
            cohort, number=str(n), decided_on=date(2026, 11, 4), passed_ids=[trainee.id], actor=actor
        )
        shown.append(trainee.full_name)
    db.session.commit()
    return shown


def training_courses(rows, count: int) -> list[str]:
    training_documents(rows, count)
    return [f"Программа {n}" for n in _last_serials(rows, count)]


def _last_serials(rows, count: int) -> list[int]:
    return list(range(rows.serial - count + 1, rows.serial + 1))


# ---- complaints, SMS, the registry queue ------------------------------------------------------------
def complaint_list(rows, count: int) -> list[str]:
    shown = []
    for _ in range(count):
        n = rows.next()
        name = f"Серіков Айдар {n}"
        complaints.file_complaint(
            complaints.ComplaintInput(
                complainant_name=name,
                iin=make_iin(date(1979, 6, 14), "M", serial=n),
                postal_address="Алматы қ., Абай даңғылы, 10, 5",
                phone=f"+7701{n:07d}",
                text="Тіркеу бөлімінде екі сағат күттім.",
                related_number="",
            ),
            channel="web",
            actor=Actor.applicant(),
            language="kk",
        )
        shown.append(name)
    db.session.commit()
    return shown


def sms_messages(rows, count: int) -> list[str]:
    shown = []
    for _ in range(count):
        phone = f"+7702{rows.next():07d}"
        db.session.add(
            SmsMessage(
                created_at=now() - timedelta(minutes=rows.serial),
                phone=phone,
                purpose="reminder",
                language="kk",
                text="Ертең 09:00 дәрігерге жазылдыңыз.",
                backend="outbox",
                status="queued",
            )
        )
        shown.append(phone)
    db.session.commit()
    return shown


def waiting_for_registry(rows, count: int) -> list[str]:
    shown = []
    for _ in range(count):
        request = create_request(
            "home-visit",
            channel="web",
            actor=Actor.patient(),
            subject=rows.patient(),
            status=AWAITING_REGISTRY,
        )
        db.session.flush()
        shown.append(request.number)
    db.session.commit()
    return shown


# ---- the signed-document desks ---------------------------------------------------------------------------
def _reception() -> phc_certificates.Reception:
    return phc_certificates.Reception(
        kind="phc",
        purpose="Жұмыс орнына ұсыну үшін",
        presented_by="self",
        identity_document="Жеке куәлік № 041234567",
    )


def phc_received(rows, count: int, *, person=None) -> list[str]:
    shown = []
    for _ in range(count):
        request = phc_certificates.receive(
            person or rows.patient(), _reception(), actor=staff_actor(rows, "registrar")
        )
        db.session.flush()
        shown.append(request.number)
    db.session.commit()
    return shown


def switch_extracts_on() -> None:
    modules.switch(inpatient_extracts.MODULE, True, actor=Actor.system())
    db.session.commit()


def _summary() -> inpatient_extracts.DischargeSummary:
    return inpatient_extracts.DischargeSummary(
        card_number="ДС-2026/311",
        department="Күндізгі стационар",
        admitted_on=date(2026, 11, 16),
        discharged_on=date(2026, 11, 25),
        main_diagnosis="J18.9",
        other_diagnoses=("I10",),
        examinations="ЖҚА, рентгенография",
        treatment="Цефтриаксон",
        condition="Қанағаттанарлық",
        recommendations="Учаскелік дәрігердің бақылауы",
    )


def extracts_written(rows, count: int, *, person=None, issued: bool = False) -> list[str]:
    shown = []
    for _ in range(count):
        doctor = staff_actor(rows, "doctor", speciality="therapist")
        request = inpatient_extracts.write_summary(person or rows.patient(), _summary(), actor=doctor)
        if issued:
            head = rows.staff("head_of_department")
            db.session.flush()
            surname = head.full_name.split()[0]
            inpatient_extracts.sign_as_head(request, surname=surname, actor=Actor.of_staff(head))
            inpatient_extracts.stamp(request, stamped=True, actor=staff_actor(rows, "senior_nurse"))
            inpatient_extracts.hand_over(
                request,
                identity_document="Жеке куәлік 041234567",
                handed_to="Ахметова Әсел",
                actor=staff_actor(rows, "registrar"),
            )
        db.session.flush()
        shown.append(request.number)
    db.session.commit()
    return shown


def extracts_issued(rows, count: int) -> list[str]:
    return extracts_written(rows, count, issued=True)


def _sheet_fields(service: str) -> sick_leave.SheetFields:
    values = {
        "starts_on": TODAY,
        "ends_on": TODAY + timedelta(days=4),
        "issue_mode": "paper",
        "cause": "illness",
        "regime": "outpatient",
        "workplace": "«Алатау» ЖШС, бухгалтер",
        "diagnosis": "J06.9",
    }
    if service == sick_leave.CERTIFICATE:
        values["diagnosis_consent"] = False
    return sick_leave.SheetFields(**values)


def sick_leave_visits(
    rows, count: int, *, person=None, service: str = sick_leave.SHEET, registered: bool = False
) -> list[str]:
    shown = []
    for _ in range(count):
        request = sick_leave.receive(
            person or rows.patient(),
            service,
            identity_document="Жеке куәлік № 041234567",
            actor=staff_actor(rows, "registrar"),
        )
        if registered:
            doctor = staff_actor(rows, "doctor", speciality="therapist")
            sick_leave.sign_as_doctor(request, _sheet_fields(service), actor=doctor)
            sick_leave.register_in_book(request, actor=staff_actor(rows, "issuing_desk"))
        db.session.flush()
        shown.append(request.number)
    db.session.commit()
    return shown


def sick_leave_book(rows, count: int) -> list[str]:
    before = len(sick_leave_visits(rows, count, registered=True))
    requests = db.session.query(ServiceRequest).order_by(ServiceRequest.id.desc()).limit(before)
    return [request.subject.last_name for request in requests]
