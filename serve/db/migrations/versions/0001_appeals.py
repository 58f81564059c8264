"""Appeals and the decision log.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "appeals",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note_id", sa.String(200), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("comments", sa.JSON(), nullable=True),
        sa.Column("model_version", sa.String(200), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("ad_probability", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("review_threshold", sa.Float(), nullable=False),
        sa.Column("margin", sa.Float(), nullable=False),
        sa.Column("highlights", sa.JSON(), nullable=False),
        sa.Column("claimed_label", sa.String(8), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("label", sa.String(8), nullable=True),
        sa.Column("moderator", sa.String(200), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('open', 'upheld', 'overturned')", name="ck_appeals_status"),
        sa.CheckConstraint("claimed_label IN ('genuine', 'ad')", name="ck_appeals_claimed_label"),
        sa.CheckConstraint("label IS NULL OR label IN ('genuine', 'ad')", name="ck_appeals_label"),
    )
    op.create_index("ix_appeals_status_margin", "appeals", ["status", "margin"])
    op.create_index("ix_appeals_created_at", "appeals", ["created_at"])
    op.create_table(
        "check_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note_hash", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(200), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("ad_probability", sa.Float(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
    )
    op.create_index("ix_check_log_created_at", "check_log", ["created_at"])
    op.create_index("ix_check_log_note_hash", "check_log", ["note_hash"])


def downgrade() -> None:
    op.drop_table("check_log")
    op.drop_table("appeals")
