"""Keyword-set precision and recall with and without negation modes, on hand-labelled Xiaohongshu-style comments.

    python benchmarks/keyword_negation.py [--data benchmarks/data/keyword_negation.jsonl] [--show]
        [--changes benchmarks/data/xhs_comments_dev.jsonl]

Matches every comment of the file (``text`` plus a 0/1 label per keyword set) against the shipped keyword sets
twice in one run: *before*, negation ignored (every hit counts, as before sets had a ``negation`` mode), and
*after*, with the shipped modes (``purchase_intent``: a negated hit does not count; ``ad_suspicion``: it counts
only in a question or doubt). A comment is predicted positive for a set when it hits any keyword of it. Prints
precision, recall and F1 per set; ``--show`` lists the comments each side gets wrong. ``--changes FILE`` lists
the hits that differ between the two on any JSON Lines file with ``text`` (for example the sentiment development
set, written by someone else and not labelled for keyword sets, to judge the changes by eye). Last, the CPU time
of matching the comments many times over, both ways, in the same run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from model.comments import KeywordMatcher, read_keyword_config
from model.comments.keywords import DEFAULT_KEYWORDS_FILE

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "benchmarks" / "data" / "keyword_negation.jsonl"


def read_rows(path: Path, sets: list[str]) -> list[dict]:
    rows = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        for name in ["text", *sets]:
            if name not in row:
                raise SystemExit(f"error: {path}:{line_no}: field {name!r} is missing")
            if name != "text" and row[name] not in (0, 1):
                raise SystemExit(f"error: {path}:{line_no}: field {name!r} must be 0 or 1. Got {row[name]!r}.")
        rows.append(row)
    return rows


def scores(predicted: list[bool], truth: list[int]) -> tuple[int, int, int, float, float, float]:
    tp = sum(p and t == 1 for p, t in zip(predicted, truth, strict=True))
    fp = sum(p and t == 0 for p, t in zip(predicted, truth, strict=True))
    fn = sum(not p and t == 1 for p, t in zip(predicted, truth, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return tp, fp, fn, precision, recall, f1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--show", action="store_true", help="list the comments each side gets wrong")
    ap.add_argument("--changes", type=Path, help="JSON Lines file with 'text': list the hits that differ")
    ap.add_argument("--rounds", type=int, default=5, help="speed: best of this many rounds")
    args = ap.parse_args(argv)
    config = read_keyword_config(DEFAULT_KEYWORDS_FILE)
    sets = list(config.negation)
    rows = read_rows(args.data, sets)
    texts = [r["text"] for r in rows]
    matchers = {
        "before (negation ignored)": KeywordMatcher(config.sets, exclude=config.exclude),
        "after (shipped modes)": KeywordMatcher(config.sets, exclude=config.exclude, negation=config.negation),
    }
    hits = {name: m.match_many(texts) for name, m in matchers.items()}
    print(f"{len(rows)} comments in {args.data.name}; " + ", ".join(f"{s}: {sum(r[s] for r in rows)}" for s in sets))
    print()
    print("| set | matching | TP | FP | FN | precision | recall | F1 |")
    print("|---|---|---|---|---|---|---|---|")
    for s in sets:
        truth = [r[s] for r in rows]
        for name in matchers:
            tp, fp, fn, p, r, f1 = scores([bool(h[s]) for h in hits[name]], truth)
            print(f"| {s} | {name} | {tp} | {fp} | {fn} | {p:.3f} | {r:.3f} | {f1:.3f} |")
    if args.show:
        for name in matchers:
            print(f"\n## wrong, {name}")
            for s in sets:
                for row, h in zip(rows, hits[name], strict=True):
                    if bool(h[s]) != bool(row[s]):
                        kind = "FP" if h[s] else "FN"
                        print(f"{s} {kind} {row['id']} {row['text']} {h[s]}")
    if args.changes is not None:
        lines = args.changes.read_text(encoding="utf-8").splitlines()
        other = [json.loads(line)["text"] for line in lines if line.strip()]
        before, after = (m.match_many(other) for m in matchers.values())
        pairs = zip(other, before, after, strict=True)
        changed = [(t, s, b[s], a[s]) for t, b, a in pairs for s in sets if b[s] != a[s]]
        print(f"\n## hits that differ in {args.changes.name} ({len(other)} comments): {len(changed)}")
        for text, s, b, a in changed:
            print(f"{s} {text} {b} -> {a}")
    print()
    corpus = texts * max(1, 20_000 // len(texts))
    for name, m in matchers.items():
        best = min(_cpu(m, corpus) for _ in range(args.rounds))
        print(f"speed, {name}: {len(corpus) / best:,.0f} comments/s CPU (best of {args.rounds}, n={len(corpus)})")
    return 0


def _cpu(matcher: KeywordMatcher, texts: list[str]) -> float:
    start = time.process_time()
    matcher.match_many(texts)
    return time.process_time() - start


if __name__ == "__main__":
    sys.exit(main())
