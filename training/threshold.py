"""The operating threshold: a rule that should hold on *unseen* notes, not only on the notes it was chosen on.

``point`` (the old rule): the threshold at the lowest out-of-fold (OOF) genuine target-note score that still
flags at most ``target_fpr`` of them (a note is flagged at or above it). It is dominated by easy notes and is a
point estimate, so about half the time the FPR on new notes is above target.

``bootstrap`` (the shipped rule): genuine notes are weighted so the hard pool (``annotators: 2``, the pool the
held-out test is drawn from) carries ``hard_pool_share`` of the weight, then the threshold is the
``threshold_quantile`` quantile, over bootstrap resamples of the OOF genuine scores, of each resample's point
threshold by weighted FPR (an upper confidence bound on the FPR).

Why at a genuine note's score and not just above the next lower one: both flag the same genuine notes of the OOF
scores, and the lower one would also flag every unseen note scoring between the two; a threshold that must hold
on new notes takes the higher. (The quick feature-group ablation of a training report uses
:func:`training.fit.threshold_at_fpr`, the lower one, on the same rows for every variant.) Resamples are
stratified by pool, so each keeps the pool sizes.

Scores may be one split's (``notes``) or ``threshold_repeats`` splits' (``repeats x notes``, the folds dealt with
another seed each). Repeats are pooled, each score weighing ``1 / repeats`` of its note, and a resample draws notes
with all their scores: the note stays the unit of sampling, so the bound is no tighter for counting a note R times.
Pooling rather than averaging the scores keeps their spread that of one model's scores, which is what a new note
meets; an average of R scores is narrower and would set the threshold too low. One repeat is the one-split rule,
bit for bit. ``python -m training.stability`` measures how much each rule's threshold moves between refits.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from training.config import TrainConfig
from training.tool_errors import user_errors


def weighted_fpr_curve(scores: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct scores descending, weighted share of genuine notes at or above each)."""
    order = np.argsort(-scores, kind="mergesort")
    s, w = scores[order], weights[order]
    share = np.cumsum(w) / w.sum()
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]
    return s[last], share[last]


def weighted_threshold(scores: np.ndarray, weights: np.ndarray, fpr: float) -> float:
    """The threshold (flag when score >= threshold) at the lowest score whose weighted FPR is <= ``fpr``: a
    genuine note's score, never a value between two (see the module docstring); just above the highest score when
    even that one alone is over ``fpr``."""
    if len(scores) == 0:
        return float("inf")
    s, share = weighted_fpr_curve(scores, weights)
    ok = share <= fpr + 1e-12
    if not ok[0]:
        return float(np.nextafter(s[0], np.inf))
    return float(s[int(np.flatnonzero(ok)[-1])])  # ok is a prefix: the lowest score still within the FPR


def pool_weights(hard: np.ndarray, share: float) -> np.ndarray:
    """Per-note weights giving the hard pool ``share`` of the total (plain weights when a pool is empty)."""
    n_hard, n_easy = int(hard.sum()), int((~hard).sum())
    if n_hard == 0 or n_easy == 0 or share <= 0:
        return np.ones(len(hard))
    return np.where(hard, share / n_hard, (1 - share) / n_easy)


def _repeats(scores: np.ndarray) -> np.ndarray:
    """``scores`` as (repeats, notes): one split's 1-D scores are one repeat."""
    return np.atleast_2d(np.asarray(scores, dtype=np.float64))


def bootstrap_threshold(
    scores: np.ndarray, hard: np.ndarray, *, fpr: float, share: float, quantile: float, n_boot: int, seed: int
) -> float:
    """The ``quantile`` of the bootstrap distribution of the weighted-FPR threshold of genuine ``scores``
    (``notes`` or ``repeats x notes``, pooled; see the module docstring)."""
    rng = np.random.default_rng(seed)
    s = _repeats(scores)
    pools = [np.flatnonzero(hard), np.flatnonzero(~hard)]
    w = pool_weights(hard, share)
    thr = np.empty(n_boot)
    for b in range(n_boot):
        idx = np.concatenate([rng.choice(p, size=len(p), replace=True) for p in pools if len(p)])
        # repeat-major order and w / 1 keep one repeat identical to the one-split rule
        thr[b] = weighted_threshold(s[:, idx].ravel(), np.tile(w[idx], len(s)) / len(s), fpr)
    return float(np.quantile(thr, quantile))


