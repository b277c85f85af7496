"""electronic signatures on issued documents

Every issued document carries a PAdES signature (issue 21): the document records its signature state, when
it was signed and the SHA-256 of the signing certificate; a document the signer could not sign at once
waits in signing_queue. Documents issued before this migration are marked "none" (issued before
signatures existed) and served as before. The SHA-256 is indexed: the public "check a PDF" page finds a
document by the hash of an uploaded file.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("signature_state", sa.String(length=10), nullable=False, server_default="none")
        )
        batch_op.add_column(sa.Column("signed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("signer_fingerprint", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.create_index(batch_op.f("ix_document_sha256"), ["sha256"], unique=False)

    op.create_table(
        "signing_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_reason", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_signing_queue_document_id_document")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signing_queue")),
        sa.UniqueConstraint("document_id", name=op.f("uq_signing_queue_document_id")),
    )


def downgrade():
    op.drop_table("signing_queue")
    op.drop_index(op.f("ix_document_sha256"), table_name="document")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+), not a batch copy of the table: other tables' foreign
    # keys point at document, and SQLite refuses to drop the table they reference.
    for column in ("signer_fingerprint", "signed_at", "signature_state"):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE document DROP COLUMN {column}")
        else:
            op.drop_column("document", column)
