"""Comment scoring: keyword ratio and positive/negative ratio per note, and their aggregation per creator.

- :class:`KeywordMatcher` finds many keywords at once with one Aho-Corasick automaton (pyahocorasick) over
  *characters* of a normalised text: NFKC (full-width to half-width), lower-case Latin, traditional to simplified
  Chinese (OpenCC ``t2s``), zero-width characters dropped and spaces between Chinese characters removed. Keywords
  are normalised the same way, so ``求鏈接``, ``求 链 接`` and ``ＬＡＮＲＵＯ`` match ``求链接`` and ``lanruo``, and a
  keyword that jieba would split into several words still matches. Latin keywords only match whole Latin words
  (``ai`` does not match ``said``). A set may list *exclude* phrases: a hit lying inside one is cancelled
  (``托`` inside ``拜托``).
- :class:`SentimentModel` wraps the sentiment artifact (``model/sentiment/``): the ad model's tokenizer stack
  (prepared document -> jieba TF-IDF -> logistic regression) with emoticons rewritten to emoji-code tokens first,
  and a neutral band chosen on validation data and stored in the model card.
- :class:`CommentScorer` scores a note's comments into a :class:`CommentReport`; :func:`aggregate_creators`
  sums reports per creator.

Defined results for awkward input: an empty comment list gives ``n_comments = 0``, ratios ``0.0`` and shares
``None``; an empty or whitespace comment keeps its index, hits nothing and is ``neutral`` with probability
``None``; a comment longer than ``max_comment_chars`` is scored on its first ``max_comment_chars`` characters and
reported with ``truncated: true``; a comment that is not a string or an object with ``text`` is an
:class:`~model.errors.InvalidNoteError` naming its index.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from model.engine import CompiledModel, CompiledPipeline
from model.errors import InvalidNoteError, InvalidParameterError, ModelLoadError
from model.notes import Comment, Note, parse_comment
from model.text import normalize_text, prepare_document

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

RESOURCES = Path(__file__).parent / "resources"
DEFAULT_KEYWORDS_FILE = RESOURCES / "comment_keywords.json"
DEFAULT_SENTIMENT_DIR = Path(__file__).parent / "sentiment"
LABELS = ("positive", "neutral", "negative")
MAX_KEYWORD_CHARS = 64
DEFAULT_MAX_COMMENT_CHARS = 1000

#: Bump whenever :func:`mark_emoticons` changes; recorded in sentiment model cards and checked on load.
EMOTICON_VERSION = "1"

# ---------------------------------------------------------------------------------------------------------------
# Text normalisation for keyword matching
# ---------------------------------------------------------------------------------------------------------------

_CJK_SPACE_RE = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")


@lru_cache(maxsize=1)
def _t2s() -> Any:
    """The OpenCC traditional-to-simplified converter (immutable once built; shared read-only)."""
    import opencc

    return opencc.OpenCC("t2s")


def _finish(text: str) -> str:
    return _CJK_SPACE_RE.sub("", text)


def normalize_for_matching(text: str) -> str:
    """The form keywords and comments are matched in: :func:`model.text.normalize_text` (NFKC, lower case, no
    zero-width characters, collapsed whitespace), then traditional -> simplified, then no spaces between
    non-ASCII characters."""
    return _finish(_t2s().convert(normalize_text(text)))


def _normalize_many(texts: Sequence[str]) -> list[str]:
    """:func:`normalize_for_matching` for many texts with one OpenCC call (normalised texts hold no newline)."""
    if not texts:
        return []
    normed = [normalize_text(t) for t in texts]
    converted = _t2s().convert("\n".join(normed)).split("\n")
    if len(converted) != len(normed):  # never expected; fall back to one call per text
        converted = [_t2s().convert(t) for t in normed]
    return [_finish(t) for t in converted]


def _is_latin_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


# ---------------------------------------------------------------------------------------------------------------
# Keyword sets
# ---------------------------------------------------------------------------------------------------------------


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _check_sets(sets: Any, name: str) -> dict[str, list[str]]:
    """Validate ``{set name: [keyword, ...]}``; returns a plain dict of lists (keywords not yet de-duplicated)."""
    if not isinstance(sets, Mapping):
        raise InvalidParameterError(
            f"'{name}' must be a mapping of keyword-set names to lists of keywords. Got {_type_name(sets)} "
            f"{sets!r:.60} instead."
        )
    out: dict[str, list[str]] = {}
    for set_name, words in sets.items():
        if not isinstance(set_name, str) or not set_name.strip():
            raise InvalidParameterError(
                f"Keyword-set names in '{name}' must be non-empty strings. Got {_type_name(set_name)} {set_name!r}."
            )
        if isinstance(words, (str, bytes)) or not isinstance(words, Iterable):
            raise InvalidParameterError(
                f"'{name}[{set_name!r}]' must be a list of keywords. Got {_type_name(words)} {words!r:.60} instead."
            )
        words = list(words)
        for i, w in enumerate(words):
            if not isinstance(w, str):
                raise InvalidParameterError(
                    f"'{name}[{set_name!r}][{i}]' must be a string keyword. Got {_type_name(w)} {w!r:.60} instead."
                )
            if len(w) > MAX_KEYWORD_CHARS:
                raise InvalidParameterError(
                    f"'{name}[{set_name!r}][{i}]' must be at most {MAX_KEYWORD_CHARS} characters. Got {len(w)} "
                    f"characters ({w[:20]!r}...)."
                )
        out[set_name] = words
    return out


class KeywordMatcher:
    """Match many keyword sets against texts with one Aho-Corasick automaton.

    Parameters
    ----------
    sets : mapping of str to list of str
        Keyword-set name -> keywords. Hits are reported with the keyword's spelling as given. Every set must
        hold at least one keyword; an empty or whitespace-only keyword is an error (it would match everything).
        Keywords of one set that are equal after normalisation (``LANRUO`` and ``lanruo``) are merged into the
        first spelling; :attr:`merged` lists each ``(set, merged keyword, kept keyword)``.
    exclude : mapping of str to list of str, optional
        Set name -> phrases that cancel a hit of that set lying inside them (``托`` inside ``拜托``).
    """

    def __init__(self, sets: Mapping[str, Sequence[str]], *, exclude: Mapping[str, Sequence[str]] | None = None):
        import ahocorasick

        checked = _check_sets(sets, "sets")
        if not checked:
            raise InvalidParameterError("'sets' must hold at least one keyword set. Got an empty mapping.")
        excl = _check_sets(exclude or {}, "exclude")
        unknown = sorted(set(excl) - set(checked))
        if unknown:
            raise InvalidParameterError(
                f"'exclude' names keyword sets that do not exist: {unknown}. Known sets: {sorted(checked)}."
            )
        self.sets: dict[str, list[str]] = {}
        self.exclude: dict[str, list[str]] = {}
        self.merged: list[tuple[str, str, str]] = []
        # normalised pattern -> ([(set, canonical keyword)], [sets it excludes for])
        patterns: dict[str, tuple[list[tuple[str, str]], list[str]]] = {}
        for set_name, words in checked.items():
            if not words:
                raise InvalidParameterError(
                    f"Keyword set {set_name!r} must hold at least one keyword. Got an empty list."
                )
            kept: dict[str, str] = {}
            for i, (word, norm) in enumerate(zip(words, _normalize_many(words), strict=True)):
                if not norm:
                    raise InvalidParameterError(
                        f"Keyword {i} of set {set_name!r} must contain visible characters. Got {word!r}."
                    )
                if norm in kept:
                    self.merged.append((set_name, word, kept[norm]))
                    continue
                kept[norm] = word
                patterns.setdefault(norm, ([], []))[0].append((set_name, word))
            self.sets[set_name] = list(kept.values())
        for set_name, words in excl.items():
            self.exclude[set_name] = []
            for i, (word, norm) in enumerate(zip(words, _normalize_many(words), strict=True)):
                if not norm:
                    raise InvalidParameterError(
                        f"Exclude phrase {i} of set {set_name!r} must contain visible characters. Got {word!r}."
                    )
                self.exclude[set_name].append(word)
                patterns.setdefault(norm, ([], []))[1].append(set_name)
        automaton = ahocorasick.Automaton()
        for norm, (hits, excludes) in patterns.items():
            latin_start = _is_latin_word_char(norm[0])
            latin_end = _is_latin_word_char(norm[-1])
            automaton.add_word(norm, (len(norm), tuple(hits), tuple(excludes), latin_start, latin_end))
        automaton.make_automaton()
        self._automaton = automaton

    def __repr__(self) -> str:
        sizes = {k: len(v) for k, v in self.sets.items()}
        return f"KeywordMatcher(sets={sizes})"

    @property
    def n_keywords(self) -> int:
        return sum(len(v) for v in self.sets.values())

    def _match_normalized(self, norm: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {name: [] for name in self.sets}
        matches = list(self._automaton.iter(norm)) if norm else ()
        if not matches:
            return out
        found: list[tuple[int, int, tuple[tuple[str, str], ...]]] = []
        cancel: dict[str, list[tuple[int, int]]] = {}
        n = len(norm)
        for end, (length, hits, excludes, latin_start, latin_end) in matches:
            start = end - length + 1
            for set_name in excludes:
                cancel.setdefault(set_name, []).append((start, end))
            if not hits:
                continue
            if latin_start and start > 0 and _is_latin_word_char(norm[start - 1]):
                continue
            if latin_end and end + 1 < n and _is_latin_word_char(norm[end + 1]):
                continue
            found.append((start, end, hits))
        for start, end, hits in found:
            for set_name, word in hits:
                spans = cancel.get(set_name)
                if spans and any(s <= start and end <= e for s, e in spans):
                    continue
                if word not in out[set_name]:
                    out[set_name].append(word)
        return out

    def match(self, text: str) -> dict[str, list[str]]:
        """Set name -> keywords of that set found in ``text`` (spelling as given, in order of first hit).
        Every set is present, with an empty list when nothing hit."""
        if not isinstance(text, str):
            raise InvalidParameterError(f"'text' must be a string. Got {_type_name(text)} {text!r:.60} instead.")
        return self._match_normalized(normalize_for_matching(text))

    def match_many(self, texts: Sequence[str]) -> list[dict[str, list[str]]]:
        """:meth:`match` for many texts (one traditional->simplified conversion for all of them)."""
        texts = list(texts)
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise InvalidParameterError(f"'texts[{i}]' must be a string. Got {_type_name(t)} {t!r:.60} instead.")
        return [self._match_normalized(norm) for norm in _normalize_many(texts)]


def read_keyword_file(path: str | Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Read a keyword file: a JSON object of ``{set: [keywords]}`` or ``{set: {"keywords": [...], "exclude":
    [...]}}``; keys starting with ``_`` are comments. Returns ``(sets, exclude)``."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InvalidParameterError(f"keyword file {path} does not exist.") from None
    except json.JSONDecodeError as exc:
        raise InvalidParameterError(
            f"keyword file {path} is not valid JSON ({exc.msg} at line {exc.lineno})."
        ) from None
    if not isinstance(raw, dict):
        raise InvalidParameterError(
            f"keyword file {path} must hold a JSON object of keyword sets. Got {_type_name(raw)} instead."
        )
    sets: dict[str, list[str]] = {}
    exclude: dict[str, list[str]] = {}
    for name, value in raw.items():
        if name.startswith("_"):
            continue
        if isinstance(value, dict):
            extra = sorted(set(value) - {"keywords", "exclude"})
            if extra or "keywords" not in value:
                raise InvalidParameterError(
                    f"keyword file {path}: set {name!r} must be a list or an object with 'keywords' and optional "
                    f"'exclude'. Got keys {sorted(value)}."
                )
            sets[name] = value["keywords"]
            if value.get("exclude"):
                exclude[name] = value["exclude"]
        else:
            sets[name] = value
    try:
        checked = _check_sets(sets, "keywords")
        checked_ex = _check_sets(exclude, "exclude")
    except InvalidParameterError as exc:
        raise InvalidParameterError(f"keyword file {path}: {exc}") from None
    return checked, checked_ex


def default_keyword_sets() -> dict[str, list[str]]:
    """The shipped keyword sets (``purchase_intent``, ``ad_suspicion``) from ``model/resources``."""
    return read_keyword_file(DEFAULT_KEYWORDS_FILE)[0]


def default_keyword_excludes() -> dict[str, list[str]]:
    """The exclude phrases of the shipped keyword sets."""
    return read_keyword_file(DEFAULT_KEYWORDS_FILE)[1]


def merge_keyword_sets(
    base: Mapping[str, Sequence[str]], extra: Mapping[str, Sequence[str]] | None
) -> dict[str, list[str]]:
    """``base`` with the sets of ``extra`` added; a set present in both gets the union (base keywords first)."""
    out = {k: list(v) for k, v in _check_sets(base, "keyword_sets").items()}
    for name, words in _check_sets(extra or {}, "keywords").items():
        out[name] = out.get(name, []) + [w for w in words if w not in out.get(name, [])]
    return out


# ---------------------------------------------------------------------------------------------------------------
# Sentiment model
# ---------------------------------------------------------------------------------------------------------------

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
    ``[颜:笑]`` so that they become features; the text is NFKC-normalised and lower-cased first."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _EMOTICON_RE.sub(lambda m: f" [颜:{_EMOTICON_CLASS[m.lastgroup or '']}] ", text)


def sentiment_document(text: str) -> str:
    """The document the sentiment vectorizers see for a comment."""
    return prepare_document(None, mark_emoticons(text))


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
        """Log-odds of positive per text; NaN for an empty or whitespace-only text."""
        texts = _as_texts(texts)
        out = np.full(len(texts), np.nan)
        idx = [i for i, t in enumerate(texts) if t.strip()]
        if idx:
            out[idx] = self._engine.decision_function([sentiment_document(texts[i]) for i in idx])
        return out

    def decision_function_reference(self, texts: Sequence[str]) -> np.ndarray:
        """:meth:`decision_function` through scikit-learn's ``transform`` (the compiled path must equal this)."""
        texts = _as_texts(texts)
        out = np.full(len(texts), np.nan)
        idx = [i for i, t in enumerate(texts) if t.strip()]
        if idx:
            pipeline = self.pipeline
            X = pipeline[-2].transform([sentiment_document(texts[i]) for i in idx])
            clf = pipeline[-1]
            out[idx] = np.asarray(X @ clf.coef_[0] + clf.intercept_[0], dtype=np.float64).ravel()
        return out

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """P(positive) per text (1-D array); NaN for an empty or whitespace-only text."""
        z = self.decision_function(texts)
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(-z))

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
        return [self.label(float(p)) for p in self.predict_proba(texts)]


