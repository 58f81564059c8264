"""How often a candidate cue pattern occurs in labelled ads and genuine notes: the evidence a cue word must have
before it goes into model/cue_patterns.py (a probe or a reading of the misses may suggest words; the counts decide).

    python -m training.cue_counts --data ../shared/data/ads/xhs_labelled.jsonl [--examples 3] PATTERN ...
    python -m training.cue_counts --data ../shared/data/ads/xhs_labelled.jsonl --kinds

Each pattern (a regular expression) runs on the normalised title and text, as the cues do. Printed per pattern:
the notes it matches among ads and among genuine notes, over all rows and over the ``annotators: 2`` rows, the
ratio of the two rates, and how many of the matched notes an existing cue already covers at the match (so a
pattern is not added twice). ``--kinds`` prints the same for every existing cue kind, the yardstick for "clearly
commoner in ads".
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from model.cues import cue_spans
from model.errors import InvalidParameterError, NotecheckError
from model.text import normalize_text
from serve.cli import add_encoding_arg, whole_count
from training.config import DatasetSpec
from training.data import is_hard_pool, load_dataset


@dataclass(frozen=True)
class Note:
    text: str  # normalised title and text
    ad: bool
    hard: bool  # annotators: 2


def read_notes(path: Path, encoding: str | None = None) -> list[Note]:
    """The labelled notes of a note file (any format the project reads: the note schema with a label; an
    ``annotators`` field marks the double-annotated rows), through the training data reader."""
    examples, _ = load_dataset(DatasetSpec(name=path.stem, paths=(path,), encoding=encoding or ""), seed=0)
    return [Note(normalize_text(f"{e.note.title} {e.note.text}"), e.label == 1, is_hard_pool(e)) for e in examples]


def _line(name: str, ad: Counter, n: Counter, extra: str = "") -> str:
    rate = {k: ad[k] / n[k] if n[k] else 0.0 for k in ("ad", "genuine")}  # a file may hold one class only
    # no match in either class: no ratio (0.0 read as "commoner in genuine notes")
    ratio = rate["ad"] / rate["genuine"] if rate["genuine"] else float("inf") if rate["ad"] else None
    shown = "–" if ratio is None else f"{ratio:.1f}"
    return (
        f"{name}\n  ads {ad['ad']} of {n['ad']} ({rate['ad']:.1%}), genuine {ad['genuine']} of {n['genuine']} "
        f"({rate['genuine']:.1%}), ratio {shown}; annotators: 2 ads {ad['ad2']} of {n['ad2']}, genuine "
        f"{ad['genuine2']} of {n['genuine2']}{extra}"
    )


def _add(counts: Counter, note: Note) -> None:
    """Count ``note`` in its class ("ad"/"genuine") and, when double-annotated, in that class's "2" pool."""
    kind = "ad" if note.ad else "genuine"
    counts[kind] += 1
    counts[kind + "2"] += note.hard


def _totals(notes: list[Note]) -> Counter:
    n: Counter = Counter()
    for note in notes:
        _add(n, note)
    return n


def count_pattern(notes: list[Note], pattern: str, examples: int = 0) -> str:
    """The counts of one pattern (and up to ``examples`` matches in context per class)."""
    try:
        rx = re.compile(pattern)
    except re.error as exc:
        raise InvalidParameterError(f"PATTERN {pattern!r} is not a regular expression: {exc}.") from None
    hits: Counter = Counter()
    covered = 0
    shown: list[str] = []
    for note in notes:
        found = list(rx.finditer(note.text))
        if not found:
            continue
        kind = "ad" if note.ad else "genuine"
        _add(hits, note)
        spans = cue_spans(note.text)
        covered += any(a < m.end() and m.start() < b for m in found for a, _, b, _ in spans)
        if sum(s.startswith(f"    {kind}") for s in shown) < examples:
            m = found[0]
            shown.append(f"    {kind}: …{note.text[max(0, m.start() - 20) : m.end() + 20]}…")
    return _line(pattern, hits, _totals(notes), f"; {covered} covered by a cue already") + "".join(
        "\n" + s for s in shown
    )


def count_kinds(notes: list[Note]) -> str:
    """The counts of every existing cue kind."""
    per: dict[str, Counter] = {}
    for note in notes:
        for name in {name for _, name, _, _ in cue_spans(note.text)}:
            _add(per.setdefault(name, Counter()), note)
    n = _totals(notes)
    return "\n".join(_line(name, per[name], n) for name in sorted(per))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m training.cue_counts", description=" ".join(__doc__.split("\n\n")[0].split())
    )
    p.add_argument(
        "--data",
        type=Path,
        required=True,
        help="labelled note file (.jsonl, .csv, .parquet: label, text, title, annotators)",
    )
    p.add_argument("--examples", type=whole_count, default=0, help="matches to show in context per class (default 0)")
    p.add_argument("--kinds", action="store_true", help="count the existing cue kinds")
    add_encoding_arg(p)
    p.add_argument("patterns", nargs="*", metavar="PATTERN",
                   help="a regular expression run on the normalised title and text, as the cues are")  # fmt: skip
    args = p.parse_args(argv)
    if not args.patterns and not args.kinds:
        p.error("give a PATTERN or --kinds")
    try:
        notes = read_notes(args.data, args.encoding)
        for pattern in args.patterns:
            print(count_pattern(notes, pattern, args.examples))
        if args.kinds:
            print(count_kinds(notes))
    except (OSError, ValueError, re.error, NotecheckError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
