"""The ad classifier at inference time: probabilities, decisions and reasons.

The fitted scikit-learn pipeline is ``NoteDocuments -> FeatureUnion(word TF-IDF [, char TF-IDF]) ->
LogisticRegression``. :class:`AdModel` wraps it with what training decided: the sigmoid calibration of the
decision function, the operating threshold (chosen on validation data at a target false-positive rate on
genuine notes) and the lower edge of the "review" band.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import Pipeline

from model.cues import CUE_PATTERNS, find_cues
from model.errors import InvalidNoteError, NotFittedError
from model.notes import Note, parse_note
from model.text import COMMENTS_MARKER, normalize_text, prepare_comment_text, prepare_document

DECISIONS = ("ad", "review", "genuine")


def note_document(note: Note) -> str:
    """The document the vectorizers see for a note (title and body; comments are scored separately)."""
    return prepare_document(note.title, note.text)


def _comment_bucket(n: int) -> str:
    return "1" if n <= 1 else "3" if n <= 3 else "10" if n <= 10 else "10+"


def as_notes(notes: Any, *, name: str = "notes") -> list[Note]:
    """Validate a *list* of notes (dicts, :class:`Note` or strings); a bare string is a clear error."""
    if isinstance(notes, (str, bytes, dict, Note)):
        raise InvalidNoteError(
            f"'{name}' must be a list of notes (strings, dicts or Note objects). Got a single "
            f"{type(notes).__name__} instead; wrap it in a list."
        )
    try:
        items = list(notes)
    except TypeError:
        raise InvalidNoteError(f"'{name}' must be a list of notes. Got {type(notes).__name__} instead.") from None
    return [parse_note(n, where=f"{name}[{i}]: ") for i, n in enumerate(items)]


class NoteDocuments(TransformerMixin, BaseEstimator):
    """Stateless first pipeline step: notes (strings, dicts, :class:`Note`) to prepared documents.

    Parameters
    ----------
    comment_keywords : dict of str to list of str, optional
        Keyword sets (e.g. ``purchase_intent``, ``ad_suspicion``) matched against a note's comments. When set
        and a note has comments, the document gets comment-signal tokens: ``⟦c:n:…⟧`` (how many comments) and
        ``⟦c:<set>:…⟧`` (the share of comments hitting each set, bucketed). Notes without comments get none, so
        they are prepared exactly as without this parameter. Stored in the artifact, so serving matches training.
    comment_exclude : dict of str to list of str, optional
        Phrases that cancel a keyword hit lying inside them (see :class:`model.comments.KeywordMatcher`).
    comment_text : bool
        Also append the comments' own text after a ``⟦comments⟧`` marker; the word tokenizer prefixes those words
        ``c:`` so they are features distinct from the note's words (pair it with the ``body_only`` preprocessor
        for character n-grams).
    """

    def __init__(
        self,
        *,
        comment_keywords: dict[str, list[str]] | None = None,
        comment_exclude: dict[str, list[str]] | None = None,
        comment_text: bool = False,
    ) -> None:
        self.comment_keywords = comment_keywords
        self.comment_exclude = comment_exclude
        self.comment_text = comment_text

    def fit(self, X: Sequence[Any], y: Any = None) -> NoteDocuments:
        as_notes(X, name="X")
        return self

    def transform(self, X: Sequence[Any]) -> list[str]:
        return [self.document(n) for n in as_notes(X, name="X")]

    def _keyword_matcher(self) -> Any:
        matcher = self.__dict__.get("_matcher")
        if matcher is None:
            from model.comments import KeywordMatcher

            matcher = KeywordMatcher(self.comment_keywords or {}, exclude=self.comment_exclude or None)
            self.__dict__["_matcher"] = matcher
        return matcher

    def document(self, note: Note) -> str:
        """The prepared document of one validated note, with comment-signal tokens when configured."""
        doc = note_document(note)
        if not (self.comment_keywords or self.comment_text):
            return doc
        texts = [c.text for c in note.comments if c.text.strip()]
        if not texts:
            return doc
        if self.comment_text:
            doc = f"{doc} {COMMENTS_MARKER} {prepare_comment_text(texts)}"
        if not self.comment_keywords:
            return doc
        hits = self._keyword_matcher().match_many(texts)
        n = len(texts)
        tokens = [f"⟦c:n:{_comment_bucket(n)}⟧"]
        for name in self.comment_keywords:
            share = sum(1 for h in hits if h.get(name)) / n
            level = "0" if share == 0 else "low" if share <= 0.1 else "mid" if share <= 0.3 else "high"
            tokens.append(f"⟦c:{name}:{level}⟧")
        return doc + " " + " ".join(tokens)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags


@dataclass(frozen=True)
class Reason:
    """One feature's push on the decision: ``contribution`` is its share of the log-odds (positive = ad)."""

    feature: str
    label: str
    kind: str
    contribution: float
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Explanation:
    towards_ad: tuple[Reason, ...]
    towards_genuine: tuple[Reason, ...]
    intercept: float
    log_odds: float


