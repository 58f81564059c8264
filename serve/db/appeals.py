"""Reading and writing appeals (used by the API routes and the ``notecheck appeals`` command alike).

Writes are single statements (an INSERT; a conditional UPDATE), so two moderators resolving the same appeal at once
cannot both succeed, and SQLite never has to upgrade a read lock to a write lock mid-transaction.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from serve.db.models import Appeal

_EPS = 1e-6


class AppealNotFound(LookupError):
    def __init__(self, appeal_id: str) -> None:
        super().__init__(f"No appeal has id {appeal_id!r}.")
        self.appeal_id = appeal_id


class AmbiguousAppealId(LookupError):
    def __init__(self, start: str, matches: list[str]) -> None:
        shown = ", ".join(matches[:3]) + (", …" if len(matches) > 3 else "")
        super().__init__(f"The appeal id {start!r} is the start of more than one appeal ({shown}): give more of it.")
        self.start = start


class AppealAlreadyResolved(RuntimeError):
    def __init__(self, appeal: Appeal) -> None:
        super().__init__(
            f"Appeal {appeal.id} is already resolved: {appeal.status} with label {appeal.label!r} by "
            f"{appeal.moderator} at {iso(appeal.resolved_at)}."
        )
        self.appeal = appeal


@dataclass(frozen=True)
class ModelView:
    """The model's view of a note when it was appealed (from the check result)."""

    model_version: str
    decision: str
    ad_probability: float
    threshold: float
    review_threshold: float
    highlights: list[Any]
    declared: dict[str, Any] | None = None  # the check's `declared`: the note's own words that decided it "ad"


def now() -> datetime:
    return datetime.now(UTC)


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every time stored here is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def iso(value: datetime | None) -> str | None:
    value = utc(value)
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def margin(probability: float, threshold: float) -> float:
    """Distance from the decision line in log-odds: 0 for a note exactly at the threshold."""

    def logit(p: float) -> float:
        p = min(max(p, _EPS), 1 - _EPS)
        return math.log(p / (1 - p))

    return abs(logit(probability) - logit(threshold))


def model_label(decision: str) -> str:
    """The label the model gave: a note flagged ``ad`` or sent to ``review`` was treated as an ad."""
    return "genuine" if decision == "genuine" else "ad"


def outcome(decision: str, label: str) -> str:
    """``overturned`` when the moderator's label differs from the model's (the model was wrong), else ``upheld``."""
    return "upheld" if model_label(decision) == label else "overturned"


def create_appeal(
    session: Session,
    *,
    note: dict[str, Any],
    view: ModelView,
    claimed_label: str,
    statement: str,
) -> Appeal:
    """Insert and commit one open appeal; when this returns, the row is durable."""
    appeal = new_appeal(note=note, view=view, claimed_label=claimed_label, statement=statement)
    session.add(appeal)
    session.commit()
    return appeal


def new_appeal(
    *, note: dict[str, Any], view: ModelView, claimed_label: str, statement: str, idempotency: str | None = None
) -> Appeal:
    """An open appeal, not yet stored (see :func:`create_appeal` and :class:`serve.db.writer.AppealWriter`);
    ``idempotency`` is the :func:`idempotency_digest` of the request, if it sent a key."""
    return Appeal(
        id=str(uuid.uuid4()),
        created_at=now(),
        note_id=note.get("id"),
        title=note.get("title") or "",
        text=note.get("text") or "",
        comments=note.get("comments"),
        model_version=view.model_version,
        decision=view.decision,
        ad_probability=float(view.ad_probability),
        threshold=float(view.threshold),
        review_threshold=float(view.review_threshold),
        margin=margin(view.ad_probability, view.threshold),
        highlights=list(view.highlights),
        declared=view.declared,
        model_decided=not view.declared,
        claimed_label=claimed_label,
        statement=statement,
        idempotency=idempotency,
        status="open",
    )


