"""complaints are service requests

Every complaint becomes a service request of the service "complaint" (its own row linked one-to-one by
complaint.request_id, as appointments, home visits and attachment applications are): the request takes the
complaint's number, channel, status, language, filing time, deadline, answer time, registrar, the patient
card with the complainant's IIN (as subject and applicant) and the reply letter (as the result document),
all copied as they are; the complaint keeps what the complainant wrote and the head's answer. The history
the status page shows is written as request events: the filing (at the filing time, by the registrar or the
applicant) and, for an answered complaint, the answer (at the answer time, by the head who answered).
A draft saved before the upgrade left no time behind, so a complaint being reviewed has no event for that.

Statuses: registered -> submitted, in_review -> in_review, answered -> completed. The numbers were already
taken from the shared request counter (prefix CM), so the counter carries on as it is.

Downgrade copies everything back into the complaint's own columns and removes the complaint requests and
their events; events recorded after the upgrade (SMS steps) go with them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 10:11:15.976838

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Columns of the complaint that move to its request, and the request's column each one becomes.
MOVED = {
    "number": "number",
    "channel": "channel",
    "language": "language",
    "filed_at": "created_at",
    "deadline_at": "deadline_at",
    "answered_at": "completed_at",
    "created_by_id": "created_by_id",
    "patient_id": "subject_id",
    "reply_document_id": "result_document_id",
}


def upgrade():
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.Integer(), nullable=True))

    op.execute(
        """
        INSERT INTO service_request (
            number, service, channel, status, subject_id, applicant_id, applicant_name, created_by_id,
            language, created_at, deadline_at, completed_at, refusal_ground, refusal_note, result_document_id
        )
        SELECT
            number, 'complaint', channel,
            CASE status WHEN 'registered' THEN 'submitted' WHEN 'answered' THEN 'completed' ELSE status END,
            patient_id, patient_id, '', created_by_id,
            language, filed_at, deadline_at, answered_at, NULL, '', reply_document_id
        FROM complaint
        ORDER BY id
        """
    )
    op.execute(
        """
        UPDATE complaint SET request_id = (
            SELECT service_request.id FROM service_request WHERE service_request.number = complaint.number
        )
        """
    )
    # The filing, then (all filings first, so each request's events keep their order) the answers.
    op.execute(
        """
        INSERT INTO request_event (
            request_id, at, step, from_status, to_status, channel, actor_staff_id, actor_label, note
        )
        SELECT
            complaint.request_id, complaint.filed_at, 'submitted', NULL, 'submitted', complaint.channel,
            complaint.created_by_id, COALESCE(staff_member.full_name, 'applicant'), ''
        FROM complaint
        LEFT JOIN staff_member ON staff_member.id = complaint.created_by_id
        ORDER BY complaint.id
        """
    )
    op.execute(
        """
        INSERT INTO request_event (
            request_id, at, step, from_status, to_status, channel, actor_staff_id, actor_label, note
        )
        SELECT
            complaint.request_id, complaint.answered_at, 'completed', 'submitted', 'completed',
            complaint.channel, complaint.answered_by_id, COALESCE(staff_member.full_name, ''), ''
        FROM complaint
        LEFT JOIN staff_member ON staff_member.id = complaint.answered_by_id
        WHERE complaint.status = 'answered' AND complaint.answered_at IS NOT NULL
        ORDER BY complaint.id
        """
    )

    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.alter_column("request_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_index(batch_op.f("ix_complaint_filed_at"))
        batch_op.drop_index(batch_op.f("ix_complaint_status_deadline"))
        batch_op.drop_constraint(batch_op.f("uq_complaint_number"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_complaint_request_id"), ["request_id"])
        batch_op.drop_constraint(batch_op.f("fk_complaint_created_by_id_staff_member"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_complaint_reply_document_id_document"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_complaint_patient_id_patient"), type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_complaint_request_id_service_request"), "service_request", ["request_id"], ["id"]
        )
        for column in (*MOVED, "status"):
            batch_op.drop_column(column)


def downgrade():
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("channel", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("status", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("language", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("filed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("deadline_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("patient_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("created_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("answered_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("reply_document_id", sa.Integer(), nullable=True))

    copied = ",\n".join(
        f"{column} = (SELECT service_request.{source} FROM service_request "
        f"WHERE service_request.id = complaint.request_id)"
        for column, source in MOVED.items()
    )
    op.execute(
        f"""
        UPDATE complaint SET
        {copied},
        status = (
            SELECT CASE service_request.status
                WHEN 'submitted' THEN 'registered' WHEN 'in_review' THEN 'in_review' ELSE 'answered' END
            FROM service_request WHERE service_request.id = complaint.request_id
        )
        """
    )

    with op.batch_alter_table("complaint", schema=None) as batch_op:
        for column, type_ in (
            ("number", sa.String(length=20)),
            ("channel", sa.String(length=10)),
            ("status", sa.String(length=20)),
            ("language", sa.String(length=2)),
            ("filed_at", sa.DateTime()),
            ("deadline_at", sa.DateTime()),
        ):
            batch_op.alter_column(column, existing_type=type_, nullable=False)
        batch_op.drop_constraint(batch_op.f("fk_complaint_request_id_service_request"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_complaint_request_id"), type_="unique")
        batch_op.create_foreign_key(batch_op.f("fk_complaint_patient_id_patient"), "patient", ["patient_id"], ["id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_complaint_reply_document_id_document"), "document", ["reply_document_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_complaint_created_by_id_staff_member"), "staff_member", ["created_by_id"], ["id"]
        )
        batch_op.create_unique_constraint(batch_op.f("uq_complaint_number"), ["number"])
        batch_op.create_index("ix_complaint_status_deadline", ["status", "deadline_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_complaint_filed_at"), ["filed_at"], unique=False)
        batch_op.drop_column("request_id")

    op.execute(
        """
        DELETE FROM request_event WHERE request_id IN (
            SELECT service_request.id FROM service_request WHERE service_request.service = 'complaint'
        )
        """
    )
    op.execute("DELETE FROM service_request WHERE service = 'complaint'")
