"""issued talons and route lists: a printed form is issued once per content

The referral talon, the HIV-testing talon and the urgent-care route list are issued documents (numbered,
signed, verifiable), issued when their content is new (app.services.documents.issue_once): a document
records the SHA-256 of its scope and content, so printing the same form again serves the document already
issued. Indexed: a print looks it up.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 17:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_key", sa.String(length=64), nullable=False, server_default=""))
        batch_op.create_index(batch_op.f("ix_document_content_key"), ["content_key"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_document_content_key"), table_name="document")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not a batch copy of the table: other tables' foreign
    # keys point at document, and SQLite refuses to drop the table they reference.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE document DROP COLUMN content_key")
    else:
        op.drop_column("document", "content_key")
