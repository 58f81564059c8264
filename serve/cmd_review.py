"""``notecheck review ARCHIVE... -n 200 -o queue.csv``: which notes a moderator should label next.

Active learning by uncertainty and diversity. Every note of the archive is scored in chunks (memory stays bounded
by the candidate pool); the ``pool_factor * n`` notes nearest the model's threshold (in log-odds) are kept, and
from them ``n`` are picked greedily by maximal marginal relevance: each pick maximises
``(1 - diversity) * uncertainty - diversity * (highest cosine similarity to a note already picked)`` over the
model's own TF-IDF rows, so ten copies of one borderline note cost one label, not ten. With diversity, copies
(notes the model reads as one document: the same words, whatever their digits, spacing or character forms, e.g.
reposts numbered "第1次", "第2次") take one place in the pool, so reposts cannot crowd other notes out of it, and a
note the model reads exactly as one already picked comes after every other candidate.

The output (``.csv`` or ``.jsonl``) is in the note schema (``author`` and each comment's likes, author and time
kept) with an empty ``label`` column (and ``label_before``, a note's label when it had one), in the order picked,
plus ``file``, ``line``, ``ad_probability``, ``decision``, ``declared`` (the words by which a note declares itself an
ad, which decided it ``ad``: :mod:`model.declared`) and ``margin``; once moderators fill in the labels it is
a training dataset (``feedback = true`` in the training config leaves rows still unlabelled out, counted).
"""

from __future__ import annotations

import argparse
import csv
import heapq
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from model.errors import InvalidNoteError, InvalidParameterError
from serve.outputs import format_of, replacing

CHUNK = 2000
#: What ``-o`` may name: the queue's format, by its extension.
QUEUE_FORMATS = {".csv": "csv", ".jsonl": "jsonl"}
COLUMNS = ("id", "title", "text", "comments", "author", "label", "label_before", "source", "file", "line",
           "ad_probability", "decision", "declared", "margin", "rank", "model_version")  # fmt: skip


@dataclass(frozen=True)
class Candidate:
    margin: float
    probability: float
    note: Any  # model.Note
    file: str
    line: int


def register(subparsers: Any) -> None:
    from serve.cli import add_encoding_arg, add_model_arg

    p = subparsers.add_parser(
        "review",
        help="the notes a moderator should label next (active learning)",
        epilog="exit status: 0 when the queue was written (bad rows are skipped, each named on stderr; an input "
        "with no rows gives an empty queue); 2 for a usage error or when no row could be read (no queue is "
        "written); 130 when interrupted.",
    )
    p.add_argument("inputs", nargs="+", help="note files, directories or glob patterns (the note schema)")
    p.add_argument("-n", type=int, default=200, help="notes to pick (default: 200)")
    p.add_argument("-o", "--output", type=Path, required=True, help="the review queue: a .csv or .jsonl file")
    p.add_argument("--pool-factor", type=int, default=5, help="candidates nearest the threshold per pick (default 5)")
    p.add_argument(
        "--diversity", type=float, default=0.5, help="0 = nearest the threshold only, 1 = most varied (default 0.5)"
    )
    p.add_argument("--include-labelled", action="store_true", help="also pick notes that already have a label")
    add_encoding_arg(p)
    add_model_arg(p)
    p.set_defaults(func=run)


def logit(p: np.ndarray | float) -> np.ndarray:
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(q / (1 - q))


