"""``notecheck evaluate``: metrics of a model on labelled note files, read and scored in chunks as ``score`` does.

``--task sentiment`` hands over to :func:`serve.cmd_comments.run_evaluate_sentiment`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, NamedTuple

from model.errors import InvalidNoteError, InvalidParameterError
from serve import cli


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "evaluate",
        help="metrics of a model on labelled note files",
        description=(
            "Measure a model on labelled note files (each row with a 'label': 1 or 'ad' for an ad, 0 or 'genuine' "
            "for an honest note). Prints, for all rows and per 'source', the rows and ads, ROC AUC, precision, "
            "recall, F1 and the false-positive rate on genuine notes at the model's threshold, and the expected "
            "calibration error (ece). Rows that are in the model's training data (its card lists the files; the "
            "texts are compared by hash) are counted and warned about: figures on them are not held-out quality. "
            "A row that fails validation stops the run unless --skip-bad-rows is given (each skipped row is then "
            "listed on standard error)."
        ),
        epilog="exit status: 0 when the rows were evaluated (skipped rows included); 2 when a row failed validation "
        "without --skip-bad-rows, or for a usage error.",
    )
    p.add_argument("data", nargs="+", type=Path, help="labelled note files, directories or glob patterns, as in score")
    cli.add_model_arg(
        p, help="ad model directory (default: the shipped one, model/default/); with --task sentiment a sentiment model"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--skip-bad-rows", action="store_true",
                   help="skip rows that fail validation and list them (default: stop at the first)")  # fmt: skip
    p.add_argument("--task", choices=["ad", "sentiment"], default="ad",
                   help="ad: the ad model on labelled notes (default); sentiment: the comment sentiment model on "
                   "labelled texts (--model then names a sentiment model)")  # fmt: skip
    p.add_argument("--held-out-only", action="store_true",
                   help="leave out the rows that are in the model's training data and measure the others alone: "
                   "figures of held-out quality (default: every row, with a warning naming the overlap)")  # fmt: skip
    cli.add_encoding_arg(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from serve.batch.plan import expand_inputs

    args.data = expand_inputs(args.data)
    if args.task == "sentiment":
        from serve.cmd_comments import run_evaluate_sentiment

        if args.held_out_only:  # its figures would pass as held out: the sentiment model keeps no training rows
            raise _no_held_out("the sentiment model", "its training rows are the files of model/sentiment/train.toml "
                               "(figures on them are in-sample)")  # fmt: skip

        return run_evaluate_sentiment(args)
    import numpy as np

    from model.evaluation import declared_counts, evaluate
    from model.training_rows import row_keys

    model = cli.load_ad_model(args)
    seen: list[Any] = []  # per chunk, which of its notes were training rows (none when the model keeps no hashes)
    overlap = _overlap_counter(args, model, seen)
    if overlap is None and args.held_out_only:
        raise _no_held_out("this model's card", "evaluate without it (the overlap with the training data is then "
                           "unknown)")  # fmt: skip
    keys: list[Any] = []  # per chunk, each note's key (training_rows' hash of its title and text): 8 bytes a note

    def on_chunk(chunk: list[Any]) -> None:
        keys.append(row_keys((n.title, n.text) for n in chunk))  # hashed once: for the overlap and the labels
        if overlap is not None:
            overlap(keys[-1])

    y, p, sources, decisions, declared, skipped, rows = predict_labelled(
        model, args.data, skip_bad_rows=args.skip_bad_rows, on_chunk=on_chunk, encoding=args.encoding
    )
    all_keys = np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64)
    trained = np.concatenate(seen) if seen else np.zeros(len(y), dtype=bool)
    n_read = len(y)
    if args.held_out_only:
        kept = ~trained
        y, p, sources, decisions, declared, all_keys = (a[kept] for a in (y, p, sources, decisions, declared, all_keys))
        if n_read and not len(y):
            raise InvalidParameterError(
                f"all {n_read} labelled notes are in this model's training data: none is held out to evaluate "
                "(drop --held-out-only to measure them, in-sample)"
            )
    both = texts_with_both_labels(all_keys, y)
    if both:
        # each copy is scored and counted under its own label, so the figures count one text as right and wrong
        print(
            f"note: {both} text(s) appear with both labels (ad and genuine; read as the model reads a note, as the "
            "training-overlap check does): each copy is scored and counted under its own label",
            file=sys.stderr,
        )
    if not len(y):
        for line in skipped:  # the reasons the error points to
            print(f"skipped: {line}", file=sys.stderr)
        raise InvalidParameterError(nothing_to_evaluate(rows, "notes", AD_ROWS))
    report_empty_files(rows)
    result = evaluate(y, p, sources, model.threshold, model.review_threshold, decisions=decisions)
    result["declared"] = declared_counts(y, declared, decisions)
    result["model_version"] = model.version
    result["skipped_rows"] = skipped
    result["texts_with_both_labels"] = both
    overlap_n = _report_overlap(model, trained, n_read, held_out_only=args.held_out_only) if seen else _no_hashes()
    result["training_overlap"] = overlap_n
    result["held_out_only"] = bool(args.held_out_only)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(f"model {model.version}, threshold {model.threshold:.4f}, {result['n']} notes")
    if result["unexplained"]:
        print(
            f"{result['unexplained']} of {result['n']} notes at or above the threshold were decided review, not ad: "
            "no phrase of theirs points to an ad, or they are too short to judge (as check and score decide); the "
            "figures count them as not flagged"
        )
    d = result["declared"]
    if d["n"]:
        own = ", ".join(f"{n} {k}" for k, n in d["model_decisions"].items() if n)
        print(
            f"{d['n']} of {result['n']} notes declare themselves ads (#广告, #ad, 本篇是广告, ...) and check and score "
            f"decide them ad by that rule ({d['labelled_ad']} labelled ad, {d['labelled_genuine']} genuine; the model "
            f"alone decided {own}); the figures below measure the model alone"
        )
    if overlap_n is not None and args.held_out_only:
        print(f"held out: {result['n']} of {n_read} notes ({overlap_n} in the training data left out)")
    elif overlap_n is not None:
        print(f"overlap with the training data: {overlap_n} of {result['n']} notes")
    for line in skipped:
        print(f"skipped: {line}", file=sys.stderr)
    from model.evaluation import metrics_table
    from serve.terminal import one_line

    # source names come from the data: on one line, no "|" splitting the row, nothing acting on the terminal
    shown = {one_line(s).replace("|", "\\|"): m for s, m in result["per_source"].items()}
    print(metrics_table(shown, result))
    return 0


def texts_with_both_labels(keys: Any, y: Any) -> int:
    """How many distinct keys (texts as the model reads them) occur with both labels in ``y`` (arrays)."""
    import numpy as np

    pairs = np.unique(np.stack([keys.astype(np.uint64), np.asarray(y, dtype=np.uint64)], axis=1), axis=0)
    _, counts = np.unique(pairs[:, 0], return_counts=True)
    return int((counts > 1).sum())


#: What ``evaluate`` (the ad task) reads, for the error of files that give it nothing.
AD_ROWS = "rows of labelled notes (JSON Lines, CSV or Parquet; each a 'text' and a 'label': 1/0 or \"ad\"/\"genuine\")"


class Labelled(NamedTuple):
    """What :func:`predict_labelled` keeps of the labelled notes of some files (one entry per note, in order)."""

    y: Any
    p: Any
    sources: Any
    decisions: Any
    declared: Any
    skipped: list[str]
    rows: dict[Path, int]  # rows read per file, the skipped ones included: which files gave nothing


def nothing_to_evaluate(rows: dict[Path, int], what: str, expected: str) -> str:
    """The error of an evaluation none of whose files gave a labelled row (``rows``: rows read per file, none of
    them kept): each file named with why it gave none (no rows; every row skipped as bad) and what was expected."""
    why = [
        f"{path} holds no rows" if n == 0 else f"all {n} row(s) of {path} were skipped as bad (listed above)"
        for path, n in rows.items()
    ]
    shown = "; ".join(why[:3]) + (f"; and {len(why) - 3} more file(s) alike" if len(why) > 3 else "")
    return f"no labelled {what} to evaluate: {shown or 'no input files'}. Expected {expected}."


def report_empty_files(rows: dict[Path, int]) -> None:
    """A note on stderr for each file that held no rows while others did: it added nothing to the figures, which
    a reader of them should know (a file emptied by an export that went wrong looks like any other)."""
    for path, n in rows.items():
        if n == 0:
            print(f"note: {path} holds no rows; the figures are those of the other files", file=sys.stderr)


def predict_labelled(
    model: Any,
    paths: list[Path],
    *,
    skip_bad_rows: bool,
    chunk_size: int = 2000,
    on_chunk: Any = None,
    encoding: str | None = None,
) -> Labelled:
    """Labels, ad probabilities, sources, decisions and declarations of every labelled note in ``paths``, streamed:
    notes are read and scored ``chunk_size`` at a time and only five small values per note are kept, so memory does
    not grow with the text of the files (as in ``score``). The decisions are the model's as ``score`` makes them (a
    note no phrase explains is ``review`` whatever its probability) without the rule for notes that declare
    themselves ads: ``declared`` says which do (``score`` decides them ad). Bad rows raise, or are skipped and
    listed with ``skip_bad_rows``; ``rows`` counts the rows read per file. ``encoding`` decodes the files (default:
    each line UTF-8, else GB18030)."""
    import numpy as np

    from model.classifier import DECISIONS
    from model.notes import parse_record
    from serve.note_files import note_file_records

    labels: list[Any] = []
    probs: list[Any] = []
    decided: list[Any] = []
    declared: list[Any] = []
    code_of = {d: i for i, d in enumerate(DECISIONS)}
    codes: list[Any] = []
    names: dict[str, int] = {}
    skipped: list[str] = []
    rows: dict[Path, int] = {}
    chunk: list[Any] = []

    def flush() -> None:
        if on_chunk is not None:
            on_chunk(chunk)
        scored = model.score(chunk, top=0)
        probs.append(np.asarray(scored.probabilities, dtype=np.float64))
        decided.append(np.fromiter((code_of[d] for d in scored.model_decisions), dtype=np.int8, count=len(chunk)))
        declared.append(np.fromiter((d is not None for d in scored.declared), dtype=bool, count=len(chunk)))
        labels.append(np.fromiter((n.label for n in chunk), dtype=np.int8, count=len(chunk)))
        chunk.clear()

    for path in paths:
        rows.setdefault(path, 0)  # a file named twice is read twice, as its notes are
        for rec in note_file_records(path, encoding=encoding, empty=False):
            rows[path] += 1
            try:
                note = parse_record(rec, require_label=True)
            except InvalidNoteError as exc:
                if not skip_bad_rows:
                    raise
                skipped.append(str(exc))
                continue
            chunk.append(note)
            codes.append(names.setdefault(note.source or path.stem, len(names)))
            if len(chunk) == chunk_size:
                flush()
    if chunk:
        flush()
    by_code = np.array(list(names), dtype=object)
    y = np.concatenate(labels) if labels else np.zeros(0, dtype=np.int8)
    p = np.concatenate(probs) if probs else np.zeros(0)
    decisions = np.array(DECISIONS, dtype=object)[np.concatenate(decided) if decided else np.zeros(0, dtype=np.int8)]
    said = np.concatenate(declared) if declared else np.zeros(0, dtype=bool)
    return Labelled(y, p, by_code[np.asarray(codes, dtype=np.int64)], decisions, said, skipped, rows)


def _overlap_counter(args: argparse.Namespace, model: Any, seen: list[Any]) -> Any:
    """A callback appending to ``seen``, for a chunk of evaluated notes (given by their keys), which of them were in
    the model's training data (hashes of their normalised title and text, shipped with the model); None when the
    model keeps no hashes."""
    import numpy as np

    from model.artifacts import DEFAULT_MODEL_DIR
    from model.training_rows import load_training_rows

    hashes = load_training_rows(args.model or DEFAULT_MODEL_DIR, model.card)
    if hashes is None:
        return None

    def mark(keys: Any) -> None:  # a chunk's notes' keys (model.training_rows.row_keys)
        seen.append(np.isin(keys, hashes))

    return mark


def _no_held_out(whose: str, what_then: str) -> InvalidParameterError:
    """The refusal of --held-out-only when ``whose`` keeps no training-row hashes to tell held-out rows by."""
    return InvalidParameterError(
        f"The --held-out-only option needs the training rows' hashes, which {whose} keeps none of; {what_then}."
    )


def _no_hashes() -> None:
    print("note: this model's card keeps no training-row hashes; overlap with its training data is unknown",
          file=sys.stderr)  # fmt: skip


def _report_overlap(model: Any, trained: Any, n: int, *, held_out_only: bool) -> int:
    """How many of the ``n`` evaluated notes were training rows (``trained``, one flag each); a warning on stderr
    when their figures are counted (not held-out quality), a note when ``held_out_only`` left them out."""
    overlap = int(trained.sum())
    if overlap:
        files = sorted({f["path"] for d in model.card.get("data", []) for f in d.get("files", [])})
        where = ", ".join(Path(f).name for f in files) or "see its model card"
        if held_out_only:
            print(f"note: left out {overlap} of {n} notes that were in this model's training data ({where}); the "
                  f"figures are those of the other {n - overlap}", file=sys.stderr)  # fmt: skip
        else:
            print(
                f"warning: {overlap} of {n} evaluated notes were in this model's training data ({where}); figures "
                "on them are not held-out quality (--held-out-only measures the others alone).",
                file=sys.stderr,
            )
    return overlap
