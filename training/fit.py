"""Fitting the ad classifier: features, cross-validated calibration, and the operating threshold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from model.classifier import AdModel
from model.engine import sigmoid
from model.errors import TrainingDataError
from model.pipeline import NoteDocuments
from model.text import body_only, body_without_markup, body_without_placeholders, without_markup, without_placeholders
from model.tokenize import NoteTokenizer, read_stopwords, read_user_dict
from training.config import ModelParams, TrainConfig
from training.data import Example
from training.dropping import drop_marker_features
from training.folds import cv_folds


def build_tokenizer(params: ModelParams) -> NoteTokenizer:
    return NoteTokenizer(
        backend=params.backend,
        user_words=read_user_dict(params.user_dict) if params.user_dict else (),
        stopwords=read_stopwords(params.stopwords) if params.stopwords else (),
    )


def build_features(params: ModelParams) -> FeatureUnion:
    parts: list[tuple[str, Any]] = [
        (
            "word",
            TfidfVectorizer(
                tokenizer=build_tokenizer(params),
                token_pattern=None,
                lowercase=False,
                ngram_range=(1, params.word_ngram_max),
                sublinear_tf=params.sublinear_tf,
                binary=params.binary,
                min_df=params.min_df,
                max_df=params.max_df,
                max_features=params.max_features,
            ),
        )
    ]
    if params.char_ngrams:
        parts.append(
            (
                "char",
                TfidfVectorizer(
                    analyzer="char",
                    preprocessor=char_preprocessor(params),
                    lowercase=False,
                    ngram_range=tuple(params.char_ngrams),
                    sublinear_tf=params.sublinear_tf,
                    binary=params.binary,
                    min_df=params.min_df,
                    max_features=params.max_features,
                ),
            )
        )
    return FeatureUnion(parts)


def char_preprocessor(params: ModelParams) -> Callable[[str], str] | None:
    """What the character vectorizer reads of a document: without the comment section when comments are part
    of it, and without placeholder tokens unless ``char_placeholders``."""
    if params.char_placeholders == "none":
        return body_without_placeholders if params.use_comments else without_placeholders
    if params.char_placeholders == "cues":
        return body_without_markup if params.use_comments else without_markup
    return body_only if params.use_comments else None


def build_documents(params: ModelParams) -> NoteDocuments:
    if not params.use_comments:
        return NoteDocuments()
    from model.comments import default_keyword_excludes, default_keyword_sets

    return NoteDocuments(
        comment_keywords=default_keyword_sets(), comment_exclude=default_keyword_excludes(), comment_text=True
    )


def build_classifier(params: ModelParams, *, seed: int) -> LogisticRegression:
    return LogisticRegression(
        C=params.C, class_weight="balanced", max_iter=params.max_iter, solver="liblinear", random_state=seed
    )


def fit_platt(z: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Sigmoid (Platt) calibration of decision values: p = 1 / (1 + exp(-(a z + b)))."""
    lr = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000)
    lr.fit(z.reshape(-1, 1), y)
    return {"a": float(lr.coef_[0, 0]), "b": float(lr.intercept_[0])}


def threshold_at_fpr(p_genuine: np.ndarray, fpr: float) -> float:
    """Smallest probability threshold t such that at most ``fpr`` of genuine notes have p >= t."""
    if len(p_genuine) == 0:
        return 0.5
    desc = np.sort(np.asarray(p_genuine, dtype=np.float64))[::-1]
    k = int(np.floor(fpr * len(desc)))
    if k >= len(desc):
        return float(desc[-1])
    return float(min(1.0, np.nextafter(desc[k], np.inf)))


@dataclass
class FitResult:
    model: AdModel
    oof_probability: np.ndarray  # out-of-fold calibrated probabilities on the training rows
    oof_decision: np.ndarray
    X: Any  # training feature matrix (for ablations)
    feature_names: np.ndarray
    #: (threshold_repeats, rows) out-of-fold probabilities, one row per seed of the folds; row 0 is oof_probability
    oof_probability_repeats: np.ndarray | None = None


