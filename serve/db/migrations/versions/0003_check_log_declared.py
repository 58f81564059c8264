"""The decision log keeps the words by which a checked note declared itself an ad (the check's ``declared``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable, and SQL NULL (not JSON null) when the thresholds decided, so that an auditor's
    # `WHERE declared IS NOT NULL` finds exactly the rule's decisions; entries logged before this have none.
    op.add_column("check_log", sa.Column("declared", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("check_log") as batch:
        batch.drop_column("declared")
