"""What names a trained model, and what a cross-validation report measured: a hash of a config (as it was read,
with ``--target-fpr``), the versions of the code that reads its rows and turns them into features, the brand
lexicon and the data files.

:func:`model_version` names a model by all of it. :func:`protocol_key` leaves out what a config says about its
reports (which cross-validation and ablation files the card states, the findings, the ablation decisions) and the
datasets' credits: a ``cv_report.json`` records the key of the config it ran, and training states the report in
the model card only when the key is its own (another config's figures, a C or a target FPR apart, were stated as
the model's own).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from model.artifacts import sha256_file
from model.cues import BRAND_LEXICON
from model.engine import ENGINE_VERSION
from model.text import NORMALIZATION_VERSION
from training.config import TrainConfig
from training.data import READ_VERSION
from training.folds import FOLDS_VERSION

#: Keys of a config that say what its model card states, not how the model is made.
REPORT_KEYS = ("cv_report", "ablation_report", "findings", "ablation_decisions")
#: Keys of a ``[[dataset]]`` table that say whom to credit, not which rows are read.
DATASET_NOTE_KEYS = ("credit",)


def _config_hash(cfg: TrainConfig, data_hashes: Iterable[str], *, leave_out: tuple[str, ...] = ()) -> str:
    raw: dict[str, Any] = {k: v for k, v in cfg.raw.items() if k not in leave_out}
    if "dataset" in raw:
        raw["dataset"] = [
            {k: v for k, v in d.items() if k not in DATASET_NOTE_KEYS} if isinstance(d, dict) else d
            for d in raw["dataset"]
        ]
    if "target_fpr" in raw or cfg.target_fpr != TrainConfig.target_fpr:
        # --target-fpr overrides the file: without this, two models with different thresholds shared one name
        raw["target_fpr"] = cfg.target_fpr
    h = hashlib.sha256()
    h.update(json.dumps(raw, sort_keys=True, default=str).encode())
    h.update(f"normalization {NORMALIZATION_VERSION} engine {ENGINE_VERSION} ".encode())
    h.update(f"folds {FOLDS_VERSION} read {READ_VERSION} ".encode())
    h.update(sha256_file(BRAND_LEXICON).encode())
    for d in sorted(data_hashes):
        h.update(d.encode())
    return h.hexdigest()


def model_version(cfg: TrainConfig, data_hashes: list[str]) -> str:
    """The model's name: config, data, how rows are read (:data:`READ_VERSION`) and dealt into the split and folds
    (:data:`FOLDS_VERSION`), and what turns a note into features (normalisation and engine versions, the brand
    lexicon): without these, retraining after such a change gave a different model the same name, and appeals and
    feedback that record the name could not tell the two apart. A dataset's credit is no part of it."""
    return "ad-" + _config_hash(cfg, data_hashes)[:12]


def protocol_key(cfg: TrainConfig) -> str:
    """What a cross-validation of ``cfg`` measured: the config without :data:`REPORT_KEYS`, the code's versions,
    the lexicon and the sha256 of every data file (16 hex digits)."""
    files = [sha256_file(p) for spec in cfg.datasets for p in spec.paths]
    return _config_hash(cfg, files, leave_out=REPORT_KEYS)[:16]
