"""Saving and loading model artifacts safely.

An artifact is a directory:

- ``model.npz``: every learned array (vocabularies as unicode arrays, idf weights, coefficients), written with
  ``numpy.savez_compressed`` and read with ``allow_pickle=False``, so loading can never execute code;
- ``pipeline.json``: the pipeline's structure and parameters. Only the step types of a notecheck pipeline
  (:data:`TRUSTED_TYPES`) can be rebuilt from it; anything else is refused;
- ``model_card.json``: what training decided (calibration, thresholds, tokenizer spec, library versions, data,
  metrics) and the sha256 of the two files above.

Loading refuses files whose sha256 differs from the card, a pipeline naming an untrusted type, a model whose text
preparation differs from the running code, and one saved under another scikit-learn major.minor version (unless
explicitly allowed, which warns). This format replaces pickle/skops: skops stores a 100k-term vocabulary as one
node per entry, which made a 22 MB file that took 28 s to load; this one is a few MB and loads in well under a
second.
"""

from __future__ import annotations

import hashlib
import json
import platform
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from model.classifier import AdModel, NoteDocuments
from model.errors import ModelIntegrityError, ModelLoadError, ModelVersionError, UntrustedTypesError
from model.text import NORMALIZATION_VERSION, body_only
from model.tokenize import NoteTokenizer

ARRAYS_FILE = "model.npz"
PIPELINE_FILE = "pipeline.json"
CARD_FILE = "model_card.json"
DEFAULT_MODEL_DIR = Path(__file__).parent / "default"

#: The only step types a notecheck artifact may contain.
TRUSTED_TYPES: tuple[str, ...] = (
    "NoteDocuments",
    "FeatureUnion",
    "TfidfVectorizer",
    "LogisticRegression",
)

_VERSIONED = ("scikit-learn", "numpy", "scipy", "jieba", "rjieba")
_VECTORIZER_PARAMS = (
    "analyzer", "ngram_range", "lowercase", "min_df", "max_df", "max_features", "sublinear_tf", "norm",
    "use_idf", "smooth_idf", "binary",
)  # fmt: skip


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in (*_VERSIONED, "notecheck"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _major_minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _encode_pipeline(pipeline: Pipeline) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    steps = pipeline.steps
    if [type(s).__name__ for _, s in steps] != ["NoteDocuments", "FeatureUnion", "LogisticRegression"]:
        raise ModelLoadError(
            "Only pipelines NoteDocuments -> FeatureUnion(TfidfVectorizer...) -> LogisticRegression can be saved. "
            f"Got {[type(s).__name__ for _, s in steps]}."
        )
    arrays: dict[str, np.ndarray] = {}
    parts = []
    for name, vec in steps[1][1].transformer_list:
        if type(vec) is not TfidfVectorizer:
            raise ModelLoadError(f"FeatureUnion part {name!r} must be a TfidfVectorizer. Got {type(vec).__name__}.")
        params = {k: getattr(vec, k) for k in _VECTORIZER_PARAMS}
        params["ngram_range"] = list(params["ngram_range"])
        if vec.preprocessor is not None:
            if vec.preprocessor is not body_only:
                raise ModelLoadError(f"Vectorizer {name!r}: only the body_only preprocessor can be saved.")
            params["preprocessor"] = "body_only"
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
    clf = steps[2][1]
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


def _decode_pipeline(spec: dict[str, Any], arrays: Any, where: Path) -> Pipeline:
    try:
        types = [s["type"] for s in spec["steps"]]
        refused = sorted(
            {t for t in types if t not in TRUSTED_TYPES}
            | {p.get("type") for p in spec["steps"][1].get("parts", []) if p.get("type") != "TfidfVectorizer"}
        )
        if refused or types != ["NoteDocuments", "FeatureUnion", "LogisticRegression"]:
            raise UntrustedTypesError(
                f"{where}: the pipeline must be NoteDocuments -> FeatureUnion(TfidfVectorizer...) -> "
                f"LogisticRegression; got {types} (untrusted: {refused or 'none'}). Refusing to load it."
            )
        parts = []
        for part in spec["steps"][1]["parts"]:
            params = dict(part["params"])
            params["ngram_range"] = tuple(params["ngram_range"])
            if "preprocessor" in params:
                if params["preprocessor"] != "body_only":
                    raise UntrustedTypesError(
                        f"{where}: unknown preprocessor {params['preprocessor']!r}; only 'body_only' is allowed."
                    )
                params["preprocessor"] = body_only
            tok = part.get("tokenizer")
            vec = TfidfVectorizer(
                **params,
                tokenizer=None if tok is None else NoteTokenizer(
                    backend=tok["backend"], user_words=[tuple(e) for e in tok["user_words"]],
                    stopwords=tok["stopwords"], hmm=tok["hmm"],
                ),
                token_pattern=None if tok is not None else r"(?u)\b\w\w+\b",
            )  # fmt: skip
            terms = arrays[f"{part['name']}.terms"]
            vec.vocabulary_ = {str(t): i for i, t in enumerate(terms.tolist())}
            vec.idf_ = arrays[f"{part['name']}.idf"]
            vec.fixed_vocabulary_ = False
            parts.append((part["name"], vec))
        clf = LogisticRegression(**spec["steps"][2]["params"])
        clf.coef_ = arrays["clf.coef"]
        clf.intercept_ = arrays["clf.intercept"]
        clf.classes_ = arrays["clf.classes"]
        clf.n_features_in_ = clf.coef_.shape[1]
        names = [s["name"] for s in spec["steps"]]
        docs = NoteDocuments(**spec["steps"][0].get("params", {}))
        return Pipeline([(names[0], docs), (names[1], FeatureUnion(parts)), (names[2], clf)])
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, UntrustedTypesError):
            raise
        raise ModelLoadError(f"{where}: malformed {PIPELINE_FILE} or {ARRAYS_FILE} ({exc!r}).") from None