def _f1_score() -> Any:
    from sklearn.metrics import f1_score  # only evaluation needs scikit-learn

    return f1_score


def _as_texts(texts: Any, name: str = "texts") -> list[str]:
    if isinstance(texts, (str, bytes)):
        raise InvalidParameterError(f"'{name}' must be a list of strings. Got a single {type(texts).__name__}.")
    try:
        items = list(texts)
    except TypeError:
        raise InvalidParameterError(f"'{name}' must be a list of strings. Got {_type_name(texts)}.") from None
    for i, t in enumerate(items):
        if not isinstance(t, str):
            raise InvalidParameterError(f"'{name}[{i}]' must be a string. Got {_type_name(t)} {t!r:.60} instead.")
    return items


def load_sentiment_model(
    directory: str | Path | None = None, *, allow_version_mismatch: bool = False
) -> SentimentModel:
    """Load a sentiment artifact directory (the shipped ``model/sentiment/`` when ``directory`` is None)."""
    from model.artifacts import load_compiled

    directory = DEFAULT_SENTIMENT_DIR if directory is None else Path(directory)
    compiled, card = load_compiled(directory, allow_version_mismatch=allow_version_mismatch)
    if card.get("task") != "sentiment":
        raise ModelLoadError(f"{directory}: model card task is {card.get('task')!r}, expected 'sentiment'.")
    if card.get("emoticon_version") != EMOTICON_VERSION:
        raise ModelLoadError(
            f"{directory}: trained with emoticon rewriting version {card.get('emoticon_version')!r}, but this "
            f"notecheck uses version {EMOTICON_VERSION!r}; retrain the sentiment model."
        )
    band = card.get("neutral_band") or {}
    if "low" not in band or "high" not in band:
        raise ModelLoadError(f"{directory}: model card has no neutral_band {{low, high}}. Got {band!r}.")
    return SentimentModel(compiled, neutral_band=(band["low"], band["high"]), card=card)


