"""``notecheck score --jobs N`` with its process pool against joblib's loky executor, in the same run.

    python benchmarks/pool_benchmark.py [--data ../shared/data] [--rows 20000] [--jobs 2] [--repeat 2]

The project's pool (``concurrent.futures.ProcessPoolExecutor`` forked after the parent has loaded the model, its
workers ending with the parent through ``PR_SET_PDEATHSIG``) against ``joblib.externals.loky`` (whose workers also
end with their parent, but are fresh interpreters that each load the model). Each run is a fresh process scoring
the same archive (replayed from the shared data, seed 0) to JSON Lines; the two alternate ``--repeat`` times.
Prints wall time, notes/s and the peak proportional set size of the process tree, and checks both outputs are
byte-identical.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_benchmark import ROOT, build_archive, run_measured

# Runs in the child: with "loky", the pool of serve.batch is swapped for a loky executor fed the same way.
CHILD = """
import sys
import serve.batch.engines as engines
import serve.batch.run as run
if sys.argv[1] == "loky":
    def loky_pool(todo, workdir, fmt, spec, jobs, on_done):
        from joblib.externals.loky import get_reusable_executor
        engines.feed_pool(get_reusable_executor(max_workers=jobs), todo, workdir, fmt, spec, jobs, on_done)
    run.run_pool = loky_pool
from serve.cli import main
sys.exit(main(sys.argv[2:]))
"""


def run(pool: str, archive: Path, out: Path, jobs: int, n: int) -> tuple[float, float]:
    cmd = [sys.executable, "-c", CHILD, pool, "score", str(archive), "-o", str(out), "--jobs", str(jobs)]
    returncode, _, err, elapsed, (_, pss) = run_measured([*cmd, "--no-progress"])
    if returncode != 0:
        raise SystemExit(f"{pool} run failed ({returncode}): {err[-2000:]}")
    print(f"  {pool:<5} {elapsed:6.1f} s  {n / elapsed:8,.0f} notes/s  peak PSS {pss / 2**20:6,.0f} MB", flush=True)
    return elapsed, pss / 2**20


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--work", type=Path, default=Path("/tmp/notecheck-pool-bench"))
    ap.add_argument("--rows", type=int, default=20_000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)
    if not (args.data / "ads").is_dir():
        print(f"no shared data under {args.data}", file=sys.stderr)
        return 2
    args.work.mkdir(parents=True, exist_ok=True)
    archive = build_archive(args.data, args.work / f"archive_{args.rows}.jsonl", args.rows)
    print(f"{args.rows:,} notes, --jobs {args.jobs}, {args.repeat} alternating runs each:", flush=True)
    results: dict[str, list[tuple[float, float]]] = {"pool": [], "loky": []}
    for _ in range(args.repeat):
        for pool in results:
            results[pool].append(run(pool, archive, args.work / f"{pool}.jsonl", args.jobs, args.rows))
    if (args.work / "pool.jsonl").read_bytes() != (args.work / "loky.jsonl").read_bytes():
        print("the two outputs differ", file=sys.stderr)
        return 1
    best = {k: (min(t for t, _ in v), max(m for _, m in v)) for k, v in results.items()}
    print(f"best time loky / pool: {best['loky'][0] / best['pool'][0]:.2f}x; "
          f"peak PSS loky / pool: {best['loky'][1] / best['pool'][1]:.2f}x; outputs identical")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