def nearest(
    model: Any,
    records: Any,
    pool: int,
    *,
    include_labelled: bool,
    distinct: bool = False,
    first_bad: list[str] | None = None,
) -> tuple[list[Candidate], dict[str, int]]:
    """The ``pool`` notes nearest the threshold (ascending margin; ties by input order) and counts of what was
    read, scored, already labelled (left out unless ``include_labelled``), left out as bad rows (each bad row is
    reported on stderr) and, with ``distinct``, left out as copies of a candidate (the same prepared document,
    :meth:`model.AdModel.documents`: what the model reads of a note; the first one read stays). The first bad
    row's reason is appended to ``first_bad`` when it is given (only the first: an archive may hold millions)."""
    from model.notes import parse_record

    counts = {"rows": 0, "scored": 0, "labelled": 0, "bad": 0, "copies": 0}
    heap: list[tuple[float, int, Candidate, str]] = []  # max-heap on margin via negation; the note's document
    in_pool: set[str] = set()
    t = float(logit(model.threshold))
    chunk: list[tuple[Any, str, int]] = []

    def flush() -> None:
        if not chunk:
            return
        docs = model.documents([n for n, _, _ in chunk])
        probabilities = model.predict_proba_documents(docs)
        margins = np.abs(logit(probabilities) - t)
        for (note, file, line), doc, m, p in zip(chunk, docs, margins, probabilities, strict=True):
            order = counts["scored"]
            counts["scored"] += 1
            item = (-float(m), -order, Candidate(float(m), float(p), note, file, line), doc)
            # A copy of a note that left the pool scores as that note did, below the pool's worst: never enters.
            if distinct and doc in in_pool:
                counts["copies"] += 1
            elif len(heap) < pool:
                heapq.heappush(heap, item)
            elif item[:2] > heap[0][:2]:
                in_pool.discard(heapq.heapreplace(heap, item)[3])
            else:
                continue
            if distinct:
                in_pool.add(doc)
        chunk.clear()

    for rec in records:
        counts["rows"] += 1
        try:
            note = parse_record(rec)
        except InvalidNoteError as exc:
            counts["bad"] += 1
            if first_bad is not None and not first_bad:
                first_bad.append(str(exc))
            print(f"skipped: {exc}", file=sys.stderr)
            continue
        if note.label is not None:
            # counted in both modes: the summary says whether these were left out or picked among
            counts["labelled"] += 1
            if not include_labelled:
                continue
        chunk.append((note, rec.path, rec.line))
        if len(chunk) >= CHUNK:
            flush()
    flush()
    return [c for _, _, c, _ in sorted(heap, key=lambda x: (-x[0], -x[1]))], counts


def diverse(model: Any, candidates: list[Candidate], n: int, diversity: float) -> list[Candidate]:
    """``n`` of ``candidates`` by maximal marginal relevance (see the module docstring)."""
    if diversity == 0 or len(candidates) <= 1:
        return candidates[:n]
    from scipy.sparse import csr_matrix

    f = model.transform([c.note for c in candidates])
    x = csr_matrix((f.data, f.indices, f.indptr), shape=(f.n_rows, int(f.indices.max(initial=0)) + 1))
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    x = csr_matrix(x.multiply(1 / np.where(norms > 0, norms, 1)[:, None]))
    similarity = (x @ x.T).toarray()
    margins = np.array([c.margin for c in candidates])
    top = margins.max(initial=0.0)
    uncertainty = 1 - margins / top if top > 0 else np.ones(len(candidates))
    closest = np.zeros(len(candidates))
    chosen: list[int] = []
    available = np.ones(len(candidates), dtype=bool)
    for _ in range(min(n, len(candidates))):
        score = (1 - diversity) * uncertainty - diversity * closest
        score[closest >= 1 - 1e-9] -= 2  # read exactly as a picked note: no label to learn from while others remain
        score[~available] = -np.inf
        i = int(np.argmax(score))  # ties: the earlier (nearer) candidate
        chosen.append(i)
        available[i] = False
        closest = np.maximum(closest, similarity[i])
    return [candidates[i] for i in chosen]


