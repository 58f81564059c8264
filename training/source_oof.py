"""Every corpus measured out of fold: how the config's model does on all the rows of each source, not a test split.

    python -m training.source_oof --config model/default/train.toml -o DIR [--folds 5]

The test split holds 120 Weibo posts and 600 promotional SMS, so one post moves the Weibo false-positive rate by
0.8 points and the issue's lines (Weibo and reviews flagged <= 1%, SMS recall >= 95%, WeChat ROC AUC >= 0.98) are
decided by a few items at the threshold's edge. Here every training row is scored once by a model fitted without its
fold (grouped folds stratified by source and label, :func:`training.folds.cv_folds`, as the protocol deals them),
and the notes of fold k are flagged at the operating threshold the config's rule chooses on the target source's
out-of-fold scores of the other folds, as :func:`training.cv.run_protocol` does. A note is flagged when its score is
at or above that threshold (the short-note and no-phrase rules of the shipped model, which send a few notes to
review, are not applied). Rates come with 95% Wilson intervals; ROC AUC is over the pooled out-of-fold scores.
Writes ``source_oof.json``, ``source_oof.md`` and the per-row ``source_oof.npz`` to DIR.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from model.errors import InvalidParameterError
from training.config import TrainConfig, load_config, require_ad_config
from training.cv import load_protocol_data, roc_auc
from training.data import Example, is_hard_pool
from training.folds import cv_folds
from training.tool_errors import check_output_dir, user_errors


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of ``k`` successes in ``n`` trials (``(nan, nan)`` when ``n`` is 0)."""
    if n == 0:
        return float("nan"), float("nan")
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def out_of_fold(
    examples: list[Example], cfg: TrainConfig, *, n_splits: int, progress: Any = lambda _m: None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(scores, flagged, fold) for every row of ``examples``: each scored by the config's model fitted on the
    other folds, flagged at the threshold chosen on the target source's out-of-fold scores of the other folds. With
    the config's ``threshold_repeats`` R > 1 the rows are dealt into folds R times (seeds ``seed`` .. ``seed + R -
    1``), as the shipped training does, and the threshold for fold k sees the R splits' scores of the target rows
    outside fold k, pooled; scores, flags and folds are those of the first split."""
    from training.models import make_scorer
    from training.threshold import threshold_rule

    y = np.array([e.label for e in examples])
    target = np.array([e.source == cfg.target_source for e in examples], dtype=bool)
    if target.sum() < n_splits:  # "200 grouped folds" over 120 rows ran, with folds of no target row
        raise InvalidParameterError(
            f"--folds {n_splits} needs at least {n_splits} notes of target source {cfg.target_source!r}, whose "
            f"out-of-fold scores choose each fold's threshold. Got {int(target.sum())}."
        )
    hard = np.array([is_hard_pool(e) for e in examples], dtype=bool)
    scorer = make_scorer(examples, cfg.model, seed=cfg.seed, target_source=cfg.target_source)
    repeats = cfg.threshold_repeats
    scores = np.zeros((repeats, len(examples)))
    fold = np.zeros(len(examples), dtype=np.int64)
    for r in range(repeats):
        for k, (tr, va) in enumerate(cv_folds(examples, n_splits=n_splits, seed=cfg.seed + r)):
            progress(f"split {r + 1}/{repeats}, fold {k + 1}/{n_splits}" if repeats > 1 else f"fold {k + 1}/{n_splits}")
            scores[r, va] = scorer(tr, va)
            if r == 0:
                fold[va] = k
    choose = threshold_rule(cfg)
    flagged = np.zeros(len(examples), dtype=bool)
    for k in range(n_splits):
        rest = target & (fold != k)
        mine = fold == k
        pooled = scores[:, rest] if repeats > 1 else scores[0, rest]
        flagged[mine] = scores[0, mine] >= choose(pooled, y[rest], hard[rest])
    return scores[0], flagged, fold


def source_figures(y: np.ndarray, scores: np.ndarray, flagged: np.ndarray) -> dict[str, Any]:
    """Counts, recall on ads and FPR on genuine notes with Wilson intervals, and ROC AUC when both labels occur."""
    ads, genuine = y == 1, y == 0
    out: dict[str, Any] = {"n": len(y), "ads": int(ads.sum()), "genuine": int(genuine.sum())}
    for name, mask in (("recall", ads), ("fpr", genuine)):
        if mask.any():
            k, n = int(flagged[mask].sum()), int(mask.sum())
            low, high = wilson(k, n)
            out[name] = {"flagged": k, "of": n, "rate": k / n, "low": low, "high": high}
    if ads.any() and genuine.any():
        out["roc_auc"] = roc_auc(y, scores)
    return out


def run_source_oof(
    cfg: TrainConfig, *, n_splits: int = 5, progress: Any = lambda _m: None
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Per source and per configured group (``[groups]``), the out-of-fold figures of :func:`source_figures`; and
    per row its id, source, label, score, flag and fold (for reading the flagged notes)."""
    from training.train import check_groups

    t0 = time.perf_counter()
    examples = load_protocol_data(cfg)
    check_groups(cfg, examples)  # its groups' rows below: a misspelt member would drop out of them unsaid
    scores, flagged, fold = out_of_fold(examples, cfg, n_splits=n_splits, progress=progress)
    y = np.array([e.label for e in examples])
    sources = np.array([e.source for e in examples], dtype=object)
    rows = {"ids": np.array([e.note.id or "" for e in examples]), "sources": sources.astype(str), "y": y}
    sets = {s: sources == s for s in sorted(set(sources.tolist()))}
    sets.update({f"{g} ({' + '.join(m)})": np.isin(sources, m) for g, m in cfg.groups.items()})
    return {
        "config": str(cfg.path),
        "folds": n_splits,
        "seed": cfg.seed,
        "threshold_repeats": cfg.threshold_repeats,
        "rows": len(examples),
        "seconds": round(time.perf_counter() - t0, 1),
        "sources": {name: source_figures(y[m], scores[m], flagged[m]) for name, m in sets.items() if m.any()},
    }, {**rows, "scores": scores, "flagged": flagged, "fold": fold}


