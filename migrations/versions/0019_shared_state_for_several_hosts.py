"""state several app processes share: stored files and shared state

More than one machine (issue 23): files kept between requests (desk scans with UPLOAD_STORAGE=database,
registry CSV files waiting for the admin's confirmation) live in the database rather than on one machine's
disk, and small shared state (the registry circuit breaker, the registry cache's version) in shared_state.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 16:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stored_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("content_type", sa.String(length=60), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("owner_staff_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_file")),
        sa.UniqueConstraint("name", name=op.f("uq_stored_file_name")),
    )
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.create_index("ix_stored_file_purpose_created", ["purpose", "created_at"], unique=False)

    op.create_table(
        "shared_state",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_shared_state")),
    )


def downgrade():
    op.drop_table("shared_state")
    with op.batch_alter_table("stored_file", schema=None) as batch_op:
        batch_op.drop_index("ix_stored_file_purpose_created")
    op.drop_table("stored_file")
