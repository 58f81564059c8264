"""Repeated cross-validation on the target corpus (Xiaohongshu): the protocol every model change is judged by.

``R x K`` protocol: ``R`` repeats, each a fresh seeded split of the *target* notes into ``K`` grouped, stratified
folds (near-duplicates share a group and so a fold, see :func:`training.folds.near_duplicate_groups`). Rows of
other corpora are only ever training rows. Each fold's model scores its validation notes; the out-of-fold (OOF)
scores of a repeat cover every target note once.

Figures, each overall, on the double-annotated notes (``annotators: 2``, the pool the held-out test is drawn
from), and on the notes that name a brand or a product (:func:`names_brand`: the honest writers among them are the
ones a brand-aware model most easily wrongs):

- ROC AUC and average precision of the OOF scores;
- recall and F1 at 2% FPR: at the threshold where a repeat's OOF scores flag ``target_fpr`` of the genuine notes
  of the set measured (an oracle threshold: how well the scores *can* separate at that operating point);
- recall, F1 and FPR at the *operating* threshold: for the notes of fold ``k`` the threshold is chosen by the
  shipped rule (:mod:`training.threshold`) on the OOF scores of the *other* folds, so it is never tuned on the
  notes it is measured on.

Intervals: 95% percentile intervals of a bootstrap that draws a repeat and then resamples the target notes
(stratified by label), so they hold both the split-to-split and the note-sampling variation.

The TF-IDF vocabulary and idf are fitted once on all rows (they use no labels), as the shipped training does;
everything that uses labels (classifiers, NB weights, stacking, calibration, thresholds) is fitted inside folds.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from model.cues import find_cues
from model.errors import InvalidParameterError
from model.notes import Note
from model.text import normalize_text
from training.config import TrainConfig, load_config, require_ad_config
from training.data import Example, deduplicate, is_hard_pool, load_all
from training.folds import cv_folds
from training.tool_errors import check_output_dir

METRICS = ("roc_auc", "average_precision", "recall_at_fpr", "f1_at_fpr", "recall", "f1", "fpr", "precision")


def parse_cv(spec: str) -> tuple[int, int]:
    """``"RxK"`` -> (repeats R, folds K); e.g. ``"5x5"``."""
    m = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", str(spec))
    if not m or int(m.group(1)) < 1 or int(m.group(2)) < 2:
        raise InvalidParameterError(
            f"The '--cv' option must be REPEATSxFOLDS with repeats >= 1 and folds >= 2, e.g. '5x5'. Got {spec!r}."
        )
    return int(m.group(1)), int(m.group(2))


def protocol_folds(
    examples: list[Example], *, target_source: str, n_splits: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Folds of one repeat: (train, validation) indices into ``examples``. Validation rows are target-source
    rows only, grouped and stratified; every other row (other corpora) is in every training side. Rows of
    ``role = "eval"`` datasets are in neither."""
    idx = np.arange(len(examples))
    target = np.array([e.source == target_source and e.role == "train" for e in examples])
    others = idx[np.array([e.source != target_source and e.role == "train" for e in examples])]
    t_idx = idx[target]
    if len(t_idx) < n_splits:
        raise InvalidParameterError(
            f"Cross-validation needs at least {n_splits} notes of target source {target_source!r}. Got {len(t_idx)}."
        )
    labels = {examples[i].label for i in t_idx}
    if len(labels) < 2:  # every figure would be nan, even the FPR over the genuine notes there are
        only = "ads" if labels == {1} else "genuine notes"
        raise InvalidParameterError(
            f"Cross-validation needs both ads and genuine notes of target source {target_source!r}, whose "
            f"out-of-fold scores it measures. Got only {len(t_idx)} {only}."
        )
    local = cv_folds([examples[i] for i in t_idx], n_splits=n_splits, seed=seed)
    return [(np.sort(np.concatenate([others, t_idx[tr]])), t_idx[va]) for tr, va in local]


