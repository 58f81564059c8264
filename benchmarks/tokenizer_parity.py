"""Parity and speed of the rjieba backend against jieba (the reference) on the shared corpora.

    python benchmarks/tokenizer_parity.py [--data ../shared/data] [--limit N]

Prints, per corpus, the share of prepared documents that both backends tokenize identically, and the
documents-per-second of each backend measured in the same run (ratio = rjieba / jieba).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from model.text import prepare_document
from model.tokenize import NoteTokenizer

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--limit", type=int, default=0, help="documents per corpus (0 = all)")
    ap.add_argument("--show", type=int, default=3, help="differing documents to print per corpus")
    args = ap.parse_args(argv)
    files = sorted(args.data.glob("*/*.jsonl"))
    if not files:
        print(f"no corpora under {args.data}", file=sys.stderr)
        return 2
    jieba_tok = NoteTokenizer(backend="jieba")
    fast_tok = NoteTokenizer(backend="rjieba")
    jieba_tok("预热"), fast_tok("预热")  # build both dictionaries outside the timings
    total = same = 0
    t_jieba = t_fast = 0.0
    print(f"{'corpus':<28}{'docs':>8}{'identical':>11}{'share':>9}")
    for path in files:
        docs = []
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                docs.append(prepare_document(row.get("title"), row.get("text")))
                if args.limit and len(docs) >= args.limit:
                    break
        t0 = time.perf_counter()
        a = [jieba_tok(d) for d in docs]
        t1 = time.perf_counter()
        b = [fast_tok(d) for d in docs]
        t2 = time.perf_counter()
        t_jieba += t1 - t0
        t_fast += t2 - t1
        n_same = sum(x == y for x, y in zip(a, b, strict=True))
        total += len(docs)
        same += n_same
        print(f"{path.parent.name + '/' + path.name:<28}{len(docs):>8}{n_same:>11}{n_same / len(docs):>9.4f}")
        shown = 0
        for doc, x, y in zip(docs, a, b, strict=True):
            if x != y and shown < args.show:
                diff = sorted(set(x) ^ set(y))[:8]
                print(f"    differs: {doc[:60]!r} tokens only in one: {diff}")
                shown += 1
    print(f"{'ALL':<28}{total:>8}{same:>11}{same / total:>9.4f}")
    print(f"jieba  {total / t_jieba:>10,.0f} docs/s")
    print(f"rjieba {total / t_fast:>10,.0f} docs/s   ratio rjieba/jieba = {t_jieba / t_fast:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
