"""Scoring note files with a loaded model: one result row per input row, errors kept as rows."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.classifier import AdModel
from model.errors import InvalidNoteError
from model.notes import Record, iter_records, parse_note

CHUNK = 512


@dataclass
class Summary:
    files: list[str] = field(default_factory=list)
    read: int = 0
    scored: int = 0
    errored: int = 0
    decisions: Counter = field(default_factory=Counter)
    elapsed: float = 0.0
    flagged: list[tuple[str, float, str]] = field(default_factory=list)  # (id, probability, top reason)
    errors: list[str] = field(default_factory=list)
    output: str | None = None

    def render(self) -> str:
        rate = self.read / self.elapsed if self.elapsed > 0 else 0.0
        ad_share = self.decisions["ad"] / self.scored if self.scored else 0.0
        lines = [
            f"scored {self.scored} of {self.read} notes from {len(self.files)} file(s) in {self.elapsed:.2f}s "
            f"({rate:,.0f} notes/s); {self.errored} row(s) with errors",
            f"decisions: ad {self.decisions['ad']}  review {self.decisions['review']}  "
            f"genuine {self.decisions['genuine']}  (ad share {ad_share:.1%})",
        ]
        if self.flagged:
            lines.append("most ad-like notes:")
            for note_id, p, why in sorted(self.flagged, key=lambda t: -t[1])[:10]:
                lines.append(f"  {note_id:<12} p={p:.3f}  {why}")
        for e in self.errors[:10]:
            lines.append(f"error: {e}")
        if len(self.errors) > 10:
            lines.append(f"... and {len(self.errors) - 10} more errors (see the output's 'error' field)")
        if self.output:
            lines.append(f"wrote {self.output}")
        return "\n".join(lines)


def _chunks(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for rec in records:
        chunk.append(rec)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def score_records(model: AdModel, records: list[Record], *, top: int = 3) -> list[dict[str, Any]]:
    """Score a chunk of records; a record that fails validation yields a row with ``error`` set."""
    rows: list[dict[str, Any]] = [{} for _ in records]
    good: list[int] = []
    notes = []
    for i, rec in enumerate(records):
        rid = rec.data.get("id") if isinstance(rec.data, dict) else None
        rows[i] = {"id": None if rid is None else str(rid), "file": rec.path, "line": rec.line}
        try:
            if rec.error is not None:
                raise InvalidNoteError(rec.where + rec.error)
            notes.append(parse_note(rec.data, where=rec.where))
            good.append(i)
        except InvalidNoteError as exc:
            rows[i].update(decision=None, ad_probability=None, error=str(exc))
    for i, res in zip(good, model.check_many(notes, top=top) if notes else [], strict=True):
        rows[i].update(
            decision=res.decision,
            ad_probability=res.ad_probability,
            threshold=res.threshold,
            reasons=[r.label for r in res.explanation.towards_ad],
            model_version=model.version,
            error=None,
        )
    return rows


def score_files(model: AdModel, inputs: list[Path], *, output: Path | None = None) -> Summary:
    summary = Summary(output=str(output) if output else None)
    start = time.perf_counter()
    out = open(output, "w", encoding="utf-8") if output else None
    try:
        for path in inputs:
            summary.files.append(str(path))
            for chunk in _chunks(iter_records(path), CHUNK):
                for row in score_records(model, chunk):
                    summary.read += 1
                    if row["error"]:
                        summary.errored += 1
                        summary.errors.append(row["error"])
                    else:
                        summary.scored += 1
                        summary.decisions[row["decision"]] += 1
                        if row["decision"] != "genuine":
                            why = "; ".join(row["reasons"][:3])
                            summary.flagged.append((row["id"] or f"line {row['line']}", row["ad_probability"], why))
                    if out:
                        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        if out:
            out.close()
    summary.elapsed = time.perf_counter() - start
    return summary