def idempotency_digest(client: str, key: str) -> str:
    """What an appeal keeps of the ``Idempotency-Key`` a client sent: sha256 of the client's identity (a digest of
    its API key, or its address on a server without keys) and the key. Scoped to the client, so that one client's
    key never finds another client's appeal; a digest, so that the table holds no key a client chose."""
    return hashlib.sha256(f"{client}\n{key}".encode("utf-8", "surrogatepass")).hexdigest()


def find_idempotent(session: Session, digest: str) -> Appeal | None:
    """The appeal filed with the request whose :func:`idempotency_digest` is ``digest``, if any."""
    return session.scalars(select(Appeal).where(Appeal.idempotency == digest)).first()


def same_request(appeal: Appeal, *, note: dict[str, Any], claimed_label: str, statement: str) -> bool:
    """Whether ``appeal`` was filed with this note, claim and statement (what a repeat of its request sends)."""
    return (
        appeal.note_id == note.get("id")
        and appeal.title == (note.get("title") or "")
        and appeal.text == (note.get("text") or "")
        and appeal.comments == note.get("comments")
        and appeal.claimed_label == claimed_label
        and appeal.statement == statement
    )


def get_appeal(session: Session, appeal_id: str) -> Appeal:
    if "\x00" in appeal_id:  # no id holds one, and PostgreSQL refuses to compare text holding NUL (a DataError)
        raise AppealNotFound(appeal_id)
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise AppealNotFound(appeal_id)
    return appeal


#: The shortest start of an id :func:`complete_id` completes: a moderator types a few characters of what
#: ``appeals list`` printed, not one that matches half the queue.
MIN_ID_START = 4


def complete_id(session: Session, start: str) -> str:
    """The id of the one appeal whose id is or starts with ``start`` (at least :data:`MIN_ID_START` characters), for
    a moderator at the command line. :class:`AppealNotFound` when none is, :class:`AmbiguousAppealId` when several
    are. The API takes whole ids only: a writer's id is what lets them read their appeal."""
    if "\x00" in start:  # as in get_appeal: PostgreSQL refuses to compare text holding NUL
        raise AppealNotFound(start)
    if session.get(Appeal, start) is not None:
        return start
    if len(start) < MIN_ID_START:
        raise AppealNotFound(start)
    # LIKE ignores case on SQLite, not on PostgreSQL: the ids it finds are held to the start as typed, on both
    rows = [
        r
        for r in session.scalars(
            select(Appeal.id).where(Appeal.id.startswith(start, autoescape=True)).order_by(Appeal.id).limit(4)
        )
        if r.startswith(start)
    ]
    if not rows:
        raise AppealNotFound(start)
    if len(rows) > 1:
        raise AmbiguousAppealId(start, list(rows))
    return rows[0]


def list_appeals(session: Session, *, status: str | None = "open", limit: int = 100, offset: int = 0) -> list[Appeal]:
    """Appeals with ``status`` (all when None): first those of notes that declared themselves ads, oldest first, then
    the ones the model was least sure about, then oldest first.

    A declared note was decided by the rule (:mod:`model.declared`), not by the model, so the model's margin says
    nothing about how sure that decision is: sorted by it, these appeals sank to the end of the queue, as the model
    usually reads such a note far below its threshold. Yet a writer who says a note labelled "#广告" is no ad is either
    right, and the rule misfired (talk about other people's ads that it took for a label: a wrong ad verdict no
    rewording of the rest undoes, and a pattern every such note shares), or quickly told no. Either way it is a
    short read that should not wait behind the model's borderline notes; the rule fires rarely, so they are few."""
    query = select(Appeal)
    if status is not None:
        query = query.where(Appeal.status == status)
    by_margin = case((Appeal.model_decided, Appeal.margin), else_=0.0)
    query = query.order_by(Appeal.model_decided, by_margin, Appeal.created_at, Appeal.id).limit(limit).offset(offset)
    return list(session.scalars(query))