def run(args: argparse.Namespace) -> int:
    from model.notes import NoteFileError, Record
    from serve.batch import expand_inputs
    from serve.cli import load_ad_model
    from serve.note_files import note_file_records

    if args.n < 1:
        raise InvalidParameterError(f"-n must be at least 1. Got {args.n}.")
    if args.pool_factor < 1:
        raise InvalidParameterError(f"--pool-factor must be at least 1. Got {args.pool_factor}.")
    if not 0 <= args.diversity <= 1:
        raise InvalidParameterError(f"--diversity must be between 0 and 1. Got {args.diversity}.")
    format_of(args.output, QUEUE_FORMATS)
    files = expand_inputs(args.inputs, exclude=[args.output])
    model = load_ad_model(args)

    def records() -> Any:
        for path in files:
            try:
                yield from note_file_records(path, encoding=args.encoding)
            except (NoteFileError, OSError) as exc:  # one bad file of an archive is one bad row, as in score
                why = exc.reason if isinstance(exc, NoteFileError) else f"cannot read the file ({exc.strerror or exc})"
                yield Record(str(path), 0, None, why)

    first_bad: list[str] = []
    pool, counts = nearest(
        model,
        records(),
        args.n * args.pool_factor,
        include_labelled=args.include_labelled,
        distinct=args.diversity > 0,
        first_bad=first_bad,
    )
    if counts["rows"] and counts["bad"] == counts["rows"]:
        return _nothing_readable(files, counts["rows"], first_bad[0], args.output)
    picked = diverse(model, pool, args.n, args.diversity)
    write_queue(args.output, picked, model)
    copies = f", {counts['copies']} copies of a candidate left out" if counts["copies"] else ""
    # the labelled count means notes left out, or notes picked among with --include-labelled: say which
    labelled = "included" if args.include_labelled else "left out"
    print(
        f"wrote {len(picked)} note(s) to label to {args.output} (from {counts['scored']} scored of {counts['rows']} "
        f"rows; {counts['labelled']} already labelled {labelled}, {counts['bad']} bad rows skipped{copies}; "
        f"model {model.version}, threshold {model.threshold:.4f})"
    )
    if not picked and counts["labelled"] and not args.include_labelled:
        print(
            f"note: all {counts['labelled']} readable note(s) already have a label, so none was picked; "
            "--include-labelled picks among them too (e.g. to re-check labels near the threshold)",
            file=sys.stderr,
        )
    return 0


def _nothing_readable(files: list[Path], rows: int, first: str, output: Path) -> int:
    """Exit status 2, with one ``error:`` line, for inputs none of whose rows could be read: a queue of nothing
    with status 0 read as "nothing near the threshold" (as with a Big5 archive read without --encoding), and it
    would replace the queue a moderator may be working on. Some rows readable: the bad ones are skipped, as ever;
    no rows at all (an empty file): an empty queue, status 0, as there is nothing to review."""
    shown = ", ".join(str(f) for f in files[:3]) + (f" and {len(files) - 3} more file(s)" if len(files) > 3 else "")
    print(
        f"error: none of the {rows} row(s) of {shown} could be read (each is named above), so no note was "
        f"reviewed and {output} was not written; the first: {first}",
        file=sys.stderr,
    )
    return 2


def _comment(comment: Any) -> dict[str, Any]:
    """A comment as the note schema writes it: its text and whichever of likes, author and time it has."""
    out = {"text": comment.text, "likes": comment.likes, "author": comment.author, "time": comment.time}
    return {k: v for k, v in out.items() if v is not None}


def _label_name(label: int | None) -> str:
    return "" if label is None else ("ad" if label == 1 else "genuine")


def write_queue(path: Path, picked: list[Candidate], model: Any) -> None:
    rows = []
    from serve.scoring import span_dict

    scored = model.score([c.note for c in picked], top=0) if picked else None
    decisions = scored.decisions if scored else []
    declared = [span_dict(d) for d in scored.declared] if scored else []
    for rank, c in enumerate(picked, 1):
        note = c.note
        comments = [_comment(x) for x in note.comments]
        rows.append({
            "id": note.id, "title": note.title, "text": note.text, "comments": comments or None,
            # the label column stays blank for the moderator; a note picked with --include-labelled keeps the label
            # it had beside it, to compare once relabelled (a label is never fed back without being given again)
            "author": note.author, "label": "", "label_before": _label_name(note.label),
            "source": "review", "file": c.file, "line": c.line, "ad_probability": round(c.probability, 6),
            "decision": decisions[rank - 1], "declared": declared[rank - 1], "margin": round(c.margin, 6), "rank": rank,
            "model_version": model.version,
        })  # fmt: skip
    with replacing(path, newline="") as handle:
        if path.suffix.lower() == ".csv":
            writer = csv.DictWriter(handle, COLUMNS)
            writer.writeheader()
            for row in rows:
                cells = {
                    k: "" if row[k] is None else json.dumps(row[k], ensure_ascii=False)
                    for k in ("comments", "declared")
                }
                writer.writerow({**row, **cells})
        else:
            for row in rows:
                row = {**row, "label": None, "label_before": row["label_before"] or None}
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
