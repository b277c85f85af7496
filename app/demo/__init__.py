"""The demo clinic for `flask seed-demo`: a realistic polyclinic with staff and patients.

Idempotent: every record is looked up by its natural key (username, IIN, district number) first.
"""

import random
from datetime import date

from sqlalchemy import select

from app.core.clock import now
from app.core.iin import make_iin
from app.demo.appointments import seed_appointment_demo
from app.demo.attachment import seed_attachment_demo
from app.demo.cabinet import seed_cabinet_demo
from app.demo.complaints import seed_feedback_demo
from app.demo.hiv_testing import seed_hiv_demo
from app.demo.registry import seed_registry
from app.demo.sick_leave import seed_sick_leave_demo
from app.demo.signed_documents import seed_signed_documents_demo
from app.demo.signing import seed_signing_key
from app.demo.training import seed_training_demo
from app.demo.urgent_care import seed_urgent_care_demo
from app.extensions import db
from app.models import Clinic, District, Patient
from app.services import staff_accounts
from app.services.clinic import get_clinic
from app.services.schedules import seed_demo_schedules

DEMO_PASSWORD = "emhana-demo-2026"

DISTRICTS = (
    # number, kind, streets of the territory
    (1, "therapeutic", "Абай даңғылы\nДостық даңғылы\nҚабанбай батыр көшесі"),
    (2, "therapeutic", "Сейфуллин даңғылы\nЖібек жолы даңғылы\nТөле би көшесі"),
    (3, "therapeutic", "Сәтбаев көшесі\nБайзақов көшесі\nМуратбаев көшесі"),
    (4, "paediatric", "Абай даңғылы\nСейфуллин даңғылы\nСәтбаев көшесі"),
    (5, "gp", "Розыбакиев көшесі\nТимирязев көшесі"),
)

STAFF = (
    # username, full name, roles, speciality, district number, room
    ("admin", "Жанар Серікқызы Омарова", {"admin"}, None, None, ""),
    ("head", "Ерлан Бекұлы Сапаров", {"head"}, None, None, "201"),
    ("registrar", "Айгүл Маратқызы Нұрланова", {"registrar"}, None, None, "101"),
    ("registrar2", "Ольга Викторовна Ким", {"registrar"}, None, None, "101"),
    ("therapist1", "Асель Қайратқызы Жұмабаева", {"doctor"}, "therapist", 1, "105"),
    ("therapist2", "Дмитрий Сергеевич Волков", {"doctor"}, "therapist", 2, "106"),
    ("therapist3", "Гүлнар Тоқтарқызы Әбдірахманова", {"doctor"}, "therapist", 3, "107"),
    ("paediatrician", "Мадина Асқарқызы Есенова", {"doctor"}, "paediatrician", 4, "110"),
    ("gp", "Нұржан Әлібекұлы Төлеуов", {"doctor"}, "general_practitioner", 5, "112"),
    # urgent care (service 12) and hospitalization referrals (service 13)
    ("nurse", "Әлия Бауыржанқызы Сапарова", {"urgent_nurse"}, None, None, "НМП"),
    ("urgent1", "Бригада 1: Тимур Омаров (фельдшер)", {"urgent_doctor"}, None, None, "НМП"),
    ("urgent2", "Бригада 2: Ирина Ли (врач)", {"urgent_doctor"}, None, None, "НМП"),
    ("referrals", "Гүлмира Ерланқызы Жақсыбекова", {"referral_specialist"}, None, None, "214"),
    # training documents (service 14): the training centre's methodologist and the deputy for academic work
    ("methodologist", "Динара Маратқызы Әбенова", {"methodologist"}, None, None, "305"),
    ("academic_deputy", "Гүлмира Серікқызы Тоқтарова", {"academic_deputy"}, None, None, "204"),
    # documents signed at the clinic (services 8, 9): the day hospital's head of department and senior nurse
    ("headdept", "Бауыржан Маратұлы Сейітов", {"head_of_department"}, None, None, "301"),
    ("seniornurse", "Гүлмира Асқарқызы Жұмабекова", {"senior_nurse"}, None, None, "302"),
    # HIV testing (service 7): the counselling room, the procedure room, the laboratory.
    ("counselling", "Сәуле Бақытжанқызы Әлиева", {"counselling_doctor"}, None, None, "114"),
    ("procnurse", "Гүлмира Асанқызы Серікбаева", {"procedure_nurse"}, None, None, "115"),
    ("laboratory", "Татьяна Петровна Ли", {"lab"}, None, None, "120"),
    # sick leave (services 10, 11): the issuing desk's medical worker
    ("issuingdesk", "Айжан Болатқызы Мұратова", {"issuing_desk"}, None, None, "102"),
)

LAST_NAMES_M = (
    "Ахметов",
    "Серіков",
    "Иванов",
    "Нұрпейісов",
    "Қасымов",
    "Петров",
    "Жақсылықов",
    "Омаров",
    "Ким",
    "Әбенов",
)
LAST_NAMES_F = (
    "Ахметова",
    "Серікова",
    "Иванова",
    "Нұрпейісова",
    "Қасымова",
    "Петрова",
    "Жақсылықова",
    "Омарова",
    "Ким",
    "Әбенова",
)
FIRST_NAMES_M = (
    "Айдар",
    "Ерлан",
    "Дмитрий",
    "Нұрлан",
    "Бауыржан",
    "Сергей",
    "Арман",
    "Темірлан",
    "Виктор",
    "Әли",
)
FIRST_NAMES_F = (
    "Айгерім",
    "Динара",
    "Елена",
    "Гүлназ",
    "Жансая",
    "Ольга",
    "Әсел",
    "Мөлдір",
    "Наталья",
    "Ұлжан",
)
PATRONYMICS_M = ("Серікұлы", "Бекұлы", "Иванович", "Маратұлы", "Сергеевич", "")
PATRONYMICS_F = ("Серікқызы", "Бекқызы", "Ивановна", "Маратқызы", "Сергеевна", "")
PATIENT_COUNT = 50


