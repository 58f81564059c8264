"""Training configuration, read from a TOML file. Paths are relative to the config file; nothing is hard-coded.

This module reads the top-level keys and ``[model]``; each ``[[dataset]]`` table is read by
:mod:`training.dataset_config`, and every value's error message comes from :mod:`training.config_checks`."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.errors import InvalidParameterError
from model.text import PLACEHOLDER_RE
from model.utf8 import read_utf8
from training.config_checks import check, is_int, is_number
from training.dataset_config import DatasetSpec, read_datasets

__all__ = ["DatasetSpec", "ModelParams", "TrainConfig", "load_config", "require_ad_config"]


@dataclass(frozen=True)
class ModelParams:
    backend: str = "rjieba"
    word_ngram_max: int = 2
    min_df: int = 2
    max_df: float = 1.0
    max_features: int = 300_000
    char_ngrams: tuple[int, int] | None = None
    sublinear_tf: bool = True  # 1 + log(tf) instead of raw counts, in every vectorizer
    binary: bool = False  # tf 1 for every feature a note has, however often (then idf and length norm), everywhere
    C: float = 4.0
    max_iter: int = 3000
    cv_folds: int = 5
    model_kind: str = "lr"  # "lr" (one LR over all parts) or "stack" (an LR per part, stacked; training.models)
    nb_weight: bool = False  # scale features by their NB log-count ratio before the LR
    class_weight: str | float = "balanced"  # "balanced" or the weight of an ad relative to a genuine note
    stack_folds: int = 3
    part_C: tuple[float, ...] | None = None  # per-part C for "stack" (word, char, cue order); default C
    cue_scale: float = 1.0  # "lr": multiplier of the placeholder-token columns (> 1 regularises them less)
    char_scale: float = 1.0  # "lr": multiplier of the character n-gram columns
    #: which placeholder tokens character n-grams read the spelling of: "all", "cues" (``⟦cue:…⟧`` only, not the
    #: markup ``⟦n_tags:2⟧``, ``⟦tag:…⟧``, ``⟦has:title⟧``, ...) or "none" (the note's text only)
    char_placeholders: str = "all"
    cue_part: bool = False  # "stack": the placeholder (cue, markup) tokens of the word part are a sub-model
    use_comments: bool = False  # comment-signal tokens (keyword shares) for notes that have comments
    #: placeholder markers (e.g. ``⟦has:title⟧``) whose feature columns are removed before the classifier is fitted,
    #: with every column at least ``drop_share`` of whose occurrences they make (see training.dropping)
    drop_features: tuple[str, ...] = ()
    drop_share: float = 0.05
    #: a training-only column marking the target source's rows, folded into the intercept at export
    #: (training.models.fit_lr): the domain offset gets a weight of its own instead of riding on domain-typical words
    domain_intercept: bool = False
    #: feature augmentation (training.models.fit_lr): 0 = off, else the scale s of a target-source copy of every
    #: column, fitted beside the shared one and folded into it at export as w_shared + s * w_target
    domain_features: float = 0.0
    #: the feature parts ("word", "char", "cue": the placeholder tokens) that get the copy; empty = every column
    domain_parts: tuple[str, ...] = ()
    user_dict: Path | None = None
    stopwords: Path | None = None


@dataclass(frozen=True)
class TrainConfig:
    path: Path
    datasets: tuple[DatasetSpec, ...]
    seed: int = 42
    test_size: float = 0.2
    dedup: str = "normalized"
    target_source: str = "xhs"
    target_fpr: float = 0.02
    review_fpr: float = 0.10
    threshold_rule: str = "point"  # "point" or "bootstrap" (see training.threshold)
    hard_pool_share: float = 0.0  # weight share of the annotators: 2 genuine notes in the threshold rule
    threshold_quantile: float = 0.5  # bootstrap quantile of the threshold (an upper confidence bound on the FPR)
    threshold_boot: int = 500
    #: out-of-fold splits (fold seeds seed, seed + 1, ...) whose scores are pooled for calibration and threshold
    threshold_repeats: int = 1
    hard_pool_weight: float = 1.0  # sample weight multiplier of annotators: 2 rows (the held-out test's pool)
    # Files (relative to the config) whose figures the model card and report.md state: the output of
    # `notecheck train --cv`, of `python -m training.ablation`, and hand-written findings (Markdown).
    cv_report: Path | None = None
    ablation_report: Path | None = None
    findings: Path | None = None
    ablation_decisions: dict[str, str] = field(default_factory=dict)  # variant key -> kept or dropped, and why
    model: ModelParams = field(default_factory=ModelParams)
    groups: dict[str, list[str]] = field(default_factory=dict)  # sources reported together (see evaluate)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def feedback_datasets(self) -> tuple[str, ...]:
        """Names of the feedback datasets (exported appeals, reviewed queues), in config order: their rows stand
        for a note in de-duplication (:func:`training.data.deduplicate`)."""
        return tuple(d.name for d in self.datasets if d.feedback)


#: ``[model]`` keys that are whole numbers, with their smallest value.
_MODEL_INTS = {"word_ngram_max": 1, "min_df": 1, "max_features": 1, "max_iter": 1, "cv_folds": 2, "stack_folds": 2}
#: ``[model]`` keys that are true or false.
_MODEL_BOOLS = ("sublinear_tf", "binary", "nb_weight", "cue_part", "use_comments", "domain_intercept")


def _check_model_types(m: dict[str, Any], base: Path) -> None:
    """Types of the ``[model]`` values, before they reach the vectorizers and the LR: a string, a boolean or a float
    where a number or a whole number belongs stops here naming the key, not as a traceback deep in scikit-learn."""
    for key, low in _MODEL_INTS.items():
        if key in m:
            check(is_int(m[key]) and m[key] >= low, f"model.{key}", f"an int >= {low}", m[key])
    for key in _MODEL_BOOLS:
        if key in m:
            check(isinstance(m[key], bool), f"model.{key}", "true or false", m[key])
    for key in ("C", "cue_scale", "char_scale"):
        if key in m:
            check(is_number(m[key]) and m[key] > 0, f"model.{key}", "a float > 0", m[key])
    if "max_df" in m:
        check(
            isinstance(m["max_df"], float) and 0 < m["max_df"] <= 1,
            "model.max_df",
            "a float in (0, 1], the largest share of documents a term may occur in (1.0, not 1: scikit-learn reads "
            "an integer as a document count)",
            m["max_df"],
        )
    if "char_ngrams" in m:
        ng = m["char_ngrams"]
        check(
            isinstance(ng, list) and len(ng) == 2 and all(is_int(x) for x in ng) and 1 <= ng[0] <= ng[1],
            "model.char_ngrams",
            "[low, high], two ints with 1 <= low <= high (e.g. [1, 3])",
            ng,
        )
    if "part_C" in m:
        pc = m["part_C"]
        check(
            isinstance(pc, list) and bool(pc) and all(is_number(x) and x > 0 for x in pc),
            "model.part_C",
            "a list of floats > 0 (word, char, cue order)",
            pc,
        )
    if "class_weight" in m:
        cw = m["class_weight"]
        check(cw == "balanced" or (is_number(cw) and cw > 0), "model.class_weight", '"balanced" or a number > 0', cw)
    if "drop_share" in m:
        ds = m["drop_share"]
        check(is_number(ds) and 0 < ds <= 1, "model.drop_share", "a number in (0, 1]", ds)
    for key in ("user_dict", "stopwords"):
        if key in m:
            value = m[key]
            check(isinstance(value, str) and bool(value), f"model.{key}", "a path relative to the config", value)
            check((base / value).is_file(), f"model.{key}", f"an existing file (looked for {base / value})", value)


#: Top-level tables that other trainers read from ``TrainConfig.raw`` (``training.sentiment``).
OTHER_TABLES = frozenset({"sentiment"})


def require_ad_config(cfg: TrainConfig) -> TrainConfig:
    """``cfg`` when it configures the ad model: a config with a ``[sentiment]`` table is the sentiment model's
    (its label 1 means a positive review), which the ad trainers would otherwise read as ads and fail on only
    after loading every dataset, with a message about ``target_source``."""
    if "sentiment" in cfg.raw:
        raise InvalidParameterError(
            f"--config {cfg.path} is a sentiment model's config (it has a [sentiment] table, and its label 1 means "
            "positive, not ad): train it with `python -m training.sentiment --config ...`; the ad model's config "
            "is model/default/train.toml."
        )
    return cfg


#: Top-level keys that are numbers, and what each must be (the ranges are checked once the config is built).
_TOP_NUMBERS = {
    "test_size": "a float in (0, 0.5]",
    "target_fpr": "a float in (0, 1)",
    "review_fpr": "a float in [target_fpr, 1)",
    "hard_pool_share": "a float in [0, 1)",
    "threshold_quantile": "a float in (0, 1)",
    "hard_pool_weight": "a float > 0",
}
_TOP_INTS = {
    "seed": "an int in [0, 2**32 - 1]",
    "threshold_boot": "an int >= 10",
    "threshold_repeats": "an int in [1, 20] (the out-of-fold splits pooled for the threshold; 1 = one split)",
}
_TOP_STRINGS = ("dedup", "target_source", "threshold_rule", "cv_report", "ablation_report", "findings")


class _ReadKeys(dict):
    """The config's top-level table, remembering which keys were asked for: the rest are unknown keys."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)


