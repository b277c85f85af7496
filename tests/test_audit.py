"""The audit log: append-only, who/what/when/from where, and the read-side queries the admin viewer uses."""

from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry
from app.models.requests import AppendOnlyError
from app.services import audit
from app.services.audit import AuditFilters
from tests.conftest import TEST_PASSWORD


@pytest.fixture(autouse=True)
def cheap_password_hashing(app):
    """Argon2id at a test cost: the demo clinic alone hashes nine passwords."""
    app.config["PASSWORD_HASH_PARAMETERS"] = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


@pytest.fixture
def two_staff(make_staff):
    return make_staff("desk", roles=("registrar",)), make_staff("doc", roles=("doctor",))


def record(staff, action="view", patient_id=None, object_id=1):
    return audit.record(
        staff_id=staff.id if staff else None,
        action=action,
        object_type="patient",
        object_id=object_id,
        patient_id=patient_id,
    )


def test_entries_cannot_be_changed_or_deleted(app, two_staff):
    entry = record(two_staff[0], patient_id=3)
    db.session.commit()
    entry.detail = "covering tracks"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AppendOnlyError):
        db.session.delete(db.session.get(AuditEntry, entry.id))
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEntry, entry.id).detail == ""


def test_unknown_actions_are_refused(app):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(staff_id=None, action="peek", object_type="patient")


def test_long_details_are_cut_not_refused(app, two_staff):
    entry = audit.record(
        staff_id=two_staff[0].id, action="update", object_type="staff", detail="x" * 5000, ip="1" * 60
    )
    db.session.commit()
    assert len(entry.detail) == 2000
    assert len(entry.ip) == 45


def test_search_is_newest_first_and_filters_combine(app, two_staff, frozen):
    desk, doc = two_staff
    frozen(2026, 11, 20, 9, 0)
    first = record(desk, patient_id=7)
    frozen(2026, 11, 21, 9, 0)
    second = record(doc, action="print", patient_id=7)
    third = record(desk, action="update", patient_id=8)
    db.session.commit()

    everything = audit.search_entries(AuditFilters())
    assert [entry.id for entry in everything.entries] == [third.id, second.id, first.id]
    assert (everything.newer, everything.older) == (None, None)  # one page: no links either way

    assert [e.id for e in audit.search_entries(AuditFilters(staff_id=desk.id)).entries] == [
        third.id,
        first.id,
    ]
    assert [e.id for e in audit.search_entries(AuditFilters(action="print")).entries] == [second.id]
    assert [e.id for e in audit.search_entries(AuditFilters(patient_id=7)).entries] == [second.id, first.id]
    both = AuditFilters(staff_id=desk.id, patient_id=7)
    assert [e.id for e in audit.search_entries(both).entries] == [first.id]
    assert audit.search_entries(AuditFilters(staff_id=doc.id, action="update")).entries == []


def test_date_range_counts_whole_local_days_in_almaty(app, two_staff, frozen):
    desk = two_staff[0]
    frozen(2026, 11, 20, 0, 10)  # just after midnight in Almaty: still the 19th in UTC
    early = record(desk)
    frozen(2026, 11, 20, 23, 50)  # late evening: still the 20th in Almaty
    late = record(desk)
    frozen(2026, 11, 21, 0, 5)
    next_day = record(desk)
    db.session.commit()

    one_day = audit.search_entries(AuditFilters(date_from=date(2026, 11, 20), date_to=date(2026, 11, 20)))
    assert {entry.id for entry in one_day.entries} == {early.id, late.id}
    from_21 = audit.search_entries(AuditFilters(date_from=date(2026, 11, 21)))
    assert [entry.id for entry in from_21.entries] == [next_day.id]
    until_19 = audit.search_entries(AuditFilters(date_to=date(2026, 11, 19)))
    assert until_19.entries == []


def test_search_pages_through_the_log_by_the_last_entry_seen(app, two_staff, frozen):
    frozen(2026, 11, 20, 9, 0)
    for number in range(7):
        record(two_staff[0], object_id=number)  # the same time for all: the id orders them
    db.session.commit()

    def ids(page):
        return [entry.object_id for entry in page.entries]

    first = audit.search_entries(AuditFilters(), page_size=3)
    assert ids(first) == ["6", "5", "4"]
    assert (first.newer, first.older is not None) == (None, True)
    second = audit.search_entries(AuditFilters(), older_than=first.older, page_size=3)
    assert ids(second) == ["3", "2", "1"]
    assert second.newer is not None and second.older is not None
    last = audit.search_entries(AuditFilters(), older_than=second.older, page_size=3)
    assert (ids(last), last.older is None, last.newer is not None) == (["0"], True, True)
    back = audit.search_entries(AuditFilters(), newer_than=last.newer, page_size=3)
    assert ids(back) == ["3", "2", "1"] and back.newer is not None and back.older is not None
    # Newer than the second page is the newest page, full, with nothing newer.
    top = audit.search_entries(AuditFilters(), newer_than=second.newer, page_size=3)
    assert (ids(top), top.newer) == (["6", "5", "4"], None)

    # An entry written while someone reads an older page does not shift the pages they go on to.
    frozen(2026, 11, 20, 9, 5)
    record(two_staff[0], object_id=7)
    db.session.commit()
    assert ids(audit.search_entries(AuditFilters(), older_than=second.older, page_size=3)) == ["0"]
    assert ids(audit.search_entries(AuditFilters(), older_than=first.older, page_size=3)) == ["3", "2", "1"]


