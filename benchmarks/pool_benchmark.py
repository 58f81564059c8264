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

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_benchmark import bench_parser, build_archive, measure, parse_bench_args

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
    return measure(pool, [*cmd, "--no-progress"])


def main(argv: list[str] | None = None) -> int:
    ap = bench_parser(__doc__.splitlines()[0], "/tmp/notecheck-pool-bench", 20_000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2)
    args = parse_bench_args(ap, argv)
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
