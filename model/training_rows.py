"""Which evaluated notes the model was trained on: a compact set of hashes of its training rows, shipped beside the
model (``training_rows.npy``, recorded in the model card), so ``notecheck evaluate`` can warn when its figures
would be training-set figures.

A row's key is its title and text normalised (:func:`model.text.normalize_text`) with punctuation, digits and
spaces removed — the same key training de-duplicates by — hashed to 64 bits (BLAKE2b). 64 bits make an accidental
collision among ~10^5 rows about 1 in 10^9.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from model.artifacts import sha256_file
from model.errors import ModelLoadError
from model.text import normalize_text

TRAINING_ROWS_FILE = "training_rows.npy"
_KEY_STRIP = re.compile(r"[\W\d_]+")


def row_key(title: str, text: str) -> str:
    """The de-duplication key of a note: normalised title and text without punctuation, digits or spaces."""
    return _KEY_STRIP.sub("", normalize_text(f"{title}\n{text}"))


def row_keys(rows: Iterable[tuple[str, str]]) -> np.ndarray:
    """The 64-bit hash of each (title, text) row's key, in order."""
    digest = hashlib.blake2b
    out = [int.from_bytes(digest(row_key(t, x).encode("utf-8"), digest_size=8).digest(), "little") for t, x in rows]
    return np.array(out, dtype=np.uint64)


def row_hashes(rows: Iterable[tuple[str, str]]) -> np.ndarray:
    """Sorted unique 64-bit hashes of the keys of (title, text) rows."""
    return np.unique(row_keys(rows))


def save_training_rows(
    directory: str | Path, rows: Iterable[tuple[str, str]], written: Iterable[tuple[str, str]] = ()
) -> dict[str, Any]:
    """Write the hashes of the training rows, and of ``written``: the same rows as their files write them where
    reading changed them (a corpus whose masked digits were un-masked), so evaluating such a file as it is on disk
    still finds them. Returns the model-card entry that describes the file."""
    path = Path(directory) / TRAINING_ROWS_FILE
    read = row_hashes(rows)
    hashes = np.union1d(read, row_hashes(written))
    with open(path, "wb") as fh:
        np.save(fh, hashes, allow_pickle=False)
    return {"file": TRAINING_ROWS_FILE, "sha256": sha256_file(path), "rows": len(read), "hashes": len(hashes),
            "key": "blake2b-64 of the normalised title + text without punctuation, digits or spaces; rows whose "
                   "file masks digits are hashed as read and as written"}  # fmt: skip


def load_training_rows(directory: str | Path, card: dict[str, Any]) -> np.ndarray | None:
    """The training-row hashes of a model directory, or None when its card lists none. A file that differs from
    the card is refused."""
    entry = card.get("training_rows")
    if not entry:
        return None
    path = Path(directory) / str(entry.get("file", TRAINING_ROWS_FILE))
    if not path.is_file():
        raise ModelLoadError(f"{directory}: the model card lists {path.name} but the file is missing.")
    if sha256_file(path) != entry.get("sha256"):
        raise ModelLoadError(f"{path}: sha256 differs from the model card; refusing the training-row hashes.")
    hashes = np.load(path, allow_pickle=False)
    if hashes.dtype != np.uint64 or hashes.ndim != 1:
        raise ModelLoadError(f"{path}: expected a 1-d uint64 array. Got {hashes.dtype} of shape {hashes.shape}.")
    return hashes


def overlap_mask(training: np.ndarray, rows: Iterable[tuple[str, str]]) -> np.ndarray:
    """True for each (title, text) row whose key is among the ``training`` hashes."""
    return np.isin(row_keys(rows), training)
