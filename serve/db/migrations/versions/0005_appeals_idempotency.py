"""A client may send an ``Idempotency-Key`` with an appeal: a repeat of the request files nothing new.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: appeals made before, and those sent without the header, have none. Unique: two requests with one key
    # racing each other commit one appeal (NULLs are distinct in a unique index on SQLite and PostgreSQL alike).
    op.add_column("appeals", sa.Column("idempotency", sa.String(64), nullable=True))
    op.create_index("ix_appeals_idempotency", "appeals", ["idempotency"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_appeals_idempotency", table_name="appeals")
    with op.batch_alter_table("appeals") as batch:
        batch.drop_column("idempotency")
