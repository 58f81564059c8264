"""Saving and loading model artifacts safely.

An artifact is a directory:

- ``model.npz``: every learned array (vocabularies as unicode arrays, idf weights, coefficients), written with
  ``numpy.savez_compressed`` and read with ``allow_pickle=False``, so loading can never execute code;
- ``pipeline.json``: the pipeline's structure and parameters. Only the step types of a notecheck pipeline
  (:data:`TRUSTED_TYPES`) can be rebuilt from it; anything else is refused;
- ``model_card.json``: what training decided (calibration, thresholds, tokenizer spec, library versions, data,
  metrics) and the sha256 of the two files above.

The card records the artifact format (:data:`ARTIFACT_FORMAT`) and the numpy engine's arithmetic
(:data:`model.engine.ENGINE_VERSION`) it was saved under; cards older than both fields are format 1, engine 1.

Loading refuses, with :class:`ModelIntegrityError`, files whose sha256 differs from the card and files that match
it but cannot be what the card describes: a truncated or non-npz ``model.npz``, non-finite weights, arrays whose
shapes do not fit together, JSON nested deeper than a pipeline needs. It refuses a pipeline naming an untrusted
type, another artifact format, a model whose text preparation differs from the running code, and one computed by
another engine version (unless explicitly allowed, which warns). Serving never imports scikit-learn, so the
scikit-learn version is checked only where scikit-learn runs: :func:`load_pipeline` (training, evaluation).

This format replaces pickle/skops: skops stores a 100k-term vocabulary as one
node per entry, which made a 22 MB file that took 28 s to load; this one is a few MB and loads in well under a
second.
"""

from __future__ import annotations

import hashlib
import json
import math
import platform
import warnings
import zipfile
import zlib
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from model.classifier import AdModel
from model.engine import ENGINE_VERSION, TRUSTED_TYPES, CompiledPipeline
from model.errors import ModelIntegrityError, ModelLoadError, ModelVersionError, NotecheckError, WrongModelTask
from model.simplified import TABLE_SHA256
from model.text import NORMALIZATION_VERSION

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

ARRAYS_FILE = "model.npz"
PIPELINE_FILE = "pipeline.json"
CARD_FILE = "model_card.json"
DEFAULT_MODEL_DIR = Path(__file__).parent / "default"

__all__ = ["TRUSTED_TYPES", "load_compiled", "load_model", "load_pipeline", "save_model", "save_pipeline"]

