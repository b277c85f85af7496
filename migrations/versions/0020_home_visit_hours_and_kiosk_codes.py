"""doctors' home-visit hours in their weekly plan; short one-time kiosk activation codes

A district doctor's working day is split between reception and home calls (issue 14): each weekday of the
plan may name home-visit hours inside the working hours. No booking is offered then, and home calls are
given within them. Both columns are empty for a weekday without home calls. A kiosk is activated by a short
one-time code the admin is shown (its hash and expiry on kiosk_device), not a 43-character token.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 16:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("schedule_weekday", schema=None) as batch_op:
        batch_op.add_column(sa.Column("home_starts", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("home_ends", sa.Time(), nullable=True))
    with op.batch_alter_table("kiosk_device", schema=None) as batch_op:
        batch_op.add_column(sa.Column("activation_code_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("activation_code_expires_at", sa.DateTime(), nullable=True))


def downgrade():
    for column in ("activation_code_expires_at", "activation_code_hash"):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE kiosk_device DROP COLUMN {column}")
        else:
            op.drop_column("kiosk_device", column)
    for column in ("home_ends", "home_starts"):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE schedule_weekday DROP COLUMN {column}")
        else:
            op.drop_column("schedule_weekday", column)
