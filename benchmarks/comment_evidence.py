"""Does reading a note's comments help the ad classifier? Out-of-fold comparison with and without comment signals.

    python benchmarks/comment_evidence.py [--data samples/notes.jsonl] [--seeds 5]

Trains the ad model twice on the same grouped folds, once with ``use_comments = true`` (comment-signal tokens:
comment count and the share of comments hitting the purchase-intent and ad-suspicion keyword sets) and once
without, and prints out-of-fold ROC AUC and average precision over all notes, over notes with comments and over
notes without comments (which must not get worse), averaged over several seeds. Works on any labelled note file
with comments (for example CHASM-format data).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from model.notes import read_notes
from training.config import ModelParams
from training.data import Example
from training.fit import fit_ad_model

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT / "samples" / "notes.jsonl")
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--folds", type=int, default=4)
    args = ap.parse_args(argv)
    notes, _ = read_notes(args.data, require_label=True)
    examples = [Example(n, int(n.label), 1.0, "target", "data") for n in notes]
    y = np.array([e.label for e in examples])
    has = np.array([bool(n.comments) for n in notes])
    print(f"{len(notes)} notes, {int(y.sum())} ads, {int(has.sum())} with comments")
    base = ModelParams(min_df=1, cv_folds=args.folds, C=4.0)
    rows: dict[str, list[list[float]]] = {"without comments": [], "with comments": []}
    for seed in range(args.seeds):
        for name, params in (("without comments", base), ("with comments", replace(base, use_comments=True))):
            fit = fit_ad_model(examples, params, seed=seed, target_source="target", target_fpr=0.05, review_fpr=0.15)
            p = fit.oof_probability
            rows[name].append(
                [
                    roc_auc_score(y, p),
                    average_precision_score(y, p),
                    roc_auc_score(y[has], p[has]),
                    average_precision_score(y[has], p[has]),
                    roc_auc_score(y[~has], p[~has]) if len(set(y[~has].tolist())) == 2 else float("nan"),
                ]
            )
    cols = ["AUC all", "AP all", "AUC w/ comments", "AP w/ comments", "AUC no comments"]
    print(f"{'model':<18}" + "".join(f"{c:>17}" for c in cols))
    means = {k: np.nanmean(np.array(v), axis=0) for k, v in rows.items()}
    for k, m in means.items():
        print(f"{k:<18}" + "".join(f"{x:>17.3f}" for x in m))
    gain = means["with comments"] - means["without comments"]
    print(f"{'gain':<18}" + "".join(f"{x:>+17.3f}" for x in gain))
    return 0


if __name__ == "__main__":
    sys.exit(main())
