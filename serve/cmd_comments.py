"""``notecheck comments FILE``: keyword ratio and sentiment of each note's comments, per note and per creator;
and ``notecheck evaluate --task sentiment`` (dispatched here from :mod:`serve.cli`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from model.comments import (
    DEFAULT_KEYWORDS_FILE,
    DEFAULT_MAX_COMMENT_CHARS,
    CommentScorer,
    aggregate_creators,
    creator_table,
    load_sentiment_model,
    merge_keyword_sets,
    read_keyword_config,
    sentiment_metrics,
    sentiment_table,
)
from model.comments.metrics import dev_table, three_class_metrics
from model.errors import InvalidNoteError, InvalidParameterError, ModelLoadError, WrongModelTask
from model.evaluation import format_value
from model.notes import Note, NoteFileError, check_length, parse_note
from model.schema import is_blank
from serve.cli import add_encoding_arg, add_model_arg, load_ad_model
from serve.creators import creator_columns, markdown_table, most_flagged_first
from serve.note_files import note_file_records
from serve.scoring import row_author, span_dict
from serve.terminal import md_cell


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "comments",
        help="keyword ratio and positive/negative ratio of each note's comments, per note and per creator",
        description="Score the comments of each note in note files (a note may have comments and no text). "
        "--model picks the sentiment model directory (default: model/sentiment/).",
    )
    p.add_argument(
        "inputs", nargs="+", type=Path, metavar="FILE", help="note files, directories or glob patterns, as in score"
    )
    p.add_argument("--keywords", type=Path, default=None, help="JSON file of keyword sets added to the defaults")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    add_model_arg(
        p, help="sentiment model directory (default: the shipped one, model/sentiment/); the ad model is --ad-model"
    )
    p.add_argument("--ad-model", type=Path, default=None, help="ad model for the creators' ad share (default: shipped)")
    p.add_argument("--no-ad", action="store_true", help="do not run the ad model (ad share stays empty)")
    p.add_argument("--max-comment-chars", type=int, default=DEFAULT_MAX_COMMENT_CHARS,
                   help="score each comment on at most this many characters; a longer one is reported as truncated "
                   f"(default {DEFAULT_MAX_COMMENT_CHARS})")  # fmt: skip
    add_encoding_arg(p)
    p.set_defaults(func=run)


def read_rows(
    paths: list[Path], *, ad_model: bool = True, encoding: str | None = None
) -> tuple[list[dict[str, Any]], list[Note | None]]:
    """One output row per input row; a row that fails validation keeps its ``error``. A file that cannot be read
    (not the format its name says, binary, unreadable) gives one error row with ``line`` 0 after any rows read
    from it, as in ``score``, and the other files are read: one bad file in an archive costs only its own rows.
    With ``ad_model`` (the note itself is judged, not only its comments) a note over the length limit is an error
    row, as ``score`` makes it. ``encoding`` decodes the files (default: each line UTF-8, else GB18030)."""
    rows: list[dict[str, Any]] = []
    notes: list[Note | None] = []
    for path in paths:
        try:
            for rec in note_file_records(path, encoding=encoding):
                rid = rec.data.get("id") if isinstance(rec.data, dict) else None
                row: dict[str, Any] = {"id": None if rid is None else str(rid), "file": rec.path, "line": rec.line}
                try:
                    if rec.error is not None:
                        raise InvalidNoteError(rec.where + rec.error)
                    # no label is needed here: one not understood must not fail the row (as in score)
                    data = {k: v for k, v in rec.data.items() if k != "label"}
                    note = parse_note(data, where=rec.where, require_text=False)
                    if not note.comments and is_blank(note.text) and is_blank(note.title):
                        # nothing to score at all: a bad row, as in score (a note of comments alone is scored here)
                        raw = data.get("text", data.get("description"))
                        raise InvalidNoteError(
                            f"{rec.where}field 'text' is required when the title is blank and there are no "
                            f"comments: a note needs text, a title or comments. Got "
                            f"{'nothing' if raw is None else f'{raw!r:.60}'}."
                        )
                    if ad_model:  # the note is judged: the one length limit of check, score and the server
                        note = check_length(note, where=rec.where)
                except InvalidNoteError as exc:
                    # the row still belongs to its creator, whose table counts it (as `score --report` does)
                    row["author"] = row_author(rec.data if isinstance(rec.data, dict) else None)
                    row["error"] = str(exc)
                    rows.append(row)
                    notes.append(None)
                    continue
                row["author"] = note.author
                rows.append(row)
                notes.append(note)
        except (NoteFileError, OSError) as exc:
            why = exc.reason if isinstance(exc, NoteFileError) else f"cannot read the file ({exc.strerror or exc})"
            rows.append({"id": None, "file": str(path), "line": 0, "error": f"{path}, line 0: {why}"})
            notes.append(None)
    return rows, notes


def score_rows(
    scorer: CommentScorer, rows: list[dict[str, Any]], notes: list[Note | None], ad_model: Any = None
) -> list[dict[str, Any]]:
    """Add the comment report (and the ad decision when ``ad_model`` is given and the note has text)."""
    good = [i for i, n in enumerate(notes) if n is not None]
    reports = scorer.score_many([notes[i] for i in good])
    for i, report in zip(good, reports, strict=True):
        rows[i].update(report.to_dict())
        # Each comment with its words and writer: an archive's reader is told "comment 7 is a duplicate" and should
        # not have to look comment 7 up in the input to see which one. (The API's caller sent the comments and
        # has them: its response keeps the index alone.)
        for entry, comment in zip(rows[i]["comments"], notes[i].comments, strict=True):
            entry["text"], entry["author"] = comment.text, comment.author
    if ad_model is not None:
        # as score decides: a title alone is a note; text of only spaces or invisible marks is blank
        with_text = [i for i in good if not (is_blank(notes[i].text) and is_blank(notes[i].title))]
        scored = ad_model.score([notes[i] for i in with_text], top=0) if with_text else None
        for i in good:
            rows[i]["decision"] = None
            rows[i]["ad_probability"] = None
            rows[i]["declared"] = None
        if scored is not None:
            for k, i in enumerate(with_text):
                rows[i]["decision"] = scored.decisions[k]
                rows[i]["ad_probability"] = round(float(scored.probabilities[k]), 6)
                # the words by which the note declares itself an ad, which decided it (as in score's rows)
                rows[i]["declared"] = span_dict(scored.declared[k])
    return rows


def _table(header: list[str], body: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    # ids and authors come from the archive: one line, no "|" splitting a cell, nothing acting on the terminal
    lines += ["| " + " | ".join(md_cell(format_value(v)) for v in row) + " |" for row in body]
    return "\n".join(lines)


def render(rows: list[dict[str, Any]], creators: list[dict[str, Any]], sets: list[str]) -> str:
    header = ["note", "author", "comments", "pos", "neu", "neg", "positive share", "clean", "weighted", "water",
              "decision"]  # fmt: skip
    header += [f"{s} ratio" for s in sets] + [f"{s} clean" for s in sets]
    body = []
    for r in rows:
        name = r.get("id") or f"{Path(r['file']).name}:{r['line']}"
        if "error" in r:  # why is said on stderr (run), as every command says it
            body.append([name, r.get("author"), "error"] + [""] * (len(header) - 3))
            continue
        c = r["label_counts"]
        # A share of no comments is None in the report: "–" here, null in the JSON
        body.append(
            [name, r.get("author"), r["n_comments"], c["positive"], c["neutral"], c["negative"], r["positive_share"],
             r["positive_share_clean"], r["positive_share_weighted"], r["water_ratio"], r.get("decision")]
            + [r["keyword_ratio"].get(s) for s in sets]
            + [r["keyword_ratio_clean"].get(s) for s in sets]
        )  # fmt: skip
    table = creator_table(creators, sets)  # most flagged first already (run), sets sorted as in every report
    return "\n".join(
        ["## Notes", "", _table(header, body), "", "## Creators", "", markdown_table(table, creator_columns(table))]
    )


def build_scorer(args: argparse.Namespace) -> CommentScorer:
    """The comment scorer of ``--model``, the shipped keyword sets plus ``--keywords``, and water detection."""
    max_chars = getattr(args, "max_comment_chars", DEFAULT_MAX_COMMENT_CHARS)
    if max_chars < 1:  # said with the flag, before any model is loaded
        raise InvalidParameterError(f"--max-comment-chars must be at least 1. Got {max_chars}.")
    sets, exclude, negation = read_keyword_config(DEFAULT_KEYWORDS_FILE)
    if args.keywords is not None:
        extra, extra_exclude, extra_negation = read_keyword_config(args.keywords)
        sets = merge_keyword_sets(sets, extra)
        exclude = merge_keyword_sets(exclude, extra_exclude)
        negation = {**negation, **extra_negation}
    try:
        sentiment = load_sentiment_model(args.model, allow_version_mismatch=args.allow_version_mismatch)
    except WrongModelTask as exc:
        if exc.found == "ad":  # --model here is the sentiment model: say where an ad model goes
            raise ModelLoadError(f"{exc} (--model is the sentiment model; the ad model is --ad-model)") from None
        raise
    scorer = CommentScorer(
        sentiment=sentiment,
        keyword_sets=sets,
        keyword_exclude=exclude,
        keyword_negation=negation,
        max_comment_chars=max_chars,
    )
    for set_name, dropped, kept in scorer.matcher.merged:
        print(f"note: keyword {dropped!r} of set {set_name!r} is the same as {kept!r} after normalisation; merged",
              file=sys.stderr)  # fmt: skip
    return scorer


def run(args: argparse.Namespace) -> int:
    from serve.batch.plan import expand_inputs

    files = expand_inputs(args.inputs)
    scorer = build_scorer(args)
    sentiment = scorer.sentiment
    ad_model = None
    if not args.no_ad:
        ad_model = load_ad_model(
            argparse.Namespace(model=args.ad_model, allow_version_mismatch=args.allow_version_mismatch)
        )
    rows, notes = read_rows(files, ad_model=ad_model is not None, encoding=args.encoding)
    rows = score_rows(scorer, rows, notes, ad_model)
    # failed rows count as notes with errors, and the order is most flagged first, as in score --report
    creators = list(most_flagged_first(aggregate_creators(rows)))
    if args.json:
        doc = {
            "sentiment_model": sentiment.version,
            "neutral_band": list(sentiment.neutral_band),
            "ad_model": None if ad_model is None else ad_model.version,
            "keyword_sets": {k: len(v) for k, v in scorer.matcher.sets.items()},
            "notes": rows,
            "creators": creators,
        }
        print(json.dumps(doc, ensure_ascii=False))
    else:
        print(
            f"{len(rows)} notes from {len(files)} file(s); sentiment model {sentiment.version} "
            f"(positive ≥ {sentiment.neutral_band[1]:.3f}, negative < {sentiment.neutral_band[0]:.3f}; a comment that "
            "only asks or requests is neutral whatever its P(positive))"
        )
        # the sets by name, the order of the creator table's columns (model.comments.creator_table)
        print(render(rows, creators, sorted(scorer.matcher.sets)))
    for r in rows:  # on stderr with --json too, as score says each failed row
        if "error" in r:
            print(f"error: {r['error']}", file=sys.stderr)
    return failed_rows(rows)


def failed_rows(rows: list[dict[str, Any]]) -> int:
    """The exit status of a command whose output has every row (``comments``, ``creators``), as ``score``'s: 1
    with one ``error:`` line on stderr when rows failed (bad rows, files that could not be read), else 0."""
    failed = sum("error" in r for r in rows)
    if not failed:
        return 0
    print(f"error: {failed} of {len(rows)} row(s) failed (see their 'error'); exit status 1", file=sys.stderr)
    return 1


THREE_CLASSES = ("positive", "neutral", "negative")
_BINARY = {1: 1, 0: 0, "1": 1, "0": 0}


def _sentiment_label(value: Any, where: str) -> int | str:
    """1/0 (positive/negative) or one of :data:`THREE_CLASSES`; anything else is an error naming the sentiment
    labels (not the ad ones)."""
    if isinstance(value, float) and value in (0.0, 1.0):
        value = int(value)
    key = value.strip().lower() if isinstance(value, str) else value
    if key in THREE_CLASSES:
        return key
    if not isinstance(key, bool) and key in _BINARY:
        return _BINARY[key]
    if value is None:
        raise InvalidNoteError(
            f'{where}field \'label\' is required: 1/0 (positive/negative) or "positive"/"neutral"/"negative". '
            "Got nothing."
        )
    raise InvalidNoteError(
        f"{where}field 'label' must be a sentiment label: 1/0 (positive/negative) or "
        f'"positive"/"neutral"/"negative". Got {type(value).__name__} {value!r:.60}.'
    )


def read_sentiment_file(
    path: Path, *, skip_bad_rows: bool, encoding: str | None = None
) -> tuple[str, list[dict[str, Any]], list[str]]:
    """``(kind, rows, skipped)`` of a sentiment-labelled note file. ``kind`` is ``"three"`` when any label is
    positive / neutral / negative (then 1 and 0 read as positive and negative), else ``"binary"``; each row has
    ``text`` (title and text, as the model reads a note), ``label`` and ``group`` (the comment set's ``note``
    field, ``None`` without one) and ``source``. A bad row raises :class:`InvalidNoteError` naming file, line and
    field, or with ``skip_bad_rows`` is listed in ``skipped`` and left out."""
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    for rec in note_file_records(path, encoding=encoding, empty=False):
        try:
            if rec.error is not None:
                raise InvalidNoteError(rec.where + rec.error)
            data = rec.data
            label = _sentiment_label(data.get("label"), rec.where) if isinstance(data, dict) else None
            note = parse_note({**data, "label": None} if isinstance(data, dict) else data, where=rec.where)
        except InvalidNoteError as exc:
            if not skip_bad_rows:
                raise
            skipped.append(str(exc))
            continue
        group = data.get("note")
        rows.append({
            "text": f"{note.title}\n{note.text}" if note.title else note.text,
            "label": label,
            "group": None if group is None else str(group),
            "source": note.source or path.stem,
        })  # fmt: skip
    kind = "three" if any(isinstance(r["label"], str) for r in rows) else "binary"
    if kind == "three":
        for r in rows:
            r["label"] = {1: "positive", 0: "negative"}.get(r["label"], r["label"])
    return kind, rows, skipped


#: What ``evaluate --task sentiment`` reads, for the error of files that give it nothing.
SENTIMENT_ROWS = (
    "rows of sentiment-labelled texts (JSON Lines, CSV or Parquet; each a 'text' and a 'label': 1/0 "
    '(positive/negative) or "positive"/"neutral"/"negative")'
)


def run_evaluate_sentiment(args: argparse.Namespace) -> int:
    """``notecheck evaluate --task sentiment DATA...``: on files labelled 1 = positive / 0 = negative, accuracy,
    macro-F1 and per-source accuracy; on three-class files (``label`` positive / neutral / negative and, for the
    per-note positive-share error, ``note``, like ``benchmarks/data/xhs_comments_dev.jsonl``), accuracy per class
    and that error, computed by the same code as the training report. ``--skip-bad-rows`` leaves out (and lists)
    rows with an unknown label or a broken note, as in the ad evaluation."""
    from serve.cmd_evaluate import nothing_to_evaluate, report_empty_files

    model = load_sentiment_model(args.model, allow_version_mismatch=args.allow_version_mismatch)
    texts: list[str] = []
    labels: list[int] = []
    sources: list[str] = []
    skipped: list[str] = []
    dev: dict[str, dict[str, Any]] = {}
    read: dict[Path, int] = {}  # rows per file, skipped ones included: which files gave nothing
    for path in args.data:
        kind, rows, s = read_sentiment_file(path, skip_bad_rows=args.skip_bad_rows, encoding=args.encoding)
        skipped += s
        read[path] = read.get(path, 0) + len(rows) + len(s)
        if kind == "three":
            if rows:
                predicted = model.predict([r["text"] for r in rows])
                dev[str(path)] = three_class_metrics([r["label"] for r in rows], predicted, [r["group"] for r in rows])
            continue
        texts += [r["text"] for r in rows]
        labels += [r["label"] for r in rows]
        sources += [r["source"] for r in rows]
    if not texts and not dev:
        for line in skipped:  # the reasons the error points to
            print(f"skipped: {line}", file=sys.stderr)
        raise InvalidParameterError(nothing_to_evaluate(read, "texts", SENTIMENT_ROWS))
    report_empty_files(read)
    result: dict[str, Any] = {}
    if texts:
        result = sentiment_metrics(labels, model.predict_proba(texts), sources, model.neutral_band)
    result["model_version"] = model.version
    result["skipped_rows"] = skipped
    if dev:
        result["three_class"] = dev
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    for line in skipped:
        print(f"skipped: {line}", file=sys.stderr)
    if texts:
        print(f"sentiment model {model.version}, {result['n']} texts (accuracy and macro-F1 at P(positive) = 0.5)")
        print(sentiment_table(result))
    if dev:
        low, high = model.neutral_band
        print(f"sentiment model {model.version} on three-class sets (neutral when {low:.3f} <= P(positive) < "
              f"{high:.3f}); accuracy per class")  # fmt: skip
        print(dev_table(dev))
    return 0