def sentiment_metrics(
    y: Sequence[int], p: Sequence[float], sources: Sequence[str], neutral_band: Sequence[float] = (0.5, 0.5)
) -> dict[str, Any]:
    """Accuracy and macro-F1 at 0.5, per source too; plus the share of texts in the neutral band and the
    accuracy on the rest (``polar_accuracy``)."""
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=np.float64)
    sources = np.asarray(sources, dtype=object)
    low, high = neutral_band

    def block(mask: np.ndarray) -> dict[str, Any]:
        yy, pp = y[mask], p[mask]
        pred = (pp >= 0.5).astype(int)
        polar = (pp >= high) | (pp < low)
        return {
            "n": int(mask.sum()),
            "n_positive": int(yy.sum()),
            "accuracy": _round(float(np.mean(pred == yy))) if len(yy) else None,
            "macro_f1": _round(float(_f1_score()(yy, pred, average="macro", labels=[0, 1], zero_division=0)))
            if len(yy)
            else None,
            "neutral_share": _round(float(np.mean(~polar))) if len(yy) else None,
            "polar_accuracy": _round(float(np.mean(pred[polar] == yy[polar]))) if polar.any() else None,
        }

    out = block(np.ones(len(y), dtype=bool))
    out["neutral_band"] = [float(low), float(high)]
    out["per_source"] = {str(s): block(sources == s) for s in sorted(set(sources.tolist()))}
    return out


