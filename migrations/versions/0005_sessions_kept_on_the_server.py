"""sessions kept on the server

The browser's session moves from Flask's signed cookie into the table web_session (app/sessions.py): the
cookie keeps a random token, the row its SHA-256, the session's values, the staff member signed in on it,
when it began and when it was last used (issue 13, item 4: sign-out and "sign out everywhere" really end a
session; no IIN in the cookie). Sessions in cookies from before the upgrade are not carried over: everyone
signs in again once.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 11:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_member.id"],
            name=op.f("fk_web_session_staff_id_staff_member"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_session_token_hash")),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_session_staff_id"), ["staff_id"], unique=False)


def downgrade():
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_staff_id"))
    op.drop_table("web_session")
