"""The scikit-learn side of a notecheck model: the ``NoteDocuments`` pipeline step, and conversions between a fitted
scikit-learn ``Pipeline`` and a :class:`model.engine.CompiledPipeline`.

Inference never needs this module (it imports scikit-learn, ~2.5 s); training, reference checks and code that
asks for ``AdModel.pipeline`` do. The conversion goes through the artifact format (``pipeline.json`` structure and
``model.npz`` arrays), so what is saved, what is served and what scikit-learn computes are one model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from model.documents import DocumentBuilder, as_notes
from model.engine import PREPROCESSORS, CompiledPipeline
from model.errors import ModelLoadError, NotFittedError, UntrustedTypesError
from model.tokenize import NoteTokenizer

#: Vectorizer parameters recorded in ``pipeline.json``.
VECTORIZER_PARAMS = (
    "analyzer", "ngram_range", "lowercase", "min_df", "max_df", "max_features", "sublinear_tf", "norm",
    "use_idf", "smooth_idf", "binary",
)  # fmt: skip


class NoteDocuments(TransformerMixin, BaseEstimator, DocumentBuilder):
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

    # ``__init__`` (keyword-only, stores the parameters) and ``document`` come from DocumentBuilder, which the
    # inference side uses without scikit-learn.

    def fit(self, X: Sequence[Any], y: Any = None) -> NoteDocuments:
        as_notes(X, name="X")
        return self

    def transform(self, X: Sequence[Any]) -> list[str]:
        return self.documents(as_notes(X, name="X"))

    def __sklearn_tags__(self) -> Any:  # sklearn.utils.Tags, whose module moved between versions
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags


def encode_pipeline(pipeline: Pipeline) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The ``pipeline.json`` structure and ``model.npz`` arrays of a fitted notecheck pipeline."""
    steps = pipeline.steps
    if [type(s).__name__ for _, s in steps] != ["NoteDocuments", "FeatureUnion", "LogisticRegression"]:
        raise ModelLoadError(
            "Only pipelines NoteDocuments -> FeatureUnion(TfidfVectorizer...) -> LogisticRegression can be saved. "
            f"Got {[type(s).__name__ for _, s in steps]}."
        )
    clf = steps[2][1]
    if not hasattr(clf, "coef_"):
        raise NotFittedError("This pipeline is not fitted yet. Fit it with training.fit first.")
    if getattr(steps[1][1], "transformer_weights", None):
        raise ModelLoadError("FeatureUnion transformer_weights are not supported.")
    arrays: dict[str, np.ndarray] = {}
    parts = []
    for name, vec in steps[1][1].transformer_list:
        if type(vec) is not TfidfVectorizer:
            raise ModelLoadError(f"FeatureUnion part {name!r} must be a TfidfVectorizer. Got {type(vec).__name__}.")
        params = {k: getattr(vec, k) for k in VECTORIZER_PARAMS}
        params["ngram_range"] = list(params["ngram_range"])
        if vec.preprocessor is not None:
            names = [k for k, f in PREPROCESSORS.items() if f is vec.preprocessor]
            if not names:
                raise ModelLoadError(
                    f"Vectorizer {name!r}: only the {sorted(PREPROCESSORS)} preprocessors can be saved."
                )
            params["preprocessor"] = names[0]
        tok = vec.tokenizer
        if tok is not None and not isinstance(tok, NoteTokenizer):
            raise ModelLoadError(f"Vectorizer {name!r}: only NoteTokenizer tokenizers can be saved. Got {tok!r}.")
        terms = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
        arrays[f"{name}.terms"] = np.array(terms, dtype=str)
        arrays[f"{name}.idf"] = np.asarray(vec.idf_, dtype=np.float64)
        parts.append(
            {"name": name, "type": "TfidfVectorizer", "params": params,
             "tokenizer": None if tok is None else tok.__getstate__()}
        )  # fmt: skip
    arrays["clf.coef"] = np.asarray(clf.coef_, dtype=np.float64)
    arrays["clf.intercept"] = np.asarray(clf.intercept_, dtype=np.float64)
    arrays["clf.classes"] = np.asarray(clf.classes_)
    clf_params = {k: v for k, v in clf.get_params().items() if isinstance(v, (int, float, str, bool, type(None)))}
    spec = {
        "steps": [
            {"name": steps[0][0], "type": "NoteDocuments", "params": steps[0][1].get_params()},
            {"name": steps[1][0], "type": "FeatureUnion", "parts": parts},
            {"name": steps[2][0], "type": "LogisticRegression", "params": clf_params},
        ]
    }
    return spec, arrays


def compile_pipeline(pipeline: Pipeline) -> CompiledPipeline:
    """The :class:`CompiledPipeline` of a fitted scikit-learn pipeline."""
    spec, arrays = encode_pipeline(pipeline)
    return CompiledPipeline.from_spec(spec, arrays, where="pipeline")


def to_sklearn(compiled: CompiledPipeline) -> Pipeline:
    """The scikit-learn ``Pipeline`` of a compiled one (same vocabularies, idf and coefficients)."""
    spec = compiled.spec
    try:
        parts = []
        for part_spec, part in zip(spec["steps"][1]["parts"], compiled.features.parts, strict=True):
            params = dict(part_spec["params"])
            params["ngram_range"] = tuple(params["ngram_range"])
            if "preprocessor" in params:
                if params["preprocessor"] not in PREPROCESSORS:
                    raise UntrustedTypesError(f"Unknown preprocessor {params['preprocessor']!r}.")
                params["preprocessor"] = PREPROCESSORS[params["preprocessor"]]
            vec = TfidfVectorizer(
                **params,
                tokenizer=part.tokenizer,
                token_pattern=None if part.tokenizer is not None else r"(?u)\b\w\w+\b",
            )
            vec.vocabulary_ = dict(part.vocabulary)
            vec.idf_ = part.idf
            vec.fixed_vocabulary_ = False
            parts.append((part.name, vec))
        clf = LogisticRegression(**spec["steps"][2]["params"])
        clf.coef_ = compiled.features.coef[None, :]
        clf.intercept_ = np.array([compiled.features.intercept])
        clf.classes_ = compiled.classes
        clf.n_features_in_ = clf.coef_.shape[1]
        names = [s["name"] for s in spec["steps"]]
        docs = NoteDocuments(**compiled.documents)
        return Pipeline([(names[0], docs), (names[1], FeatureUnion(parts)), (names[2], clf)])
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelLoadError(f"malformed pipeline structure ({exc!r}).") from None
