"""Issue 16, "Must show": the anonymous flow end to end, then every table and column of the database, the
application log and the SMS outbox searched for the person's name, IIN and phone: none found. The confidential
flow finds the identity only in the tables meant for it. And the HIV tables have no column for a person."""

import logging

import pytest
from sqlalchemy import inspect, select

from app.extensions import db
from app.models import Base, HivIdentity, HivTest, SmsMessage
from app.services import hiv_testing
from tests.hiv_testing.factories import BIRTH, NAME, PHONE, make_clinic, registry_person

# The state database of individuals (the embedded registry): where the person is anyway, outside the clinic.
REGISTRY_TABLES = {"registry_person", "registry_attachment", "registry_register_entry"}
# The one table meant for a confidential test's identity.
IDENTITY_TABLES = {"hiv_identity"}


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")
    return str(value)


def tables_holding(*needles: str) -> dict[str, set[str]]:
    """{table: {column, ...}} of every cell in the database that contains any of `needles`."""
    found: dict[str, set[str]] = {}
    with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                for column, value in row.items():
                    text = _as_text(value)
                    if any(needle and needle in text for needle in needles):
                        found.setdefault(table.name, set()).add(column)
    return found


def _person_needles(iin: str) -> tuple[str, ...]:
    return (*NAME, iin, PHONE, PHONE[1:], BIRTH.strftime("%d.%m.%Y"), BIRTH.isoformat())


def _pages_flow(client, login, regime: str, iin: str = "") -> HivTest:
    """The four steps through the staff pages, as the rooms do them."""
    login("counselling_doctor", username="cd")
    response = client.post(
        "/staff/hiv/new",
        data={
            "regime": regime,
            "iin": iin,
            "sex": "F",
            "birth_year": "1990",
            "payer": "citizen",
            "reason": "voluntary" if regime == "anonymous" else "employment",
            "pre_test_counselling": "y",
            "language": "kk",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    test = db.session.scalars(select(HivTest)).one()
    client.get(response.headers["Location"])
    client.get("/staff/hiv/", query_string={"q": test.code})
    client.get("/staff/hiv/journal")
    assert client.get("/staff/hiv/journal.pdf").status_code == 200
    client.post("/staff/logout")
    login("procedure_nurse", username="nurse")
    assert client.post(f"/staff/hiv/tests/{test.id}/draw").status_code == 303
    assert client.get(f"/staff/hiv/tests/{test.id}/talon.pdf").status_code == 200
    client.post("/staff/logout")
    login("lab", username="lab")
    db.session.expire_all()
    sample = db.session.get(HivTest, test.id).sample_number
    assert client.post("/staff/hiv/lab", data={"sample": sample, "result": "negative"}).status_code == 303
    client.post("/staff/logout")
    client.post("/staff/login", data={"username": "nurse", "password": "correct-horse-battery"})
    client.post("/staff/hiv/hand-over", data={"code": hiv_testing.display_code(test.code)})
    assert client.post("/staff/hiv/hand-over/certificate", data={"code": test.code}).status_code == 200
    assert client.get(f"/staff/hiv/tests/{test.id}/certificate.pdf").status_code == 200
    db.session.expire_all()
    test = db.session.get(HivTest, test.id)
    assert test.handed_over_at is not None
    assert client.get(f"/verify/{test.certificate.verification_code}").status_code == 200
    assert client.get("/status", query_string={"number": test.request.number}).status_code in (200, 404)
    return test


@pytest.fixture
def captured_log(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def test_the_anonymous_flow_leaves_no_name_iin_or_phone_anywhere(client, login, app, captured_log):
    make_clinic()
    iin = registry_person()  # in the state database, as everyone is; the clinic is never told who it is
    test = _pages_flow(client, login, "anonymous")
    assert test.regime == "anonymous" and test.identity is None

    needles = _person_needles(iin)
    found = tables_holding(*needles)
    assert set(found) <= REGISTRY_TABLES, found
    assert db.session.scalar(select(db.func.count(HivIdentity.id))) == 0
    log_text = "\n".join(record.getMessage() for record in captured_log.records)
    assert log_text  # the log did capture the flow
    assert not [needle for needle in needles if needle in log_text]
    assert db.session.scalars(select(SmsMessage)).all() == []
    # The code is the key: only the test's own row, the audit of staff looks at it, and the certificate's
    # stored PDF (compressed, so not found as text) hold it; the kernel's request and events do not.
    assert set(tables_holding(test.code)) <= {"hiv_test", "audit_entry"}
    request = test.request
    assert (request.subject_id, request.applicant_id, request.applicant_name) == (None, None, "")


def test_the_confidential_flow_keeps_the_identity_only_where_it_is_meant_to_be(
    client, login, app, captured_log
):
    make_clinic()
    iin = registry_person()
    test = _pages_flow(client, login, "confidential", iin=iin)
    assert test.identity.iin == iin

    found = tables_holding(iin, *NAME)
    assert set(found) - REGISTRY_TABLES == IDENTITY_TABLES, found
    assert found["hiv_identity"] == {"iin", "full_name"}
    log_text = "\n".join(record.getMessage() for record in captured_log.records)
    assert not [needle for needle in (iin, *NAME, PHONE) if needle in log_text]
    assert db.session.scalars(select(SmsMessage)).all() == []
    assert test.request.subject_id is None


def test_the_hiv_tables_have_no_column_for_a_person():
    forbidden = ("iin", "name", "phone", "address", "patient", "subject", "birth_date")
    for model in (HivTest,):
        columns = {column.key for column in inspect(model).columns}
        assert not [column for column in columns if any(word in column for word in forbidden)], columns
    # The identity of a confidential test lives apart, one row per confidential test only.
    assert {column.key for column in inspect(HivIdentity).columns} >= {"iin", "full_name"}