def seed() -> str:
    clinic = _seed_clinic()
    signing = seed_signing_key(clinic.name_ru)
    districts = _seed_districts(clinic)
    staff_created = _seed_staff(districts)
    patients_created = _seed_patients(districts)
    registry_people_created = seed_registry(clinic, demo_patients())
    schedules_created = seed_demo_schedules(days=14)
    history_added = seed_feedback_demo()
    attachment_applications_added = seed_attachment_demo()
    bookings_added = seed_appointment_demo(demo_patients())
    urgent_added = seed_urgent_care_demo()
    training_documents_added = seed_training_demo()
    signed_documents_added = seed_signed_documents_demo(demo_patients())
    hiv_tests_added = seed_hiv_demo()
    cabinet_requests_added = seed_cabinet_demo(demo_patients())
    sick_leave_added = seed_sick_leave_demo(demo_patients())
    db.session.flush()
    return (
        f"demo clinic ready: {len(districts)} districts, {staff_created} staff and "
        f"{patients_created} patients created this run (password for every demo account: {DEMO_PASSWORD}); "
        f"{registry_people_created} people added to the local registry; "
        f"{schedules_created} doctors' schedules created; "
        f"{history_added} past requests added for monitoring; "
        f"{attachment_applications_added} attachment applications added; "
        f"{bookings_added} appointments booked; "
        f"{urgent_added} urgent-care calls and hospitalization referrals added; "
        f"{training_documents_added} training documents opened; "
        f"{signed_documents_added} PHC certificates and inpatient extracts added; "
        f"{hiv_tests_added} HIV tests added; "
        f"{cabinet_requests_added} requests added for the personal cabinet; "
        f"{sick_leave_added} sick-leave visits added; {signing}"
    )


def _seed_clinic() -> Clinic:
    clinic = get_clinic()
    if clinic is None:
        clinic = Clinic(
            name_kk="Алматы қаласының №7 қалалық емханасы",
            name_ru="Городская поликлиника №7 города Алматы",
            address_kk="Алматы қ., Абай даңғылы, 120",
            address_ru="г. Алматы, проспект Абая, 120",
            phones="+7 727 300 00 07",
            email="info@emhana7.kz",
            attached_population_norm=30000,
        )
        db.session.add(clinic)
        db.session.flush()
    return clinic


def _seed_districts(clinic: Clinic) -> dict[int, District]:
    existing = {d.number: d for d in db.session.scalars(select(District))}
    for number, kind, territory in DISTRICTS:
        if number not in existing:
            district = District(
                clinic=clinic,
                number=number,
                kind=kind,
                territory=territory,
                population_norm=1700 if kind == "gp" else 2200,
            )
            db.session.add(district)
            existing[number] = district
    db.session.flush()
    return existing


def _seed_staff(districts: dict[int, District]) -> int:
    created = 0
    for username, full_name, roles, speciality, district_number, room in STAFF:
        if staff_accounts.find_by_username(username):
            continue
        staff_accounts.create_staff(
            username=username,
            full_name=full_name,
            password=DEMO_PASSWORD,
            roles=roles,
            speciality=speciality,
            district_id=districts[district_number].id if district_number else None,
            room=room,
        )
        created += 1
    return created


def demo_patients() -> list[dict]:
    """The same 50 people on every run (a fixed seed), with valid IINs."""
    rng = random.Random(2026)
    people = []
    for index in range(PATIENT_COUNT):
        sex = "F" if index % 2 else "M"
        # Every fifth person is a child, so the paediatric district has patients.
        if index % 5 == 4:
            birth = date(rng.randint(2012, 2024), rng.randint(1, 12), rng.randint(1, 28))
            district_number = 4
        else:
            birth = date(rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28))
            district_number = (1, 2, 3, 5)[index % 4]
        streets = next(d[2] for d in DISTRICTS if d[0] == district_number).split("\n")
        last_names, first_names, patronymics = (
            (LAST_NAMES_F, FIRST_NAMES_F, PATRONYMICS_F)
            if sex == "F"
            else (LAST_NAMES_M, FIRST_NAMES_M, PATRONYMICS_M)
        )
        people.append(
            {
                "iin": make_iin(birth, sex, serial=1000 + index * 7),
                "last_name": last_names[index % len(last_names)],
                "first_name": first_names[(index * 3) % len(first_names)],
                "middle_name": patronymics[index % len(patronymics)],
                "birth_date": birth,
                "sex": sex,
                "address": f"Алматы қ., {streets[index % len(streets)]}, "
                f"{rng.randint(1, 180)}, {rng.randint(1, 90)}",
                "phone": f"+7701{rng.randint(1000000, 9999999)}",
                "language": "ru" if index % 3 == 0 else "kk",
                "district_number": district_number,
            }
        )
    return people


def _seed_patients(districts: dict[int, District]) -> int:
    known = set(db.session.scalars(select(Patient.iin)))
    created = 0
    for person in demo_patients():
        if person["iin"] in known:
            continue
        district_number = person.pop("district_number")
        db.session.add(Patient(**person, district=districts[district_number], created_at=now()))
        created += 1
    return created
