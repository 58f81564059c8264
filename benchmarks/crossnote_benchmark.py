"""Cost of `notecheck score`'s first pass (water across a creator's notes) on an archive with comments.

    python benchmarks/crossnote_benchmark.py [--notes 20000] [--comments 30] [--creators 300] [--sample 20000]

Generates an archive of ``--notes`` notes with ``--comments`` comments each (texts of random length drawn from the
characters of ``benchmarks/data/xhs_comments_dev.jsonl``, 3% bought: variants of a few texts per creator, and a
few repeat commenters), then runs :func:`serve.batch.crossnote.gather` over it with one temporary bucket and
with 16, each timed (CPU) and its peak Python allocation measured with ``tracemalloc`` in a second pass. For
scale, in the same run: the shipped comment scorer on ``--sample`` of the comments (what scoring them costs).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "benchmarks" / "data" / "xhs_comments_dev.jsonl"


def generate(path: Path, notes: int, comments: int, creators: int, seed: int = 0) -> int:
    rng = random.Random(seed)
    chars = sorted({ch for line in DEV.read_text(encoding="utf-8").splitlines() for ch in json.loads(line)["text"]})
    bought = {c: ["".join(rng.choices(chars, k=20)) for _ in range(3)] for c in range(creators)}
    total = 0
    with path.open("w", encoding="utf-8") as fh:
        for i in range(notes):
            c = rng.randrange(creators)
            rows = []
            for _ in range(comments):
                if rng.random() < 0.03:
                    text = rng.choice(bought[c]) + rng.choice(["", "！", "啊"])
                else:
                    text = "".join(rng.choices(chars, k=rng.randint(2, 30)))
                author = f"fan{c}" if rng.random() < 0.01 else f"u{rng.randrange(10**7)}"
                rows.append({"text": text, "author": author})
            total += len(rows)
            note = {"id": f"n{i}", "text": "笔记正文" * 10, "author": f"creator{c}", "comments": rows}
            fh.write(json.dumps(note, ensure_ascii=False) + "\n")
    return total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--notes", type=int, default=20_000)
    ap.add_argument("--comments", type=int, default=30, help="comments per note")
    ap.add_argument("--creators", type=int, default=300)
    ap.add_argument("--sample", type=int, default=20_000, help="comments scored by the comment scorer for scale")
    args = ap.parse_args(argv)
    from model.comments import load_comment_scorer
    from model.comments.water import WaterDetector
    from model.notes import MAX_ROW_BYTES
    from serve.batch.crossnote import gather
    from serve.batch.plan import make_plan

    with tempfile.TemporaryDirectory(prefix="crossnote-bench-") as tmp:
        archive = Path(tmp) / "archive.jsonl"
        n = generate(archive, args.notes, args.comments, args.creators)
        size = archive.stat().st_size
        print(f"archive: {args.notes:,} notes, {n:,} comments, {args.creators} creators, {size / 2**20:,.0f} MB")
        plan = make_plan([archive], chunk_size=2000, encoding=None, max_row_bytes=MAX_ROW_BYTES)
        for buckets in (1, 16):
            work = Path(tmp) / f"work{buckets}"
            work.mkdir()
            t = time.process_time()
            path, note = gather(plan, work, WaterDetector(), reuse=False, bucket_bytes=max(1, size // buckets))
            cpu = time.process_time() - t
            path.unlink()
            tracemalloc.start()
            gather(plan, work, WaterDetector(), reuse=False, bucket_bytes=max(1, size // buckets))
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            print(f"first pass, {buckets:>2} bucket(s): {cpu:.1f} s CPU ({cpu / n * 1e6:.1f} us per comment), peak "
                  f"{peak:,.0f} MB allocated; {note}")  # fmt: skip
        scorer = load_comment_scorer()
        texts = []
        with archive.open(encoding="utf-8") as fh:
            for line in fh:
                texts += [c["text"] for c in json.loads(line)["comments"]]
                if len(texts) >= args.sample:
                    break
        t = time.process_time()
        scorer.score_many([texts[i : i + args.comments] for i in range(0, len(texts), args.comments)])
        cpu = time.process_time() - t
        print(f"for scale, comment scoring (sentiment, keywords, water within notes) of {len(texts):,} comments: "
              f"{cpu / len(texts) * 1e6:.1f} us per comment ({len(texts) / cpu:,.0f} comments/s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
