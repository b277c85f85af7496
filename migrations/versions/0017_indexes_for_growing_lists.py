"""indexes for the lists a clinic grows

A person's requests are found through their card by subject or applicant (the cabinet, /status): the
applicant had no index, so every look-up read the whole request table. The audit-log viewer filters by staff
member or action, newest first (issue 22, item 3).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 17:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("service_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_service_request_applicant_id"), ["applicant_id"], unique=False)
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entry_staff_at", ["staff_id", "at"], unique=False)
        batch_op.create_index("ix_audit_entry_action_at", ["action", "at"], unique=False)


def downgrade():
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_action_at")
        batch_op.drop_index("ix_audit_entry_staff_at")
    with op.batch_alter_table("service_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_request_applicant_id"))
