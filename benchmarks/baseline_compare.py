"""Speed of this checkout against a baseline commit (or several), all measured in the same run.

    python benchmarks/baseline_compare.py [--baseline a5cd2a4 [--baseline COMMIT ...]] [--rows 20000] [--n 1000]
                                          [--rounds 3] [--data ../shared/data]

Checks each baseline commit out into a temporary git worktree (removed at the end) and measures every side with
the same Python environment, alternating round by round so that load from other work on the machine falls on
all alike. Each side runs from its own directory (its ``model`` and ``serve`` are imported, its shipped model
loaded):

- ``notecheck score ARCHIVE --jobs 1``: notes/s end to end (a fresh process, model loading included), on an
  archive of ``--rows`` notes replayed from the shared data (as ``batch_benchmark.py`` builds it), by wall time
  and by the CPU time of the process tree (which other processes on a shared machine do not inflate);
- ``AdModel.check`` of the 300-character note of ``api_latency.py``: p50 wall and thread-CPU microseconds;
- ``POST /v1/check`` called straight into the ASGI app (as ``api_latency.py`` does): p50 wall microseconds, and
  the CPU time per request of the server process and its model processes together;
- document preparation of the Xiaohongshu notes (``ads/xhs_labelled.jsonl``): microseconds per note.

Each round measures the baselines and then the current side, so they share whatever load the machine had; the
median over rounds of each side is printed with the median of the per-round ratios current / baseline (for
latencies, > 1 is slower; for notes/s, < 1 is slower), which is what to compare on a shared machine. Issue 11 asks
both to stay within 10% of a5cd2a4; a second baseline (``--baseline a5cd2a4 --baseline main``) shows what a change
gained, in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


# -- the probe: runs inside one side's directory (its model and serve are the ones imported) --------------------
def _p50(values: list[float]) -> float:
    values = sorted(values)
    return values[len(values) // 2]


def _median(values: list[float]) -> float:
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def probe(n: int, notes_path: Path | None) -> dict[str, float]:
    """Latencies of the code importable from the working directory, in microseconds."""
    import asyncio

    from model import load_model

    rows = [json.loads(line) for line in Path("samples/notes.jsonl").read_text(encoding="utf-8").splitlines()]
    text = ""
    for row in rows:  # the note of benchmarks/api_latency.py: ads and genuine notes alternate in the archive
        text += row["text"]
        if len(text) >= 300:
            break
    note = {"title": rows[1]["title"], "text": text[:300]}
    model = load_model(None)
    out: dict[str, float] = {}

    for _ in range(50):
        model.check(note)
    wall, cpu = [], []
    for _ in range(n):
        t, c = time.perf_counter(), time.thread_time()
        model.check(note)
        cpu.append(time.thread_time() - c)
        wall.append(time.perf_counter() - t)
    out["check_p50_us"], out["check_cpu_p50_us"] = _p50(wall) * 1e6, _p50(cpu) * 1e6

    if notes_path is not None:
        from model.notes import parse_note

        with notes_path.open(encoding="utf-8") as fh:
            parsed = [parse_note({"title": r.get("title"), "text": r["text"]}) for r in map(json.loads, fh)]
        best = float("inf")
        for _ in range(3):
            c = time.process_time()
            model.documents(parsed)
            best = min(best, time.process_time() - c)
        out["prep_cpu_us_per_note"] = best / len(parsed) * 1e6

    from fastapi.testclient import TestClient

    from serve.app import create_app

    body = json.dumps(note, ensure_ascii=False).encode("utf-8")

    async def one(app: Any) -> int:
        from api_latency import asgi_request  # the one raw-ASGI request of the benchmarks

        return await asgi_request(app, "POST", "/v1/check", body)

    async def many(app: Any) -> list[float]:
        for _ in range(50):
            if await one(app) != 200:
                raise SystemExit("POST /v1/check did not answer 200")
        times = []
        for _ in range(max(200, n // 2)):
            t = time.perf_counter()
            await one(app)
            times.append(time.perf_counter() - t)
        return times

    app = create_app()
    with TestClient(app):  # runs the lifespan (loads the models and forks the model processes)
        cpu = _tree_cpu()
        times = asyncio.run(many(app))
        out["api_check_p50_us"] = _p50(times) * 1e6
        out["api_check_cpu_us"] = (_tree_cpu() - cpu) / len(times) * 1e6
    return out


def _tree_cpu() -> float:
    """CPU seconds used so far by this process (all threads) and its live children (the model processes)."""
    t = os.times()
    total = t.user + t.system
    tick = os.sysconf("SC_CLK_TCK")
    for tid in os.listdir("/proc/self/task"):
        try:
            kids = Path(f"/proc/self/task/{tid}/children").read_text().split()
        except OSError:
            continue
        for pid in kids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


# -- the driver -------------------------------------------------------------------------------------------------
def _env(side: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(side)  # ahead of the editable install of whichever checkout the venv points at
    for key in [k for k in env if k.startswith("NOTECHECK_")]:
        del env[key]  # both sides with their defaults
    return env


def run_probe(side: Path, n: int, notes_path: Path | None) -> dict[str, float]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--probe", "--n", str(n)]
    if notes_path is not None:
        cmd += ["--notes", str(notes_path)]
    proc = subprocess.run(cmd, cwd=side, env=_env(side), capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"probe in {side} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_score(side: Path, archive: Path, out: Path, rows: int) -> dict[str, float]:
    """``score --jobs 1`` from ``side``: notes/s by wall time and by CPU time of the process tree."""
    shutil.rmtree(out.with_name(out.name + ".parts"), ignore_errors=True)
    out.unlink(missing_ok=True)
    cmd = [sys.executable, "-c", "import sys; from serve.cli import main; sys.exit(main())", "score", str(archive),
           "-o", str(out), "--jobs", "1", "--no-progress"]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=side, env=_env(side), capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"score in {side} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    with out.open("rb") as fh:
        got = sum(1 for _ in fh)
    if got != rows:
        raise SystemExit(f"score in {side}: {got} rows for {rows}")
    out.unlink()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"score_notes_per_s": rows / wall, "score_cpu_notes_per_s": rows / cpu}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", action="append", help="commit to compare against (issue 11: a5cd2a4); repeatable")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=Path("/tmp/notecheck-baseline-bench"))
    ap.add_argument("--rows", type=int, default=20_000, help="notes in the archive scored by score --jobs 1")
    ap.add_argument("--n", type=int, default=1000, help="timed check calls per round")
    ap.add_argument("--rounds", type=int, default=5, help="rounds, each measuring both sides; medians are reported")
    ap.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--notes", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.probe:
        print(json.dumps(probe(args.n, args.notes)))
        return 0
    if not (args.data / "ads").is_dir():
        print(f"no shared data under {args.data}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from batch_benchmark import build_archive

    args.work.mkdir(parents=True, exist_ok=True)
    archive = build_archive(args.data, args.work / f"archive_{args.rows}.jsonl", args.rows)
    notes_path = args.data / "ads" / "xhs_labelled.jsonl"
    commits = [
        subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", b], capture_output=True, text=True,
                       check=True).stdout.strip()
        for b in args.baseline or ["a5cd2a4"]
    ]  # fmt: skip
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()  # fmt: skip
    tmp = Path(tempfile.mkdtemp(prefix="notecheck-baseline-"))
    sides: dict[str, Path] = {}
    for commit in dict.fromkeys(commits):
        sides[commit] = tmp / commit
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(sides[commit]), commit], check=True,
                       capture_output=True)  # fmt: skip
    bases = list(sides)
    sides["current"] = ROOT
    rounds: list[dict[str, dict[str, float]]] = []
    try:
        for r in range(args.rounds):
            rounds.append({})
            for name, side in sides.items():
                got = run_probe(side, args.n, notes_path if notes_path.is_file() else None)
                got |= run_score(side, archive, args.work / f"scored_{name}.jsonl", args.rows)
                rounds[-1][name] = got
                print(f"round {r + 1} {name}: " + ", ".join(f"{k} {v:,.0f}" for k, v in got.items()), flush=True)
    finally:
        for base in bases:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(sides[base])],
                           capture_output=True)  # fmt: skip
        shutil.rmtree(tmp, ignore_errors=True)
    load = os.getloadavg()[0]
    print(f"\nbaseline {', '.join(bases)} against current {head}; {args.rows:,} notes scored, {args.n} checks per "
          f"round, medians of {args.rounds} rounds; {os.cpu_count()} cores, load average {load:.1f}")  # fmt: skip
    labels = {
        "score_notes_per_s": "score --jobs 1, notes/s (wall)",
        "score_cpu_notes_per_s": "score --jobs 1, notes/s (CPU)",
        "check_p50_us": "AdModel.check p50 µs (wall)",
        "check_cpu_p50_us": "AdModel.check p50 µs (thread CPU)",
        "api_check_p50_us": "POST /v1/check p50 µs (ASGI, wall)",
        "api_check_cpu_us": "POST /v1/check CPU µs per request",
        "prep_cpu_us_per_note": "document preparation µs/note (CPU)",
    }
    print(f"{'measure':<40}" + "".join(f"{b:>12}" for b in bases) + f"{'current':>12}"
          + "".join(f"{'current/' + b:>18}" for b in bases))  # fmt: skip
    for key, label in labels.items():
        if all(key in r[side] for r in rounds for side in sides):
            line = f"{label:<40}" + "".join(f"{_median([r[side][key] for r in rounds]):>12,.0f}" for side in sides)
            for b in bases:
                line += f"{_median([r['current'][key] / r[b][key] for r in rounds]):>17.2f}x"
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
