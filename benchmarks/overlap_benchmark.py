"""Fan overlap at scale: 200 creators with up to 1M followers each, read as a stream in bounded memory.

    python benchmarks/overlap_benchmark.py [--creators 200] [--max-followers 1000000] [--k 4096] [--check 10]

Generates follower files in a temporary directory (sizes log-uniform between max/100 and max; ids drawn from
overlapping communities of a 50M-id universe, so pairs overlap from nothing to a lot), then runs the
``notecheck overlap`` counter in sketch mode and reports wall and CPU time, followers per second and the peak
resident memory of this process (``ru_maxrss``) next to the size of the input; then the error of the sketch
against exact Jaccard on ``--check`` sampled pairs (exact sets of only those pairs). Baseline in the same run:
``datasketch.MinHash`` with 256 permutations on the largest creator's followers (per-id cost), which is what a
sketch with one permutation per id saves.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from serve.overlap import OverlapCounter, exact_check


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def generate(directory: Path, creators: int, max_followers: int, seed: int) -> tuple[list[Path], int]:
    rng = np.random.default_rng(seed)
    universe = 50_000_000
    communities = rng.integers(0, universe, size=creators // 8 + 1)
    paths, total = [], 0
    for i in range(creators):
        n = int(np.exp(rng.uniform(np.log(max(1, max_followers // 100)), np.log(max_followers))))
        centre = communities[rng.integers(len(communities))]
        local = (centre + rng.integers(0, max_followers, size=n // 2)) % universe
        spread = rng.integers(0, universe, size=n - n // 2)
        ids = np.concatenate([local, spread]) + 10_000_000
        path = directory / f"creator{i:03d}.txt"
        path.write_text("\n".join(map(str, ids.tolist())) + "\n", encoding="ascii")
        paths.append(path)
        total += n
    return paths, total


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--creators", type=int, default=200)
    ap.add_argument("--max-followers", type=int, default=1_000_000)
    ap.add_argument("--k", type=int, default=4096, help="sketch size")
    ap.add_argument("--check", type=int, default=10, help="pairs checked against exact Jaccard")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="overlap-bench-") as tmp:
        t0 = time.perf_counter()
        paths, total = generate(Path(tmp), args.creators, args.max_followers, args.seed)
        size_mb = sum(p.stat().st_size for p in paths) / 2**20
        print(f"generated {args.creators} creators, {total:,} followers ({size_mb:,.0f} MB of files) in "
              f"{time.perf_counter() - t0:.0f}s; peak memory so far {_peak_mb():,.0f} MB")  # fmt: skip
        counter = OverlapCounter(exact_limit=0, k=args.k)
        wall, cpu = time.perf_counter(), time.process_time()
        for p in paths:
            counter.add_file(p)
        rows = counter.pairs()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"sketch mode (k = {args.k}): {len(rows):,} pairs in {wall:.1f}s wall, {cpu:.1f}s CPU "
              f"({total / wall:,.0f} followers/s); peak memory {_peak_mb():,.0f} MB "
              f"(the largest file has {max(c.followers for c in counter.creators.values()):,} followers)")  # fmt: skip
        t = time.perf_counter()
        top = exact_check(counter, rows[: args.check], args.check, seed=args.seed)
        check = top + exact_check(counter, rows[args.check :], args.check, seed=args.seed)
        errors = [c["error"] for c in check]
        print(f"error vs exact on {len(check)} pairs (the {len(top)} most overlapping and {len(check) - len(top)} at "
              "random): "
              f"mean {np.mean(errors):.4f}, max {max(errors):.4f}, "
              f"Jaccard range {min(c['exact'] for c in check):.3f}-{max(c['exact'] for c in check):.3f} "
              f"({time.perf_counter() - t:.0f}s)")  # fmt: skip
        from datasketch import MinHash

        largest = max(paths, key=lambda p: p.stat().st_size)
        first = [line.strip().encode() for line in largest.read_text().splitlines()]
        one = OverlapCounter(exact_limit=0, k=args.k)
        t = time.process_time()
        one.add_file(largest)
        ours = (time.process_time() - t) / len(first)
        m = MinHash(num_perm=256, seed=1)
        t = time.process_time()
        for start in range(0, len(first), 20_000):
            m.update_batch(first[start : start + 20_000])
        theirs = (time.process_time() - t) / len(first)
        print(f"per follower id on {len(first):,} ids: bottom-k sketch (read + hash) {ours * 1e6:.2f} us, "
              f"datasketch.MinHash(num_perm=256) {theirs * 1e6:.2f} us ({theirs / ours:.0f}x)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