def save_pipeline(pipeline: Pipeline, directory: str | Path, card: dict[str, Any]) -> dict[str, Any]:
    """Write ``model.npz``, ``pipeline.json`` and ``model_card.json`` into ``directory``; returns the card."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    spec, arrays = _encode_pipeline(pipeline)
    with open(directory / ARRAYS_FILE, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    (directory / PIPELINE_FILE).write_text(json.dumps(spec, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    card = dict(card)
    card["normalization_version"] = NORMALIZATION_VERSION
    card["library_versions"] = library_versions()
    card["files"] = {
        f: {"sha256": sha256_file(directory / f), "bytes": (directory / f).stat().st_size}
        for f in (ARRAYS_FILE, PIPELINE_FILE)
    }
    (directory / CARD_FILE).write_text(json.dumps(card, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return card


def read_card(directory: str | Path) -> dict[str, Any]:
    path = Path(directory) / CARD_FILE
    if not path.is_file():
        raise ModelLoadError(f"{directory}: no {CARD_FILE}; expected a notecheck model directory.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ModelLoadError(f"{path}: invalid JSON ({exc.msg} at line {exc.lineno}).") from None


def load_pipeline(directory: str | Path, *, allow_version_mismatch: bool = False) -> tuple[Pipeline, dict[str, Any]]:
    """Verify and load the pipeline of an artifact directory. Returns ``(pipeline, card)``."""
    import sklearn

    directory = Path(directory)
    card = read_card(directory)
    for name in (ARRAYS_FILE, PIPELINE_FILE):
        path = directory / name
        if not path.is_file():
            raise ModelLoadError(f"{directory}: no {name}.")
        expected = card.get("files", {}).get(name, {}).get("sha256")
        actual = sha256_file(path)
        if expected != actual:
            raise ModelIntegrityError(
                f"{path}: sha256 {actual} does not match {expected} recorded in {CARD_FILE}; the file was "
                "modified or corrupted. Refusing to load it."
            )
    if card.get("normalization_version") != NORMALIZATION_VERSION:
        raise ModelVersionError(
            f"{directory}: trained with text normalisation version {card.get('normalization_version')!r}, but "
            f"this notecheck prepares text with version {NORMALIZATION_VERSION!r}; retrain the model."
        )
    trained = card.get("library_versions", {}).get("scikit-learn", "unknown")
    running = sklearn.__version__
    if _major_minor(trained) != _major_minor(running):
        message = (
            f"{directory}: model saved with scikit-learn {trained} but scikit-learn {running} is installed; "
            "predictions may differ. Install the same major.minor version or retrain."
        )
        if not allow_version_mismatch:
            raise ModelVersionError(message + " (pass allow_version_mismatch=True to load it anyway)")
        warnings.warn(message, UserWarning, stacklevel=2)
    try:
        spec = json.loads((directory / PIPELINE_FILE).read_text(encoding="utf-8"))
        with np.load(directory / ARRAYS_FILE, allow_pickle=False) as arrays:
            pipeline = _decode_pipeline(spec, {k: arrays[k] for k in arrays.files}, directory)
    except (ValueError, OSError) as exc:  # json errors are ValueErrors; a bad zip is an OSError/ValueError
        if isinstance(exc, ModelLoadError):
            raise
        raise ModelLoadError(f"{directory}: could not read the model files ({exc}).") from None
    return pipeline, card


def save_model(model: AdModel, directory: str | Path) -> dict[str, Any]:
    card = dict(model.card)
    card.update(
        task="ad",
        calibration=model.calibration,
        threshold=model.threshold,
        review_threshold=model.review_threshold,
    )
    written = save_pipeline(model.pipeline, directory, card)
    model.card = written
    return written


def load_model(directory: str | Path | None = None, *, allow_version_mismatch: bool = False) -> AdModel:
    """Load an ad-model artifact directory (the shipped default when ``directory`` is None)."""
    directory = DEFAULT_MODEL_DIR if directory is None else Path(directory)
    pipeline, card = load_pipeline(directory, allow_version_mismatch=allow_version_mismatch)
    if card.get("task") != "ad":
        raise ModelLoadError(f"{directory}: model card task is {card.get('task')!r}, expected 'ad'.")
    return AdModel(
        pipeline,
        calibration=card["calibration"],
        threshold=card["threshold"],
        review_threshold=card["review_threshold"],
        card=card,
    )
