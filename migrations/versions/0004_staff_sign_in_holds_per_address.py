"""staff sign-in holds per account and address

Failed staff sign-ins are no longer counted on the account (staff_member.failed_logins, .locked_until), which
let anyone lock any account and told which usernames exist (issue 13, item 2): they are counted in the
rate-limit table per username and address, and per address (app/services/staff_accounts.py). The two
columns go; a lock in force at the upgrade is forgotten. Downgrade brings the columns back empty.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    # A plain DROP COLUMN (SQLite 3.35 and later, PostgreSQL): batch mode would copy staff_member into a new
    # table, which the foreign keys pointing at it forbid on SQLite once it has rows.
    op.drop_column("staff_member", "locked_until")
    op.drop_column("staff_member", "failed_logins")


def downgrade():
    op.add_column(
        "staff_member",
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    op.add_column("staff_member", sa.Column("locked_until", sa.DateTime(), nullable=True))
