"""The clinic-year database of bench/clinic_year.py: the demo clinic, then a year of generated history.

Scale N (deterministic for a given N and seed; the clock is frozen at BENCH_NOW: a cached file stays valid):

| what                                   | per unit of scale | 1x     | 10x     | 100x      |
|----------------------------------------|-------------------|--------|---------|-----------|
| patients (+ registry person, attached) | 300               | 300    | 3,000   | 30,000    |
| bench doctors (08:00-20:00, Mon-Sat)   | 4, at most 40     | 4      | 40      | 40        |
| service requests over the past year    | 2,000             | 2,000  | 20,000  | 200,000   |
| their events (2 to 4 a request)        | ~6,000            | ~6,000 | ~60,000 | ~600,000  |
| audit entries                          | 5,000             | 5,000  | 50,000  | 500,000   |
| bookings of today (the journal's day)  | 17 a doctor       | 68     | 680     | 680       |
| bookings of tomorrow (reminders due)   | 14.4, at most 36 a doctor | 14 | 144 | 1,440    |

60% of the past requests are bookings (with their appointment rows on the bench doctors' slots), the rest
spread over the other services of the catalogue as plain requests with their events (what monitoring, the
status page and the cabinet read); the demo's own rows (every service in its states) come from `seed()`.

Rows go in through the models' tables in batches (Core INSERT ... executemany), not one ORM object at a
time: 100x takes minutes, not hours. Ids are given explicitly; PostgreSQL's sequences are moved past them.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select, text

from app.core.actors import Actor
from app.core.clock import ALMATY
from app.core.iin import make_iin
from app.demo import seed
from app.extensions import db
from app.models import (
    Appointment,
    AuditEntry,
    Base,
    Patient,
    RegistryAttachment,
    RegistryPerson,
    RequestEvent,
    RequestStage,
    ServiceRequest,
    StaffMember,
    StaffRole,
    request_stage,
)
from app.services import catalogue, schedules
from app.services.clinic import get_clinic
from app.services.staff_accounts import hash_password

# A Thursday morning in opening hours: today's journal is full, tomorrow (a Friday) has reminders due.
BENCH_NOW = datetime(2026, 12, 3, 10, 0, tzinfo=ALMATY)
BENCH_PASSWORD = "bench-password-2026"
SLOT_MINUTES = 15
DAY_START, DAY_END = time(8, 0), time(20, 0)
SLOTS_A_DAY = 48
BATCH = 5000
NUMBER_BASE = 100000  # generated numbers start here: the demo's and the bench's new requests stay below


def scale_sizes(scale: int) -> dict:
    doctors = min(40, 4 * scale)
    return {
        "patients": 300 * scale,
        "doctors": doctors,
        "requests": 2000 * scale,
        "audit": 5000 * scale,
        "today_per_doctor": 17,
        "tomorrow": min(36 * doctors, round(14.4 * scale)),
    }


def _utc(day: date, at: time) -> datetime:
    return datetime.combine(day, at, ALMATY).astimezone(UTC)


def _insert(table, rows: list[dict]) -> None:
    """Executemany needs the same keys in every row: a key some rows leave out is NULL in them."""
    keys = set().union(*rows) if rows else set()
    rows = [row if len(row) == len(keys) else dict.fromkeys(keys) | row for row in rows]
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start : start + BATCH])


def generate(scale: int, seed_value: int, log=print) -> dict:
    """Drop and create every table, seed the demo, add the clinic-year; returns what the bench needs."""
    rng = random.Random(seed_value)
    sizes = scale_sizes(scale)
    Base.metadata.drop_all(db.engine)
    Base.metadata.create_all(db.engine)
    seed()
    db.session.commit()
    log(f"  demo seeded; adding {sizes}")

    doctors = _bench_doctors(sizes["doctors"])
    patients = _patients(rng, sizes["patients"])
    log(f"  {len(patients)} patients, {len(doctors)} bench doctors")
    staff_ids = list(db.session.scalars(select(StaffMember.id)))
    _history(rng, sizes, doctors, patients)
    log("  requests, events and bookings added")
    _audit(rng, sizes["audit"], staff_ids, patients)
    log("  audit entries added")
    if db.engine.dialect.name == "postgresql":
        _move_sequences()
    db.session.commit()
    return {"doctors": [doctor_id for doctor_id, _ in doctors], "patients": len(patients)}


def backfill() -> None:
    """Derived tables the migrations fill from existing rows, filled the same way in a database made before
    they existed (a cached file; fresh data gets them from the triggers as rows go in): request_stage."""
    if db.session.scalar(select(func.count()).select_from(RequestStage)):
        return
    db.session.execute(text(request_stage.backfill_sql(db.engine.dialect.name)))


def _bench_doctors(count: int) -> list[tuple[int, str]]:
    """Doctors with long days; one password hash for all (hashing is slow on purpose)."""
    long_day = schedules.DayPlan(DAY_START, DAY_END)
    password_hash = hash_password(BENCH_PASSWORD)
    found = []
    for index in range(count):
        doctor = StaffMember(
            username=f"bench-doctor-{index:02d}",
            full_name=f"Бенчмарков Дәрігер {index:02d}",
            password_hash=password_hash,
            speciality="cardiologist" if index % 2 else "neurologist",
            room=str(300 + index),
            created_at=BENCH_NOW.astimezone(UTC),
            role_rows=[StaffRole(role="doctor")],
        )
        db.session.add(doctor)
        db.session.flush()
        schedules.save_plan(
            doctor,
            slot_minutes=SLOT_MINUTES,
            room=doctor.room,
            weekdays={weekday: long_day for weekday in range(1, 7)},
            actor=Actor.system(),
        )
        found.append((doctor.id, doctor.speciality))
    db.session.commit()
    return found


def _patients(rng: random.Random, count: int) -> list[tuple[int, str]]:
    clinic = get_clinic()
    moment = BENCH_NOW.astimezone(UTC)
    first_person = (db.session.scalar(select(func.max(RegistryPerson.id))) or 0) + 1
    first_patient = (db.session.scalar(select(func.max(Patient.id))) or 0) + 1
    first_attachment = (db.session.scalar(select(func.max(RegistryAttachment.id))) or 0) + 1
    known = set(db.session.scalars(select(RegistryPerson.iin))) | set(db.session.scalars(select(Patient.iin)))
    people, attachments, cards, found = [], [], [], []
    names_f = ("Айгүл", "Мадина", "Ольга", "Сәуле", "Дана", "Елена")
    names_m = ("Ерлан", "Дмитрий", "Нұржан", "Тимур", "Асқар", "Сергей")
    last_m = ("Ахметов", "Серіков", "Иванов", "Қасымов", "Петров", "Жақсылықов")
    index = 0
    while len(found) < count:
        birth = date(1940, 1, 1) + timedelta(days=(index * 37) % 29000)
        sex = "F" if index % 2 else "M"
        iin = make_iin(birth, sex, serial=5000 + index // 29000 * 97 + rng.randrange(90))
        index += 1
        if iin in known:
            continue
        known.add(iin)
        number = len(found)
        last = rng.choice(last_m) + ("а" if sex == "F" else "")
        first = rng.choice(names_f if sex == "F" else names_m)
        phone = f"+7701{number:07d}"
        district = 1 + number % 5
        people.append(
            {
                "id": first_person + number,
                "iin": iin,
                "last_name": last,
                "first_name": first,
                "middle_name": "",
                "birth_date": birth,
                "sex": sex,
                "phone": phone,
                "address": f"Алматы, Абай даңғылы, {number % 300 + 1}",
                "name_key": f"{last} {first}".lower(),
                "updated_at": moment,
            }
        )
        attachments.append(
            {
                "id": first_attachment + number,
                "person_id": first_person + number,
                "clinic_code": clinic.code,
                "clinic_name": "",
                "district_number": district,
                "since": date(2020, 1, 1),
            }
        )
        cards.append(
            {
                "id": first_patient + number,
                "iin": iin,
                "last_name": last,
                "first_name": first,
                "birth_date": birth,
                "sex": sex,
                "phone": phone,
                "language": "kk" if number % 3 else "ru",
                "created_at": moment - timedelta(days=400),
            }
        )
        found.append((first_patient + number, "kk" if number % 3 else "ru"))
    _insert(RegistryPerson.__table__, people)
    _insert(RegistryAttachment.__table__, attachments)
    _insert(Patient.__table__, cards)
    return found


OTHER_STEPS = {
    # status now -> the steps of its log after "submitted"
    "completed": ("in_review", "completed"),
    "refused": ("in_review", "refused"),
    "in_review": ("in_review",),
    "submitted": (),
    "cancelled": ("cancelled",),
}
OTHER_STATUS_WEIGHTS = (
    ("completed", 70),
    ("refused", 10),
    ("in_review", 8),
    ("submitted", 4),
    ("cancelled", 8),
)
CHANNEL_WEIGHTS = (("web", 55), ("desk", 25), ("phone", 12), ("kiosk", 8))


def _weighted(rng: random.Random, weights) -> str:
    return rng.choices([value for value, _ in weights], [weight for _, weight in weights])[0]


class _Rows:
    """The rows of the history, numbered as they are made."""

    def __init__(self):
        self.request_id = (db.session.scalar(select(func.max(ServiceRequest.id))) or 0) + 1
        self.event_id = (db.session.scalar(select(func.max(RequestEvent.id))) or 0) + 1
        self.appointment_id = (db.session.scalar(select(func.max(Appointment.id))) or 0) + 1
        self.requests, self.events, self.appointments = [], [], []
        self.numbers: dict[tuple[str, int], int] = {}

    def request(self, service, channel, status, patient, created_at, completed_at=None, deadline_hours=24):
        key = (service.prefix, created_at.astimezone(ALMATY).year)
        self.numbers[key] = self.numbers.get(key, NUMBER_BASE) + 1
        request_id = self.request_id
        self.request_id += 1
        self.requests.append(
            {
                "id": request_id,
                "number": f"{key[0]}-{key[1]}-{self.numbers[key]:06d}",
                "service": service.slug,
                "channel": channel,
                "status": status,
                "subject_id": patient[0],
                "applicant_id": patient[0],
                "language": patient[1],
                "created_at": created_at,
                "deadline_at": created_at + timedelta(hours=deadline_hours),
                "completed_at": completed_at,
            }
        )
        return request_id

    def event(self, request_id, at, step, from_status, to_status, channel):
        self.events.append(
            {
                "id": self.event_id,
                "request_id": request_id,
                "at": at,
                "step": step,
                "from_status": from_status,
                "to_status": to_status,
                "channel": channel,
                "actor_label": "patient" if channel in ("web", "kiosk") else "registrar",
            }
        )
        self.event_id += 1

    def flush(self) -> None:
        _insert(ServiceRequest.__table__, self.requests)
        _insert(RequestEvent.__table__, self.events)
        _insert(Appointment.__table__, self.appointments)
        self.requests, self.events, self.appointments = [], [], []


def _history(rng: random.Random, sizes: dict, doctors: list, patients: list) -> None:
    booking_service = catalogue.get("appointment")
    others = [service for service in catalogue.all_services() if service.slug != "appointment"]
    rows = _Rows()
    today = BENCH_NOW.date()
    year_ago = today - timedelta(days=365)
    working_days = [
        year_ago + timedelta(days=offset)
        for offset in range(365)
        if (year_ago + timedelta(days=offset)).isoweekday() <= 6
    ]
    bookings = int(sizes["requests"] * 0.6)
    slots = rng.sample(range(len(working_days) * len(doctors) * SLOTS_A_DAY), bookings)
    for slot in slots:
        day_index, rest = divmod(slot, len(doctors) * SLOTS_A_DAY)
        doctor_index, slot_index = divmod(rest, SLOTS_A_DAY)
        _past_booking(
            rng, rows, booking_service, doctors[doctor_index], working_days[day_index], slot_index, patients
        )
        if len(rows.events) >= BATCH * 4:
            rows.flush()
    for _ in range(sizes["requests"] - bookings):
        _other_request(rng, rows, rng.choice(others), patients, working_days)
        if len(rows.events) >= BATCH * 4:
            rows.flush()
    tomorrow = today + timedelta(days=1)
    for doctor in doctors:
        for slot_index in rng.sample(range(SLOTS_A_DAY), sizes["today_per_doctor"]):
            _future_booking(rng, rows, booking_service, doctor, today, slot_index, patients)
    tomorrow_slots = rng.sample(range(len(doctors) * SLOTS_A_DAY), sizes["tomorrow"])
    for slot in tomorrow_slots:
        doctor_index, slot_index = divmod(slot, SLOTS_A_DAY)
        _future_booking(rng, rows, booking_service, doctors[doctor_index], tomorrow, slot_index, patients)
    rows.flush()


def _slot_start(day: date, slot_index: int) -> datetime:
    return _utc(day, DAY_START) + timedelta(minutes=SLOT_MINUTES * slot_index)


def _past_booking(rng, rows: _Rows, service, doctor, day, slot_index, patients) -> None:
    starts_at = _slot_start(day, slot_index)
    booked_at = starts_at - timedelta(hours=rng.randint(2, 24 * 10), minutes=rng.randint(0, 59))
    channel = _weighted(rng, CHANNEL_WEIGHTS)
    patient = rng.choice(patients)
    outcome = rng.choices(("attended", "no_show", "cancelled"), (72, 10, 18))[0]
    confirmed = booked_at + timedelta(seconds=rng.randint(1, 40))
    request_id = rows.request(
        service,
        channel,
        "cancelled" if outcome == "cancelled" else "completed",
        patient,
        booked_at,
        completed_at=confirmed,
        deadline_hours=1,
    )
    rows.event(request_id, booked_at, "submitted", None, "submitted", channel)
    rows.event(request_id, confirmed, "booked", "submitted", "completed", channel)
    cancelled_at = None
    if outcome == "cancelled":
        cancelled_at = confirmed + (starts_at - confirmed) * rng.random()
        rows.event(request_id, cancelled_at, "booking_cancelled", "completed", "cancelled", channel)
    elif outcome == "no_show":
        rows.event(request_id, starts_at + timedelta(minutes=30), "no_show", "completed", "completed", "desk")
    rows.appointments.append(
        {
            "id": rows.appointment_id,
            "request_id": request_id,
            "patient_id": patient[0],
            "doctor_id": doctor[0],
            "speciality": doctor[1],
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(minutes=SLOT_MINUTES),
            "room": "",
            "status": outcome,
            "channel": channel,
            "language": patient[1],
            "reason": "Бас ауруы" if slot_index % 3 == 0 else "",
            "booked_at": booked_at,
            "cancelled_at": cancelled_at,
            "attendance_marked_at": None if outcome == "cancelled" else starts_at + timedelta(minutes=30),
            "reminder_sent_at": starts_at - timedelta(hours=16),
        }
    )
    rows.appointment_id += 1


def _future_booking(rng, rows: _Rows, service, doctor, day, slot_index, patients) -> None:
    starts_at = _slot_start(day, slot_index)
    booked_at = BENCH_NOW.astimezone(UTC) - timedelta(days=rng.randint(1, 9), minutes=rng.randint(0, 600))
    channel = _weighted(rng, CHANNEL_WEIGHTS)
    patient = rng.choice(patients)
    confirmed = booked_at + timedelta(seconds=rng.randint(1, 40))
    request_id = rows.request(service, channel, "completed", patient, booked_at, confirmed, deadline_hours=1)
    rows.event(request_id, booked_at, "submitted", None, "submitted", channel)
    rows.event(request_id, confirmed, "booked", "submitted", "completed", channel)
    rows.appointments.append(
        {
            "id": rows.appointment_id,
            "request_id": request_id,
            "patient_id": patient[0],
            "doctor_id": doctor[0],
            "speciality": doctor[1],
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(minutes=SLOT_MINUTES),
            "room": "",
            "status": "booked",
            "channel": channel,
            "language": patient[1],
            "reason": "Қан қысымы" if slot_index % 4 == 0 else "",
            "booked_at": booked_at,
        }
    )
    rows.appointment_id += 1


def _other_request(rng, rows: _Rows, service, patients, working_days) -> None:
    day = rng.choice(working_days)
    created_at = _utc(day, time(8, 0)) + timedelta(minutes=rng.randint(0, 11 * 60))
    status = _weighted(rng, OTHER_STATUS_WEIGHTS)
    channel = _weighted(rng, CHANNEL_WEIGHTS)
    steps = OTHER_STEPS[status]
    at = created_at
    moments = []
    for _ in steps:
        at = at + timedelta(minutes=rng.choice((5, 20, 60, 240, 1500)) + rng.randint(0, 90))
        moments.append(at)
    completed_at = moments[-1] if status in ("completed", "refused") else None
    request_id = rows.request(service, channel, status, rng.choice(patients), created_at, completed_at)
    if status == "refused" and service.refusal_grounds:
        rows.requests[-1]["refusal_ground"] = rng.choice(sorted(service.refusal_grounds))
    rows.event(request_id, created_at, "submitted", None, "submitted", channel)
    previous = "submitted"
    for step, moment in zip(steps, moments, strict=True):
        rows.event(request_id, moment, step, previous, step, "desk")
        previous = step


AUDIT_OBJECTS = (("view", "patient"), ("view", "appointment"), ("print", "document"), ("update", "request"))


def _audit(rng: random.Random, count: int, staff_ids: list[int], patients: list) -> None:
    first = (db.session.scalar(select(func.max(AuditEntry.id))) or 0) + 1
    start = BENCH_NOW.astimezone(UTC) - timedelta(days=365)
    rows = []
    for index in range(count):
        action, object_type = AUDIT_OBJECTS[index % len(AUDIT_OBJECTS)]
        patient_id = rng.choice(patients)[0]
        rows.append(
            {
                "id": first + index,
                "at": start + timedelta(seconds=index * 365 * 86400 // count),
                "staff_id": rng.choice(staff_ids),
                "action": action,
                "object_type": object_type,
                "object_id": str(patient_id),
                "patient_id": patient_id,
                "detail": "",
                "ip": "127.0.0.1",
                "user_agent": "bench",
            }
        )
        if len(rows) >= BATCH:
            _insert(AuditEntry.__table__, rows)
            rows = []
    _insert(AuditEntry.__table__, rows)


def _move_sequences() -> None:
    for table in Base.metadata.sorted_tables:
        if "id" not in table.c:
            continue
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
            )
        )