@dataclass
class Featured:
    """Training rows turned into features as :func:`fit_ad_model` does, and the fits it makes on them: shared with
    ``python -m training.stability``, which measures the threshold rule by refitting on other folds and rows."""

    train: list[Example]
    params: ModelParams
    documents: NoteDocuments
    features: FeatureUnion
    X: Any
    y: np.ndarray
    w: np.ndarray
    slices: list[tuple[str, np.ndarray]]

    def fit_rows(self, rows: np.ndarray, *, seed: int, target_source: str) -> Any:
        """The configured model (:func:`training.models.fit_linear`) fitted on ``rows``."""
        from training.models import fit_linear

        sub = [self.train[i] for i in rows]
        X, y, w = self.X[rows], self.y[rows], self.w[rows]
        return fit_linear(X, y, w, self.slices, sub, self.params, seed=seed, target_source=target_source)

    def oof(self, *, seed: int, fold_seed: int, target_source: str) -> np.ndarray:
        """Out-of-fold decision values of every row over ``params.cv_folds`` folds dealt with ``fold_seed``."""
        z = np.zeros(len(self.y))
        for tr, va in cv_folds(self.train, n_splits=self.params.cv_folds, seed=fold_seed):
            z[va] = self.fit_rows(tr, seed=seed, target_source=target_source).decision(self.X[va])
        return z


def featurize(
    train: list[Example], params: ModelParams, progress: Callable[[str], None] = lambda _msg: None
) -> Featured:
    """Documents, TF-IDF (fitted on all rows: it uses no labels) and dropped marker columns of ``train``."""
    from training.models import needs_cue_part, part_slices

    progress("preparing documents")
    documents = build_documents(params)
    docs = documents.transform([e.note for e in train])
    progress("tokenizing and fitting TF-IDF")
    features = build_features(params)
    X = features.fit_transform(docs).tocsr()
    X = drop_marker_features(features, X, docs, params.drop_features, params.drop_share)
    y = np.array([e.label for e in train])
    w = np.array([e.weight for e in train], dtype=np.float64)
    slices = part_slices(features, cue_part=needs_cue_part(params))
    return Featured(train, params, documents, features, X, y, w, slices)


def oof_decision(
    X: Any,
    y: np.ndarray,
    w: np.ndarray,
    folds: list[tuple[np.ndarray, np.ndarray]],
    params: ModelParams,
    seed: int,
) -> np.ndarray:
    z = np.zeros(len(y))
    for tr, va in folds:
        clf = build_classifier(params, seed=seed).fit(X[tr], y[tr], sample_weight=w[tr])
        z[va] = clf.decision_function(X[va])
    return z


def fitted_lr(coef: np.ndarray, intercept: float, params: ModelParams, seed: int) -> LogisticRegression:
    """A fitted-state ``LogisticRegression`` holding the folded weights of any model of :mod:`training.models`,
    so the artifact format and the numpy engine need nothing new."""
    clf = build_classifier(params, seed=seed)
    clf.coef_ = np.asarray(coef, dtype=np.float64)[None, :]
    clf.intercept_ = np.array([float(intercept)])
    clf.classes_ = np.array([0, 1])
    clf.n_features_in_ = clf.coef_.shape[1]
    clf.n_iter_ = np.array([0], dtype=np.int32)
    return clf


