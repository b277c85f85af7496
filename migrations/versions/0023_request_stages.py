"""request stages: the monitoring report's stages kept by the database as events arrive

The monitoring report (issue 22) paired every event of the period with the one before it in its request's
log (LAG) and sorted the period's events twice: seconds for a clinic-year on SQLite. request_stage keeps
each pair (one row per event that has one before it: the stage "from_step -> to_step", the exact whole
microseconds between the two events, the request's service and the moment it was received), indexed in the
report's order, so counts and the rows at the median's and 95th percentile's ranks come from the index.
The period index of service_request gains the columns the report counts (service, channel, status, deadline,
completion), so a year's figures are read from the index alone.

A trigger on request_event (SQLite; PostgreSQL: a PL/pgSQL function) recomputes the new event's request's
stages on every insert, however it is written; the upgrade fills the table from the existing logs with the
same SELECT. The texts are a copy of app.models.request_stage's at this revision.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

SQLITE_BACKFILL = """INSERT INTO request_stage (event_id, request_id, service, requested_at, stage, position, micros) 
SELECT id, request_id, service, requested_at, previous_step || ' -> ' || step, position, (CAST(strftime('%s', substr(at, 1, 19)) AS INTEGER) - CAST(strftime('%s', substr(previous_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(at, 21, 6) AS INTEGER) - CAST(substr(previous_at, 21, 6) AS INTEGER)
FROM (
    SELECT e.id, e.request_id, r.service, r.created_at AS requested_at, e.step, e.at,
           lag(e.step) OVER w AS previous_step, lag(e.at) OVER w AS previous_at,
           row_number() OVER w - 2 AS position
    FROM request_event e JOIN service_request r ON r.id = e.request_id
    
    WINDOW w AS (PARTITION BY e.request_id ORDER BY e.at, e.id)
) paired
WHERE previous_step IS NOT NULL
"""
POSTGRESQL_BACKFILL = """INSERT INTO request_stage (event_id, request_id, service, requested_at, stage, position, micros) 
SELECT id, request_id, service, requested_at, previous_step || ' -> ' || step, position, CAST(EXTRACT(EPOCH FROM at - previous_at) * 1000000 AS BIGINT)
FROM (
    SELECT e.id, e.request_id, r.service, r.created_at AS requested_at, e.step, e.at,
           lag(e.step) OVER w AS previous_step, lag(e.at) OVER w AS previous_at,
           row_number() OVER w - 2 AS position
    FROM request_event e JOIN service_request r ON r.id = e.request_id
    
    WINDOW w AS (PARTITION BY e.request_id ORDER BY e.at, e.id)
) paired
WHERE previous_step IS NOT NULL
"""
SQLITE_TRIGGER = """
CREATE TRIGGER request_stage_after_event AFTER INSERT ON request_event
BEGIN
DELETE FROM request_stage WHERE request_id = NEW.request_id;
INSERT INTO request_stage (event_id, request_id, service, requested_at, stage, position, micros) 
SELECT id, request_id, service, requested_at, previous_step || ' -> ' || step, position, (CAST(strftime('%s', substr(at, 1, 19)) AS INTEGER) - CAST(strftime('%s', substr(previous_at, 1, 19)) AS INTEGER)) * 1000000 + CAST(substr(at, 21, 6) AS INTEGER) - CAST(substr(previous_at, 21, 6) AS INTEGER)
FROM (
    SELECT e.id, e.request_id, r.service, r.created_at AS requested_at, e.step, e.at,
           lag(e.step) OVER w AS previous_step, lag(e.at) OVER w AS previous_at,
           row_number() OVER w - 2 AS position
    FROM request_event e JOIN service_request r ON r.id = e.request_id
    WHERE e.request_id = NEW.request_id
    WINDOW w AS (PARTITION BY e.request_id ORDER BY e.at, e.id)
) paired
WHERE previous_step IS NOT NULL;
END
"""
POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION request_stage_after_event() RETURNS trigger AS $$
BEGIN
PERFORM 1 FROM service_request WHERE id = NEW.request_id FOR UPDATE;
DELETE FROM request_stage WHERE request_id = NEW.request_id;
INSERT INTO request_stage (event_id, request_id, service, requested_at, stage, position, micros) 
SELECT id, request_id, service, requested_at, previous_step || ' -> ' || step, position, CAST(EXTRACT(EPOCH FROM at - previous_at) * 1000000 AS BIGINT)
FROM (
    SELECT e.id, e.request_id, r.service, r.created_at AS requested_at, e.step, e.at,
           lag(e.step) OVER w AS previous_step, lag(e.at) OVER w AS previous_at,
           row_number() OVER w - 2 AS position
    FROM request_event e JOIN service_request r ON r.id = e.request_id
    WHERE e.request_id = NEW.request_id
    WINDOW w AS (PARTITION BY e.request_id ORDER BY e.at, e.id)
) paired
WHERE previous_step IS NOT NULL;
RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""
POSTGRESQL_TRIGGER = (
    "CREATE TRIGGER request_stage_after_event AFTER INSERT ON request_event "
    "FOR EACH ROW EXECUTE FUNCTION request_stage_after_event()"
)


def upgrade():
    op.create_table(
        "request_stage",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=40), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("stage", sa.String(length=90), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("micros", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["request_event.id"], name=op.f("fk_request_stage_event_id_request_event")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["service_request.id"], name=op.f("fk_request_stage_request_id_service_request")
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_request_stage")),
    )
    with op.batch_alter_table("request_stage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_request_stage_request_id"), ["request_id"], unique=False)
        batch_op.create_index(
            "ix_request_stage_rank", ["service", "stage", "micros", "requested_at", "position"], unique=False
        )
    with op.batch_alter_table("service_request", schema=None) as batch_op:
        batch_op.drop_index("ix_service_request_created_at")
        batch_op.create_index(
            "ix_service_request_period_figures",
            ["created_at", "service", "channel", "status", "deadline_at", "completed_at"],
            unique=False,
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_BACKFILL)
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_TRIGGER)
    else:
        op.execute(SQLITE_BACKFILL)
        op.execute(SQLITE_TRIGGER)


def downgrade():
    # The trigger is request_event's: it does not go with request_stage.
    op.execute("DROP TRIGGER IF EXISTS request_stage_after_event" + (
        " ON request_event" if op.get_bind().dialect.name == "postgresql" else ""
    ))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS request_stage_after_event()")
    with op.batch_alter_table("request_stage", schema=None) as batch_op:
        batch_op.drop_index("ix_request_stage_rank")
        batch_op.drop_index(batch_op.f("ix_request_stage_request_id"))
    op.drop_table("request_stage")
    with op.batch_alter_table("service_request", schema=None) as batch_op:
        batch_op.drop_index("ix_service_request_period_figures")
        batch_op.create_index("ix_service_request_created_at", ["created_at"], unique=False)
