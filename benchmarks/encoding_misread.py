"""How often the reader's UTF-8 misread rule (:func:`model.notes.files.utf8_misread`) refuses an honest GB18030,
GBK or Big5 line, how many UTF-8 lines read with ``--encoding gb18030`` it catches, and what it costs.

    python benchmarks/encoding_misread.py [--data ../shared/data] [--stress 3000000] [--rounds 5]

1. False refusals (must be 0). Every note of ``ads/xhs_labelled.jsonl``, ``ads/whu_train.jsonl``,
   ``ads/sms_promo.jsonl`` and ``sentiment/*.jsonl`` is encoded as GB18030 and as Big5 (rows Big5 cannot encode
   are skipped and counted) in three shapes the reader meets: the JSON Lines row as written, title and text alone
   (a CSV line) and each line of the text alone (a quoted CSV field spanning lines), then decoded as the reader
   does with that ``--encoding``. Then ``--stress`` random strings of 4-10 characters drawn uniformly from the
   corpora's GBK- (and Big5-) encodable characters, the worst case: rare characters have the most varied bytes.
2. Catches. Each corpus file, which is UTF-8, read line by line with ``--encoding gb18030``: lines GB18030
   refuses anyway, lines the rule refuses, and lines still misread (too few characters for the rule).
3. Cost. A 20,000-line GB18030 file (the corpora's rows) read by :func:`model.notes.iter_records` with
   ``encoding="gb18030"``, with the rule and with it switched off, interleaved round by round; best round each.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import model.notes.files as files  # noqa: E402
from model.notes import iter_records  # noqa: E402

CORPORA = ("ads/xhs_labelled.jsonl", "ads/whu_train.jsonl", "ads/sms_promo.jsonl", "sentiment/*.jsonl")


def corpus_files(data: Path) -> list[Path]:
    return [p for pattern in CORPORA for p in sorted(data.glob(pattern))]


def shapes(row: dict) -> Iterator[str]:
    """The texts of one note as the reader may meet them on one physical line."""
    yield json.dumps(row, ensure_ascii=False)
    title, text = str(row.get("title") or ""), str(row.get("text") or "")
    yield f"{title} {text}".strip()
    yield from text.split("\n")


def refused(raw: bytes, codec: str) -> bool:
    text, problem = files.decode_line(raw, codec)
    assert text == raw.decode(codec)
    return problem is not None


def false_refusals(paths: list[Path]) -> None:
    for codec in ("gb18030", "big5"):
        lines = cannot = wrong = 0
        for path in paths:
            for line in path.read_text(encoding="utf-8").splitlines():
                for shape in shapes(json.loads(line)):
                    if not shape:
                        continue
                    try:
                        raw = shape.encode(codec)
                    except UnicodeEncodeError:
                        cannot += 1
                        continue
                    lines += 1
                    wrong += refused(raw, codec)
        skipped = f" ({cannot:,} {codec} cannot encode, skipped)" if cannot else ""
        print(f"false refusals, corpora as {codec}: {wrong} of {lines:,} lines{skipped}")


def stress(paths: list[Path], n: int, seed: int = 3) -> None:
    chars = sorted({c for path in paths for c in path.read_text(encoding="utf-8") if not c.isascii()})
    for codec in ("gbk", "big5"):
        pool = []
        for c in chars:
            try:
                c.encode(codec)
            except UnicodeEncodeError:
                continue
            pool.append(c)
        rng = random.Random(seed)
        valid: Counter[int] = Counter()
        wrong = 0
        for _ in range(n):
            s = "".join(rng.choice(pool) + (rng.choice("ab1 !,") if rng.random() < 0.15 else "")
                        for _ in range(rng.randint(4, 10)))  # fmt: skip
            raw = s.encode(codec)
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                continue
            valid[len(raw.translate(None, bytes(range(0xE0))))] += 1
            wrong += refused(raw, codec)
        print(
            f"false refusals, {n:,} random {codec} strings of {len(pool):,} characters: {wrong} "
            f"(valid UTF-8 by characters from U+0800 up: {dict(sorted(valid.items()))})"
        )


def catches(paths: list[Path]) -> None:
    for path in paths:
        kinds: Counter[str] = Counter()
        for raw in path.read_bytes().splitlines():
            if raw.isascii():
                kinds["ASCII, read alike"] += 1
                continue
            try:
                text = raw.decode("gb18030")
            except UnicodeDecodeError:
                kinds["not GB18030, refused already"] += 1
                continue
            kinds["refused by the rule" if files.utf8_misread(raw, text, "gb18030") else "misread"] += 1
        print(f"{path.name} read with --encoding gb18030: " + ", ".join(f"{k} {v:,}" for k, v in kinds.items()))


def throughput(paths: list[Path], rounds: int) -> None:
    rows = [line for path in paths for line in path.read_text(encoding="utf-8").splitlines()]
    rows = random.Random(0).sample(rows, 20_000)
    rule = files.utf8_misread
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "notes.jsonl"
        path.write_bytes(b"".join(r.encode("gb18030") + b"\n" for r in rows))
        best = {"without the rule": float("inf"), "with the rule": float("inf")}
        for _ in range(rounds):
            for name in best:
                files.utf8_misread = rule if name == "with the rule" else (lambda *a, **k: None)
                start = time.perf_counter()
                n = sum(rec.error is None for rec in iter_records(path, encoding="gb18030"))
                best[name] = min(best[name], time.perf_counter() - start)
                assert n == len(rows)
        files.utf8_misread = rule
        size = path.stat().st_size / 1e6
        for name, t in best.items():
            rate = len(rows) / t
            print(f"reader, 20,000 GB18030 lines ({size:.1f} MB), {name}: {t * 1e3:.0f} ms, {rate:,.0f} rows/s")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    p.add_argument("--stress", type=int, default=3_000_000, help="random strings per codec (0: none)")
    p.add_argument("--rounds", type=int, default=5)
    args = p.parse_args()
    paths = corpus_files(args.data)
    if not paths:
        print(f"error: no corpus under {args.data} (expected {', '.join(CORPORA)})", file=sys.stderr)
        return 2
    false_refusals(paths)
    if args.stress:
        stress(paths, args.stress)
    catches(paths)
    throughput(paths, args.rounds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
