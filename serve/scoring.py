"""Scoring rows of note files with a loaded model: one output row per input row, errors kept as rows.

:class:`RowScorer` is what a batch worker holds: the ad model (loaded once per process), the optional comment
scorer and keyword sets. :meth:`RowScorer.score_records` turns a chunk of :class:`model.notes.Record` into output
rows with the columns of :data:`OUTPUT_COLUMNS`, in input order. The whole chunk is scored at once with
:meth:`model.classifier.AdModel.score` (probabilities and the top reasons towards "ad", the same features and
order as :meth:`~model.classifier.AdModel.check_many`, without full explanations and cue evidence per note).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from model.classifier import AdModel, decided_by_contact
from model.errors import InvalidNoteError
from model.notes import Note, Record, check_length, parse_note
from model.schema import author_or_none
from serve.terminal import one_line

#: Columns of every output row, in order (JSON Lines rows have exactly these keys).
OUTPUT_COLUMNS: tuple[str, ...] = (
    "id",
    "file",
    "line",
    "author",
    "decision",
    "ad_probability",
    "threshold",
    "review_threshold",
    "declared",
    "reasons",
    "comments",
    "model_version",
    "error",
    "warning",
)


class RowScorer:
    """Score chunks of records with an ad model and, when given, a comment scorer.

    Parameters
    ----------
    model : AdModel
        The loaded ad model.
    comment_scorer : object with ``score(comments, keywords)`` or None
        Scores the comments of notes that have them (see ``model.comments``).
    keywords : dict of str to list of str or None
        Keyword sets passed to the comment scorer.
    top : int
        Number of reasons towards "ad" kept per note.
    cross_note : CrossNoteFlags or None
        A first pass over the whole input (:mod:`serve.batch.crossnote`): water detection then judges a chunk's
        comments against all of each creator's notes, not only those in the chunk.
    """

    def __init__(
        self,
        model: AdModel,
        *,
        comment_scorer: Any = None,
        keywords: dict[str, list[str]] | None = None,
        top: int = 3,
        cross_note: Any = None,
    ) -> None:
        self.model = model
        self.cross_note = cross_note
        self.comment_scorer = comment_scorer
        self.keywords = keywords
        self.top = int(top)

    def _comment_scores(self, notes: list[Note]) -> tuple[list[dict[str, Any] | None], list[str | None]]:
        """Comment reports (without the per-comment list) for notes with comments, and a warning per note whose
        comments could not be scored. One sentiment pass for the whole chunk; per note only when that fails."""
        reports: list[dict[str, Any] | None] = [None] * len(notes)
        warnings: list[str | None] = [None] * len(notes)
        if self.comment_scorer is None:
            return reports, warnings
        idx = [i for i, n in enumerate(notes) if n.comments]
        if not idx:
            return reports, warnings
        try:
            # Notes, not bare comment lists: water detection then sees each note's text and groups the chunk's notes
            # by author, judged against all of the author's notes when a first pass gave ``cross_note``.
            done = self.comment_scorer.score_many(
                [notes[i] for i in idx], keywords=self.keywords, **self._cross_note_arg()
            )
        except Exception:
            done = []
            for i in idx:
                try:
                    done.append(self.comment_scorer.score(notes[i], self.keywords))
                except Exception as exc:  # the note keeps its ad score; the row says why comments are missing
                    done.append(None)
                    warnings[i] = f"comments not scored: {type(exc).__name__}: {exc}"
        for i, report in zip(idx, done, strict=True):
            if report is not None:
                out = report.to_dict()
                out.pop("comments", None)  # per-comment details would dominate an archive's output
                reports[i] = out
        return reports, warnings

    def _cross_note_arg(self) -> dict[str, Any]:
        return {} if self.cross_note is None else {"cross_note": self.cross_note}

    def score_records(self, records: Iterable[Record]) -> list[dict[str, Any]]:
        """One output row per record, in order; a record that fails validation yields a row with ``error``."""
        rows: list[dict[str, Any]] = []
        good: list[int] = []
        notes: list[Note] = []
        for rec in records:
            data = rec.data if isinstance(rec.data, dict) else None
            row = dict.fromkeys(OUTPUT_COLUMNS)
            row.update(id=_opt(data, "id"), file=rec.path, line=rec.line, author=row_author(data), reasons=[])
            row["model_version"] = self.model.version
            rows.append(row)
            if rec.warning:
                _warn(row, rec.warning)
            try:
                if rec.error is not None:
                    raise InvalidNoteError(rec.where + rec.error)
                # score needs no label: one it does not understand must not lose the row its decision
                unlabelled = {k: v for k, v in data.items() if k != "label"} if data else data
                note = check_length(parse_note(unlabelled, where=rec.where), where=rec.where)
            except InvalidNoteError as exc:
                row["error"] = str(exc)
                continue
            good.append(len(rows) - 1)
            notes.append(note)
        if not notes:
            return rows
        scored = self.model.score(notes, top=self.top)
        probs, reasons, decisions = scored.probabilities, scored.reasons, scored.decisions
        comments, warnings = self._comment_scores(notes)
        for k, i in enumerate(good):
            p = float(probs[k])
            row = rows[i]
            if warnings[k]:
                _warn(row, warnings[k])
            row.update(
                decision=decisions[k],
                ad_probability=round(p, 6) if math.isfinite(p) else 0.0,
                threshold=self.model.threshold,
                review_threshold=self.model.review_threshold,
                declared=span_dict(scored.declared[k]),
                reasons=reasons[k],
                comments=comments[k],
            )
            if decisions[k] != "genuine" and not reasons[k]:  # what check's advice says; a row had no word of it
                _warn(row, UNEXPLAINED)
            contact = bool(scored.contact and scored.contact[k])
            if decided_by_contact(decisions[k], p, self.model.review_threshold, contact=contact):
                _warn(row, CONTACT_REVIEW)
        return rows


#: The warning of a row sent to review by its messenger id alone (AdModel.decide), below the review threshold: an
#: auditor saw "review" at a probability under it and had to work out why.
CONTACT_REVIEW = "the note gives a messenger id (WeChat, QQ or LINE): sent to review whatever its probability"


def _warn(row: dict[str, Any], warning: str) -> None:
    """Add ``warning`` to an output row's warnings."""
    row["warning"] = f"{row['warning']}; {warning}" if row["warning"] else warning