def markdown(result: dict[str, Any], command: str) -> str:
    def rate(f: dict[str, Any] | None) -> str:
        if f is None:
            return "–"
        return f"{f['rate']:.2%} [{f['low']:.2%}, {f['high']:.2%}] ({f['flagged']} of {f['of']})"

    lines = [
        f"# Every corpus out of fold — {Path(result['config']).name}",
        "",
        f"Produced by: `{command}`",
        "",
        f"{result['folds']} grouped folds stratified by source and label over all {result['rows']} training rows "
        f"(seed {result['seed']}); each row scored by the model fitted without its fold and flagged at the operating "
        "threshold chosen on the other folds' target-source scores"
        + (
            f" of {result['threshold_repeats']} splits pooled (the config's `threshold_repeats`; rows, scores and "
            "flags are the first split's)."
            if result.get("threshold_repeats", 1) > 1
            else "."
        )
        + " Rates with 95% Wilson intervals.",
        "",
        "| source | rows | ads | genuine | recall on ads | flagged genuine (FPR) | ROC AUC |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, f in result["sources"].items():
        auc = f"{f['roc_auc']:.3f}" if "roc_auc" in f else "–"
        lines.append(
            f"| {name} | {f['n']} | {f['ads']} | {f['genuine']} | {rate(f.get('recall'))} | {rate(f.get('fpr'))} | "
            f"{auc} |"
        )
    return "\n".join(lines) + "\n"


@user_errors
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m training.source_oof", description=" ".join(__doc__.split("\n\n")[0].split())
    )
    p.add_argument("--config", required=True, type=Path, help="an ad training config (e.g. model/default/train.toml)")
    p.add_argument("-o", "--output", required=True, type=Path, help="directory for source_oof.json, .md and .npz")
    p.add_argument("--folds", type=int, default=5, help="number of folds (default 5, at least 2)")
    args = p.parse_args(argv)
    if args.folds < 2:
        p.error(f"--folds must be at least 2. Got {args.folds}.")
    out = check_output_dir(args.output)
    cfg = require_ad_config(load_config(args.config))
    result, rows = run_source_oof(cfg, n_splits=args.folds, progress=lambda m: print(m, file=sys.stderr, flush=True))
    command = "python -m training.source_oof " + " ".join(argv if argv is not None else sys.argv[1:])
    out.mkdir(parents=True, exist_ok=True)
    (out / "source_oof.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (out / "source_oof.md").write_text(markdown(result, command), encoding="utf-8")
    np.savez_compressed(out / "source_oof.npz", **rows)
    print(markdown(result, command), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
