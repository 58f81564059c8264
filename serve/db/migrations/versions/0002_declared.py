"""An appeal keeps the words by which its note declared itself an ad (the check's ``declared``), if any.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: appeals made before the rule existed, and notes that declare nothing, have none.
    op.add_column("appeals", sa.Column("declared", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("appeals") as batch:
        batch.drop_column("declared")
