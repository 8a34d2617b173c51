"""report statistics: every published figure of a row (due, paused, combined channels, total late, rates as
printed with their precision, numbering, level and parent unit) in one JSON column

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 02:30:00

Rows imported before keep their columns; ``figures`` is NULL for them and their checks read as before.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_statistics", schema=None) as batch_op:
        batch_op.add_column(sa.Column("figures", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("report_statistics", schema=None) as batch_op:
        batch_op.drop_column("figures")