@dataclass(frozen=True)
class CheckResult:
    decision: str
    ad_probability: float
    threshold: float
    review_threshold: float
    explanation: Explanation
    cues: tuple[dict[str, Any], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["reasons"] = out.pop("explanation")
        return out


def _readable(feature: str) -> tuple[str, str]:
    """Map a pipeline feature name to (human label, kind)."""
    group, _, name = feature.partition("__")
    if group == "char":
        return f"characters “{name}”", "chars"
    words = name.split(" ")
    labels: list[str] = []
    kinds: set[str] = set()
    for w in words:
        if w.startswith("⟦") and w.endswith("⟧"):
            kind, _, value = w[1:-1].partition(":")
            if kind == "cue":
                pattern = CUE_PATTERNS.get(value)
                labels.append(f"cue: {pattern.label if pattern else value.replace('_', ' ')}")
            elif kind == "tag":
                labels.append(f"hashtag #{value}#")
            elif kind == "emo":
                labels.append(f"emoji [{value}]")
            elif kind == "n_tags":
                labels.append(f"number of hashtags ≤{value}" if not value.endswith("+") else f"{value} hashtags")
            elif kind == "c":
                what, _, level = value.partition(":")
                labels.append(
                    f"comments: {level} comment(s)"
                    if what == "n"
                    else f"comments: {level} share of {what.replace('_', ' ')}"
                )
            elif kind == "mention":
                labels.append("@mention")
            elif kind == "has":
                labels.append(f"has a {value}")
            else:
                labels.append(w)
            kinds.add(kind)
        elif w == "0":
            labels.append("a number")
            kinds.add("word")
        else:
            labels.append(w)
            kinds.add("word")
    kind = "word" if kinds == {"word"} else sorted(kinds - {"word"})[0]
    return (" " if kind == "word" else " + ").join(labels), kind


class AdModel:
    """A fitted ad classifier with its calibration, operating threshold and model card."""

    def __init__(
        self,
        pipeline: Pipeline,
        *,
        calibration: dict[str, float],
        threshold: float,
        review_threshold: float,
        card: dict[str, Any] | None = None,
    ) -> None:
        if not 0.0 <= review_threshold <= threshold <= 1.0:
            raise ValueError(
                f"Thresholds must satisfy 0 <= review_threshold <= threshold <= 1. Got "
                f"review_threshold={review_threshold}, threshold={threshold}."
            )
        if not hasattr(pipeline[-1], "coef_"):
            raise NotFittedError("This AdModel's pipeline is not fitted yet. Fit it with training.fit first.")
        self.pipeline = pipeline
        self.calibration = {"a": float(calibration["a"]), "b": float(calibration["b"])}
        self.threshold = float(threshold)
        self.review_threshold = float(review_threshold)
        self.card: dict[str, Any] = dict(card or {})
        clf = pipeline[-1]
        self._coef = np.asarray(clf.coef_[0], dtype=np.float64)
        self._intercept = float(clf.intercept_[0])
        self._features = pipeline[-2]
        self._documents: NoteDocuments = pipeline[0]
        self._names: np.ndarray | None = None

    # -- scores -----------------------------------------------------------------------------------------
    @property
    def version(self) -> str:
        return str(self.card.get("model_version", "unversioned"))

    def _matrix(self, notes: list[Note]) -> Any:
        return self._features.transform([self._documents.document(n) for n in notes])

    def _calibrate(self, z: np.ndarray) -> np.ndarray:
        a, b = self.calibration["a"], self.calibration["b"]
        return 1.0 / (1.0 + np.exp(-(a * z + b)))

    def decision_function(self, notes: Iterable[Any]) -> np.ndarray:
        X = self._matrix(as_notes(notes))
        return np.asarray(X @ self._coef + self._intercept, dtype=np.float64).ravel()

    def predict_proba(self, notes: Iterable[Any]) -> np.ndarray:
        """Calibrated probability that each note is an ad (1-D array, one value per note)."""
        return self._calibrate(self.decision_function(notes))

    def decide(self, probability: float) -> str:
        if probability >= self.threshold:
            return "ad"
        if probability >= self.review_threshold:
            return "review"
        return "genuine"

    def predict(self, notes: Iterable[Any]) -> list[str]:
        return [self.decide(p) for p in self.predict_proba(notes)]

    # -- reasons ----------------------------------------------------------------------------------------
    def feature_names(self) -> np.ndarray:
        if self._names is None:
            self._names = np.asarray(self._features.get_feature_names_out(), dtype=object)
        return self._names

    def _explain_row(self, row: Any, doc_cues: dict[str, list[str]], top: int) -> Explanation:
        row = row.tocsr()
        return self._explain_arrays(row.indices, row.data, doc_cues, top)

    def _explain_arrays(
        self, idx: np.ndarray, data: np.ndarray, doc_cues: dict[str, list[str]], top: int
    ) -> Explanation:
        contrib = data * self._coef[idx]
        names = self.feature_names()
        order = np.argsort(-contrib)
        pos = order[contrib[order] > 0][:top].tolist()  # same order as filtering the list, without a Python loop
        reverse = order[::-1]
        neg = reverse[contrib[reverse] < 0][:top].tolist()

        def reason(i: int) -> Reason:
            feature = str(names[idx[i]])
            label, kind = _readable(feature)
            evidence: tuple[str, ...] = ()
            if kind == "cue":
                cue = feature.split("⟦cue:", 1)[1].split("⟧", 1)[0]
                evidence = tuple(doc_cues.get(cue, ()))
            return Reason(feature, label, kind, round(float(contrib[i]), 4), evidence)

        return Explanation(
            towards_ad=tuple(reason(i) for i in pos),
            towards_genuine=tuple(reason(i) for i in neg),
            intercept=round(self._intercept, 4),
            log_odds=round(float(contrib.sum() + self._intercept), 4),
        )

    def explain(self, note: Any, *, top: int = 8) -> Explanation:
        """Top features pushing this note towards "ad" and towards "genuine", with their contributions."""
        (parsed,) = as_notes([note], name="note")
        X = self._matrix([parsed])
        return self._explain_row(X[0], _cue_evidence(parsed), top)

    def check(self, note: Any, *, top: int = 8) -> CheckResult:
        """Decision, calibrated probability, thresholds and reasons for one note."""
        return self.check_many([note], top=top)[0]

    def check_many(self, notes: Iterable[Any], *, top: int = 8) -> list[CheckResult]:
        parsed = as_notes(notes)
        X = self._matrix(parsed).tocsr()
        z = np.asarray(X @ self._coef + self._intercept).ravel()
        probs = self._calibrate(z)
        out = []
        for i, note in enumerate(parsed):
            evidence = _cue_evidence(note)
            p = float(probs[i])
            out.append(
                CheckResult(
                    decision=self.decide(p),
                    ad_probability=round(p, 6) if math.isfinite(p) else 0.0,
                    threshold=self.threshold,
                    review_threshold=self.review_threshold,
                    explanation=self._explain_row(X[i], evidence, top),
                    cues=tuple({"cue": k, "label": CUE_PATTERNS[k].label, "evidence": v} for k, v in evidence.items()),
                )
            )
        return out

    # -- fast single-note path (serving) ----------------------------------------------------------------
    @cached_property
    def _fast_parts(self) -> list[tuple[Any, dict[str, int], np.ndarray, int, bool, str | None]] | None:
        """What :meth:`check_fast` needs of each TF-IDF part (built once, read-only afterwards), or None when a
        vectorizer setting is not implemented by the fast path."""
        if getattr(self._features, "transformer_weights", None) is not None:
            return None
        parts, offset = [], 0
        for _, vec in self._features.transformer_list:
            if type(vec).__name__ != "TfidfVectorizer" or vec.binary or vec.norm not in ("l2", None) or not vec.use_idf:
                return None
            idf = np.asarray(vec.idf_, dtype=np.float64)
            parts.append((vec.build_analyzer(), vec.vocabulary_, idf, offset, bool(vec.sublinear_tf), vec.norm))
            offset += len(vec.vocabulary_)
        return parts

    def _vectorize_one(self, doc: str, parts: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        """TF-IDF of one prepared document as (column indices, values): the arithmetic of ``TfidfVectorizer``
        (counts, sublinear tf, idf, l2 norm per part) without scikit-learn's per-call validation, joblib dispatch
        and sparse-matrix building, which dominate single-document latency."""
        all_idx, all_val = [], []
        for analyze, vocab, idf, offset, sublinear, norm in parts:
            get = vocab.get
            counts = {j: c for term, c in Counter(analyze(doc)).items() if (j := get(term)) is not None}
            keys = sorted(counts)
            idx = np.array(keys, dtype=np.int64)
            val = np.array([counts[j] for j in keys], dtype=np.float64)
            if sublinear:
                np.log(val, val)
                val += 1.0
            val *= idf[idx]
            if norm == "l2" and len(val):
                length = math.sqrt(float(np.dot(val, val)))
                if length > 0:
                    val /= length
            all_idx.append(idx + offset)
            all_val.append(val)
        if len(all_idx) == 1:
            return all_idx[0], all_val[0]
        return np.concatenate(all_idx), np.concatenate(all_val)

    def check_fast(self, note: Any, *, top: int = 8) -> CheckResult:
        """:meth:`check` for one note without scikit-learn's per-call overhead (same result; for serving).

        Falls back to :meth:`check` for vectorizer settings the fast path does not implement.
        """
        parts = self._fast_parts
        if parts is None:
            return self.check(note, top=top)
        (parsed,) = as_notes([note], name="note")
        idx, val = self._vectorize_one(self._documents.document(parsed), parts)
        evidence = _cue_evidence(parsed)
        z = float(val @ self._coef[idx]) + self._intercept
        p = float(self._calibrate(np.array([z]))[0])
        return CheckResult(
            decision=self.decide(p),
            ad_probability=round(p, 6) if math.isfinite(p) else 0.0,
            threshold=self.threshold,
            review_threshold=self.review_threshold,
            explanation=self._explain_arrays(idx, val, evidence, top),
            cues=tuple({"cue": k, "label": CUE_PATTERNS[k].label, "evidence": v} for k, v in evidence.items()),
        )


def _cue_evidence(note: Note) -> dict[str, list[str]]:
    """Which words of the note triggered each cue (for the writer-facing explanation)."""
    out: dict[str, list[str]] = {}
    for value in (note.title, note.text):
        if value:
            for cue in find_cues(normalize_text(value)):
                hits = out.setdefault(cue.name, [])
                if cue.text not in hits and len(hits) < 5:
                    hits.append(cue.text)
    return out
