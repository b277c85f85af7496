"""the condition or reason for the visit on a booking

The pre-registration journal of regulation 001 (annex 2 item 8) lists, besides the patient's name, age, sex,
actual address and phone, «көрсетілетін қызметті алушының жағдайы және жазатайым оқиға немесе ауруы
бойынша қысқа мәліметтер»: brief notes on the condition, the illness or the accident. A booking keeps them in
`appointment.reason`, optional (at most 300 characters); every booking made before has none, so the column
comes with an empty default. Age, sex and address are read from the patient card, not stored here.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.String(length=300), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("appointment", schema=None) as batch_op:
        batch_op.drop_column("reason")