def choose_threshold(scores: np.ndarray, y: np.ndarray, hard: np.ndarray, cfg: TrainConfig, fpr: float) -> float:
    """Operating threshold on OOF ``scores`` (``notes`` or ``repeats x notes``) of target notes with labels ``y``
    and hard-pool flags ``hard``."""
    genuine = y == 0
    if cfg.threshold_rule == "point":
        g = _repeats(scores)[:, genuine]
        return weighted_threshold(g.ravel(), np.ones(g.size), fpr)
    return bootstrap_threshold(
        _repeats(scores)[:, genuine],
        hard[genuine],
        fpr=fpr,
        share=cfg.hard_pool_share,
        quantile=cfg.threshold_quantile,
        n_boot=cfg.threshold_boot,
        seed=cfg.seed,
    )


def threshold_rule(cfg: TrainConfig, fpr: float | None = None) -> Callable[[np.ndarray, np.ndarray, np.ndarray], float]:
    """``rule(scores, y, hard)`` at ``fpr`` (default: the config's target), for the cross-validation protocol."""
    target = cfg.target_fpr if fpr is None else fpr
    return lambda scores, y, hard: choose_threshold(scores, y, hard, cfg, target)


def expected_fpr(
    p: np.ndarray, y: np.ndarray, hard: np.ndarray, threshold: float, *, share: float, n_boot: int = 1000, seed: int = 0
) -> dict[str, object]:
    """FPR at ``threshold`` of out-of-fold probabilities ``p`` (``notes`` or ``repeats x notes``: a note then counts
    as the share of its repeats that flag it) on genuine notes: weighted as the rule weights them (hard pool =
    ``share``), on each pool, with 95% bootstrap intervals over notes (what the model card states)."""
    rng = np.random.default_rng(seed)
    g = y == 0
    h = hard[g]
    flag_share = (_repeats(p)[:, g] >= threshold).mean(axis=0)
    w = pool_weights(h, share)
    pools = [np.flatnonzero(h), np.flatnonzero(~h)]

    def figures(idx: np.ndarray) -> tuple[float, float, float]:
        flag = flag_share[idx]
        hh = h[idx]
        return (
            float(np.sum(w[idx] * flag) / np.sum(w[idx])),
            float(flag[hh].mean()) if hh.any() else float("nan"),
            float(flag[~hh].mean()) if (~hh).any() else float("nan"),
        )

    point = figures(np.arange(len(h)))
    boots = np.array(
        [
            figures(np.concatenate([rng.choice(q, size=len(q), replace=True) for q in pools if len(q)]))
            for _ in range(n_boot)
        ]
    )
    names = ("weighted", "annotators_2", "annotators_1")

    def bound(col: np.ndarray, q: float) -> float | None:
        col = col[np.isfinite(col)]
        return float(np.percentile(col, q)) if len(col) else None  # None (JSON null): a pool with no notes

    def value(x: float) -> float | None:
        return x if np.isfinite(x) else None

    return {
        "hard_pool_share": share,
        "genuine_notes": {"annotators_2": len(pools[0]), "other": len(pools[1])},
        **{
            n: {"fpr": value(point[i]), "low": bound(boots[:, i], 2.5), "high": bound(boots[:, i], 97.5)}
            for i, n in enumerate(names)
        },
    }  # fmt: skip


def compare_rules(
    scores: np.ndarray,
    fold_of: np.ndarray,
    y: np.ndarray,
    hard: np.ndarray,
    cfg: TrainConfig,
    rules: list[tuple],
) -> list[dict[str, object]]:
    """Operating figures of threshold rules ``(rule, hard_pool_share, quantile[, repeats])`` on out-of-fold ``scores``
    (repeats x notes) of the cross-validation protocol: for the notes of each fold the threshold is chosen on the
    other folds, as :func:`training.cv.run_protocol` does. With ``repeats`` R > 1 (``threshold_repeats``) the other
    folds' notes bring their scores of R of the run's repeats (this one and the next R - 1), pooled. Mean over
    repeats, per pool."""
    from dataclasses import replace

    from training.cv import operating_decisions, rates

    out = []
    n_rep = scores.shape[0]
    for rule, share, quantile, *more in rules:
        repeats = more[0] if more else 1
        if repeats > n_rep:
            continue  # the run has too few repeats to pool
        c = replace(cfg, threshold_rule=rule, hard_pool_share=share, threshold_quantile=quantile)
        flagged, _ = operating_decisions(
            scores, fold_of, y, hard, threshold_rule(c), n_splits=int(fold_of.max()) + 1, threshold_repeats=repeats
        )
        row: dict[str, object] = {"rule": rule, "hard_pool_share": share, "quantile": quantile, "repeats": repeats}
        for pool, mask in (("overall", np.ones(len(y), dtype=bool)), ("annotators_2", hard), ("annotators_1", ~hard)):
            figs = [rates(y[mask], flagged[r, mask]) for r in range(n_rep)]
            row[pool] = {k: _mean_defined([f[k] for f in figs]) for k in ("fpr", "recall", "f1", "precision")}
        out.append(row)
    return out


