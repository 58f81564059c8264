"""Dropping the feature columns of a placeholder marker (``[model] drop_features``), so the shipped vocabulary has
no column that could learn it and the numpy engine, which skips n-grams outside the vocabulary, needs no change.

A marker shows up in more columns than the ones naming it: the word vectorizer's token and the bigrams that start
or end with it, but also the character n-grams it is spelled with (``⟦h``, ``s:t``, ``tle`` of ``⟦has:title⟧``) and
the ones that straddle it and the words beside it (``⟧ 我``). Dropping only the named columns leaves the others to
carry the same signal (for ``⟦has:title⟧`` it left about 90% of the title's pull towards genuine). So a column is
dropped when at least ``share`` of its occurrences in the training documents disappear once the markers are deleted
from those documents; the rest of the vocabulary, which the marker touches less than that, stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

from model.errors import InvalidParameterError


def strip_markers(doc: str, markers: Sequence[str]) -> str:
    """``doc`` without the ``markers``, whitespace closed up as :func:`model.text.prepare_document` leaves it."""
    for marker in markers:
        doc = doc.replace(marker, " ")
    return " ".join(doc.split())


def _counts(vec: Any, docs: Sequence[str]) -> np.ndarray:
    """Occurrences of each term of the fitted TF-IDF vectorizer ``vec`` summed over ``docs`` (raw counts)."""
    counter = CountVectorizer(
        vocabulary=vec.vocabulary_, analyzer=vec.analyzer, tokenizer=vec.tokenizer, token_pattern=None,
        lowercase=vec.lowercase, ngram_range=vec.ngram_range, preprocessor=vec.preprocessor,
    )  # fmt: skip
    return np.asarray(counter.transform(docs).sum(axis=0)).ravel()


def marker_columns(features: Any, docs: Sequence[str], markers: Sequence[str], share: float) -> np.ndarray:
    """Boolean mask over the columns of the fitted FeatureUnion ``features``: True for a column at least ``share``
    of whose occurrences in ``docs`` come from the ``markers`` (every column naming a marker among them)."""
    markers = tuple(markers)
    masks = []
    touched = [i for i, d in enumerate(docs) if any(m in d for m in markers)]
    for _, vec in features.transformer_list:
        n = len(vec.vocabulary_)
        if not touched or not n:
            masks.append(np.zeros(n, dtype=bool))
            continue
        total = _counts(vec, docs)
        with_markers = _counts(vec, [docs[i] for i in touched])
        lost = with_markers - _counts(vec, [strip_markers(docs[i], markers) for i in touched])
        masks.append(lost >= share * np.maximum(total, 1))
    mask = np.concatenate(masks) if masks else np.zeros(0, dtype=bool)
    names = np.asarray(features.get_feature_names_out(), dtype=object)
    return mask | np.array([any(m in n for m in markers) for n in names], dtype=bool)


def keep_columns(X: Any, features: Any, keep: np.ndarray) -> Any:
    """The columns ``keep`` of the TF-IDF matrix ``X`` of ``features``, each vectorizer's block L2-normalised
    again: what the vectorizers pruned by :func:`prune_features` compute (norm over the kept vocabulary)."""
    blocks, start = [], 0
    for _, vec in features.transformer_list:
        n = len(vec.vocabulary_)
        cols = np.flatnonzero(keep[start : start + n]) + start
        start += n
        block = X[:, cols]
        blocks.append(normalize(block, norm=vec.norm, copy=False) if vec.norm else block)
    return sp.hstack(blocks, format="csr")


def prune_features(features: Any, keep: np.ndarray) -> None:
    """Remove the columns not in ``keep`` from the fitted vectorizers of ``features`` (vocabulary and idf, in
    place); the terms keep their relative order."""
    start = 0
    for _, vec in features.transformer_list:
        n = len(vec.vocabulary_)
        part = keep[start : start + n]
        start += n
        if part.all():
            continue
        terms = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
        idf = vec.idf_[part]
        vec.vocabulary_ = {t: i for i, t in enumerate(t for t, k in zip(terms, part, strict=True) if k)}
        vec.idf_ = idf
        vec._tfidf.n_features_in_ = len(idf)  # the transformer checks the width of the counts it weights


def drop_marker_features(features: Any, X: Any, docs: Sequence[str], markers: Sequence[str], share: float) -> Any:
    """Prune ``features`` (fitted on ``docs``, giving ``X``) of the columns of ``markers`` (:func:`marker_columns`);
    returns ``X`` without them. Nothing changes when ``markers`` is empty.

    A marker that occurs in none of ``docs`` is refused: it would drop nothing, and a misspelt marker
    (``⟦has:titel⟧``) would otherwise leave the column it was meant to remove to be learnt, saying nothing."""
    if not markers:
        return X
    absent = [m for m in markers if not any(m in d for d in docs)]
    if absent:
        raise InvalidParameterError(
            f"The 'drop_features' parameter of [model] must list placeholder markers the training documents "
            f"carry, such as ⟦has:title⟧. Got {', '.join(map(repr, absent))}, found in none of the {len(docs)} "
            f"documents."
        )
    keep = ~marker_columns(features, docs, markers, share)
    X = keep_columns(X, features, keep)
    prune_features(features, keep)
    return X
