"""Migration 0002 turns the complaints of a database in use into service requests and back: every number
and date is kept, the history the status page shows is there, and the number series carries on. Runs on
SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set (scripts/with-test-postgres.sh)."""

import os
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, create_engine, select, text

from app import _normalise_database_url, create_app
from app.core.clock import frozen_clock
from app.extensions import db
from app.models import Complaint, ServiceRequest
from app.services import status as status_service
from tests.complaints.factories import IIN, file_complaint

BEFORE = "0001"
SCHEMA = "complaint_migration_check"


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A stored moment: naive UTC, as the columns keep it."""
    return datetime(2026, month, day, hour, minute)


STAFF = [
    {"id": 1, "username": "registrar", "full_name": "Айгүл Нұрланова"},
    {"id": 2, "username": "head", "full_name": "Ерлан Сапаров"},
]
PATIENT = {"id": 1, "iin": IIN, "last_name": "Серіков", "first_name": "Айдар", "middle_name": "Бекұлы"}
RELATED = {
    "id": 1,
    "number": "AP-2026-000007",
    "service": "appointment",
    "channel": "web",
    "status": "refused",
}
REPLY = {"id": 1, "kind": "complaint_reply", "number": "CMR-2026-000001", "issued_at": at(3, 20, 10)}
# Three complaints as the old table kept them: filed on the web and still open; entered at the desk for a
# patient with a card and being reviewed; answered, with its reply letter, about another request.
COMPLAINTS = [
    {
        "id": 1,
        "number": "CM-2026-000001",
        "channel": "web",
        "status": "registered",
        "language": "ru",
        "filed_at": at(3, 18, 4, 30),
        "deadline_at": at(4, 9, 15),
        "iin": "790614300321",
        "patient_id": None,
        "created_by_id": None,
        "answered_at": None,
        "answered_by_id": None,
        "reply_document_id": None,
        "related_request_id": None,
    },
    {
        "id": 2,
        "number": "CM-2026-000002",
        "channel": "desk",
        "status": "in_review",
        "language": "kk",
        "filed_at": at(3, 19, 5),
        "deadline_at": at(4, 10, 15),
        "iin": IIN,
        "patient_id": 1,
        "created_by_id": 1,
        "answered_at": None,
        "answered_by_id": None,
        "reply_document_id": None,
        "related_request_id": None,
    },
    {
        "id": 3,
        "number": "CM-2026-000003",
        "channel": "kiosk",
        "status": "answered",
        "language": "kk",
        "filed_at": at(3, 19, 6, 15),
        "deadline_at": at(4, 10, 15),
        "iin": "790614300321",
        "patient_id": None,
        "created_by_id": None,
        "answered_at": at(3, 20, 10),
        "answered_by_id": 2,
        "reply_document_id": 1,
        "related_request_id": 1,
    },
]
STATUS_AFTER = {"registered": "submitted", "in_review": "in_review", "answered": "completed"}


def _sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'complaints.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A database with nothing in it: a SQLite file, or a fresh schema on the test PostgreSQL."""
    if request.param == "sqlite":
        yield _sqlite_url(tmp_path)
        return
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("needs PostgreSQL: TEST_DATABASE_URL is not set")
    url = _normalise_database_url(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    separator = "&" if "?" in url else "?"
    yield f"{url}{separator}options=-csearch_path%3D{SCHEMA}"
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
    engine.dispose()


@pytest.fixture
def migrated_app(database_url):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SERVER_NAME": "localhost",
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _seed_before(connection) -> None:
    """Rows as revision 0001 kept them, written with plain SQL against the tables as they were then."""
    tables = MetaData()
    tables.reflect(bind=connection)
    created = at(1, 10, 9)
    connection.execute(
        tables.tables["staff_member"].insert(),
        [
            {
                **staff,
                "password_hash": "x",
                "is_active_account": True,
                "room": "",
                "phone": "",
                "failed_logins": 0,
                "created_at": created,
            }
            for staff in STAFF
        ],
    )
    connection.execute(
        tables.tables["patient"].insert(),
        {
            **PATIENT,
            "birth_date": date(1979, 6, 14),
            "sex": "M",
            "address": "",
            "phone": "+77015554433",
            "language": "kk",
            "created_at": created,
        },
    )
    connection.execute(
        tables.tables["service_request"].insert(),
        {**RELATED, "applicant_name": "", "language": "kk", "created_at": at(3, 17, 5), "refusal_note": ""},
    )
    connection.execute(
        tables.tables["document"].insert(),
        {
            **REPLY,
            "language": "kk",
            "sha256": "0" * 64,
            "pdf": b"%PDF-1.4 reply",
            "verification_code": "v" * 32,
            "revocation_reason": "",
        },
    )
    connection.execute(
        tables.tables["request_counter"].insert(),
        [{"prefix": "AP", "year": 2026, "last_value": 7}, {"prefix": "CM", "year": 2026, "last_value": 3}],
    )
    connection.execute(
        tables.tables["complaint"].insert(),
        [
            {
                **complaint,
                "complainant_name": f"Шағымданушы {complaint['id']}",
                "postal_address": "Алматы қ., Абай даңғылы, 10",
                "phone": "+77015554433",
                "text": f"Шағым мәтіні {complaint['id']}",
                "assigned_to_id": 2,
                "answer_text": "Жауап" if complaint["status"] == "answered" else "",
            }
            for complaint in COMPLAINTS
        ],
    )
    if connection.dialect.name == "postgresql":  # rows given their ids: move the sequences past them
        for table in ("staff_member", "patient", "service_request", "document", "complaint"):
            connection.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            )