def fit_ad_model(
    train: list[Example],
    params: ModelParams,
    *,
    seed: int,
    target_source: str,
    target_fpr: float,
    review_fpr: float,
    progress: Callable[[str], None] = lambda _msg: None,
    choose_threshold: Callable[[np.ndarray, np.ndarray, np.ndarray, float], float] | None = None,
    threshold_repeats: int = 1,
) -> FitResult:
    """Fit features and classifier on ``train``; calibrate and choose thresholds on out-of-fold predictions.

    The TF-IDF vocabulary is fitted once on all training rows (it uses no labels); the classifier is
    cross-validated on grouped, source-stratified folds to get out-of-fold decision values, from which the
    Platt calibration and the thresholds (at ``target_fpr`` and ``review_fpr`` on genuine notes of
    ``target_source``) are chosen, by ``choose_threshold(p, y, hard, fpr)`` when given (see
    :mod:`training.threshold`) else the point rule. With ``threshold_repeats`` R > 1 the folds are dealt R times
    (seeds ``seed`` .. ``seed + R - 1``) and the calibration and thresholds are chosen on the R out-of-fold scores
    of every note pooled (``choose_threshold`` then gets an (R, notes) array). The final model (plain, NB-weighted
    or stacked LR, see :mod:`training.models`) is then fitted on all training rows.
    """
    from training.cv import is_hard_pool

    y = np.array([e.label for e in train])
    sources = np.array([e.source for e in train])
    if len(set(y.tolist())) < 2:
        raise TrainingDataError(f"Training data must contain both ads and genuine notes. Got only label {y[0]}.")
    weights = np.array([e.weight for e in train])
    for label, kind in ((1, "ads"), (0, "genuine notes")):  # weight 0 (a dataset's `weight`) teaches nothing
        if not (weights[y == label] > 0).any():
            raise TrainingDataError(
                f"Training data must give weight to both ads and genuine notes. Got weight 0 for every one of the "
                f"{int((y == label).sum())} {kind} (the datasets' 'weight' in the training config)."
            )
    featured = featurize(train, params, progress)
    documents, features, X = featured.documents, featured.features, featured.X
    progress(f"cross-validating ({params.cv_folds} folds x {threshold_repeats})")
    # Repeat r deals the folds with seed + r; repeat 0 is the single split of threshold_repeats = 1. One split's
    # scores move with every refit, and the threshold with them (training/stability.py measures it).
    Z = np.stack(
        [featured.oof(seed=seed, fold_seed=seed + r, target_source=target_source) for r in range(threshold_repeats)]
    )
    z = Z[0]
    target = sources == target_source
    if target.sum() < 20 or len(set(y[target].tolist())) < 2:
        target = np.ones(len(y), dtype=bool)  # no (usable) target source: calibrate on everything
    calibration = fit_platt(Z[:, target].ravel(), np.tile(y[target], threshold_repeats))
    P = sigmoid(Z, calibration["a"], calibration["b"])
    p = P[0]
    genuine_target = target & (y == 0)
    if choose_threshold is None:
        threshold = threshold_at_fpr(P[:, genuine_target].ravel(), target_fpr)
        review = min(threshold, threshold_at_fpr(P[:, genuine_target].ravel(), review_fpr))
    else:
        hard = np.array([is_hard_pool(e) for e in train])
        pt = P[:, target] if threshold_repeats > 1 else p[target]  # 1-D as before for a single split
        threshold = choose_threshold(pt, y[target], hard[target], target_fpr)
        review = min(threshold, choose_threshold(pt, y[target], hard[target], review_fpr))
    progress("fitting the final classifier")
    final = featured.fit_rows(np.arange(len(y)), seed=seed, target_source=target_source)
    clf = fitted_lr(final.coef, final.intercept, params, seed)
    pipeline = Pipeline([("doc", documents), ("features", features), ("clf", clf)])
    model = AdModel(pipeline, calibration=calibration, threshold=threshold, review_threshold=review)
    return FitResult(model, p, z, X, np.asarray(features.get_feature_names_out(), dtype=object), P)


def fit_with_config(train: list[Example], cfg: TrainConfig, **options: Any) -> FitResult:
    """:func:`fit_ad_model` with the model parameters, seed, target source and false-positive rates of ``cfg``;
    ``options`` are its other keyword arguments (``progress``, ``choose_threshold``); the out-of-fold repeats are
    the config's ``threshold_repeats``."""
    return fit_ad_model(train, cfg.model, seed=cfg.seed, target_source=cfg.target_source, target_fpr=cfg.target_fpr,
                        review_fpr=cfg.review_fpr, threshold_repeats=cfg.threshold_repeats, **options)  # fmt: skip