def _mean_defined(values: list[float]) -> float:
    """The mean of the defined figures, nan when none is (a pool with no notes, as in a data set without
    ``annotators: 2`` rows): ``np.nanmean`` warned "Mean of empty slice" on every such pool."""
    defined = [v for v in values if not np.isnan(v)]
    return float(np.mean(defined)) if defined else float("nan")


@user_errors
def main(argv: list[str] | None = None) -> int:
    """``python -m training.threshold --config C --oof DIR/oof_scores.npz --variant KEY``: compare rules."""
    import argparse
    import json
    import zipfile

    from model.errors import InvalidParameterError
    from training.config import load_config
    from training.cv import load_protocol_data, protocol_folds

    p = argparse.ArgumentParser(
        prog="python -m training.threshold",
        description="Operating figures (FPR, recall, F1 per pool) of the threshold rules (point; bootstrap at several "
        "hard-pool shares and quantiles; the config's bootstrap on 3 and 5 repeats pooled) on the out-of-fold scores "
        "of an ablation or --cv run; writes OOF.rules.json too.",
    )
    p.add_argument("--config", required=True, help="the training config the ablation run used")
    p.add_argument(
        "--oof",
        required=True,
        help="oof_scores.npz written by python -m training.ablation, or cv_oof.npz written by notecheck train --cv",
    )
    p.add_argument("--variant", default="config", help="the variant of the run whose scores are read (default: config)")
    args = p.parse_args(argv)
    cfg = load_config(args.config)
    try:
        data = np.load(args.oof, allow_pickle=False)
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise InvalidParameterError(
            f"--oof {args.oof}: expected an oof_scores.npz of python -m training.ablation. Got a file numpy cannot "
            f"read as one ({exc})."
        ) from None
    cv_run = {"scores", "fold_of", "flagged", "y", "hard"} <= set(data.files)  # notecheck train --cv's cv_oof.npz
    known = sorted(k for k in data.files if "." not in k and k not in ("y", "hard"))
    if cv_run:  # one run: its scores, with the folds it dealt (re-dealing 5 folds misread a run of other folds)
        if args.variant != "config":
            raise InvalidParameterError(
                f"--oof {args.oof}: a cv_oof.npz of notecheck train --cv holds one run, no variants. Got --variant "
                f"{args.variant!r}."
            )
    elif args.variant not in known or not {"y", "hard"} <= set(data.files):
        raise InvalidParameterError(
            f"--oof {args.oof}: expected an oof_scores.npz of python -m training.ablation with the variant "
            f"{args.variant!r} (--variant). Got the variants {', '.join(map(repr, known)) or 'none'}."
        )
    scores, y, hard = data["scores" if cv_run else args.variant], data["y"], data["hard"]
    key = "fold_of" if cv_run else f"{args.variant}.fold_of"
    if key in data:
        fold_of = data[key]
    else:  # older files: the folds are a pure function of the data and seeds
        examples = load_protocol_data(cfg)
        pos = {int(i): j for j, i in enumerate(i for i, e in enumerate(examples) if e.source == cfg.target_source)}
        fold_of = np.zeros(scores.shape, dtype=np.int64)
        for r in range(scores.shape[0]):
            for k, (_, va) in enumerate(
                protocol_folds(examples, target_source=cfg.target_source, n_splits=5, seed=cfg.seed + r)
            ):
                fold_of[r, [pos[int(i)] for i in va]] = k
    rules: list[tuple] = [("point", 0.0, 0.5)] + [
        ("bootstrap", share, q) for share in (0.0, 0.5, 0.75, 0.9) for q in (0.5, 0.75, 0.9)
    ]
    rules += [("bootstrap", cfg.hard_pool_share, cfg.threshold_quantile, r) for r in (3, 5)]  # threshold_repeats
    rows = compare_rules(scores, fold_of, y, hard, cfg, rules)
    print("| rule | hard share | quantile | repeats | FPR all | FPR a:2 | FPR a:1 | recall a:2 | F1 a:2 | F1 all |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        o, h, e = r["overall"], r["annotators_2"], r["annotators_1"]
        print(f"| {r['rule']} | {r['hard_pool_share']} | {r['quantile']} | {r['repeats']} | {o['fpr']:.3%} | "
              f"{h['fpr']:.3%} | {e['fpr']:.3%} | {h['recall']:.3f} | {h['f1']:.3f} | {o['f1']:.3f} |")  # fmt: skip
    Path(args.oof + ".rules.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
