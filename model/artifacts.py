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
from typing import TYPE_CHECKING, Any

import numpy as np

from model.classifier import AdModel
from model.engine import TRUSTED_TYPES, CompiledPipeline
from model.errors import ModelIntegrityError, ModelLoadError, ModelVersionError, NotecheckError
from model.text import NORMALIZATION_VERSION

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

ARRAYS_FILE = "model.npz"
PIPELINE_FILE = "pipeline.json"
CARD_FILE = "model_card.json"
DEFAULT_MODEL_DIR = Path(__file__).parent / "default"

__all__ = ["TRUSTED_TYPES", "load_compiled", "load_model", "load_pipeline", "save_model", "save_pipeline"]

_VERSIONED = ("scikit-learn", "numpy", "scipy", "jieba", "rjieba")


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


def installed_version(distribution: str) -> str:
    """Version of an installed distribution, read from its metadata (without importing it)."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def load_compiled(
    directory: str | Path, *, allow_version_mismatch: bool = False
) -> tuple[CompiledPipeline, dict[str, Any]]:
    """Verify and load an artifact directory for inference (no scikit-learn import). Returns ``(compiled, card)``.

    Refuses a file whose sha256 differs from the card, a pipeline naming an untrusted type, another text
    normalisation version, and a model saved under another scikit-learn major.minor version (the vectorizer and
    classifier semantics the arrays were fitted under) unless ``allow_version_mismatch``, which warns.
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
    if card.get("normalization_version") != NORMALIZATION_VERSION:
        raise ModelVersionError(
            f"{directory}: trained with text normalisation version {card.get('normalization_version')!r}, but "
            f"this notecheck prepares text with version {NORMALIZATION_VERSION!r}; retrain the model."
        )
    trained = card.get("library_versions", {}).get("scikit-learn", "unknown")
    running = installed_version("scikit-learn")
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
            compiled = CompiledPipeline.from_spec(spec, {k: arrays[k] for k in arrays.files}, where=directory)
    except NotecheckError:
        raise
    except (ValueError, OSError, KeyError, TypeError) as exc:  # json errors are ValueErrors; a bad zip OSError
        raise ModelLoadError(f"{directory}: could not read the model files ({exc!r}).") from None
    return compiled, card


def load_pipeline(directory: str | Path, *, allow_version_mismatch: bool = False) -> tuple[Pipeline, dict[str, Any]]:
    """Verify and load the scikit-learn pipeline of an artifact directory. Returns ``(pipeline, card)``."""
    from model.pipeline import to_sklearn

    compiled, card = load_compiled(directory, allow_version_mismatch=allow_version_mismatch)
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
        raise ModelLoadError(f"{directory}: model card task is {card.get('task')!r}, expected 'ad'.")
    return AdModel(
        compiled,
        calibration=card["calibration"],
        threshold=card["threshold"],
        review_threshold=card["review_threshold"],
        card=card,
    )