def _utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None else None


def _old_rows(connection) -> list[dict]:
    """The complaint table as revision 0001 has it (read through its reflected types, so dates are dates)."""
    tables = MetaData()
    tables.reflect(bind=connection, only=["complaint"])
    complaint = tables.tables["complaint"]
    columns = [complaint.c[name] for name in COMPLAINTS[0]]
    return [dict(row) for row in connection.execute(select(*columns).order_by(complaint.c.id)).mappings()]


def test_complaints_become_requests_keeping_every_number_and_date_and_come_back(migrated_app):
    upgrade(revision=BEFORE)
    with db.engine.begin() as connection:
        _seed_before(connection)

    upgrade()

    for old in COMPLAINTS:
        complaint = db.session.get(Complaint, old["id"])
        request = complaint.request
        assert (request.service, request.number, complaint.number) == (
            "complaint",
            old["number"],
            old["number"],
        )
        assert (request.channel, request.language) == (old["channel"], old["language"])
        assert request.status == STATUS_AFTER[old["status"]] and complaint.status == old["status"]
        assert request.created_at == _utc(old["filed_at"]) == complaint.filed_at
        assert request.deadline_at == _utc(old["deadline_at"]) == complaint.deadline_at
        assert request.completed_at == _utc(old["answered_at"]) == complaint.answered_at
        assert (request.created_by_id, request.subject_id, request.applicant_id) == (
            old["created_by_id"],
            old["patient_id"],
            old["patient_id"],
        )
        assert request.result_document_id == old["reply_document_id"] == complaint.reply_document_id
        assert (complaint.iin, complaint.answered_by_id, complaint.related_request_id) == (
            old["iin"],
            old["answered_by_id"],
            old["related_request_id"],
        )
        assert complaint.text == f"Шағым мәтіні {old['id']}" and complaint.assigned_to_id == 2

    # The history: the filing by whoever took it, and the answer by the head who gave it.
    events = {
        old["id"]: [
            (event.step, event.to_status, event.at, event.actor_staff_id, event.actor_label)
            for event in db.session.get(Complaint, old["id"]).request.events
        ]
        for old in COMPLAINTS
    }
    assert events == {
        1: [("submitted", "submitted", _utc(at(3, 18, 4, 30)), None, "applicant")],
        2: [("submitted", "submitted", _utc(at(3, 19, 5)), 1, "Айгүл Нұрланова")],
        3: [
            ("submitted", "submitted", _utc(at(3, 19, 6, 15)), None, "applicant"),
            ("completed", "completed", _utc(at(3, 20, 10)), 2, "Ерлан Сапаров"),
        ],
    }
    answered = db.session.get(Complaint, 3).request
    with force_locale("ru"):
        view = status_service.describe(answered, granted=True)
        assert [entry.label for entry in view.history] == ["Принята", "Дан ответ"]
        assert view.result_document.number == "CMR-2026-000001" and view.document_label == "Прочитать ответ"
    assert status_service.find("cm-2026-000002").complaint.id == 2
    assert [number for (number,) in db.session.query(Complaint.number).order_by(Complaint.id)] == [
        old["number"] for old in COMPLAINTS
    ]

    # One number series: the next complaint carries on from the last one.
    with frozen_clock(datetime(2026, 3, 23, 9, 0, tzinfo=UTC)):
        assert file_complaint().number == "CM-2026-000004"
    untouched = db.session.get(ServiceRequest, RELATED["id"])
    assert (untouched.number, untouched.service) == (RELATED["number"], "appointment")
    db.session.remove()

    downgrade(revision=BEFORE)
    with db.engine.connect() as connection:
        restored = _old_rows(connection)
        requests = connection.execute(text("SELECT number FROM service_request ORDER BY id")).scalars().all()
        events = connection.execute(text("SELECT count(*) FROM request_event")).scalar()
    assert restored[:3] == COMPLAINTS
    assert restored[3]["number"] == "CM-2026-000004" and restored[3]["status"] == "registered"
    assert requests == [RELATED["number"]] and events == 0


def test_an_empty_database_upgrades_and_downgrades(migrated_app):
    upgrade()
    with db.engine.connect() as connection:
        assert connection.execute(select(Complaint.id)).first() is None
    downgrade(revision=BEFORE)
