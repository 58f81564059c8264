"""A fitted notecheck pipeline without scikit-learn objects (:class:`CompiledPipeline`), read from and written to
an artifact's ``pipeline.json`` structure and ``model.npz`` arrays, and the base of the models that predict
through it (:class:`CompiledModel`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from model.engine.linear import LinearTfidf
from model.engine.tfidf_part import TfidfPart
from model.errors import InvalidParameterError, NotFittedError, UntrustedTypesError
from model.tokenize import NoteTokenizer

#: The step types a notecheck pipeline may contain (and the only ones an artifact can name).
TRUSTED_TYPES: tuple[str, ...] = ("NoteDocuments", "FeatureUnion", "TfidfVectorizer", "LogisticRegression")


@dataclass
class CompiledPipeline:
    """Everything inference needs of a fitted notecheck pipeline, without scikit-learn objects: the artifact's
    pipeline structure (``spec``, as in ``pipeline.json``), the document step's parameters and the features with
    the classifier's weights. :mod:`model.pipeline` converts it to and from a scikit-learn ``Pipeline``."""

    spec: dict[str, Any]
    features: LinearTfidf
    classes: np.ndarray

    @property
    def documents(self) -> dict[str, Any]:
        """Parameters of the ``NoteDocuments`` step."""
        return dict(self.spec["steps"][0].get("params") or {})

    @classmethod
    def from_spec(cls, spec: dict[str, Any], arrays: Any, where: Any = "model") -> CompiledPipeline:
        """Build from an artifact's ``pipeline.json`` structure and ``model.npz`` arrays; only
        :data:`TRUSTED_TYPES` are accepted."""
        try:
            steps = spec["steps"]
            types = [s["type"] for s in steps]
            part_types = [p.get("type") for p in steps[1].get("parts", [])] if len(steps) > 1 else []
        except (KeyError, TypeError, AttributeError, IndexError) as exc:
            raise UntrustedTypesError(
                f"{where}: malformed pipeline structure ({exc!r}). Refusing to load it."
            ) from None
        refused = sorted(
            {t for t in types if t not in TRUSTED_TYPES} | {t for t in part_types if t != "TfidfVectorizer"}
        )
        if refused or types != ["NoteDocuments", "FeatureUnion", "LogisticRegression"]:
            raise UntrustedTypesError(
                f"{where}: the pipeline must be NoteDocuments -> FeatureUnion(TfidfVectorizer...) -> "
                f"LogisticRegression; got {types} (untrusted: {refused or 'none'}). Refusing to load it."
            )
        parts = []
        for part in steps[1]["parts"]:
            params = part["params"]
            if not params.get("use_idf", True):
                raise InvalidParameterError(
                    f"{where}: part {part['name']!r} has use_idf=False; only True is supported."
                )
            tok = part.get("tokenizer")
            parts.append(
                TfidfPart(
                    name=part["name"],
                    analyzer=params["analyzer"],
                    ngram_range=params["ngram_range"],
                    terms=arrays[f"{part['name']}.terms"],
                    idf=arrays[f"{part['name']}.idf"],
                    sublinear_tf=params.get("sublinear_tf", False),
                    norm=params.get("norm", "l2"),
                    binary=params.get("binary", False),
                    lowercase=params.get("lowercase", False),
                    preprocessor=params.get("preprocessor"),
                    tokenizer=None
                    if tok is None
                    else NoteTokenizer(
                        backend=tok["backend"],
                        user_words=[tuple(e) for e in tok["user_words"]],
                        stopwords=tok["stopwords"],
                        hmm=tok["hmm"],
                    ),
                )
            )
        coef = np.asarray(arrays["clf.coef"], dtype=np.float64)
        if coef.ndim != 2 or coef.shape[0] != 1:
            raise InvalidParameterError(
                f"{where}: expected a binary classifier (coef of shape (1, n)); got {coef.shape}."
            )
        intercept = float(np.asarray(arrays["clf.intercept"], dtype=np.float64).ravel()[0])
        return cls(
            spec=spec, features=LinearTfidf(parts, coef[0], intercept), classes=np.asarray(arrays["clf.classes"])
        )

    def arrays(self) -> dict[str, np.ndarray]:
        """The ``model.npz`` arrays of this pipeline."""
        out: dict[str, np.ndarray] = {}
        for part in self.features.parts:
            out[f"{part.name}.terms"] = part.terms
            out[f"{part.name}.idf"] = part.idf
        out["clf.coef"] = self.features.coef[None, :]
        out["clf.intercept"] = np.array([self.features.intercept])
        out["clf.classes"] = self.classes
        return out


class CompiledModel:
    """Base of the models that predict through a :class:`CompiledPipeline` (``AdModel``, ``SentimentModel``):
    built from a fitted scikit-learn ``Pipeline`` (training) or a compiled one (loading an artifact), with the
    scikit-learn form available as :attr:`pipeline`, built on first use (it imports scikit-learn)."""

    compiled: CompiledPipeline
    _pipeline: Any

    def _use_pipeline(self, pipeline: Any, *, how_to_fit: str) -> CompiledPipeline:
        if isinstance(pipeline, CompiledPipeline):
            self._pipeline = None
            self.compiled = pipeline
        else:
            if not hasattr(pipeline[-1], "coef_"):
                raise NotFittedError(f"This {type(self).__name__}'s pipeline is not fitted yet. {how_to_fit}")
            from model.pipeline import compile_pipeline

            self._pipeline = pipeline
            self.compiled = compile_pipeline(pipeline)
        return self.compiled

    @property
    def pipeline(self) -> Any:
        """The scikit-learn ``Pipeline`` of this model (imports scikit-learn; built on first use)."""
        if self._pipeline is None:
            from model.pipeline import to_sklearn

            self._pipeline = to_sklearn(self.compiled)
        return self._pipeline
