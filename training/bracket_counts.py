"""The bracketed strings of note or review files and whether the emoji-code shape (model.emoji_codes) reads each as
a code: the evidence a name must have before it joins ``EMOJI_CODE_NAMES``.

    python -m training.bracket_counts ../shared/data/ads/xhs_labelled.jsonl ../shared/data/ads/sms_promo.jsonl

Each file is JSON Lines, CSV or Parquet, read as every command reads notes; its string fields ``title``,
``text`` and ``review`` are normalised as the document builder does (NFKC, lower case). Printed per file: the rows,
the rows holding bracketed text the shape reads as words, and every distinct bracketed string of 1-8 characters
with its uses, codes and words apart (``[话题]``, hashtag markup, counted on its own).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

from model.emoji_codes import EMOJI_CODE_RE
from model.errors import InvalidNoteError
from model.notes import iter_records
from model.text import normalize_text
from serve.cli import add_encoding_arg
from training.tool_errors import user_errors

_BRACKETED_RE = re.compile(r"\[[^\[\]\s]{1,8}\]")
_FIELDS = ("title", "text", "review")


def count(path: Path, encoding: str | None = None) -> tuple[int, int, Counter[str]]:
    """``(rows, rows with bracketed words, uses of each bracketed string)`` of one note or review file, read as
    every command reads one (:func:`model.notes.iter_records`: JSON Lines, CSV or Parquet); a bad row stops it
    with :class:`InvalidNoteError` naming file, line and why."""
    rows = with_words = 0
    uses: Counter[str] = Counter()
    for rec in iter_records(path, encoding=encoding):
        if rec.error is not None:
            raise InvalidNoteError(rec.where + rec.error)
        row = rec.data or {}
        rows += 1
        found = _BRACKETED_RE.findall(" ".join(normalize_text(row[k]) for k in _FIELDS if isinstance(row.get(k), str)))
        uses.update(found)
        with_words += any(s != "[话题]" and not EMOJI_CODE_RE.fullmatch(s) for s in found)
    return rows, with_words, uses


@user_errors
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.bracket_counts", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "files", nargs="+", type=Path, help="note or review files (JSON Lines, CSV, Parquet; title, text or review)"
    )
    add_encoding_arg(parser)
    args = parser.parse_args(argv)
    for path in args.files:
        if not path.is_file():
            raise FileNotFoundError(2, "no such file", str(path))
        rows, with_words, uses = count(path, args.encoding)
        markup = uses.pop("[话题]", 0)
        codes = {s: n for s, n in uses.most_common() if EMOJI_CODE_RE.fullmatch(s)}
        words = {s: n for s, n in uses.most_common() if s not in codes}
        print(f"{path}: {rows} rows, {with_words} with bracketed text read as words; hashtag markup [话题] {markup}")
        print(
            f"  codes: {len(codes)} distinct, {sum(codes.values())} uses: "
            + ", ".join(f"{s} {n}" for s, n in codes.items())
        )
        print(
            f"  words: {len(words)} distinct, {sum(words.values())} uses: "
            + ", ".join(f"{s} {n}" for s, n in words.items())
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
