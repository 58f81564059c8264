"""How often the self-declared-ad rule (model/declared.py) fires on note files: every false trigger it would make on
genuine notes, and its hits among ads, per file.

    python -m training.declared_counts --ads ../shared/data/ads/*.jsonl --genuine ../shared/data/sentiment/*.jsonl

Files given with ``--ads`` carry the ad label (1 ad, 0 genuine); every row of a ``--genuine`` file is genuine for the
ad task (the sentiment corpora: their label is a sentiment). A row is counted when :func:`model.declared.declared_spans`
finds a declaration in its title or text, as ``check`` and ``score`` do; ``--examples`` shows the declared words in
context.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

from model.declared import declared_spans
from model.errors import NotecheckError
from model.notes import iter_records, parse_note
from model.text import normalize_text
from serve.cli import add_encoding_arg, whole_count

#: Words a declaration is made of: rows holding one are where the rule could misfire.
_AD_WORDS = re.compile(r"广告|推广|赞助|合作|#ad|sponsor|partnership")


def count_file(
    path: Path, *, labelled: bool, examples: int = 0, encoding: str | None = None
) -> tuple[Counter, list[str]]:
    """Rows and declared rows of one file by class (``ad`` / ``genuine``), and up to ``examples`` matches in context
    per class. Rows that fail validation are counted as ``bad``."""
    counts: Counter = Counter()
    shown: list[str] = []
    for rec in iter_records(path, encoding=encoding):
        data = rec.data if isinstance(rec.data, dict) else None
        if rec.error is not None or data is None:
            counts["bad"] += 1
            continue
        if not labelled:
            data = {k: v for k, v in data.items() if k != "label"}
        try:
            note = parse_note(data, where=rec.where, require_label=labelled)
        except NotecheckError:
            counts["bad"] += 1
            continue
        kind = "ad" if labelled and note.label == 1 else "genuine"
        counts[kind] += 1
        counts[f"{kind}_words"] += _AD_WORDS.search(normalize_text(f"{note.title} {note.text}")) is not None
        found = declared_spans(note.title, note.text)
        if not found:
            continue
        counts[f"{kind}_declared"] += 1
        if sum(s.startswith(f"    {kind}") for s in shown) < examples:
            s = found[0]
            whole = note.title if s.field == "title" else note.text
            around = " ".join(whole[max(0, s.start - 20) : s.end + 20].split())
            shown.append(f"    {kind} {rec.where.strip()} {s.field} “{s.text}”: …{around}…")
    return counts, shown


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m training.declared_counts", description=" ".join(__doc__.split("\n\n")[0].split())
    )
    p.add_argument("--ads", type=Path, nargs="*", default=[], help="note files labelled ad (1) or genuine (0)")
    p.add_argument(
        "--genuine", type=Path, nargs="*", default=[], help="note files all genuine for the ad task (label ignored)"
    )
    p.add_argument("--examples", type=whole_count, default=0, help="matches to show in context per class (default 0)")
    add_encoding_arg(p)
    args = p.parse_args(argv)
    if not args.ads and not args.genuine:
        p.error("give --ads or --genuine files")
    total: Counter = Counter()
    try:
        for path, labelled in [(f, True) for f in args.ads] + [(f, False) for f in args.genuine]:
            counts, shown = count_file(path, labelled=labelled, examples=args.examples, encoding=args.encoding)
            total.update(counts)
            print(_line(path.name, counts))
            print("".join(s + "\n" for s in shown), end="")
    except (OSError, NotecheckError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(_line("all", total))
    print(f"(a word of one: {_AD_WORDS.pattern.replace('|', ' ')})")
    return 0


def _line(name: str, c: Counter) -> str:
    bad = f", {c['bad']} bad rows" if c["bad"] else ""
    return (
        f"{name}: genuine {c['genuine_declared']} of {c['genuine']} declared ({c['genuine_words']} hold a word of "
        f"one), ads {c['ad_declared']} of {c['ad']} declared ({c['ad_words']} hold a word of one){bad}"
    )


if __name__ == "__main__":
    sys.exit(main())