#: The warning of a flagged row without readable reasons (a number, a word or two: AdModel.decide sends such a note
#: to review rather than calling it an ad), so that a reader of the output knows why the reasons are empty.
UNEXPLAINED = (
    "no reason given: no phrase of the note points to an ad (common when a note is very short); its score comes "
    "from its overall wording, for a person to read"
)


def span_dict(span: Any) -> dict[str, Any] | None:
    """A declaration as ``score`` rows give it (``{field, start, end, text}``), or None."""
    return None if span is None else span.to_dict()


def row_author(data: dict[str, Any] | None) -> str | None:
    """The author as the note schema reads it (a blank one is none), also on rows that fail validation."""
    return author_or_none(_opt(data, "author"))


def _opt(data: dict[str, Any] | None, name: str) -> str | None:
    if data is None:
        return None
    value = data.get(name)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


@dataclass
class ChunkStats:
    """What one scored chunk adds to the run's summary (kept in the manifest so a resumed run can report it)."""

    read: int = 0
    scored: int = 0
    errored: int = 0
    decisions: dict[str, int] = field(default_factory=dict)
    flagged: list[tuple[str, float, str]] = field(default_factory=list)  # (id or place, probability, reasons)
    errors: list[str] = field(default_factory=list)  # the first few error messages
    warnings: int = 0
    declared: int = 0  # notes decided "ad" because they declare themselves ads (the `declared` column)

    KEEP = 10

    @classmethod
    def of_rows(cls, rows: list[dict[str, Any]]) -> ChunkStats:
        st = cls()
        decisions: Counter[str] = Counter()
        flagged = []
        for row in rows:
            st.read += 1
            if row["warning"]:
                st.warnings += 1
            if row["error"]:
                st.errored += 1
                if len(st.errors) < cls.KEEP:
                    st.errors.append(row["error"])
                continue
            st.scored += 1
            st.declared += row["declared"] is not None
            decisions[row["decision"]] += 1
            if row["decision"] != "genuine":
                where = row["id"] or f"{row['file']}:{row['line']}"
                flagged.append((where, row["ad_probability"], "; ".join(row["reasons"])))
        st.decisions = dict(decisions)
        st.flagged = sorted(flagged, key=lambda t: -t[1])[: cls.KEEP]
        return st

    def to_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "scored": self.scored,
            "errored": self.errored,
            "decisions": self.decisions,
            "flagged": [list(f) for f in self.flagged],
            "errors": self.errors,
            "warnings": self.warnings,
            "declared": self.declared,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ChunkStats:
        return cls(
            read=d["read"],
            scored=d["scored"],
            errored=d["errored"],
            decisions=dict(d["decisions"]),
            flagged=[tuple(f) for f in d["flagged"]],  # type: ignore[misc]
            errors=list(d["errors"]),
            warnings=d.get("warnings", 0),
            declared=d.get("declared", 0),
        )


