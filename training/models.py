"""The linear models tried under the cross-validation protocol, all of which reduce to *one* weight per TF-IDF
feature plus an intercept, so whatever is shipped runs unchanged in the numpy engine (:mod:`model.engine`):

- ``lr``: one logistic regression over the union of the feature parts (word, char, cue).
- NB weighting (``nb_weight``): each feature scaled by its log-count ratio r = log((p/|p|1) / (q/|q|1)) from
  the training rows (Wang & Manning 2012, NBSVM); the LR weight w of a scaled feature is the weight r * w of
  the unscaled one, so the shipped model keeps plain TF-IDF features.
- part scales (``cue_scale``, ``char_scale``): the columns of the placeholder tokens (cues, markup) or of the
  character n-grams multiplied by a constant before the LR, i.e. regularised less (> 1) or more (< 1) than the
  word features; the weight of a scaled column folds back into the unscaled one as with NB weighting.
- ``stack``: one LR per feature part, stacked by a final LR on their out-of-fold decision values (fitted on
  target-source rows); the result is a * (X_p @ w_p + b_p) summed over parts, again linear in the features.
- domain intercept (``domain_intercept``): a training-only column, 1 on target-source rows and 0 on the other
  corpora, so the LR has an intercept of its own for "a note of the target source" instead of letting
  target-typical features (the title marker once) carry that offset; its weight folds into the intercept, since
  every note the shipped model scores is treated as one of the target source.
- domain features (``domain_features`` = s > 0): feature augmentation (Daumé III 2007, "Frustratingly easy domain
  adaptation"): the LR is fitted on [X, s * X * d], d being 1 on target-source rows and 0 elsewhere, so each feature
  has a weight shared by every corpus and one of the target source's own; the shipped weight of a column is
  w_shared + s * w_target (every scored note is a target-source note, as with the domain intercept). The other
  corpora pull only on the shared weights; the scale s sets how freely the target source departs from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from training.config import ModelParams
from training.data import Example
from training.dropping import drop_marker_features
from training.folds import cv_folds


@dataclass
class LinearFit:
    coef: np.ndarray  # one weight per column of the full feature matrix
    intercept: float
    parts: dict[str, Any]  # diagnostics: stacking weights, NB ratio summary

    def decision(self, X: Any) -> np.ndarray:
        return np.asarray(X @ self.coef).ravel() + self.intercept


def nb_ratio(X: Any, y: np.ndarray, w: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Log-count ratio of each column between ads and genuine rows (sample-weighted, smoothed by ``alpha``)."""
    pos = np.asarray(X.T @ (w * (y == 1))).ravel() + alpha
    neg = np.asarray(X.T @ (w * (y == 0))).ravel() + alpha
    return np.log((pos / pos.sum()) / (neg / neg.sum()))


def _lr(params: ModelParams, seed: int, C: float | None = None) -> LogisticRegression:
    cw: Any = "balanced" if params.class_weight == "balanced" else {0: 1.0, 1: float(params.class_weight)}
    return LogisticRegression(
        C=params.C if C is None else C, class_weight=cw, max_iter=params.max_iter, solver="liblinear",
        random_state=seed,
    )  # fmt: skip