def load_config(path: str | Path, **overrides: Any) -> TrainConfig:
    """Read and validate a training config. ``overrides`` replace top-level keys (e.g. ``target_fpr``)."""
    path = Path(path)
    try:
        raw = tomllib.loads(read_utf8(path, "training config"))
    except FileNotFoundError:
        raise InvalidParameterError(f"training config {path} does not exist.") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidParameterError(f"training config {path} is not valid TOML: {exc}.") from None
    base = path.parent
    check(isinstance(raw.get("model", {}), dict), "model", "a table ([model])", raw.get("model"))
    tables = raw.get("dataset", [])
    check(
        isinstance(tables, list) and all(isinstance(d, dict) for d in tables),
        "dataset",
        "an array of tables, each opened by [[dataset]] (two brackets)",
        tables,
    )
    top = _ReadKeys((k, v) for k, v in raw.items() if k not in ("dataset", "model", "groups"))
    check(
        isinstance(top.get("ablation_decisions", {}), dict),
        "ablation_decisions",
        "a table of variant = decision strings",
        top.get("ablation_decisions"),
    )
    groups = raw.get("groups", {})
    check(
        isinstance(groups, dict)
        and all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in groups.values()),
        "groups",
        "a table of source-name lists",
        groups,
    )
    top.update({k: v for k, v in overrides.items() if v is not None})
    datasets = read_datasets(tables, base)
    check(bool(datasets), "dataset", "a non-empty list of [[dataset]] tables", raw.get("dataset"))
    m = dict(raw.get("model", {}))
    _check_model_types(m, base)
    for key in ("user_dict", "stopwords"):
        if m.get(key):
            m[key] = base / m[key]
    if m.get("part_C"):
        m["part_C"] = tuple(float(c) for c in m["part_C"])
    if m.get("char_ngrams"):
        m["char_ngrams"] = tuple(m["char_ngrams"])
    if "domain_parts" in m:
        parts = m["domain_parts"]
        check(isinstance(parts, list) and all(x in ("word", "char", "cue") for x in parts), "model.domain_parts",
              'a list of feature parts among "word", "char" and "cue"', parts)  # fmt: skip
        m["domain_parts"] = tuple(parts)
    if "drop_features" in m:
        drop = m["drop_features"]
        check(
            isinstance(drop, list) and all(isinstance(x, str) and PLACEHOLDER_RE.fullmatch(x) for x in drop),
            "model.drop_features",
            'a list of placeholder markers such as ["⟦has:title⟧"]',
            drop,
        )
        m["drop_features"] = tuple(drop)
    known = set(ModelParams.__dataclass_fields__)
    unknown = set(m) - known
    check(not unknown, "model", f"a table with keys among {sorted(known)}", sorted(unknown))
    params = ModelParams(**m)
    check(params.backend in ("rjieba", "jieba"), "model.backend", '"rjieba" or "jieba"', params.backend)
    check(params.C > 0, "model.C", "a float > 0", params.C)
    check(params.min_df >= 1, "model.min_df", "an int >= 1", params.min_df)
    check(params.model_kind in ("lr", "stack"), "model.model_kind", '"lr" or "stack"', params.model_kind)
    # a stacking key under model_kind = "lr" changed nothing: the same model.npz to the byte, and no word
    for key in ("cue_part", "part_C", "stack_folds"):
        check(params.model_kind != "lr" or key not in m, f"model.{key}", 'left out unless model_kind = "stack" (it '
              'sets the stacked sub-models; model_kind is "lr")', m.get(key))  # fmt: skip
    check(
        params.class_weight == "balanced"
        or (isinstance(params.class_weight, (int, float)) and params.class_weight > 0),
        "model.class_weight",
        '"balanced" or a number > 0',
        params.class_weight,
    )
    check(
        isinstance(params.drop_share, (int, float)) and 0 < params.drop_share <= 1,
        "model.drop_share",
        "a number in (0, 1]",
        params.drop_share,
    )
    for key in ("cue_scale", "char_scale"):
        value = getattr(params, key)
        check(isinstance(value, (int, float)) and value > 0, f"model.{key}", "a number > 0", value)
    check(params.char_placeholders in ("all", "cues", "none"), "model.char_placeholders",
          '"all", "cues" or "none"', params.char_placeholders)  # fmt: skip
    dom = params.domain_intercept
    check(isinstance(dom, bool), "model.domain_intercept", "true or false", dom)
    aug = params.domain_features
    check(isinstance(aug, (int, float)) and not isinstance(aug, bool) and 0 <= aug < math.inf, "model.domain_features",
          "a finite number >= 0 (0 = off, else the scale of the target-source copy)", aug)  # fmt: skip
    check(params.cv_folds >= 2, "model.cv_folds", "an int >= 2", params.cv_folds)
    # Types of the top-level values, before float() and int() below would read "0.1" or 1.7 as something else
    for key, expected in _TOP_NUMBERS.items():
        if key in top:
            check(is_number(top[key]), key, expected, top[key])
    for key, expected in _TOP_INTS.items():
        if key in top:
            check(is_int(top[key]), key, expected, top[key])
    for key in _TOP_STRINGS:
        if key in top:
            check(isinstance(top[key], str) and bool(top[key]), key, "a non-empty string", top[key])
    cfg = TrainConfig(
        path=path,
        datasets=tuple(datasets),
        seed=int(top.get("seed", 42)),
        test_size=float(top.get("test_size", 0.2)),
        dedup=str(top.get("dedup", "normalized")),
        target_source=str(top.get("target_source", "xhs")),
        target_fpr=float(top.get("target_fpr", 0.02)),
        review_fpr=float(top.get("review_fpr", 0.10)),
        threshold_rule=str(top.get("threshold_rule", "point")),
        hard_pool_share=float(top.get("hard_pool_share", 0.0)),
        threshold_quantile=float(top.get("threshold_quantile", 0.5)),
        threshold_boot=int(top.get("threshold_boot", 500)),
        threshold_repeats=int(top.get("threshold_repeats", 1)),
        hard_pool_weight=float(top.get("hard_pool_weight", 1.0)),
        cv_report=base / top["cv_report"] if top.get("cv_report") else None,
        ablation_report=base / top["ablation_report"] if top.get("ablation_report") else None,
        findings=base / top["findings"] if top.get("findings") else None,
        ablation_decisions={str(k): str(v) for k, v in dict(top.get("ablation_decisions", {})).items()},
        model=params,
        groups={str(k): [str(x) for x in v] for k, v in groups.items()},
        raw=raw,
    )
    # The test side is one of round(1 / test_size) grouped folds: above 0.5 it would still be half of the data
    check(0 < cfg.test_size <= 0.5, "test_size", "a float in (0, 0.5] (the test side is one of round(1 / test_size) "
          "grouped folds, so a larger share cannot be drawn)", cfg.test_size)  # fmt: skip
    # --target-fpr replaces the config's value: an error then names the option, not a key the config never held
    given = overrides.get("target_fpr") is not None
    if given and not 0 < cfg.target_fpr < 1:
        raise InvalidParameterError(f"--target-fpr must be a float in (0, 1). Got {cfg.target_fpr!r}.")
    check(0 < cfg.target_fpr < 1, "target_fpr", "a float in (0, 1)", cfg.target_fpr)
    within = f"a float in [target_fpr, 1) (target_fpr is {cfg.target_fpr}{', from --target-fpr' if given else ''})"
    check(cfg.target_fpr <= cfg.review_fpr < 1, "review_fpr", within, cfg.review_fpr)
    check(cfg.threshold_rule in ("point", "bootstrap"), "threshold_rule", '"point" or "bootstrap"', cfg.threshold_rule)
    check(0 <= cfg.hard_pool_share < 1, "hard_pool_share", "a float in [0, 1)", cfg.hard_pool_share)
    check(0 < cfg.threshold_quantile < 1, "threshold_quantile", "a float in (0, 1)", cfg.threshold_quantile)
    check(cfg.hard_pool_weight > 0, "hard_pool_weight", "a float > 0", cfg.hard_pool_weight)
    check(cfg.threshold_boot >= 10, "threshold_boot", "an int >= 10", cfg.threshold_boot)
    check(1 <= cfg.threshold_repeats <= 20, "threshold_repeats", _TOP_INTS["threshold_repeats"], cfg.threshold_repeats)
    check(cfg.dedup in ("normalized", "exact", "none"), "dedup", '"normalized", "exact" or "none"', cfg.dedup)
    check(0 <= cfg.seed < 2**32, "seed", "an int in [0, 2**32 - 1]", cfg.seed)
    # A misspelt key ("taget_fpr") would otherwise be ignored without a word, leaving its default in force
    known = top.read | OTHER_TABLES | {"dataset", "model", "groups"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise InvalidParameterError(
            f"training config {path}: unknown key{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
            f"(a misspelling would leave its default in force); the known keys are {', '.join(sorted(known))}."
        )
    return cfg
