"""audit log keyset indexes: every filter of the viewer ends in (at, id)

The audit-log viewer reads a page newest first after the last entry seen (at, id), never counting or
skipping the entries before it (issue 22, item 3). Each index it reads by ends in (at, id): the whole log,
and the log of one staff member, one action, one patient. SQLite keeps the rowid (the id) at the end of
every index anyway; PostgreSQL needs the id named to read a page in order without sorting.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 19:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

# (old name, old columns) -> (new name, new columns)
_REPLACED = (
    (("ix_audit_entry_at", ["at"]), ("ix_audit_entry_at_id", ["at", "id"])),
    (("ix_audit_entry_patient_at", ["patient_id", "at"]), ("ix_audit_entry_patient_at_id", ["patient_id", "at", "id"])),
    (("ix_audit_entry_staff_at", ["staff_id", "at"]), ("ix_audit_entry_staff_at_id", ["staff_id", "at", "id"])),
    (("ix_audit_entry_action_at", ["action", "at"]), ("ix_audit_entry_action_at_id", ["action", "at", "id"])),
)


def upgrade():
    # Plain CREATE/DROP INDEX, not a batch copy of the table: the log is the largest table and append-only.
    for (old_name, _), (new_name, new_columns) in _REPLACED:
        op.create_index(new_name, "audit_entry", new_columns, unique=False)
        op.drop_index(old_name, table_name="audit_entry")


def downgrade():
    for (old_name, old_columns), (new_name, _) in _REPLACED:
        op.create_index(old_name, "audit_entry", old_columns, unique=False)
        op.drop_index(new_name, table_name="audit_entry")