def _round(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 4)


def sentiment_table(result: dict[str, Any]) -> str:
    cols = ["n", "n_positive", "accuracy", "macro_f1", "neutral_share", "polar_accuracy"]

    def fmt(v: Any) -> str:
        return "–" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))

    lines = ["| source | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    lines.append("| **all** | " + " | ".join(fmt(result.get(c)) for c in cols) + " |")
    for s, m in result["per_source"].items():
        lines.append(f"| {s} | " + " | ".join(fmt(m.get(c)) for c in cols) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------------
# Per-note reports
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommentScore:
    index: int
    label: str
    positive_probability: float | None
    keyword_hits: dict[str, list[str]]
    truncated: bool = False
    empty: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "label": self.label,
            "positive_probability": self.positive_probability,
            "keyword_hits": {k: list(v) for k, v in self.keyword_hits.items()},
            "truncated": self.truncated,
            "empty": self.empty,
        }


@dataclass(frozen=True)
class CommentReport:
    """Scores of one note's comments.

    ``keyword_ratio[set]`` is the share of comments hitting at least one keyword of the set (0.0 without
    comments); ``keyword_hits[set][kw]`` counts the comments containing ``kw``; ``matched_comments[set]`` lists
    their indices. ``positive_share`` = positive / (positive + negative), ``None`` when no comment is polar.
    The ``_weighted`` variants weight each comment by 1 + its likes; ``None`` when no comment carries likes.
    """

    n_comments: int
    comments: tuple[CommentScore, ...]
    keyword_ratio: dict[str, float]
    keyword_hits: dict[str, dict[str, int]]
    matched_comments: dict[str, list[int]]
    label_counts: dict[str, int]
    positive_share: float | None
    positive_share_weighted: float | None = None
    keyword_ratio_weighted: dict[str, float | None] = field(default_factory=dict)
    n_truncated: int = 0
    n_empty: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_comments": self.n_comments,
            "comments": [c.to_dict() for c in self.comments],
            "keyword_ratio": dict(self.keyword_ratio),
            "keyword_ratio_weighted": dict(self.keyword_ratio_weighted),
            "keyword_hits": {k: dict(v) for k, v in self.keyword_hits.items()},
            "matched_comments": {k: list(v) for k, v in self.matched_comments.items()},
            "label_counts": dict(self.label_counts),
            "positive_share": self.positive_share,
            "positive_share_weighted": self.positive_share_weighted,
            "n_truncated": self.n_truncated,
            "n_empty": self.n_empty,
        }