def test_a_cursor_past_either_end_shows_the_newest_page(app, two_staff):
    for number in range(4):
        record(two_staff[0], object_id=number)
    db.session.commit()
    from datetime import UTC, datetime

    ancient = audit.AuditCursor(at=datetime(1990, 1, 1, tzinfo=UTC), id=1)
    future = audit.AuditCursor(at=datetime(2999, 1, 1, tzinfo=UTC), id=1)
    for cursor in ({"older_than": ancient}, {"newer_than": future}):
        page = audit.search_entries(AuditFilters(), page_size=3, **cursor)
        assert [entry.object_id for entry in page.entries] == ["3", "2", "1"]
        assert page.newer is None
    # Older than a time to come is every entry, newest first.
    page = audit.search_entries(AuditFilters(), older_than=future, page_size=3)
    assert [entry.object_id for entry in page.entries] == ["3", "2", "1"]


@pytest.mark.parametrize(
    ("at", "entry_id"),
    [
        ("garbage", "5"),
        ("2026-11-20T09:00:00", "-5"),
        ("2026-11-20T09:00:00", "0"),
        ("2026-11-20T09:00:00", "99999999999999999999"),
        ("2026-11-20T09:00:00", "x"),
        ("", "5"),
        ("2026-11-20T09:00:00", ""),
        ("0001-01-01T00:00:00+05:00", "5"),
        ("99999-01-01T00:00:00", "5"),
    ],
)
def test_a_cursor_that_does_not_parse_is_refused(at, entry_id):
    with pytest.raises(audit.BadCursor):
        audit.parse_cursor(at, entry_id)


def test_a_cursor_parses_what_a_page_link_carries(app):
    from datetime import UTC, datetime

    cursor = audit.AuditCursor(at=datetime(2026, 11, 20, 9, 0, 0, 123456, tzinfo=UTC), id=42)
    query = cursor.as_query("before", {"staff": "3"})
    assert query == {"staff": "3", "before_at": "2026-11-20T09:00:00.123456", "before_id": "42"}
    assert audit.parse_cursor(query["before_at"], query["before_id"]) == cursor
    assert audit.parse_cursor(None, None) is None and audit.parse_cursor("", "") is None


def test_an_empty_log_has_one_empty_page(app):
    page = audit.search_entries(AuditFilters())
    assert (page.entries, page.newer, page.older) == ([], None, None)


def test_entries_about_a_patient(app, two_staff):
    desk, doc = two_staff
    record(desk, patient_id=5)
    record(doc, action="print", patient_id=5)
    record(desk, patient_id=6)
    db.session.commit()
    about_five = audit.entries_about_patient(5)
    assert [(entry.action, entry.staff.username) for entry in about_five] == [
        ("print", "doc"),
        ("view", "desk"),
    ]


def test_filters_describe_themselves_for_the_audit_of_reading_the_log():
    filters = AuditFilters(staff_id=3, patient_id=12, date_from=date(2026, 1, 2))
    assert filters.describe() == "staff_id=3; patient_id=12; date_from=2026-01-02"
    assert AuditFilters().describe() == ""


def test_action_labels_are_translated(app, client):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("ru"):
        assert audit.action_label("print") == "Печать"
        assert audit.action_label("something_new") == "something_new"
    with app.test_request_context(), force_locale("kk"):
        assert audit.action_label("login_failed") == "Сәтсіз кіру әрекеті"


def test_every_admin_change_is_audited_with_who_and_from_where(client, make_staff, demo_clinic):
    admin = make_staff("boss", roles=("admin",))
    # The same address and browser throughout: a session that changes them is dropped (strong protection).
    where = {"environ_base": {"REMOTE_ADDR": "192.0.2.15"}, "headers": {"User-Agent": "DeskBrowser/1.0"}}
    client.post("/staff/login", data={"username": "boss", "password": TEST_PASSWORD}, **where)
    before = db.session.scalar(select(db.func.count(AuditEntry.id)))
    response = client.post(
        "/admin/districts/new",
        data={"number": "11", "kind": "gp", "territory": "", "population_norm": "1700"},
        **where,
    )
    assert response.status_code == 303
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()[before:]
    assert [(e.action, e.object_type, e.staff_id) for e in entries] == [("create", "district", admin.id)]
    assert entries[0].ip == "192.0.2.15"
    assert entries[0].user_agent == "DeskBrowser/1.0"
    assert entries[0].at is not None


def test_a_refused_change_leaves_no_audit_entry(client, login, demo_clinic):
    login("admin", username="boss")
    before = db.session.scalar(select(db.func.count(AuditEntry.id)))
    response = client.post(
        "/admin/districts/new", data={"number": "1", "kind": "gp", "population_norm": "1700"}
    )
    assert response.status_code == 422
    assert db.session.scalar(select(db.func.count(AuditEntry.id))) == before
