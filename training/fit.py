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
) -> FitResult:
    """Fit features and classifier on ``train``; calibrate and choose thresholds on out-of-fold predictions.

    The TF-IDF vocabulary is fitted once on all training rows (it uses no labels); the classifier is
    cross-validated on grouped, source-stratified folds to get out-of-fold decision values, from which the
    Platt calibration and the thresholds (at ``target_fpr`` and ``review_fpr`` on genuine notes of
    ``target_source``) are chosen, by ``choose_threshold(p, y, hard, fpr)`` when given (see
    :mod:`training.threshold`) else the point rule. The final model (plain, NB-weighted or stacked LR, see
    :mod:`training.models`) is then fitted on all training rows.
    """
    from training.cv import is_hard_pool
    from training.models import fit_linear, needs_cue_part, part_slices

    notes = [e.note for e in train]
    y = np.array([e.label for e in train])
    w = np.array([e.weight for e in train], dtype=np.float64)
    sources = np.array([e.source for e in train])
    if len(set(y.tolist())) < 2:
        raise TrainingDataError(f"Training data must contain both ads and genuine notes. Got only label {y[0]}.")
    progress("preparing documents")
    documents = build_documents(params)
    docs = documents.transform(notes)
    progress("tokenizing and fitting TF-IDF")
    features = build_features(params)
    X = features.fit_transform(docs).tocsr()
    X = drop_marker_features(features, X, docs, params.drop_features, params.drop_share)
    progress(f"cross-validating ({params.cv_folds} folds)")
    folds = cv_folds(train, n_splits=params.cv_folds, seed=seed)
    slices = part_slices(features, cue_part=needs_cue_part(params))

    def fit_rows(rows: np.ndarray) -> Any:
        sub = [train[i] for i in rows]
        return fit_linear(X[rows], y[rows], w[rows], slices, sub, params, seed=seed, target_source=target_source)

    z = np.zeros(len(y))
    for tr, va in folds:
        z[va] = fit_rows(tr).decision(X[va])
    target = sources == target_source
    if target.sum() < 20 or len(set(y[target].tolist())) < 2:
        target = np.ones(len(y), dtype=bool)  # no (usable) target source: calibrate on everything
    calibration = fit_platt(z[target], y[target])
    p = sigmoid(z, calibration["a"], calibration["b"])
    genuine_target = target & (y == 0)
    if choose_threshold is None:
        threshold = threshold_at_fpr(p[genuine_target], target_fpr)
        review = min(threshold, threshold_at_fpr(p[genuine_target], review_fpr))
    else:
        hard = np.array([is_hard_pool(e) for e in train])
        threshold = choose_threshold(p[target], y[target], hard[target], target_fpr)
        review = min(threshold, choose_threshold(p[target], y[target], hard[target], review_fpr))
    progress("fitting the final classifier")
    final = fit_rows(np.arange(len(y)))
    clf = fitted_lr(final.coef, final.intercept, params, seed)
    pipeline = Pipeline([("doc", documents), ("features", features), ("clf", clf)])
    model = AdModel(pipeline, calibration=calibration, threshold=threshold, review_threshold=review)
    return FitResult(model, p, z, X, np.asarray(features.get_feature_names_out(), dtype=object))


def fit_with_config(train: list[Example], cfg: TrainConfig, **options: Any) -> FitResult:
    """:func:`fit_ad_model` with the model parameters, seed, target source and false-positive rates of ``cfg``;
    ``options`` are its other keyword arguments (``progress``, ``choose_threshold``)."""
    return fit_ad_model(train, cfg.model, seed=cfg.seed, target_source=cfg.target_source, target_fpr=cfg.target_fpr,
                        review_fpr=cfg.review_fpr, **options)  # fmt: skip
