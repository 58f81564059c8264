"""The TF-IDF rows of a batch (:class:`Features`) and the linear model over a feature union
(:class:`LinearTfidf`): counting, (sublinear) tf, idf, each part's norm and ``X @ coef + intercept``, vectorised over
the batch; feature names of columns; each row's strongest contributions (:func:`top_contributions`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from model.engine.tfidf_part import TfidfPart
from model.errors import InvalidParameterError


@dataclass(frozen=True)
class Features:
    """TF-IDF rows of a batch in CSR layout: row ``i`` has columns ``indices[indptr[i]:indptr[i+1]]`` (ascending)
    with values ``data[...]``."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        s, e = self.indptr[i], self.indptr[i + 1]
        return self.indices[s:e], self.data[s:e]

    def row_ids(self) -> np.ndarray:
        return np.arange(self.n_rows, dtype=np.int64).repeat(self.indptr[1:] - self.indptr[:-1])

    def to_scipy(self, n_features: int) -> Any:
        from scipy.sparse import csr_matrix

        return csr_matrix((self.data, self.indices, self.indptr), shape=(self.n_rows, n_features))


#: Keys of a batch from which :meth:`LinearTfidf.transform` sorts them by a merge sort (see there).
_MERGE_SORT_FROM = 10_000


class LinearTfidf:
    """A feature union of :class:`TfidfPart` s followed by a linear decision function ``X @ coef + intercept``."""

    def __init__(self, parts: Sequence[TfidfPart], coef: np.ndarray, intercept: float) -> None:
        self.parts = list(parts)
        sizes = [len(p) for p in self.parts]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.n_features = int(self.offsets[-1])
        self.coef = np.ascontiguousarray(coef, dtype=np.float64).ravel()
        if self.coef.shape != (self.n_features,):
            raise InvalidParameterError(
                f"The 'coef' of the linear model must have one weight per feature ({self.n_features}). "
                f"Got shape {np.shape(coef)} instead."
            )
        self.intercept = float(intercept)
        self._idf = np.concatenate([p.idf for p in self.parts]) if self.parts else np.zeros(0)
        self._part_of = np.repeat(np.arange(len(self.parts), dtype=np.int64), sizes)

    def transform(self, docs: Sequence[str]) -> Features:
        """TF-IDF rows of ``docs`` (equal to scikit-learn's ``FeatureUnion.transform``)."""
        n = len(docs)
        rows_parts, cols_parts = [], []
        for part, offset in zip(self.parts, self.offsets, strict=False):
            rows, cols = part.grams(docs)
            rows_parts.append(rows)
            cols_parts.append(cols + offset)
        cols = np.concatenate(cols_parts) if cols_parts else np.zeros(0, dtype=np.int64)
        # One document (a check): every entry is in row 0, so the columns alone are the sort keys.
        one = n == 1
        width = max(self.n_features, 1)
        keys = cols if one else (np.concatenate(rows_parts) if rows_parts else cols) * width + cols
        # A batch's keys come as a few runs already ordered by row (each part's n-grams of each n, document after
        # document), which a merge sort takes up to ~2.5x faster than the default quicksort from ~10,000 keys (~20
        # notes) on; fewer keys, and one document's columns (in no order), sort faster by the default. Equal keys
        # are equal integers, so the result is the same either way.
        keys.sort(kind="stable" if not one and len(keys) > _MERGE_SORT_FROM else None)
        if len(keys):
            first = np.empty(len(keys), dtype=bool)
            first[0] = True
            np.not_equal(keys[1:], keys[:-1], out=first[1:])
            starts = first.nonzero()[0]
            counts = np.empty(len(starts))  # entries per distinct key: the gaps between their first positions
            np.subtract(starts[1:], starts[:-1], out=counts[:-1])
            counts[-1] = len(keys) - starts[-1]
            keys = keys[starts]
        else:
            counts = np.zeros(0)
        rows, cols = (None, keys) if one else (keys // width, keys % width)
        data = counts
        tf_kinds = {(part.binary, part.sublinear_tf) for part in self.parts}
        if tf_kinds == {(False, True)}:  # sublinear tf everywhere: no masks needed
            np.log(data, out=data)
            data += 1.0
        elif all(binary for binary, _ in tf_kinds):  # presence everywhere: no masks either
            data.fill(1.0)
        elif tf_kinds != {(False, False)}:
            part_of = self._part_of[cols]
            for p, part in enumerate(self.parts):
                mask = part_of == p
                if part.binary:
                    data[mask] = 1.0
                elif part.sublinear_tf:
                    data[mask] = np.log(data[mask]) + 1.0
        data *= self._idf[cols]
        norms = {part.norm for part in self.parts}
        if norms != {None} and len(data):
            k = len(self.parts)
            groups = self._part_of[cols] if rows is None else rows * k + self._part_of[cols]
            size = n * k
            l2 = np.sqrt(np.bincount(groups, weights=data * data, minlength=size)) if "l2" in norms else None
            l1 = np.bincount(groups, weights=np.abs(data), minlength=size) if "l1" in norms else None
            if norms == {"l2"}:
                lengths = l2
            else:
                lengths = np.ones(size)
                for p, part in enumerate(self.parts):
                    if part.norm is not None:
                        lengths[p::k] = (l2 if part.norm == "l2" else l1)[p::k]  # type: ignore[index]
            lengths[lengths == 0] = 1.0  # type: ignore[index]
            data /= lengths[groups]  # type: ignore[index]
        if rows is None:
            indptr = np.array([0, len(cols)], dtype=np.int64)
        else:
            indptr = np.searchsorted(rows, np.arange(n + 1, dtype=np.int64))
        return Features(indptr=indptr, indices=cols, data=data)

    def decision(self, X: Features) -> np.ndarray:
        """``X @ coef + intercept`` per row."""
        return np.bincount(X.row_ids(), weights=X.data * self.coef[X.indices], minlength=X.n_rows) + self.intercept

    def decision_function(self, docs: Sequence[str]) -> np.ndarray:
        return self.decision(self.transform(docs))

    def feature_name(self, j: int) -> str:
        """``<part>__<term>`` of column ``j``, as scikit-learn's ``get_feature_names_out`` names it."""
        p = int(np.searchsorted(self.offsets, j, side="right")) - 1
        part = self.parts[p]
        return f"{part.name}__{part.terms[j - self.offsets[p]]}"

    def feature_names_at(self, cols: np.ndarray) -> list[str]:
        """:meth:`feature_name` of many columns at once: one search for all of them, one look-up per part."""
        part = np.searchsorted(self.offsets, cols, side="right") - 1
        names = [""] * len(cols)
        for p in np.unique(part).tolist():
            at = np.flatnonzero(part == p)
            prefix = self.parts[p].name + "__"
            terms = self.parts[p].terms[cols[at] - self.offsets[p]].tolist()
            for k, term in zip(at.tolist(), terms, strict=True):
                names[k] = prefix + term
        return names

    def feature_names(self) -> np.ndarray:
        return np.asarray([f"{p.name}__{t}" for p in self.parts for t in p.terms.tolist()], dtype=object)


def top_contributions(
    X: Features, coef: np.ndarray, top: int, *, towards: str = "positive"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each row, its ``top`` entries with the largest positive (or most negative) contribution
    ``value * coef``, as (row, column, contribution) arrays ordered by row, then by strength (ties: lower
    column first). ``top`` rounds of a per-row maximum (``np.maximum.reduceat``) over the batch: a few passes
    over the data instead of a sort."""
    empty = np.zeros(0, dtype=np.int64)
    if top <= 0 or not len(X.data):
        return empty, empty, np.zeros(0)
    contrib = X.data * coef[X.indices]
    score = contrib.copy() if towards == "positive" else -contrib
    score[score <= 0] = -np.inf  # only entries pushing the right way can be chosen
    lengths = np.diff(X.indptr)
    rows_with = np.flatnonzero(lengths)
    starts = X.indptr[:-1][rows_with]
    position = np.arange(len(score), dtype=np.int64)
    picked_rows, picked_pos = [], []
    for _ in range(top):
        best = np.maximum.reduceat(score, starts)
        live = best > -np.inf
        if not live.any():
            break
        best_full = np.full(X.n_rows, np.inf)
        best_full[rows_with] = best
        at_best = np.where(score == np.repeat(best_full, lengths), position, len(score))
        first = np.minimum.reduceat(at_best, starts)[live]
        picked_rows.append(rows_with[live])
        picked_pos.append(first)
        score[first] = -np.inf
    if not picked_rows:
        return empty, empty, np.zeros(0)
    rows = np.concatenate(picked_rows)
    pos = np.concatenate(picked_pos)
    order = np.argsort(rows, kind="stable")  # by row; within a row the rounds are already strongest first
    rows, pos = rows[order], pos[order]
    return rows, X.indices[pos], contrib[pos]


def sigmoid(z: np.ndarray, a: float = 1.0, b: float = 0.0) -> np.ndarray:
    """``1 / (1 + exp(-(a z + b)))`` without overflow warnings."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-(a * np.asarray(z, dtype=np.float64) + b)))