def fit_lr(
    X: Any,
    y: np.ndarray,
    w: np.ndarray,
    params: ModelParams,
    seed: int,
    C: float | None = None,
    *,
    domain: np.ndarray | None = None,
    copy_cols: np.ndarray | None = None,
) -> LinearFit:
    """One LR over ``X``, NB-weighted when ``params.nb_weight``. ``domain`` (1 on target-source rows, 0 elsewhere)
    adds what the params ask for: with ``params.domain_intercept`` a column of its own, whose weight
    (``parts["domain_coef"]``) is added to the intercept; with ``params.domain_features`` = s > 0 a target-source
    copy of every column (of ``copy_cols`` only, when given) scaled by s, whose weights fold into the shared ones
    as w_shared + s * w_target. Either way the returned fit scores every row as a target-source row."""
    r = nb_ratio(X, y, w) if params.nb_weight else None
    Xs = X @ sp.diags(r) if r is not None else X
    n = Xs.shape[1]
    blocks = [Xs]
    s = float(params.domain_features) if domain is not None else 0.0
    d = np.asarray(domain, dtype=np.float64) if domain is not None else None
    cols = np.arange(n) if copy_cols is None else np.asarray(copy_cols, dtype=np.int64)
    if d is not None and s > 0 and len(cols):
        blocks.append(sp.diags(s * d) @ Xs[:, cols])
    with_intercept = d is not None and params.domain_intercept
    if with_intercept:
        blocks.append(sp.csr_matrix(d.reshape(-1, 1)))
    Xa = sp.hstack(blocks, format="csr") if len(blocks) > 1 else Xs
    clf = _lr(params, seed, C).fit(Xa, y, sample_weight=w)
    raw = clf.coef_[0]
    coef = raw[:n].copy()
    parts: dict[str, Any] = {}
    if d is not None and s > 0 and len(cols):
        target = raw[n : n + len(cols)]
        coef[cols] += s * target
        parts["domain_features"] = {"scale": s, "shared_norm": float(np.linalg.norm(raw[:n])),
                                    "target_norm": float(np.linalg.norm(s * target))}  # fmt: skip
    dom = float(raw[-1]) if with_intercept else 0.0
    if with_intercept:
        parts["domain_coef"] = dom
    if r is not None:
        coef *= r
    return LinearFit(coef, float(clf.intercept_[0]) + dom, parts)


def domain_column(examples: list[Example], params: ModelParams, target_source: str) -> np.ndarray | None:
    """The training-only target-source indicator of ``examples`` when ``params.domain_intercept`` or
    ``params.domain_features`` is on; None when both are off or the indicator would be constant (all rows, or
    none, of the target source: the intercept and the shared weights already are it)."""
    if not (params.domain_intercept or params.domain_features > 0) or not examples:
        return None
    col = np.array([e.source == target_source for e in examples], dtype=np.float64)
    return col if 0 < col.sum() < len(col) else None


def fit_linear(
    X: Any,
    y: np.ndarray,
    w: np.ndarray,
    part_slices: list[tuple[str, np.ndarray]],
    examples: list[Example],
    params: ModelParams,
    *,
    seed: int,
    target_source: str,
) -> LinearFit:
    """Fit the configured model on rows ``X`` (their ``examples`` give sources and groups for inner folds)."""
    domain = domain_column(examples, params, target_source)
    if params.model_kind == "lr" or len(part_slices) < 2:
        scale = part_scale(X.shape[1], part_slices, params)
        copy = copy_columns(part_slices, params)
        if scale is None:
            return fit_lr(X, y, w, params, seed, domain=domain, copy_cols=copy)
        fit = fit_lr(X @ sp.diags(scale), y, w, params, seed, domain=domain, copy_cols=copy)
        return LinearFit(fit.coef * scale, fit.intercept, fit.parts)
    # Stacking: out-of-fold decision values of each part's LR on inner grouped folds, then a final LR on them.
    Cs = dict(zip([n for n, _ in part_slices], params.part_C or [params.C] * len(part_slices), strict=False))
    inner = cv_folds(examples, n_splits=params.stack_folds, seed=seed + 1)
    Z = np.zeros((len(y), len(part_slices)))
    subs: list[LinearFit] = []
    for p, (name, cols) in enumerate(part_slices):
        Xp = X[:, cols]
        copy = None if not params.domain_parts or name in params.domain_parts else np.arange(0)
        for tr, va in inner:
            dom = domain[tr] if domain is not None else None
            sub = fit_lr(Xp[tr], y[tr], w[tr], params, seed, Cs.get(name), domain=dom, copy_cols=copy)
            Z[va, p] = sub.decision(Xp[va])
        subs.append(fit_lr(Xp, y, w, params, seed, Cs.get(name), domain=domain, copy_cols=copy))
    target = np.array([e.source == target_source for e in examples])
    if target.sum() < 20 or len(set(y[target].tolist())) < 2:
        target = np.ones(len(y), dtype=bool)
    meta = LogisticRegression(C=1.0, class_weight="balanced", solver="lbfgs", max_iter=1000)
    meta.fit(Z[target], y[target])
    a = meta.coef_[0]
    coef = np.zeros(X.shape[1])
    intercept = float(meta.intercept_[0])
    for p, (_, cols) in enumerate(part_slices):
        coef[cols] = a[p] * subs[p].coef
        intercept += a[p] * subs[p].intercept
    return LinearFit(coef, intercept, {"stack_weights": {n: float(a[p]) for p, (n, _) in enumerate(part_slices)}})


