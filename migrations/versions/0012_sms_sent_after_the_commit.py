"""sms sent after the commit

The outbox becomes the SMS worker's queue (issue 15, item 2): a message about a request is written with the
request's transaction as "queued" and sent by `flask send-sms` afterwards, so no request holds the database
while the gateway answers. New columns: the request and the kind of message (the history step it becomes),
the tries so far, the time of the next try, and the time after which it is no use any more.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-03 13:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sms_outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("kind", sa.String(length=40), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("due_until", sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_sms_outbox_request_id"), ["request_id"], unique=False)
        batch_op.create_index("ix_sms_outbox_status_next_attempt", ["status", "next_attempt_at"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_sms_outbox_request_id_service_request"), "service_request", ["request_id"], ["id"]
        )
    with op.batch_alter_table("sms_outbox", schema=None) as batch_op:
        batch_op.alter_column("kind", server_default=None)
        batch_op.alter_column("attempts", server_default=None)


def downgrade():
    with op.batch_alter_table("sms_outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_sms_outbox_request_id_service_request"), type_="foreignkey")
        batch_op.drop_index("ix_sms_outbox_status_next_attempt")
        batch_op.drop_index(batch_op.f("ix_sms_outbox_request_id"))
        batch_op.drop_column("due_until")
        batch_op.drop_column("next_attempt_at")
        batch_op.drop_column("attempts")
        batch_op.drop_column("kind")
        batch_op.drop_column("request_id")
