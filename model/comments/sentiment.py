"""The comment sentiment model: emoticons rewritten as emoji-code tokens, the ad model's tokenizer stack (prepared
document -> jieba TF-IDF -> logistic regression) and a neutral band chosen on validation data (model card)."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from model.comments.lexicon import comment_document
from model.engine import CompiledModel, CompiledPipeline, sigmoid
from model.errors import InvalidParameterError, ModelLoadError, WrongModelTask
from model.notes import type_name
from model.schema import is_blank
from model.simplified import to_simplified
from model.text import prepare_document

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

DEFAULT_SENTIMENT_DIR = Path(__file__).resolve().parent.parent / "sentiment"
LABELS = ("positive", "neutral", "negative")

#: Bump whenever :func:`mark_emoticons` or the comment lexicon (:mod:`model.comments.lexicon`) changes; recorded in
#: sentiment model cards and checked on load.
EMOTICON_VERSION = "8"

# Emoticons (after NFKC and lower-casing) -> a class written as an emoji code "[颜:class]", which
# model.text.prepare_document turns into the token ⟦emo:颜:class⟧ (user text cannot forge placeholders directly).
# Digit-based ones (555 = crying, 233 = laughing) must be caught here: prepare_document turns digits into 0.
_EMOTICONS: tuple[tuple[str, str], ...] = (
    (r"o\(∩_∩\)o|\(≧▽≦\)|≧▽≦|\(\*?\^[_o▽ω∀\-.]?\^\*?\)|\*\^[_o▽]?\^\*|\^[_o▽ω∀\-.]?\^", "笑"),
    (r"(?<![\w/]):-?\)+|(?<![\w/]):-?d(?![a-z])|\(\s?[°^]▽[°^]\s?\)", "笑"),
    (r"[╥ಥ][_﹏][╥ಥ]|(?<![a-z])t[_.]t(?![a-z])|(?<![a-z])q[aw]q(?![a-z])|:'?-?\(+|>_<|;_;", "哭"),
    (r"(?<![\d.¥$])5{3,}(?![\d.元块w万千])", "哭"),
    (r"-_-\|*|=_=|-\.-|(?<![a-z])orz(?![a-z])|\._\.", "汗"),
    (r"\(╯°□°\)╯|╯°□°|>:\(", "怒"),
    (r"(?<![\w/]):-?p(?![a-z])", "吐舌"),
    (r"<3(?!\d)", "爱"),
    (r"(?<![a-z])(?:h{3,}|(?:ha){2,}|xd+|lol)(?![a-z])|(?<!\d)233+(?!\d)", "哈"),
)
# The lookahead lists every character an emoticon can start with: it lets the regex skip other positions ~20x
# faster (tests check that every emoticon is still found).
_EMOTICON_RE = re.compile(
    "(?=[\\^o(*:≧╥ಥtq;>\\-=.╯<hxl52])(?:" + "|".join(f"(?P<e{i}>{p})" for i, (p, _) in enumerate(_EMOTICONS)) + ")"
)
_EMOTICON_CLASS = {f"e{i}": name for i, (_, name) in enumerate(_EMOTICONS)}


def mark_emoticons(text: str) -> str:
    """Rewrite emoticons (``^_^``, ``:)``, ``T_T``, ``QAQ``, ``orz``, ``555``, ``hhh`` ...) as emoji codes
    ``[颜:笑]`` so that they become features; the text is NFKC-normalised, lower-cased and read in simplified
    characters first, so that the comment lexicon's negations, slang and requests (matched next) find 沒有以前好吃
    as they find 没有以前好吃."""
    text = to_simplified(unicodedata.normalize("NFKC", text).lower())
    return _EMOTICON_RE.sub(lambda m: f" [颜:{_EMOTICON_CLASS[m.lastgroup or '']}] ", text)


def sentiment_document(text: str) -> str:
    """The document the sentiment vectorizers see for a comment: emoticons and lexicon cues as marker tokens,
    request clauses as one marker (:func:`model.comments.lexicon.comment_document`), then the ad model's text
    preparation."""
    return prepare_document(None, comment_document(mark_emoticons(text))[0])


def sentiment_documents(texts: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """Documents of many comments and whether each states an opinion (False: only questions or requests)."""
    docs = []
    opinion = np.ones(len(texts), dtype=bool)
    for i, text in enumerate(texts):
        rewritten, opinion[i] = comment_document(mark_emoticons(text))
        docs.append(prepare_document(None, rewritten))
    return docs, opinion


class SentimentModel(CompiledModel):
    """A fitted sentiment pipeline with its neutral band.

    ``predict_proba`` gives P(positive); :meth:`label` maps a probability to ``positive`` (>= ``high``),
    ``negative`` (< ``low``) or ``neutral`` (in between, or no probability because the text was empty).
    """

    def __init__(
        self,
        pipeline: Pipeline | CompiledPipeline,
        *,
        neutral_band: Sequence[float],
        card: dict[str, Any] | None = None,
    ) -> None:
        try:
            low, high = (float(x) for x in neutral_band)
        except (TypeError, ValueError):
            raise InvalidParameterError(
                f"The 'neutral_band' parameter of SentimentModel must be a pair (low, high). Got {neutral_band!r}."
            ) from None
        if not 0.0 <= low <= high <= 1.0:
            raise InvalidParameterError(
                "The 'neutral_band' parameter of SentimentModel must satisfy 0 <= low <= high <= 1. "
                f"Got ({low}, {high}) instead."
            )
        compiled = self._use_pipeline(pipeline, how_to_fit="Train it with training.sentiment.")
        self.neutral_band = (low, high)
        self.card: dict[str, Any] = dict(card or {})
        self._engine = compiled.features

    @property
    def version(self) -> str:
        return str(self.card.get("model_version", "unversioned"))

    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Log-odds of positive per text; NaN for a blank text (only whitespace, control or invisible marks)."""
        return self._scores(_as_texts(texts))[0]

    def _scores(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        out = np.full(len(texts), np.nan)
        opinion = np.zeros(len(texts), dtype=bool)
        idx = [i for i, t in enumerate(texts) if not is_blank(t)]
        if idx:
            docs, opinion[idx] = sentiment_documents([texts[i] for i in idx])
            out[idx] = self._engine.decision_function(docs)
        return out, opinion

    def predict_labeled(self, texts: Sequence[str]) -> tuple[np.ndarray, list[str]]:
        """P(positive) and the label of each text. A comment that only asks or requests (好用吗, 求链接, 多少钱)
        states no opinion: it is ``neutral`` whatever its probability (which still reads its words, so that
        review corpora, where such texts are mostly rhetorical complaints, are scored as before)."""
        z, opinion = self._scores(_as_texts(texts))
        p = sigmoid(z)
        labels = [self.label(float(x)) if has else "neutral" for x, has in zip(p, opinion, strict=True)]
        return p, labels

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """P(positive) per text (1-D array); NaN for a blank text (only whitespace, control or invisible marks)."""
        return sigmoid(self.decision_function(texts))

    def label(self, p: float | None) -> str:
        if p is None or not math.isfinite(p):
            return "neutral"
        low, high = self.neutral_band
        if p >= high:
            return "positive"
        if p < low:
            return "negative"
        return "neutral"

    def predict(self, texts: Sequence[str]) -> list[str]:
        """The label of each text (see :meth:`predict_labeled`)."""
        return self.predict_labeled(texts)[1]


def _as_texts(texts: Any, name: str = "texts") -> list[str]:
    if isinstance(texts, (str, bytes)):
        raise InvalidParameterError(f"'{name}' must be a list of strings. Got a single {type(texts).__name__}.")
    try:
        items = list(texts)
    except TypeError:
        raise InvalidParameterError(f"'{name}' must be a list of strings. Got {type_name(texts)}.") from None
    for i, t in enumerate(items):
        if not isinstance(t, str):
            raise InvalidParameterError(f"'{name}[{i}]' must be a string. Got {type_name(t)} {t!r:.60} instead.")
    return items


def load_sentiment_model(
    directory: str | Path | None = None, *, allow_version_mismatch: bool = False
) -> SentimentModel:
    """Load a sentiment artifact directory (the shipped ``model/sentiment/`` when ``directory`` is None)."""
    from model.artifacts import load_compiled

    directory = DEFAULT_SENTIMENT_DIR if directory is None else Path(directory)
    compiled, card = load_compiled(directory, allow_version_mismatch=allow_version_mismatch)
    if card.get("task") != "sentiment":
        raise WrongModelTask(directory, card.get("task"), "sentiment")
    if card.get("emoticon_version") != EMOTICON_VERSION:
        raise ModelLoadError(
            f"{directory}: trained with emoticon rewriting version {card.get('emoticon_version')!r}, but this "
            f"notecheck uses version {EMOTICON_VERSION!r}; retrain the sentiment model."
        )
    band = card.get("neutral_band") or {}
    if "low" not in band or "high" not in band:
        raise ModelLoadError(f"{directory}: model card has no neutral_band {{low, high}}. Got {band!r}.")
    return SentimentModel(compiled, neutral_band=(band["low"], band["high"]), card=card)
