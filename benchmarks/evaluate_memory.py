"""Peak memory of ``notecheck evaluate`` against ``notecheck score`` on the same large labelled file, in one run.

    python benchmarks/evaluate_memory.py [--data ../shared/data] [--rows 200000] [--work /tmp/notecheck-eval-bench]

Builds a labelled JSON Lines archive of ``--rows`` notes by replaying the labelled ad data of the shared data in a
fixed pseudo-random order (seed 0), then runs, each as a fresh process, ``notecheck evaluate ARCHIVE --json`` and
``notecheck score ARCHIVE -o OUT.jsonl --jobs 1`` (one process, like evaluate), and prints the wall time and the
peak proportional set size of each process tree, and their ratio (target: evaluate within 2x of score).
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_benchmark import NOTECHECK, _count_lines, bench_parser, measure, parse_bench_args


def build_labelled(data: Path, out: Path, n: int, seed: int = 0) -> Path:
    if out.is_file() and _count_lines(out) == n:
        return out
    rows = []
    for f in sorted((data / "ads").glob("*.jsonl")):
        with f.open(encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                if r.get("label") is not None and (r.get("text") or r.get("title")):
                    rows.append({"title": r.get("title") or "", "text": r.get("text") or "", "label": r["label"],
                                 "source": r.get("source") or f.stem})  # fmt: skip
    rng = random.Random(seed)
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps(dict(rng.choice(rows), id=f"n{i:07d}"), ensure_ascii=False) + "\n")
    os.replace(tmp, out)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = bench_parser(__doc__.splitlines()[0], "/tmp/notecheck-eval-bench", 200_000)
    args = parse_bench_args(ap, argv)
    archive = build_labelled(args.data, args.work / f"labelled_{args.rows}.jsonl", args.rows)
    print(f"{archive}: {args.rows:,} labelled notes, {archive.stat().st_size / 2**20:,.0f} MB", flush=True)
    _, evaluate = measure("evaluate --json", [*NOTECHECK, "evaluate", str(archive), "--json"])
    out = args.work / "scored.jsonl"
    score_cmd = [*NOTECHECK, "score", str(archive), "-o", str(out), "--jobs", "1", "--no-progress"]
    _, score = measure("score --jobs 1", score_cmd, ok=(0, 1))  # 1: rows failed; the measurement holds
    out.unlink(missing_ok=True)
    print(f"peak PSS evaluate / score: {evaluate / score:.2f} (target <= 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