# -- metrics -----------------------------------------------------------------------------------------------------
def roc_auc(y: np.ndarray, s: np.ndarray) -> float:
    """ROC AUC by the rank-sum formula (ties get average ranks)."""
    from scipy.stats import rankdata

    pos = y == 1
    n1, n0 = int(pos.sum()), int((~pos).sum())
    if n1 == 0 or n0 == 0:
        return float("nan")
    r = rankdata(s)
    return float((r[pos].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def average_precision(y: np.ndarray, s: np.ndarray) -> float:
    """Average precision (step-wise area under the precision-recall curve, as scikit-learn computes it)."""
    n1 = int((y == 1).sum())
    if n1 == 0:
        return float("nan")
    order = np.argsort(-s, kind="mergesort")
    ys, ss = y[order], s[order]
    tp = np.cumsum(ys == 1)
    fp = np.cumsum(ys == 0)
    last = np.r_[np.flatnonzero(np.diff(ss)), len(ss) - 1]  # last index of each distinct score
    tp, fp = tp[last], fp[last]
    precision = tp / (tp + fp)
    recall_step = np.diff(np.r_[0, tp]) / n1
    return float(np.sum(recall_step * precision))


def threshold_for_fpr(s_genuine: np.ndarray, fpr: float) -> float:
    """Smallest score threshold flagging at most ``fpr`` of ``s_genuine`` (flag when score >= threshold)."""
    if len(s_genuine) == 0:
        return float("inf")
    desc = np.sort(s_genuine)[::-1]
    k = int(np.floor(fpr * len(desc)))
    if k >= len(desc):
        return float(desc[-1])
    return float(np.nextafter(desc[k], np.inf))


def rates(y: np.ndarray, flagged: np.ndarray) -> dict[str, float]:
    tp = int(np.sum(flagged & (y == 1)))
    fp = int(np.sum(flagged & (y == 0)))
    fn = int(np.sum(~flagged & (y == 1)))
    n0 = int(np.sum(y == 0))
    recall = tp / (tp + fn) if tp + fn else float("nan")
    precision = tp / (tp + fp) if tp + fp else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"recall": recall, "precision": precision, "f1": f1, "fpr": fp / n0 if n0 else float("nan")}


def set_metrics(y: np.ndarray, s: np.ndarray, flagged: np.ndarray, target_fpr: float) -> dict[str, float]:
    """Every figure of :data:`METRICS` for one set of notes: scores ``s``, operating decisions ``flagged``."""
    at = rates(y, s >= threshold_for_fpr(s[y == 0], target_fpr))
    op = rates(y, flagged)
    return {
        "roc_auc": roc_auc(y, s),
        "average_precision": average_precision(y, s),
        "recall_at_fpr": at["recall"],
        "f1_at_fpr": at["f1"],
        **op,
    }


# -- running the protocol --------------------------------------------------------------------------------------
#: A scorer fits on the training rows of a fold and returns decision values for its validation rows:
#: ``scorer(train_idx, val_idx) -> scores``. See :func:`training.models.make_scorer`.
Scorer = Callable[[np.ndarray, np.ndarray], np.ndarray]


@dataclass
class CVRun:
    """Out-of-fold scores and operating decisions of every repeat over the target notes."""

    target_idx: np.ndarray  # indices (into the examples) of the target notes, in a fixed order
    y: np.ndarray
    hard: np.ndarray  # annotators == 2
    scores: np.ndarray  # (repeats, n) OOF decision values
    flagged: np.ndarray  # (repeats, n) decisions at the operating threshold chosen on the other folds
    thresholds: np.ndarray  # (repeats, folds) operating thresholds (decision-value scale)
    fold_of: np.ndarray  # (repeats, n) fold number of each note
    seconds: float
    brand: np.ndarray | None = None  # notes naming a brand or product (names_brand)


def run_protocol(
    examples: list[Example],
    scorer: Scorer,
    *,
    target_source: str,
    repeats: int,
    n_splits: int,
    seed: int,
    choose_threshold: Callable[[np.ndarray, np.ndarray, np.ndarray], float],
    threshold_repeats: int = 1,
    progress: Callable[[str], None] = lambda _m: None,
) -> CVRun:
    """Run ``repeats`` x ``n_splits`` folds. ``choose_threshold(scores, y, hard)`` is the operating-threshold
    rule; for fold k of repeat r it sees only the OOF scores of the notes outside that fold. With
    ``threshold_repeats`` R > 1 it sees them as the shipped training does (``threshold_repeats`` in the config):
    those notes' scores of R repeats pooled (repeat r and the next R - 1, wrapping; at most ``repeats``), a
    ``(R, notes)`` array."""
    t0 = time.perf_counter()
    target_idx = np.array([i for i, e in enumerate(examples) if e.source == target_source and e.role == "train"])
    pos = {int(i): j for j, i in enumerate(target_idx)}
    y = np.array([examples[i].label for i in target_idx])
    hard = np.array([is_hard_pool(examples[i]) for i in target_idx])
    n = len(target_idx)
    scores = np.zeros((repeats, n))
    fold_of = np.zeros((repeats, n), dtype=np.int64)
    for r in range(repeats):
        folds = protocol_folds(examples, target_source=target_source, n_splits=n_splits, seed=seed + r)
        for k, (tr, va) in enumerate(folds):
            progress(f"repeat {r + 1}/{repeats}, fold {k + 1}/{n_splits}")
            cols = np.array([pos[int(i)] for i in va])
            scores[r, cols] = scorer(tr, va)
            fold_of[r, cols] = k
    flagged, thresholds = operating_decisions(
        scores, fold_of, y, hard, choose_threshold, n_splits=n_splits, threshold_repeats=threshold_repeats
    )
    brand = np.array([names_brand(examples[i].note) for i in target_idx], dtype=bool)
    return CVRun(target_idx, y, hard, scores, flagged, thresholds, fold_of, time.perf_counter() - t0, brand)


def operating_decisions(
    scores: np.ndarray,
    fold_of: np.ndarray,
    y: np.ndarray,
    hard: np.ndarray,
    choose_threshold: Callable[[np.ndarray, np.ndarray, np.ndarray], float],
    *,
    n_splits: int,
    threshold_repeats: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """``(flagged, thresholds)`` of out-of-fold ``scores`` (repeats x notes): the notes of fold k of repeat r are
    flagged at the threshold ``choose_threshold`` sets on the notes outside that fold, with their scores of
    ``threshold_repeats`` repeats pooled (r .. r+R-1, wrapping; at most the run's repeats; one repeat's 1-D scores
    when R is 1). The one place the protocol and :func:`training.threshold.compare_rules` apply a rule."""
    repeats = scores.shape[0]
    pooled = min(threshold_repeats, repeats)
    flagged = np.zeros(scores.shape, dtype=bool)
    thresholds = np.zeros((repeats, n_splits))
    for r in range(repeats):
        rows = [(r + i) % repeats for i in range(pooled)]
        for k in range(n_splits):
            rest, mine = fold_of[r] != k, fold_of[r] == k
            s = scores[rows][:, rest] if pooled > 1 else scores[r, rest]
            thresholds[r, k] = choose_threshold(s, y[rest], hard[rest])
            flagged[r, mine] = scores[r, mine] >= thresholds[r, k]
    return flagged, thresholds


#: Cue kinds that name a brand or a product in the writer's words (a brand account counts as its brand).
BRAND_KINDS = frozenset({"brand_mention", "brand_mention_latin", "product_model", "brand_campaign_tag"})


def names_brand(note: Note) -> bool:
    """Whether the note's title or text names a brand or product as the cues read them (lexicon brands, Latin
    brand names, product model names, brand campaign hashtags). Defined by the cues, so it moves with the lexicon:
    the report states the pool's size."""
    fields = [normalize_text(value) for value in (note.title, note.text) if value]
    return any(cue.name in BRAND_KINDS for text in fields for cue in find_cues(text))


def pools(run: CVRun) -> list[tuple[str, np.ndarray]]:
    """The pools every figure is reported on: name and mask over the run's target notes."""
    out = [("overall", np.ones(len(run.y), dtype=bool)), ("annotators_2", run.hard)]
    if run.brand is not None:
        out.append(("names_brand", run.brand))
    return out


POOL_HEADINGS = {"overall": "all notes", "annotators_2": "annotators: 2", "names_brand": "naming a brand or product"}


def summarize(run: CVRun, *, target_fpr: float, n_boot: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Mean over repeats and 95% bootstrap interval of every figure, overall and on the hard pool."""
    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {}
    for name, mask in pools(run):
        y = run.y[mask]
        if len(set(y.tolist())) < 2:  # no such notes (or one class only): nothing to measure
            nan = {"mean": float("nan"), "low": float("nan"), "high": float("nan")}
            out[name] = {"n": int(mask.sum()), "ads": int(y.sum()), **{k: dict(nan) for k in METRICS}}
            continue
        per_repeat = [
            set_metrics(y, run.scores[r, mask], run.flagged[r, mask], target_fpr) for r in range(len(run.scores))
        ]
        mean = {k: float(np.nanmean([m[k] for m in per_repeat])) for k in METRICS}
        by_label = [np.flatnonzero(y == c) for c in (0, 1)]
        boot = []
        for _ in range(n_boot):
            r = int(rng.integers(len(run.scores)))
            idx = np.concatenate([rng.choice(b, size=len(b), replace=True) for b in by_label if len(b)])
            boot.append(set_metrics(y[idx], run.scores[r, mask][idx], run.flagged[r, mask][idx], target_fpr))
        out[name] = {
            "n": int(mask.sum()),
            "ads": int(y.sum()),
            **{
                k: {
                    "mean": mean[k],
                    "low": float(np.nanpercentile([b[k] for b in boot], 2.5)),
                    "high": float(np.nanpercentile([b[k] for b in boot], 97.5)),
                }
                for k in METRICS
            },
        }
    return out


LABELS = {
    "roc_auc": "ROC AUC",
    "average_precision": "average precision",
    "recall_at_fpr": "recall at {fpr} FPR",
    "f1_at_fpr": "F1 at {fpr} FPR",
    "recall": "recall at operating threshold",
    "precision": "precision at operating threshold",
    "f1": "F1 at operating threshold",
    "fpr": "FPR on genuine notes at operating threshold",
}


def summary_table(summary: dict[str, Any], target_fpr: float) -> str:
    names = [name for name in POOL_HEADINGS if name in summary]
    lines = [
        "| figure | "
        + " | ".join(f"{POOL_HEADINGS[n]} (n={summary[n]['n']}, {summary[n]['ads']} ads)" for n in names)
        + " |",
        "|---" * (len(names) + 1) + "|",
    ]
    for k in METRICS:
        cells = []
        for name in names:
            v = summary[name][k]
            cells.append(f"{v['mean']:.3f} [{v['low']:.3f}, {v['high']:.3f}]")
        lines.append(f"| {LABELS[k].format(fpr=f'{target_fpr:.0%}')} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def load_protocol_data(
    cfg: TrainConfig, *, skip_bad_rows: bool = False, skipped: list[str] | None = None
) -> list[Example]:
    """The training rows of the protocol, de-duplicated; rows skipped as bad are appended to ``skipped``."""
    examples, infos = load_all(cfg, skip_bad_rows=skip_bad_rows)
    if skipped is not None:
        skipped.extend(line for info in infos for line in info.skipped)
    # said on stderr, as load_all says the bad rows it skipped (every tool that runs the protocol reads it here)
    examples, _, _ = deduplicate(examples, cfg.dedup, cfg.feedback_datasets, report=sys.stderr)
    return [e for e in examples if e.role == "train"]


def run_cv(
    config: str | Path | TrainConfig,
    out_dir: str | Path,
    *,
    cv: str = "5x5",
    command: str = "",
    skip_bad_rows: bool = False,
    progress: bool = True,
    n_boot: int = 1000,
    target_fpr: float | None = None,
) -> dict[str, Any]:
    """``notecheck train --config ... --cv RxK``: run the protocol with the config's model and write
    ``cv_report.md`` and ``cv_report.json`` to ``out_dir``. Returns the JSON object. ``target_fpr`` overrides the
    config's (``--target-fpr``), as in :func:`training.train.run_training`."""
    from training.models import make_scorer
    from training.threshold import threshold_rule

    cfg = require_ad_config(config if isinstance(config, TrainConfig) else load_config(config, target_fpr=target_fpr))
    repeats, n_splits = parse_cv(cv)
    check_output_dir(out_dir)  # written at the end: a file there would cost the whole run
    say = (lambda m: print(m, file=sys.stderr, flush=True)) if progress else (lambda _m: None)
    skipped: list[str] = []
    examples = load_protocol_data(cfg, skip_bad_rows=skip_bad_rows, skipped=skipped)
    say(f"cv {repeats}x{n_splits}: {len(examples)} rows, preparing features")
    scorer = make_scorer(examples, cfg.model, seed=cfg.seed)
    run = run_protocol(
        examples,
        scorer,
        target_source=cfg.target_source,
        repeats=repeats,
        n_splits=n_splits,
        seed=cfg.seed,
        choose_threshold=threshold_rule(cfg),
        threshold_repeats=cfg.threshold_repeats,
        progress=say,
    )
    summary = summarize(run, target_fpr=cfg.target_fpr, n_boot=n_boot, seed=cfg.seed)
    from training.provenance import protocol_key

    result = {
        "config": str(cfg.path),
        # what a training run compares before stating these figures as its model's (training.provenance)
        "protocol_key": protocol_key(cfg),
        "command": command,
        "cv": {"repeats": repeats, "folds": n_splits, "seed": cfg.seed},
        # out-of-fold repeats pooled for each fold's operating threshold (the config's, at most the run's repeats)
        "threshold_repeats": min(cfg.threshold_repeats, repeats),
        "target_source": cfg.target_source,
        "target_fpr": cfg.target_fpr,
        "rows": len(examples),
        "seconds": round(run.seconds, 1),
        "summary": summary,
    }
    if skipped:  # the rows --skip-bad-rows left out, as the model card of a training run lists them
        result["skipped_rows"] = skipped
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "cv_report.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (out / "cv_report.md").write_text(cv_markdown(result) + "\n", encoding="utf-8")
    ids = np.array([examples[i].note.id or "" for i in run.target_idx])
    np.savez_compressed(
        out / "cv_oof.npz", ids=ids, y=run.y, hard=run.hard, brand=run.brand, scores=run.scores, flagged=run.flagged,
        fold_of=run.fold_of,
    )  # fmt: skip
    return result


def cv_markdown(result: dict[str, Any]) -> str:
    cv = result["cv"]
    return "\n".join(
        [
            f"# Cross-validation report — {Path(result['config']).name}",
            "",
            f"Produced by: `{result['command']}`",
            "",
            f"{cv['repeats']} repeat{'' if cv['repeats'] == 1 else 's'} x {cv['folds']} grouped stratified folds "
            f"over the `{result['target_source']}` "
            f"notes (seed {cv['seed']}); other corpora only in training folds; {result['rows']} rows; "
            f"{result['seconds']} s. Mean over repeats [95% bootstrap interval].",
            "",
            *(
                [
                    f"{len(result['skipped_rows'])} bad rows were skipped (--skip-bad-rows; `skipped_rows` in "
                    "cv_report.json lists them).",
                    "",
                ]
                if result.get("skipped_rows")
                else []
            ),
            summary_table(result["summary"], result["target_fpr"]),
            "",
            f'"at {result["target_fpr"]:.0%} FPR": threshold set on each repeat\'s out-of-fold scores of the genuine '
            'notes of the column\'s set. "Operating threshold": the shipped threshold rule, applied for each fold to '
            "the out-of-fold scores of the other folds"
            + (
                f" of {result['threshold_repeats']} repeats pooled (the config's `threshold_repeats`)."
                if result.get("threshold_repeats", 1) > 1
                else "."
            )
            + (
                ' "Naming a brand or product": notes whose title or text holds a brand of the lexicon, a Latin brand'
                " name, a product model name or a brand campaign hashtag as the cues read them; its FPR is how often an"
                " honest note that names a brand is flagged."
                if "names_brand" in result["summary"]
                else ""
            ),
        ]
    )
