"""conformance: digitisation-result codes, dossier roles and e-result codes, signatures of output PDFs

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 06:40:00

Upgrades a 0003 store in place: every stored document gets its digitisation-result code (``SH-<first 16 hex of
its SHA-256>``, the form sohoa/conformance/identifiers.py gives when no agency code is configured), and the
existing dossier links (made from dossier codes read in the text) get the role ``cited`` and ``linked_by``
``code_in_text``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digitisation_code", sa.String(length=200), nullable=True))
        batch_op.create_index("ix_documents_digitisation_code", ["digitisation_code"])
    with op.batch_alter_table("dossier_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=20), nullable=False, server_default="cited"))
        batch_op.add_column(sa.Column("position", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("result_code", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("result_type", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("name", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("linked_by", sa.String(length=20), nullable=False, server_default="code_in_text"))
    op.create_table(
        "signatures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=64), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("field_name", sa.String(length=100), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("signer", sa.Text(), nullable=False),
        sa.Column("certificate_sha256", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("path", "field_name"),
    )
    op.create_index("ix_signatures_document_id", "signatures", ["document_id"])
    # One statement for any number of rows; substr/upper/|| mean the same in SQLite and PostgreSQL.
    op.execute(
        "UPDATE documents SET digitisation_code = 'SH-' || upper(substr(id, 1, 16)) WHERE digitisation_code IS NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_signatures_document_id", table_name="signatures")
    op.drop_table("signatures")
    with op.batch_alter_table("dossier_documents", schema=None) as batch_op:
        for column in ("linked_by", "name", "result_type", "result_code", "position", "role"):
            batch_op.drop_column(column)
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_digitisation_code")
        batch_op.drop_column("digitisation_code")
