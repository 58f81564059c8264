"""The tables of the appeals database (SQLAlchemy 2.x declarative models).

The schema is created and changed only by the Alembic migrations in ``serve/db/migrations``; these models must match
them (a test compares the migrated schema with these models).
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, DateTime, Float, Index, Integer, String, Text, true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from model.highlights import Span

#: Appeal statuses: ``open`` until a moderator decides; ``overturned`` when the model was wrong, ``upheld`` when not.
STATUSES = ("open", "upheld", "overturned")
LABELS = ("genuine", "ad")
#: What a ``declared`` column keeps of a check's ``declared``: the span of the note as sent.
SPAN_KEYS = tuple(f.name for f in fields(Span))


def stored_span(declared: dict[str, Any] | None) -> dict[str, Any] | None:
    """A check's ``declared`` as a ``declared`` column keeps it: the span alone (not the ``quoted`` words the
    check also sends, which the span's text gives again)."""
    return None if declared is None else {k: declared[k] for k in SPAN_KEYS}


class Base(DeclarativeBase):
    pass


class Appeal(Base):
    """A writer's dispute of a decision, with the model's view at the time and the moderator's resolution."""

    __tablename__ = "appeals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The note as submitted.
    note_id: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    comments: Mapped[list[Any] | None] = mapped_column(JSON)
    # The model's view when the appeal was made.
    model_version: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(16))
    ad_probability: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    review_threshold: Mapped[float] = mapped_column(Float)
    #: |logit(ad_probability) - logit(threshold)|: how far the note was from the line; small = uncertain.
    margin: Mapped[float] = mapped_column(Float)
    highlights: Mapped[list[Any]] = mapped_column(JSON)
    #: The words by which the note declared itself an ad (``{field, start, end, text}``), which decided it "ad"
    #: whatever its probability; None when the thresholds decided (and for appeals made before the rule).
    declared: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: False when the note's own declaration decided it (``declared`` is set), not the thresholds: the moderators'
    #: queue puts these first, since the model's margin says nothing about how sure that decision was.
    model_decided: Mapped[bool] = mapped_column(Boolean, server_default=true())
    # The writer's claim.
    claimed_label: Mapped[str] = mapped_column(String(8))
    statement: Mapped[str] = mapped_column(Text)
    #: sha256 of the client's API key and the ``Idempotency-Key`` it sent with the appeal (see
    #: :func:`serve.db.appeals.idempotency_digest`); None when it sent none. A repeat of the request gets this appeal.
    idempotency: Mapped[str | None] = mapped_column(String(64))
    # The resolution.
    status: Mapped[str] = mapped_column(String(12))
    label: Mapped[str | None] = mapped_column(String(8))
    moderator: Mapped[str | None] = mapped_column(String(200))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("status IN ('open', 'upheld', 'overturned')", name="ck_appeals_status"),
        CheckConstraint("claimed_label IN ('genuine', 'ad')", name="ck_appeals_claimed_label"),
        CheckConstraint("label IS NULL OR label IN ('genuine', 'ad')", name="ck_appeals_label"),
        Index("ix_appeals_status_margin", "status", "margin"),
        Index("ix_appeals_created_at", "created_at"),
        Index("ix_appeals_idempotency", "idempotency", unique=True),
    )


class CheckRecord(Base):
    """One checked note in the optional decision log (``log_checks``): enough to audit a model over time."""

    __tablename__ = "check_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: sha256 of the note's title and text (see serve.db.checklog.note_hash)
    note_hash: Mapped[str] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(16))
    ad_probability: Mapped[float] = mapped_column(Float)
    #: The words by which the note declared itself an ad (the check's ``declared``, ``{field, start, end, text}``),
    #: which decided it "ad" whatever its probability: kept in both modes, as the rule's evidence (label words
    #: such as "#广告", never the rest of the note). SQL NULL when the thresholds decided, so that
    #: ``declared IS NOT NULL`` selects the rule's decisions.
    declared: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    title: Mapped[str | None] = mapped_column(Text)  # only with log_checks = "text"
    text: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_check_log_created_at", "created_at"),
        Index("ix_check_log_note_hash", "note_hash"),
    )
