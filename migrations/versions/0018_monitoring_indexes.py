"""indexes for monitoring's period filters

The monitoring report (issue 22) filters requests by the day they were received, for all services at once:
the (service, created_at) index cannot serve that, so a clinic-year's one-month view scanned the whole table.
Survey answers are filtered by day the same way.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 17:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("service_request", schema=None) as batch_op:
        batch_op.create_index("ix_service_request_created_at", ["created_at"], unique=False)
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.create_index("ix_survey_response_answered_on", ["answered_on"], unique=False)


def downgrade():
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_response_answered_on")
    with op.batch_alter_table("service_request", schema=None) as batch_op:
        batch_op.drop_index("ix_service_request_created_at")
