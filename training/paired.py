"""Paired differences between two ablation runs made on two checkouts of the code (e.g. before and after a cue
change, which a variant of one run cannot toggle): the same config and folds, so each note's out-of-fold scores
pair up.

    python -m training.paired --before OLD/oof_scores.npz --after NEW/oof_scores.npz [--variant config]

Prints AP and F1 at the target FPR of each run, and the mean [95% paired bootstrap] of after − before, over all
target notes and the ``annotators: 2`` ones (:func:`training.ablation.paired_deltas`).
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

import numpy as np

from training.ablation import paired_deltas
from training.cv import CVRun, set_metrics


def load_run(path: Path, variant: str) -> CVRun:
    """The out-of-fold scores of ``variant`` in an ``oof_scores.npz`` (operating decisions are not stored there,
    so they are left empty: the figures compared need the scores only)."""
    try:
        data = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{path}: not an oof_scores.npz of python -m training.ablation ({exc})") from None
    if not hasattr(data, "files"):  # a single .npy array, not an archive
        raise ValueError(f"{path}: not an oof_scores.npz of python -m training.ablation (one array, no archive)")
    if variant not in data:
        known = sorted(k for k in data.files if "." not in k and k not in ("y", "hard"))
        raise ValueError(f"{path}: no variant {variant!r} (found {', '.join(known)})")
    missing = [k for k in ("y", "hard", f"{variant}.fold_of") if k not in data.files]
    if missing:
        raise ValueError(f"{path}: expected an ablation run's oof_scores.npz arrays, missing {', '.join(missing)}")
    scores = data[variant]
    return CVRun(target_idx=np.arange(scores.shape[1]), y=data["y"], hard=data["hard"], scores=scores,
                 flagged=np.zeros_like(scores, dtype=bool), thresholds=np.zeros((len(scores), 0)),
                 fold_of=data[f"{variant}.fold_of"], seconds=0.0)  # fmt: skip


def compare(before: CVRun, after: CVRun, *, target_fpr: float = 0.02, seed: int = 42) -> str:
    """A Markdown table of both runs' figures and the paired differences; refuses runs on different notes or folds."""
    if not (np.array_equal(before.y, after.y) and np.array_equal(before.fold_of, after.fold_of)):
        raise ValueError("the runs differ in their notes or folds: run both with the same config and --cv")
    delta = paired_deltas(before, after, target_fpr, seed=seed)
    lines = ["| pool | figure | before | after | Δ mean [95% paired bootstrap] |", "|---|---|---|---|---|"]
    for pool, mask in (("overall", np.ones(len(before.y), dtype=bool)), ("annotators_2", before.hard)):
        for k in ("average_precision", "f1_at_fpr"):
            a, b = (
                np.mean([set_metrics(r.y[mask], s[mask], s[mask] > np.inf, target_fpr)[k] for s in r.scores])
                for r in (before, after)
            )
            d = delta[pool][k]
            lines.append(f"| {pool} | {k} | {a:.3f} | {b:.3f} | {d['mean']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}] |")
    return "\n".join(lines)


def _rate(value: str) -> float:
    """An argparse type: a false-positive rate strictly between 0 and 1."""
    try:
        rate = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1), e.g. 0.02. Got {value!r}.") from None
    if not 0 < rate < 1:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1), e.g. 0.02. Got {value}.")
    return rate


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m training.paired", description=" ".join(__doc__.split("\n\n")[0].split())
    )
    p.add_argument("--before", type=Path, required=True, help="oof_scores.npz of the reference checkout")
    p.add_argument("--after", type=Path, required=True, help="oof_scores.npz of the changed checkout")
    p.add_argument("--variant", default="config", help="the variant of each run to compare (default: config)")
    p.add_argument("--target-fpr", type=_rate, default=0.02, help="FPR of the F1 figures, in (0, 1) (default 0.02)")
    args = p.parse_args(argv)
    try:
        print(compare(load_run(args.before, args.variant), load_run(args.after, args.variant),
                      target_fpr=args.target_fpr))  # fmt: skip
    except (OSError, ValueError, KeyError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
