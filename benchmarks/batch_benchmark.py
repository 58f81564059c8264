"""End-to-end speed and memory of ``notecheck score`` on a large archive, against baselines measured in the same run.

    python benchmarks/batch_benchmark.py [--data ../shared/data] [--work /tmp/notecheck-batch-bench]
                                         [--rows 200000] [--big-rows 1000000] [--naive 1000]

Builds an archive of ``--rows`` notes (and one of ``--big-rows``) by replaying the texts of the shared data in a
fixed pseudo-random order (seed 0) with fresh ids and 500 synthetic creators, then measures:

- ``notecheck score ARCHIVE -o OUT.jsonl --jobs 1`` and ``--jobs 2``: notes/s end to end (read, score, write),
  each a fresh process (model loading included), and the peak memory of the whole process tree (parent and
  workers: proportional set size summed, and resident set summed, sampled every 0.1 s);
- the same with ``--jobs 2`` on the big archive: peak memory (and notes/s);
- raw tokenisation speed of the fast backend (``rjieba.Jieba().cut`` on title + text of every note): the
  practical upper bound, and ``NoteTokenizer`` on prepared documents (what the model really runs) on a subsample;
- a naive baseline, a loop calling ``jieba.lcut`` and ``Pipeline.predict_proba`` on one note at a time, timed on
  a subsample of ``--naive`` notes and extrapolated (notes/s does not depend on the archive size).

Prints a table and the ratios the issue sets targets for. Outputs stay under ``--work`` (default in /tmp).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTECHECK = [sys.executable, "-c", "import sys; from serve.cli import main; sys.exit(main())"]


def build_archive(data: Path, out: Path, n: int, seed: int = 0) -> Path:
    if out.is_file() and out.stat().st_size > 0 and _count_lines(out) == n:
        return out
    texts = []
    for f in sorted(data.glob("*/*.jsonl")):
        with f.open(encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                texts.append((row.get("title") or "", row["text"]))
    rng = random.Random(seed)
    order = list(range(len(texts)))
    tmp = out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        i = 0
        while i < n:
            rng.shuffle(order)
            for k in order:
                if i >= n:
                    break
                title, text = texts[k]
                row = {"id": f"n{i:07d}", "title": title, "text": text, "author": f"creator{rng.randrange(500):03d}"}
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                i += 1
    os.replace(tmp, out)
    return out


def _count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))


def _tree_memory(root: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes of ``root`` and all its descendants, from /proc. RSS counts shared pages (the numpy,
    scipy and scikit-learn libraries every worker maps) once per process; PSS splits them between processes."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    rss = pss = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
        except OSError:
            continue
    return rss, pss


def run_measured(cmd: list[str]) -> tuple[int, str, str, float, tuple[int, int]]:
    """Run ``cmd`` from the project root; returns its exit code, output, error output, wall time and the peak
    (RSS, PSS) of its process tree sampled every 0.1 s."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, text=True)
    peak = [0, 0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            rss, pss = _tree_memory(proc.pid)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            stop.wait(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    stdout, stderr = proc.communicate()
    elapsed = time.perf_counter() - t0
    stop.set()
    th.join()
    return proc.returncode, stdout, stderr, elapsed, (peak[0], peak[1])


def measure(name: str, cmd: list[str], *, ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Run ``cmd`` (see :func:`run_measured`), print and return its wall time and peak PSS in MB."""
    code, _, err, elapsed, (_, pss) = run_measured(cmd)
    if code not in ok:
        raise SystemExit(f"{name} failed ({code}): {err[-2000:]}")
    print(f"  {name:<28} {elapsed:7.1f} s   peak PSS {pss / 2**20:7,.0f} MB", flush=True)
    return elapsed, pss / 2**20


def bench_parser(description: str, work: str, rows: int) -> argparse.ArgumentParser:
    """The options every archive benchmark has: --data, --work and --rows."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=Path(work))
    ap.add_argument("--rows", type=int, default=rows)
    return ap


def parse_bench_args(ap: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parsed options; exits (2) without the shared data; makes the work directory."""
    args = ap.parse_args(argv)
    if not (args.data / "ads").is_dir():
        raise SystemExit(f"no shared data under {args.data}")
    args.work.mkdir(parents=True, exist_ok=True)
    return args


def run_score(archive: Path, out: Path, jobs: int, n: int, model: Path | None) -> dict[str, float]:
    parts = out.with_name(out.name + ".parts")
    for p in (out,):
        p.unlink(missing_ok=True)
    if parts.exists():
        import shutil

        shutil.rmtree(parts)
    cmd = [*NOTECHECK, "score", str(archive), "-o", str(out), "--jobs", str(jobs), "--no-progress"]
    if model:
        cmd += ["--model", str(model)]
    returncode, stdout, stderr, elapsed, peak = run_measured(cmd)
    if returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({returncode}):\n{stderr[-2000:]}")
    rows = _count_lines(out)
    if rows != n:
        raise SystemExit(f"{out}: {rows} rows for {n} input rows")
    print(f"  jobs={jobs} rows={n:,}: {elapsed:.1f}s  {n / elapsed:,.0f} notes/s  peak PSS {peak[1] / 2**20:,.0f} MB "
          f"(RSS summed {peak[0] / 2**20:,.0f} MB) | {stdout.splitlines()[0]}", flush=True)  # fmt: skip
    out.unlink()
    return {"seconds": elapsed, "rate": n / elapsed, "peak_mb": peak[1] / 2**20, "peak_rss_mb": peak[0] / 2**20}


def read_sample(archive: Path, n: int) -> list[dict]:
    rows = []
    with archive.open(encoding="utf-8") as fh:
        for line in fh:
            rows.append(json.loads(line))
            if len(rows) >= n:
                break
    return rows


def tokenizer_speed(archive: Path, n_prepared: int) -> tuple[float, float, int]:
    import rjieba

    from model.text import prepare_document
    from model.tokenize import NoteTokenizer

    jb = rjieba.Jieba()
    jb.cut("预热", True)
    n = 0
    elapsed = 0.0
    with archive.open(encoding="utf-8") as fh:
        batch: list[str] = []
        for line in fh:
            row = json.loads(line)
            batch.append(f"{row['title']} {row['text']}")
            if len(batch) == 10_000:
                t0 = time.perf_counter()
                for s in batch:
                    jb.cut(s, True)
                elapsed += time.perf_counter() - t0
                n += len(batch)
                batch = []
        t0 = time.perf_counter()
        for s in batch:
            jb.cut(s, True)
        elapsed += time.perf_counter() - t0
        n += len(batch)
    raw_rate = n / elapsed
    rows = read_sample(archive, n_prepared)
    docs = [prepare_document(r["title"], r["text"]) for r in rows]
    tok = NoteTokenizer(backend="rjieba")
    tok("预热")
    t0 = time.perf_counter()
    for d in docs:
        tok(d)
    prepared_rate = len(docs) / (time.perf_counter() - t0)
    return raw_rate, prepared_rate, n


def naive_speed(archive: Path, n: int, model: Path | None) -> tuple[float, float]:
    import logging

    import jieba

    from model import load_model

    logging.getLogger("jieba").setLevel(logging.WARNING)
    jieba.initialize()
    pipeline = load_model(model).pipeline
    rows = read_sample(archive, n)
    pipeline.predict_proba([rows[0]])
    t0 = time.perf_counter()
    for r in rows:
        jieba.lcut(f"{r['title']} {r['text']}")
        pipeline.predict_proba([{"title": r["title"], "text": r["text"]}])
    naive = len(rows) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for r in rows:
        pipeline.predict_proba([{"title": r["title"], "text": r["text"]}])
    per_note = len(rows) / (time.perf_counter() - t0)
    return naive, per_note


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--model", type=Path, default=None, help="model directory (default: the shipped model)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/notecheck-batch-bench"))
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--big-rows", type=int, default=1_000_000, help="0 skips the big run")
    ap.add_argument("--naive", type=int, default=1000, help="notes timed for the naive loop (extrapolated)")
    ap.add_argument("--prepared", type=int, default=20_000, help="notes timed for NoteTokenizer on prepared docs")
    args = ap.parse_args(argv)
    if not (args.data / "ads").is_dir():
        print(f"no shared data under {args.data}", file=sys.stderr)
        return 2
    args.work.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    print(f"building archives in {args.work} (replaying {args.data}, seed 0)", flush=True)
    small = build_archive(args.data, args.work / f"archive_{args.rows}.jsonl", args.rows)
    big = (
        build_archive(args.data, args.work / f"archive_{args.big_rows}.jsonl", args.big_rows) if args.big_rows else None
    )
    print(
        f"  {small} {small.stat().st_size / 2**20:,.0f} MB"
        + (f"; {big} {big.stat().st_size / 2**20:,.0f} MB" if big else "")
    )
    print(f"machine: {os.cpu_count()} cores (shared), python {sys.version.split()[0]}", flush=True)

    print("tokenizer:", flush=True)
    raw_rate, prepared_rate, n_tok = tokenizer_speed(small, args.prepared)
    print(f"  rjieba.cut on title+text, {n_tok:,} notes: {raw_rate:,.0f} notes/s", flush=True)
    print(f"  NoteTokenizer on prepared docs, {args.prepared:,} notes: {prepared_rate:,.0f} notes/s", flush=True)
    print(f"naive loop on {args.naive:,} notes (extrapolated to the archive):", flush=True)
    naive, per_note = naive_speed(small, args.naive, args.model)
    print(f"  jieba.lcut + Pipeline.predict_proba per note: {naive:,.0f} notes/s "
          f"(≈{args.rows / naive / 60:,.1f} min for {args.rows:,})", flush=True)  # fmt: skip
    print(f"  Pipeline.predict_proba per note only: {per_note:,.0f} notes/s", flush=True)
    print("notecheck score (fresh process each, model loading included):", flush=True)
    out = args.work / "scored.jsonl"
    j1 = run_score(small, out, 1, args.rows, args.model)
    j2 = run_score(small, out, 2, args.rows, args.model)
    jb = run_score(big, out, 2, args.big_rows, args.model) if big else None

    print()
    print(f"{'measure':<58}{'value':>14}{'target':>12}")
    rows = [
        ("raw rjieba tokenization (notes/s)", f"{raw_rate:,.0f}", ""),
        ("NoteTokenizer on prepared documents (notes/s)", f"{prepared_rate:,.0f}", ""),
        ("naive loop jieba.lcut + predict_proba (notes/s, subsample)", f"{naive:,.0f}", ""),
        ("score --jobs 1, end to end (notes/s)", f"{j1['rate']:,.0f}", ""),
        ("score --jobs 2, end to end (notes/s)", f"{j2['rate']:,.0f}", ""),
        ("ratio jobs1 / raw rjieba", f"{j1['rate'] / raw_rate:.2f}", ">= 0.50"),
        ("ratio jobs1 / NoteTokenizer on prepared docs", f"{j1['rate'] / prepared_rate:.2f}", ""),
        ("ratio jobs1 / naive loop", f"{j1['rate'] / naive:.1f}x", ">= 20x"),
        ("ratio jobs1 / per-note predict_proba only", f"{j1['rate'] / per_note:.1f}x", ""),
        ("ratio jobs2 / jobs1", f"{j2['rate'] / j1['rate']:.2f}x", ">= 1.7x"),
        (f"peak PSS jobs1, {args.rows:,} notes (MB, process tree)", f"{j1['peak_mb']:,.0f}", "<= 600"),
        (f"peak PSS jobs2, {args.rows:,} notes (MB, process tree)", f"{j2['peak_mb']:,.0f}", "<= 600"),
        (f"peak RSS summed jobs2, {args.rows:,} notes (MB)", f"{j2['peak_rss_mb']:,.0f}", ""),
    ]
    if jb:
        rows += [
            (f"peak PSS jobs2, {args.big_rows:,} notes (MB, process tree)", f"{jb['peak_mb']:,.0f}", ""),
            (
                f"ratio peak {args.big_rows:,} / {args.rows:,} (jobs 2)",
                f"{jb['peak_mb'] / j2['peak_mb']:.2f}",
                "<= 1.10",
            ),
            (f"score --jobs 2, {args.big_rows:,} notes (notes/s)", f"{jb['rate']:,.0f}", ""),
        ]
    for name, value, target in rows:
        print(f"{name:<58}{value:>14}{target:>12}")
    print(f"\nbenchmark wall time {(time.perf_counter() - t_start) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main())