def _share(num: float, den: float) -> float | None:
    return None if den <= 0 else round(num / den, 6)


def parse_comments(comments: Any, *, name: str = "comments") -> list[Comment]:
    """Validate a note's comments: a list of strings, objects ``{text, likes, author}`` (or CHASM's
    ``{content}``) or :class:`~model.notes.Comment`; a :class:`~model.notes.Note` gives its own comments."""
    if isinstance(comments, Note):
        return list(comments.comments)
    if comments is None or isinstance(comments, (str, bytes, Mapping, Comment)):
        raise InvalidNoteError(
            f"'{name}' must be a list of comments (strings or objects with 'text'). Got a single "
            f"{_type_name(comments)} {comments!r:.60} instead; wrap it in a list."
        )
    try:
        items = list(comments)
    except TypeError:
        raise InvalidNoteError(f"'{name}' must be a list of comments. Got {_type_name(comments)}.") from None
    return [c if isinstance(c, Comment) else parse_comment(c, where=f"{name}: ", index=i) for i, c in enumerate(items)]


class CommentScorer:
    """Keyword ratio and sentiment of a note's comments.

    Parameters
    ----------
    sentiment : SentimentModel
    keyword_sets : mapping of str to list of str, optional
        The sets every request is matched against (default: the shipped sets with their exclude phrases).
        Request keywords passed to :meth:`score` are *added* to these.
    keyword_exclude : mapping of str to list of str, optional
        Exclude phrases per set (default: the shipped ones when ``keyword_sets`` is None, else none).
    max_comment_chars : int
        Longer comments are scored on their first ``max_comment_chars`` characters, reported as truncated.
    """

    def __init__(
        self,
        *,
        sentiment: SentimentModel,
        keyword_sets: Mapping[str, Sequence[str]] | None = None,
        keyword_exclude: Mapping[str, Sequence[str]] | None = None,
        max_comment_chars: int = DEFAULT_MAX_COMMENT_CHARS,
    ) -> None:
        if not isinstance(sentiment, SentimentModel):
            raise InvalidParameterError(
                f"The 'sentiment' parameter of CommentScorer must be a SentimentModel. Got {_type_name(sentiment)}."
            )
        if isinstance(max_comment_chars, bool) or not isinstance(max_comment_chars, int) or max_comment_chars < 1:
            raise InvalidParameterError(
                "The 'max_comment_chars' parameter of CommentScorer must be an int >= 1. "
                f"Got {max_comment_chars!r} instead."
            )
        self.sentiment = sentiment
        self.max_comment_chars = max_comment_chars
        if keyword_sets is None:
            keyword_sets, shipped_exclude = read_keyword_file(DEFAULT_KEYWORDS_FILE)
            keyword_exclude = shipped_exclude if keyword_exclude is None else keyword_exclude
        self.keyword_sets = _check_sets(keyword_sets, "keyword_sets")
        self.keyword_exclude = _check_sets(keyword_exclude or {}, "keyword_exclude")
        self.matcher = KeywordMatcher(self.keyword_sets, exclude=self.keyword_exclude)

    def _matcher_for(self, keywords: Mapping[str, Sequence[str]] | None) -> KeywordMatcher:
        if keywords is None:
            return self.matcher
        extra = _check_sets(keywords, "keywords")
        if not extra:
            return self.matcher
        return KeywordMatcher(merge_keyword_sets(self.keyword_sets, extra), exclude=self.keyword_exclude)

    def score(self, comments: Any, keywords: Mapping[str, Sequence[str]] | None = None) -> CommentReport:
        """Score one note's comments. ``keywords`` (set -> keywords) are added to the scorer's sets."""
        return self.score_many([comments], keywords=keywords)[0]

    def score_many(
        self, notes_comments: Iterable[Any], keywords: Mapping[str, Sequence[str]] | None = None
    ) -> list[CommentReport]:
        """:meth:`score` for many notes at once (one sentiment pass over all comments): one report per item."""
        if isinstance(notes_comments, (str, bytes, Mapping)):
            raise InvalidNoteError(
                "'notes_comments' must be a list with one list of comments per note. Got a single "
                f"{_type_name(notes_comments)}."
            )
        parsed = [
            parse_comments(c, name="comments" if i == 0 else f"notes_comments[{i}]")
            for i, c in enumerate(notes_comments)
        ]
        matcher = self._matcher_for(keywords)
        cap = self.max_comment_chars
        texts = [c.text[:cap] for cs in parsed for c in cs]
        hits = matcher.match_many(texts)
        probs = self.sentiment.predict_proba(texts)
        reports = []
        pos = 0
        for cs in parsed:
            n = len(cs)
            reports.append(self._report(cs, hits[pos : pos + n], probs[pos : pos + n], matcher))
            pos += n
        return reports

    def _report(
        self, comments: list[Comment], hits: list[dict[str, list[str]]], probs: np.ndarray, matcher: KeywordMatcher
    ) -> CommentReport:
        n = len(comments)
        has_likes = any(c.likes is not None for c in comments)
        weights = np.array([1 + (c.likes or 0) for c in comments], dtype=np.float64)
        scored: list[CommentScore] = []
        counts = dict.fromkeys(LABELS, 0)
        kw_counts: dict[str, dict[str, int]] = {s: {} for s in matcher.sets}
        matched: dict[str, list[int]] = {s: [] for s in matcher.sets}
        matched_w: dict[str, float] = dict.fromkeys(matcher.sets, 0.0)
        pos_w = neg_w = 0.0
        for i, (c, h, p) in enumerate(zip(comments, hits, probs, strict=True)):
            prob = None if not math.isfinite(p) else round(float(p), 6)
            label = self.sentiment.label(prob)
            counts[label] += 1
            if label == "positive":
                pos_w += weights[i]
            elif label == "negative":
                neg_w += weights[i]
            for set_name, words in h.items():
                if words:
                    matched[set_name].append(i)
                    matched_w[set_name] += weights[i]
                    for w in words:
                        kw_counts[set_name][w] = kw_counts[set_name].get(w, 0) + 1
            scored.append(
                CommentScore(
                    index=i,
                    label=label,
                    positive_probability=prob,
                    keyword_hits=h,
                    truncated=len(c.text) > self.max_comment_chars,
                    empty=not c.text.strip(),
                )
            )
        total_w = float(weights.sum())
        return CommentReport(
            n_comments=n,
            comments=tuple(scored),
            keyword_ratio={s: (round(len(idx) / n, 6) if n else 0.0) for s, idx in matched.items()},
            keyword_hits=kw_counts,
            matched_comments=matched,
            label_counts=counts,
            positive_share=_share(counts["positive"], counts["positive"] + counts["negative"]),
            positive_share_weighted=_share(pos_w, pos_w + neg_w) if has_likes else None,
            keyword_ratio_weighted={s: (_share(w, total_w) if has_likes else None) for s, w in matched_w.items()},
            n_truncated=sum(s.truncated for s in scored),
            n_empty=sum(s.empty for s in scored),
        )


