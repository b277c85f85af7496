"""The Alembic migrations build exactly the schema the models describe, on the database under test."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import _normalise_database_url, create_app
from app.models import Base


@pytest.fixture
def empty_database(tmp_path):
    """A database with nothing in it: a fresh SQLite file, or a fresh schema on the test PostgreSQL."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    url = _normalise_database_url(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS migration_check CASCADE"))
        connection.execute(text("CREATE SCHEMA migration_check"))
    separator = "&" if "?" in url else "?"
    yield f"{url}{separator}options=-csearch_path%3Dmigration_check"
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS migration_check CASCADE"))
    engine.dispose()


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(empty_database):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade()
        from app.extensions import db

        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert not differences, f"models and migrations differ; run `flask db migrate`: {differences}"
        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        db.engine.dispose()


def test_0023_fills_request_stages_from_the_logs_and_keeps_them_as_events_arrive(empty_database):
    """Issue 22: the upgrade fills request_stage from the existing logs (events out of order by id, equal
    times, microseconds); afterwards the trigger keeps it as events are written, one that slots in earlier
    included; the downgrade takes the trigger away with the table, so events can still be written."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        from app.extensions import db

        upgrade(revision="0022")
        first = "2026-03-31 23:59:59.999999"
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO service_request (id, number, service, channel, status, applicant_name,"
                    " language, created_at, refusal_note) VALUES"
                    " (1, 'ZZ-1', 'appointment', 'web', 'completed', '', 'kk', :first, ''),"
                    " (2, 'ZZ-2', 'complaint', 'desk', 'submitted', '', 'kk', :first, '')"
                ),
                {"first": first},
            )
            for event_id, request_id, at, step in (
                (1, 1, first, "submitted"),
                (2, 1, "2026-05-02 00:00:00.000006", "completed"),  # later, written before the next one
                (3, 1, "2026-04-01 00:00:00.000000", "booked"),
                (4, 1, "2026-04-01 00:00:00.000000", "no_show"),  # the same moment: after 3 by id
                (5, 2, first, "submitted"),
            ):
                connection.execute(
                    text(
                        "INSERT INTO request_event (id, request_id, at, step, channel, actor_label, note)"
                        " VALUES (:id, :request_id, :at, :step, 'web', '', '')"
                    ),
                    {"id": event_id, "request_id": request_id, "at": at, "step": step},
                )
        upgrade(revision="0023")

        def stages():
            with db.engine.connect() as connection:
                return connection.execute(
                    text(
                        "SELECT event_id, request_id, service, stage, position, micros FROM request_stage"
                        " ORDER BY request_id, position"
                    )
                ).all()

        assert stages() == [
            (3, 1, "appointment", "submitted -> booked", 0, 1),
            (4, 1, "appointment", "booked -> no_show", 1, 0),
            (2, 1, "appointment", "no_show -> completed", 2, 31 * 86400 * 10**6 + 6),
        ]
        with db.engine.begin() as connection:  # the trigger: an event between two others splits a stage
            connection.execute(
                text(
                    "INSERT INTO request_event (id, request_id, at, step, channel, actor_label, note) VALUES"
                    " (6, 1, '2026-04-11 00:00:00.000000', 'in_review', 'desk', '', ''),"
                    " (7, 2, '2026-04-01 00:00:00.000001', 'in_review', 'desk', '', '')"
                )
            )
        assert stages() == [
            (3, 1, "appointment", "submitted -> booked", 0, 1),
            (4, 1, "appointment", "booked -> no_show", 1, 0),
            (6, 1, "appointment", "no_show -> in_review", 2, 10 * 86400 * 10**6),
            (2, 1, "appointment", "in_review -> completed", 3, 21 * 86400 * 10**6 + 6),
            (7, 2, "complaint", "submitted -> in_review", 0, 2),
        ]
        downgrade(revision="0022")
        with db.engine.begin() as connection:  # no trigger left pointing at the dropped table
            connection.execute(
                text(
                    "INSERT INTO request_event (id, request_id, at, step, channel, actor_label, note)"
                    " VALUES (8, 2, '2026-04-02 00:00:00.000000', 'completed', 'desk', '', '')"
                )
            )
        downgrade(revision="base")
        db.engine.dispose()
