"""Appeals of notes that declared themselves ads lead the moderators' queue: ``appeals.model_decided``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_appeals = sa.table("appeals", sa.column("id", sa.String(36)), sa.column("declared", sa.JSON()),
                    sa.column("model_decided", sa.Boolean()))  # fmt: skip


def upgrade() -> None:
    op.add_column("appeals", sa.Column("model_decided", sa.Boolean(), nullable=False, server_default=sa.true()))
    # Appeals made since 0002 keep their declaration in `declared`, None stored as JSON null (a dict when the rule
    # decided); reading it back in Python tells the two apart on every backend.
    conn = op.get_bind()
    rows = conn.execute(sa.select(_appeals.c.id, _appeals.c.declared).where(_appeals.c.declared.is_not(None)))
    ruled = [appeal_id for appeal_id, declared in rows if isinstance(declared, dict)]
    for start in range(0, len(ruled), 500):
        conn.execute(
            sa.update(_appeals).where(_appeals.c.id.in_(ruled[start : start + 500])).values(model_decided=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("appeals") as batch:
        batch.drop_column("model_decided")