def count_appeals(session: Session, *, status: str | None = "open") -> int:
    query = select(func.count()).select_from(Appeal)
    if status is not None:
        query = query.where(Appeal.status == status)
    return int(session.scalar(query) or 0)


def resolve_appeal(session: Session, appeal_id: str, *, label: str, note: str, moderator: str) -> Appeal:
    """Resolve an open appeal with the moderator's ``label``; AppealAlreadyResolved when it was resolved before."""
    current = get_appeal(session, appeal_id)
    status = outcome(current.decision, label)
    result = session.execute(
        update(Appeal)
        .where(Appeal.id == appeal_id, Appeal.status == "open")
        .values(status=status, label=label, moderator=moderator, resolution_note=note, resolved_at=now())
    )
    session.commit()
    session.expire_all()
    appeal = get_appeal(session, appeal_id)
    if result.rowcount == 0:
        raise AppealAlreadyResolved(appeal)
    return appeal


def resolved_appeals(session: Session, *, batch: int = 500) -> Iterator[Appeal]:
    """Every resolved appeal, oldest first, read in batches (for export)."""
    last: tuple[datetime, str] | None = None
    while True:
        query = select(Appeal).where(Appeal.status != "open").order_by(Appeal.resolved_at, Appeal.id).limit(batch)
        if last is not None:
            query = query.where(
                (Appeal.resolved_at > last[0]) | ((Appeal.resolved_at == last[0]) & (Appeal.id > last[1]))
            )
        rows = list(session.scalars(query))
        if not rows:
            return
        yield from rows
        last = (rows[-1].resolved_at, rows[-1].id)  # type: ignore[assignment]


def outcome_counts(session: Session) -> list[tuple[str, str, int]]:
    """(model_version, status, appeals) over the whole table (for /metrics)."""
    query = select(Appeal.model_version, Appeal.status, func.count()).group_by(Appeal.model_version, Appeal.status)
    return [(v, s, int(n)) for v, s, n in session.execute(query)]


def appeal_dict(appeal: Appeal) -> dict[str, Any]:
    """The appeal as plain JSON-ready data (the API's AppealOut and the CLI's ``--json``)."""
    return {
        "id": appeal.id,
        "status": appeal.status,
        "created_at": iso(appeal.created_at),
        "note": {"id": appeal.note_id, "title": appeal.title, "text": appeal.text, "comments": appeal.comments},
        "claimed_label": appeal.claimed_label,
        "statement": appeal.statement,
        "model": {
            "version": appeal.model_version,
            "decision": appeal.decision,
            "ad_probability": appeal.ad_probability,
            "threshold": appeal.threshold,
            "review_threshold": appeal.review_threshold,
            "margin": appeal.margin,
            "highlights": appeal.highlights,
            "declared": appeal.declared,
        },
        "resolution": None
        if appeal.status == "open"
        else {
            "label": appeal.label,
            "moderator": appeal.moderator,
            "note": appeal.resolution_note,
            "resolved_at": iso(appeal.resolved_at),
        },
    }


def training_row(appeal: Appeal) -> dict[str, Any]:
    """A resolved appeal as a row of the note schema (``source: appeal``), labelled by the moderator."""
    return {
        "id": f"appeal-{appeal.id}",
        "title": appeal.title,
        "text": appeal.text,
        "comments": appeal.comments,
        "label": appeal.label,
        "source": "appeal",
        "appeal_id": appeal.id,
        "note_id": appeal.note_id,
        "status": appeal.status,
        "model_version": appeal.model_version,
        "model_decision": appeal.decision,
        "ad_probability": appeal.ad_probability,
        # the words by which the note declared itself an ad, which decided it "ad" whatever its probability (an
        # export showing "ad" at 0.30 had nothing to say why); null when the thresholds decided
        "declared": appeal.declared,
        "resolved_at": iso(appeal.resolved_at),
    }