def load_comment_scorer(directory: str | Path | None = None, *, allow_version_mismatch: bool = False) -> CommentScorer:
    """A :class:`CommentScorer` with the sentiment model in ``directory`` (default: the shipped one) and the
    shipped keyword sets."""
    return CommentScorer(sentiment=load_sentiment_model(directory, allow_version_mismatch=allow_version_mismatch))


# ---------------------------------------------------------------------------------------------------------------
# Per creator
# ---------------------------------------------------------------------------------------------------------------


def _report_of(row: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for key in ("comment_report", "comments"):
        value = row.get(key)
        if isinstance(value, Mapping) and "n_comments" in value:
            return value
    return row if "n_comments" in row else None


def aggregate_creators(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Aggregate per-note rows per creator.

    Each row is a mapping with ``author`` (``None`` groups notes without one), an optional ``decision``
    (``ad``/``review``/``genuine``, or ``None`` when the note was not or could not be scored) and a comment
    report (``CommentReport.to_dict()``), either merged into the row or under ``comment_report`` or
    ``comments``. Rows without a report still count as notes. Returns one dict per creator, most notes first:
    ``notes``, ``notes_with_comments``, ``ad_share`` (ads among notes with a decision; ``None`` when none has one),
    ``keyword_ratio`` (per set, mean over notes with comments; ``None`` when none has comments),
    ``positive_share`` (pooled over all comments: positive / (positive + negative)), ``label_counts`` and
    ``comments`` (total number of comments).
    """
    groups: dict[Any, dict[str, Any]] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise InvalidParameterError(f"'rows[{i}]' must be a mapping. Got {_type_name(row)} {row!r:.60}.")
        author = row.get("author")
        author = None if author is None else str(author)
        g = groups.setdefault(
            author,
            {"notes": 0, "decided": 0, "ads": 0, "with_comments": 0, "ratios": {}, "labels": dict.fromkeys(LABELS, 0),
             "comments": 0},
        )  # fmt: skip
        g["notes"] += 1
        decision = row.get("decision")
        if decision is not None:
            g["decided"] += 1
            g["ads"] += decision == "ad"
        report = _report_of(row)
        if report is None:
            continue
        n = int(report.get("n_comments") or 0)
        g["comments"] += n
        for label, count in (report.get("label_counts") or {}).items():
            if label in g["labels"]:
                g["labels"][label] += int(count)
        if n:
            g["with_comments"] += 1
            for set_name, ratio in (report.get("keyword_ratio") or {}).items():
                g["ratios"].setdefault(set_name, []).append(float(ratio))
    out = []
    for author, g in groups.items():
        labels = g["labels"]
        all_sets = sorted({s for s in g["ratios"]})
        out.append(
            {
                "author": author,
                "notes": g["notes"],
                "notes_with_comments": g["with_comments"],
                "ad_share": _share(g["ads"], g["decided"]),
                "keyword_ratio": {s: (round(sum(v) / len(v), 6) if (v := g["ratios"][s]) else None) for s in all_sets},
                "positive_share": _share(labels["positive"], labels["positive"] + labels["negative"]),
                "label_counts": dict(labels),
                "comments": g["comments"],
            }
        )
    out.sort(key=lambda d: (-d["notes"], d["author"] is None, d["author"] or ""))
    return out