def part_scale(n: int, part_slices: list[tuple[str, np.ndarray]], params: ModelParams) -> np.ndarray | None:
    """Per-column multiplier of the ``cue`` and ``char`` parts, or None when every part is unscaled."""
    factors = {"cue": params.cue_scale, "char": params.char_scale}
    if all(f == 1.0 for f in factors.values()):
        return None
    scale = np.ones(n)
    for name, cols in part_slices:
        scale[cols] = factors.get(name, 1.0)
    return scale


def copy_columns(part_slices: list[tuple[str, np.ndarray]], params: ModelParams) -> np.ndarray | None:
    """Columns that get a target-source copy (``params.domain_parts``), or None for every column."""
    if not params.domain_parts:
        return None
    cols = [c for name, c in part_slices if name in params.domain_parts]
    return np.sort(np.concatenate(cols)) if cols else np.arange(0)


def needs_cue_part(params: ModelParams) -> bool:
    """Whether the placeholder tokens must be a part of their own (a stacked sub-model, a scaled part, or a part
    with or without the target-source copy)."""
    return params.cue_part or params.cue_scale != 1.0 or (params.model_kind == "lr" and bool(params.domain_parts))


def part_slices(features: Any, *, cue_part: bool = False) -> list[tuple[str, np.ndarray]]:
    """Columns of each sub-model: one per vectorizer of a fitted FeatureUnion; with ``cue_part`` the placeholder
    tokens of the word vectorizer (cues, hashtags as wholes, markup) form a third sub-model of their own."""
    names = np.asarray(features.get_feature_names_out(), dtype=object)
    out, start = [], 0
    for name, vec in features.transformer_list:
        cols = np.arange(start, start + len(vec.vocabulary_))
        start += len(cols)
        if cue_part and name == "word":
            marked = np.array(["⟦" in n for n in names[cols]], dtype=bool)
            out += [("word", cols[~marked]), ("cue", cols[marked])]
        else:
            out.append((name, cols))
    return [(n, c) for n, c in out if len(c)]


def make_scorer(examples: list[Example], params: ModelParams, *, seed: int, target_source: str = "xhs") -> Any:
    """A protocol scorer (see :data:`training.cv.Scorer`): features fitted once on all rows (no labels), the
    configured model fitted per fold."""
    from training.fit import build_documents, build_features

    docs = build_documents(params).transform([e.note for e in examples])
    features = build_features(params)
    X = features.fit_transform(docs).tocsr()
    X = drop_marker_features(features, X, docs, params.drop_features, params.drop_share)
    slices = part_slices(features, cue_part=needs_cue_part(params))
    y = np.array([e.label for e in examples])
    w = np.array([e.weight for e in examples], dtype=np.float64)

    def scorer(tr: np.ndarray, va: np.ndarray) -> np.ndarray:
        fit = fit_linear(
            X[tr], y[tr], w[tr], slices, [examples[i] for i in tr], params, seed=seed, target_source=target_source
        )
        return fit.decision(X[va])

    scorer.X = X  # type: ignore[attr-defined]
    scorer.slices = slices  # type: ignore[attr-defined]
    return scorer
