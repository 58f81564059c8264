"""The ``[sentiment]`` table of a sentiment training config, validated (:mod:`training.sentiment` trains from it)."""

from __future__ import annotations

from typing import Any

from model.errors import InvalidParameterError
from training.config import TrainConfig


def sentiment_settings(cfg: TrainConfig) -> dict[str, Any]:
    """The ``[sentiment]`` table of a config, validated: the neutral band rule, and optional sentiment lexicons
    (``[[sentiment.lexicon]]`` with ``path``, ``positive`` and ``negative`` category names) whose words are added
    to the training rows only (never split, never evaluated) with ``lexicon_weight``."""
    table = cfg.raw.get("sentiment", {})
    if not isinstance(table, dict):
        raise InvalidParameterError(f"The 'sentiment' entry of the training config must be a table. Got {table!r}.")
    known = {
        "neutral_precision", "neutral_band", "lexicon", "lexicon_weight", "comment_lexicon_weight", "nb_weighting",
        "dev",
    }  # fmt: skip
    unknown = sorted(set(table) - known)
    if unknown:
        raise InvalidParameterError(
            f"The 'sentiment' table of the training config accepts keys among {sorted(known)}. "
            f"Got unknown keys {unknown}."
        )
    out: dict[str, Any] = {}
    if "neutral_band" in table:
        band = table["neutral_band"]
        ok = (
            isinstance(band, list)
            and len(band) == 2
            and all(isinstance(x, (int, float)) for x in band)
            and 0 <= band[0] <= band[1] <= 1
        )
        if not ok:
            raise InvalidParameterError(
                "The 'sentiment.neutral_band' parameter of the training config must be [low, high] with "
                f"0 <= low <= high <= 1. Got {band!r}."
            )
        out["neutral_band"] = [float(band[0]), float(band[1])]
    else:
        precision = table.get("neutral_precision", 0.95)
        if not isinstance(precision, (int, float)) or not 0.5 <= precision < 1:
            raise InvalidParameterError(
                "The 'sentiment.neutral_precision' parameter of the training config must be a float in [0.5, 1). "
                f"Got {precision!r}."
            )
        out["neutral_precision"] = float(precision)
    weight = table.get("lexicon_weight", 1.0)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
        raise InvalidParameterError(
            f"The 'sentiment.lexicon_weight' parameter of the training config must be a number >= 0. Got {weight!r}."
        )
    out["lexicon_weight"] = float(weight)
    weight = table.get("comment_lexicon_weight", 0.0)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
        raise InvalidParameterError(
            "The 'sentiment.comment_lexicon_weight' parameter of the training config must be a number >= 0. "
            f"Got {weight!r}."
        )
    out["comment_lexicon_weight"] = float(weight)
    nb = table.get("nb_weighting", False)
    if not isinstance(nb, bool):
        raise InvalidParameterError(
            f"The 'sentiment.nb_weighting' parameter of the training config must be true or false. Got {nb!r}."
        )
    out["nb_weighting"] = nb
    dev = table.get("dev", [])
    if not (isinstance(dev, list) and all(isinstance(d, str) for d in dev)):
        raise InvalidParameterError(
            f"The 'sentiment.dev' parameter of the training config must be a list of file paths. Got {dev!r}."
        )
    out["dev"] = [cfg.path.parent / d for d in dev]
    lexicons = table.get("lexicon", [])
    if not isinstance(lexicons, list):
        raise InvalidParameterError(
            f"The 'sentiment.lexicon' entry of the training config must be a list of tables. Got {lexicons!r}."
        )
    out["lexicons"] = []
    for i, lex in enumerate(lexicons):
        if not (isinstance(lex, dict) and all(isinstance(lex.get(k), str) for k in ("path", "positive", "negative"))):
            raise InvalidParameterError(
                f"The 'sentiment.lexicon[{i}]' entry of the training config must have string 'path', 'positive' "
                f"and 'negative'. Got {lex!r}."
            )
        out["lexicons"].append({"path": cfg.path.parent / lex["path"], "positive": lex["positive"],
                                "negative": lex["negative"]})  # fmt: skip
    return out
