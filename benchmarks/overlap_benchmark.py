"""Fan overlap at scale: 200 creators with up to 1M followers each, read as a stream in bounded memory.

    python benchmarks/overlap_benchmark.py [--creators 200] [--max-followers 1000000] [--k 4096] [--check 10]
                                           [--min-jaccard 0.1]

Generates follower files in a temporary directory (sizes log-uniform between max/100 and max; ids drawn from
overlapping communities of a 50M-id universe, so pairs overlap from nothing to about 0.5), then runs the
``notecheck overlap`` counter in sketch mode and reports wall and CPU time, followers per second and the peak
resident memory of this process (``ru_maxrss``) next to the size of the input; then the error of the sketch
against exact Jaccard on ``--check`` sampled pairs (exact sets of only those pairs). Baseline in the same run:
``datasketch.MinHash`` with 256 permutations on the largest creator's followers (per-id cost), which is what a
sketch with one permutation per id saves.

Pairs, in the same run: all pairs estimated from the sketches against LSH candidates (``--min-jaccard``) then
estimated, each timed (CPU) and its peak Python allocation measured with ``tracemalloc`` in a second, untimed
pass; how many of the all-pairs rows at or above the threshold LSH found; and the hand-written banding of
:mod:`serve.overlap_lsh` against ``datasketch.MinHashLSH`` on the same signatures (time, same candidates).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from serve.overlap import OverlapCounter, exact_check
from serve.overlap_lsh import candidate_pairs, candidate_pairs_datasketch, densify


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _measure(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """``(result, CPU seconds, peak MB allocated)``: timed without tracing, then traced once more."""
    t = time.process_time()
    result = fn()
    cpu = time.process_time() - t
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, cpu, peak


def compare_pairs(counter: OverlapCounter, min_jaccard: float) -> None:
    """All pairs against LSH candidates at ``min_jaccard`` (see the module docstring)."""
    n = len(counter.creators)
    every, cpu_all, mem_all = _measure(lambda: counter.pairs(min_jaccard=min_jaccard))

    def lsh() -> tuple[list, tuple[int, int], list]:
        among, params = counter.candidates(min_jaccard)
        return among, params, counter.pairs(min_jaccard=min_jaccard, among=among)

    (among, (bands, rows), found), cpu_lsh, mem_lsh = _measure(lsh)
    missed = {(r["creator_a"], r["creator_b"]) for r in every} - {(r["creator_a"], r["creator_b"]) for r in found}
    print(f"pairs at Jaccard >= {min_jaccard}: all {n * (n - 1) // 2:,} pairs estimated in {cpu_all:.2f}s CPU, "
          f"peak {mem_all:.1f} MB allocated -> {len(every):,} listed; LSH ({bands} bands x {rows} of {counter.bins} "
          f"bins) proposed {len(among):,}, estimated in {cpu_lsh:.2f}s CPU, peak {mem_lsh:.1f} MB -> {len(found):,} "
          f"listed, {len(missed)} missed")  # fmt: skip
    names = sorted(counter.creators)
    sig = np.stack([densify(counter.creators[c].minima) for c in names])
    t = time.process_time()
    ours = candidate_pairs(sig, bands, rows)
    t_ours = time.process_time() - t
    t = time.process_time()
    theirs = candidate_pairs_datasketch(sig, bands, rows)
    t_theirs = time.process_time() - t
    print(f"banding of {n} signatures: hand-written {t_ours * 1000:.1f} ms, datasketch.MinHashLSH "
          f"{t_theirs * 1000:.1f} ms, same candidates: {ours == theirs}")  # fmt: skip


def generate(directory: Path, creators: int, max_followers: int, seed: int) -> tuple[list[Path], int]:
    rng = np.random.default_rng(seed)
    universe = 50_000_000
    communities = rng.integers(0, universe, size=creators // 8 + 1)
    paths, total = [], 0
    for i in range(creators):
        n = int(np.exp(rng.uniform(np.log(max(1, max_followers // 100)), np.log(max_followers))))
        centre = communities[rng.integers(len(communities))]
        # 30-90% of a creator's followers come from its community (a window of max/2 ids), the rest from anywhere
        n_local = int(n * rng.uniform(0.3, 0.9))
        local = (centre + rng.integers(0, max(1, max_followers // 2), size=n_local)) % universe
        spread = rng.integers(0, universe, size=n - n_local)
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
    ap.add_argument("--min-jaccard", type=float, default=0.1, help="threshold of the all-pairs vs LSH comparison")
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
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"sketch mode (k = {args.k}): read in {wall:.1f}s wall, {cpu:.1f}s CPU "
              f"({total / wall:,.0f} followers/s); peak memory {_peak_mb():,.0f} MB "
              f"(the largest file has {max(c.followers for c in counter.creators.values()):,} followers)")  # fmt: skip
        rows = counter.pairs()
        compare_pairs(counter, args.min_jaccard)
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