#: What the summary says of a flagged note with no reason towards ad (as the writer's advice does).
NO_PHRASE = "(no phrase points to an ad: a person reads it)"


@dataclass
class Summary:
    """The end-of-run summary: rows read, scored, errored, decisions, ad share, speed, most ad-like notes."""

    files: list[str] = field(default_factory=list)
    read: int = 0
    scored: int = 0
    errored: int = 0
    warned: int = 0
    declared: int = 0
    decisions: Counter = field(default_factory=Counter)
    elapsed: float = 0.0
    flagged: list[tuple[str, float, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # file-level warnings, duplicates, resume information
    output: str | None = None
    resumed_rows: int = 0
    file_errors: int = 0  # input files that could not be read at all (each has one error row)

    def add(self, st: ChunkStats) -> None:
        self.read += st.read
        self.scored += st.scored
        self.errored += st.errored
        self.warned += st.warnings
        self.declared += st.declared
        self.decisions.update(st.decisions)
        self.flagged = sorted([*self.flagged, *st.flagged], key=lambda t: -t[1])[: ChunkStats.KEEP]
        self.errors.extend(st.errors[: max(0, ChunkStats.KEEP - len(self.errors))])

    @property
    def ad_share(self) -> float:
        return self.decisions["ad"] / self.scored if self.scored else 0.0

    def render(self) -> str:
        done_now = self.read - self.resumed_rows
        rate = done_now / self.elapsed if self.elapsed > 0 else 0.0
        lines = [
            f"scored {self.scored} of {self.read} notes from {len(self.files)} file(s) in {self.elapsed:.2f}s "
            f"({rate:,.0f} notes/s); {self.errored} row(s) with errors",
            f"decisions: ad {self.decisions['ad']}  review {self.decisions['review']}  "
            f"genuine {self.decisions['genuine']}  (ad share {self.ad_share:.1%})",
        ]
        if self.declared:
            lines.append(
                f"{self.declared} of the ad decisions are notes that declare themselves ads (#广告, #ad, ...) "
                "whatever their probability: see the output's 'declared' field"
            )
        if self.flagged:
            lines.append("most ad-like notes:")
            for note_id, p, why in self.flagged:
                # ids and quoted words come from the archive: escaped, so they cannot act on the terminal
                lines.append(f"  {one_line(note_id):<12} p={p:.3f}  {one_line(why) or NO_PHRASE}")
        if self.output:
            lines.append(f"wrote {self.output}")
        return "\n".join(lines)

    def diagnostics(self) -> str:
        """The ``error:`` and ``note:`` lines (for standard error): the first errors, warnings, file notes."""
        lines = [f"error: {e}" for e in self.errors]
        if self.errored > len(self.errors):
            lines.append(f"error: ... and {self.errored - len(self.errors)} more (see the output's 'error' field)")
        if self.warned:
            lines.append(f"note: {self.warned} row(s) with a warning (see the output's 'warning' field)")
        shown = set(self.errors)
        # a file that could not be read is an error row ("F, line 0: why") and a file note ("F: why"): said once
        lines.extend(f"note: {n}" for n in self.notes if n.replace(": ", ", line 0: ", 1) not in shown)
        return "\n".join(lines)

    @property
    def error_rate(self) -> float:
        """Share of rows that are error rows (0.0 without rows)."""
        return self.errored / self.read if self.read else 0.0
