"""request_stage (app/models/request_stage.py) when two transactions add events to one request at once: the
trigger of the second waits for the first (PostgreSQL; SQLite has one writer at a time anyway), so the stages
are those of the whole log, never two half views of it."""

import threading
import time

import pytest
from sqlalchemy import text

from app.extensions import db
from app.models.request_stage import stages_select

EVENT = (
    "INSERT INTO request_event (request_id, at, step, channel, actor_label, note)"
    " VALUES (:request_id, :at, :step, 'desk', '', '')"
)


def _stages(connection, request_id):
    return connection.execute(
        text(
            "SELECT event_id, stage, position, micros FROM request_stage WHERE request_id = :id"
            " ORDER BY position"
        ),
        {"id": request_id},
    ).all()


def test_two_events_of_one_request_written_at_once_leave_the_stages_of_the_whole_log(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL: TEST_DATABASE_URL is not set")
    with db.engine.begin() as connection:
        request_id = connection.execute(
            text(
                "INSERT INTO service_request (number, service, channel, status, applicant_name, language,"
                " created_at, refusal_note) VALUES ('ZZ-STAGES', 'complaint', 'desk', 'submitted', '', 'kk',"
                " '2026-11-25 04:00:00', '') RETURNING id"
            )
        ).scalar()
        connection.execute(
            text(EVENT), {"request_id": request_id, "at": "2026-11-25 04:00:00", "step": "submitted"}
        )

    engine = db.engine  # the thread has no application context: it takes the engine itself
    first = engine.connect()
    first_transaction = first.begin()
    first.execute(text(EVENT), {"request_id": request_id, "at": "2026-11-25 05:00:00", "step": "in_review"})
    failures = []

    def second_writer():
        try:
            with engine.begin() as connection:
                connection.execute(
                    text(EVENT), {"request_id": request_id, "at": "2026-11-25 06:00:00", "step": "answered"}
                )
        except Exception as error:  # noqa: BLE001  (reported by the assertion below)
            failures.append(error)

    second = threading.Thread(target=second_writer)
    second.start()
    deadline = time.monotonic() + 5
    with db.engine.connect() as watcher:  # until the second writer waits on a lock (or is done without one)
        while second.is_alive() and time.monotonic() < deadline:
            waiting = watcher.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            ).scalar()
            if waiting:
                break
            time.sleep(0.02)
    first_transaction.commit()
    first.close()
    second.join(timeout=30)
    assert not failures, failures

    with db.engine.connect() as connection:
        kept = _stages(connection, request_id)
        whole = connection.execute(
            text(f"SELECT * FROM ({stages_select('postgresql', 'e.request_id = :id')}) s"), {"id": request_id}
        ).all()
    assert [stage for _event, stage, _position, _micros in kept] == [
        "submitted -> in_review",
        "in_review -> answered",
    ]
    assert sorted((row[0], row[4], row[5], row[6]) for row in whole) == sorted(kept)