_VERSIONED = ("scikit-learn", "numpy", "scipy", "jieba", "rjieba", "opencc")
#: The layout of an artifact directory (files, array names, card fields). Bump it with any change a loader of the
#: previous layout would misread.
ARTIFACT_FORMAT = 1
#: How to load a model of another engine version anyway, as the command line and Python spell it.
_ANYWAY = " (load it anyway with --allow-version-mismatch, or allow_version_mismatch=True in Python)"
#: Nesting a pipeline.json or model card can need (a pipeline's is about 6); deeper JSON is refused unread.
MAX_JSON_DEPTH = 32


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in (*_VERSIONED, "notecheck"):
        out[name] = installed_version(name)
    return out


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _major_minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def save_pipeline(pipeline: Pipeline, directory: str | Path, card: dict[str, Any]) -> dict[str, Any]:
    """Write ``model.npz``, ``pipeline.json`` and ``model_card.json`` into ``directory``; returns the card."""
    from model.pipeline import encode_pipeline

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    spec, arrays = encode_pipeline(pipeline)
    with open(directory / ARRAYS_FILE, "wb") as fh:
        np.savez_compressed(fh, **arrays)
    (directory / PIPELINE_FILE).write_text(json.dumps(spec, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    card = dict(card)
    card["format_version"] = ARTIFACT_FORMAT
    card["engine_version"] = ENGINE_VERSION
    card["normalization_version"] = NORMALIZATION_VERSION
    card["simplified_table_sha256"] = TABLE_SHA256
    card["library_versions"] = library_versions()
    card["files"] = {
        f: {"sha256": sha256_file(directory / f), "bytes": (directory / f).stat().st_size}
        for f in (ARRAYS_FILE, PIPELINE_FILE)
    }
    (directory / CARD_FILE).write_text(json.dumps(card, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
    return card


def _json_depth(value: Any) -> int:
    """How deeply ``value`` nests lists and objects (iteratively: no recursion limit to hit)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def read_json(path: Path, what: str) -> Any:
    """The JSON of an artifact file; :class:`ModelIntegrityError` when it is not JSON, not UTF-8 or nested deeper
    than :data:`MAX_JSON_DEPTH`."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        why = f"invalid JSON ({exc.msg} at line {exc.lineno})"
        raise ModelIntegrityError(f"{path}: {why}. Refusing to load it.") from None
    except UnicodeDecodeError as exc:
        raise ModelIntegrityError(f"{path}: not UTF-8 text ({exc.reason}). Refusing to load it.") from None
    except RecursionError:
        value = None  # nested far deeper than the limit
    depth = MAX_JSON_DEPTH + 1 if value is None else _json_depth(value)
    if depth > MAX_JSON_DEPTH:
        raise ModelIntegrityError(
            f"{path}: {what} nested {'too' if value is None else depth} levels deep; a notecheck {what} needs at most "
            f"{MAX_JSON_DEPTH}. Refusing to load it."
        )
    return value


def read_card(directory: str | Path) -> dict[str, Any]:
    path = Path(directory) / CARD_FILE
    if not path.is_file():
        raise ModelLoadError(f"{directory}: no {CARD_FILE}; expected a notecheck model directory.")
    card = read_json(path, "model card")
    if not isinstance(card, dict):
        raise ModelIntegrityError(f"{path}: expected a JSON object. Got {type(card).__name__}. Refusing to load it.")
    return card


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    """Every array of ``model.npz`` (never pickled objects); :class:`ModelIntegrityError` for a file that is not
    a complete npz archive."""
    try:
        with np.load(path, allow_pickle=False) as arrays:
            return {k: arrays[k] for k in arrays.files}
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, KeyError) as exc:
        # a truncated or foreign file: not a zip, a member cut short, an object array (pickle) inside
        raise ModelIntegrityError(
            f"{path}: not a complete numpy .npz archive ({type(exc).__name__}: {exc}). Refusing to load it."
        ) from None


def check_arrays(spec: dict[str, Any], arrays: dict[str, np.ndarray], where: Path) -> None:
    """Refuse (:class:`ModelIntegrityError`) arrays a pipeline cannot compute with: missing ones, weights that
    are not finite numbers, and shapes that do not fit together (one idf per term, one coefficient per term of
    every part, one intercept, two classes)."""

    def refuse(why: str) -> ModelIntegrityError:
        return ModelIntegrityError(f"{where / ARRAYS_FILE}: {why}. Refusing to load it.")

    try:
        names = [part["name"] for part in spec["steps"][1]["parts"]]
    except (KeyError, IndexError, TypeError):
        return  # a malformed structure: CompiledPipeline.from_spec names what is wrong with it
    needed = [f"{n}.{a}" for n in names for a in ("terms", "idf")] + ["clf.coef", "clf.intercept", "clf.classes"]
    missing = [n for n in needed if n not in arrays]
    if missing:
        raise refuse(f"missing arrays {missing}")
    n_terms = 0
    for name in names:
        terms, idf = arrays[f"{name}.terms"], arrays[f"{name}.idf"]
        if terms.ndim != 1 or idf.shape != terms.shape:
            raise refuse(f"part {name!r}: terms of shape {terms.shape}, idf of shape {idf.shape}; one idf per term")
        n_terms += terms.shape[0]
    coef, intercept, classes = arrays["clf.coef"], arrays["clf.intercept"], arrays["clf.classes"]
    if coef.shape != (1, n_terms):
        raise refuse(f"clf.coef has shape {coef.shape}; expected (1, {n_terms}), one coefficient per term")
    if intercept.size != 1 or classes.shape != (2,):
        raise refuse(f"expected one intercept and two classes; got {intercept.shape} and {classes.shape}")
    for key in [f"{n}.idf" for n in names] + ["clf.coef", "clf.intercept"]:
        values = arrays[key]
        if values.dtype.kind not in "fiu":
            raise refuse(f"{key} holds {values.dtype} values; expected numbers")
        bad = np.size(values) - int(np.count_nonzero(np.isfinite(values)))
        if bad:
            raise refuse(f"{key} has {bad} NaN or infinite value(s); weights must be finite")


def check_card_numbers(card: dict[str, Any], where: Path) -> None:
    """Refuse a card whose calibration or thresholds are not finite numbers (a NaN would score every note
    the same)."""
    values = {f"calibration.{k}": v for k, v in (card.get("calibration") or {}).items()}
    values.update({k: card[k] for k in ("threshold", "review_threshold") if k in card})
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ModelIntegrityError(
                f"{where / CARD_FILE}: {key} must be a finite number. Got {value!r:.40}. Refusing to load it."
            )


def installed_version(distribution: str) -> str:
    """Version of an installed distribution, read from its metadata (without importing it)."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def check_card_versions(card: dict[str, Any], directory: Path, *, allow_version_mismatch: bool = False) -> None:
    """Refuse a model card whose model this notecheck cannot compute as it was trained: another artifact format,
    text normalisation version or traditional-to-simplified table, or (unless ``allow_version_mismatch``, which
    warns) another numpy-engine version. Needs the card alone, so ``notecheck serve`` checks it before starting."""
    fmt = card.get("format_version", 1)  # cards written before the field existed are format 1
    if fmt != ARTIFACT_FORMAT:
        raise ModelVersionError(
            f"{directory}: artifact format {fmt!r}, but this notecheck reads format {ARTIFACT_FORMAT}; use the "
            "notecheck version that saved it, or retrain."
        )
    if card.get("normalization_version") != NORMALIZATION_VERSION:
        raise ModelVersionError(
            f"{directory}: trained with text normalisation version {card.get('normalization_version')!r}, but "
            f"this notecheck prepares text with version {NORMALIZATION_VERSION!r}; retrain the model."
        )
    table = card.get("simplified_table_sha256")
    if table != TABLE_SHA256:
        raise ModelVersionError(
            f"{directory}: trained reading traditional Chinese with the table of sha256 {table!r}, but this "
            f"notecheck's OpenCC gives {TABLE_SHA256!r} (model.simplified), so it would prepare text differently; "
            f"install the OpenCC the card names (library_versions: "
            f"{card.get('library_versions', {}).get('opencc', 'not recorded')}), or retrain."
        )
    engine = card.get("engine_version", 1)
    if engine != ENGINE_VERSION:
        message = (
            f"{directory}: model saved by numpy engine version {engine!r} but this notecheck computes with version "
            f"{ENGINE_VERSION}; scores may differ. Retrain, or use the notecheck version that saved it."
        )
        if not allow_version_mismatch:
            raise ModelVersionError(message + _ANYWAY)
        warnings.warn(message, UserWarning, stacklevel=3)


def load_compiled(
    directory: str | Path, *, allow_version_mismatch: bool = False
) -> tuple[CompiledPipeline, dict[str, Any]]:
    """Verify and load an artifact directory for inference (no scikit-learn import). Returns ``(compiled, card)``.

    Refuses (see the module docstring) a file whose sha256 differs from the card, a corrupt file that matches
    it, a pipeline naming an untrusted type, another artifact format or text normalisation version, and a model
    saved by another engine version unless ``allow_version_mismatch``, which warns.
    """
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
    check_card_versions(card, directory, allow_version_mismatch=allow_version_mismatch)
    check_card_numbers(card, directory)
    spec = read_json(directory / PIPELINE_FILE, "pipeline")
    if not isinstance(spec, dict):
        raise ModelIntegrityError(f"{directory / PIPELINE_FILE}: expected a JSON object. Refusing to load it.")
    arrays = _read_arrays(directory / ARRAYS_FILE)
    check_arrays(spec, arrays, directory)
    try:
        compiled = CompiledPipeline.from_spec(spec, arrays, where=directory)
    except NotecheckError:
        raise
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        why = f"the model files do not fit together ({exc!r})"
        raise ModelIntegrityError(f"{directory}: {why}. Refusing to load it.") from None
    return compiled, card


def check_sklearn_version(card: dict[str, Any], directory: Path, *, allow_version_mismatch: bool = False) -> None:
    """Where scikit-learn runs (the pipeline rebuilt for training or evaluation): refuse a model saved under another
    scikit-learn major.minor, whose estimator semantics may differ, unless ``allow_version_mismatch`` (warns)."""
    trained = card.get("library_versions", {}).get("scikit-learn", "unknown")
    running = installed_version("scikit-learn")
    if _major_minor(trained) != _major_minor(running):
        message = (
            f"{directory}: model saved with scikit-learn {trained} but scikit-learn {running} is installed; "
            "the rebuilt scikit-learn pipeline may differ. Install the same major.minor version or retrain."
        )
        if not allow_version_mismatch:
            raise ModelVersionError(message + _ANYWAY)
        warnings.warn(message, UserWarning, stacklevel=3)


def load_pipeline(directory: str | Path, *, allow_version_mismatch: bool = False) -> tuple[Pipeline, dict[str, Any]]:
    """Verify and load the scikit-learn pipeline of an artifact directory. Returns ``(pipeline, card)``.

    Besides what :func:`load_compiled` checks, the scikit-learn version (:func:`check_sklearn_version`)."""
    from model.pipeline import to_sklearn

    compiled, card = load_compiled(directory, allow_version_mismatch=allow_version_mismatch)
    check_sklearn_version(card, Path(directory), allow_version_mismatch=allow_version_mismatch)
    return to_sklearn(compiled), card


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
    compiled, card = load_compiled(directory, allow_version_mismatch=allow_version_mismatch)
    if card.get("task") != "ad":
        raise WrongModelTask(directory, card.get("task"), "ad")
    return AdModel(
        compiled,
        calibration=card["calibration"],
        threshold=card["threshold"],
        review_threshold=card["review_threshold"],
        card=card,
    )
