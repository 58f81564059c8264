"""Keyword sets: validation, the shipped keyword file and user keyword files (``{set: [keywords]}`` or
``{set: {"keywords": [...], "exclude": [...], "negation": mode}}``), and merging request keywords into the defaults.

``negation`` says what a negated hit of the set means (:mod:`model.comments.negation`): ``ignore`` (every hit
counts; the default, right for brand and product names), ``cancel`` (the shipped ``purchase_intent``: 不会再回购 is
no intent to buy) or ``cancel_unless_question`` (the shipped ``ad_suspicion``: 不是广告 vouches for the note, 不是广告吧
doubts it)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from model.comments.negation import NEGATION_MODES
from model.errors import InvalidParameterError
from model.notes import TOO_DEEP, TOO_LONG_NUMBER, RepeatedKeyError, repeated_key, type_name, unique_keys
from model.schema import got
from model.utf8 import read_utf8

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
DEFAULT_KEYWORDS_FILE = RESOURCES / "comment_keywords.json"
MAX_KEYWORD_CHARS = 64


def check_sets(sets: Any, name: str) -> dict[str, list[str]]:
    """Validate ``{set name: [keyword, ...]}``; returns a plain dict of lists (keywords not yet de-duplicated)."""
    if not isinstance(sets, Mapping):
        raise InvalidParameterError(
            f"'{name}' must be a mapping of keyword-set names to lists of keywords. Got {type_name(sets)} "
            f"{sets!r:.60} instead."
        )
    out: dict[str, list[str]] = {}
    for set_name, words in sets.items():
        if not isinstance(set_name, str) or not set_name.strip():
            raise InvalidParameterError(
                f"Keyword-set names in '{name}' must be non-empty strings. Got {type_name(set_name)} {set_name!r}."
            )
        if isinstance(words, (str, bytes)) or not isinstance(words, Iterable):
            raise InvalidParameterError(
                f"'{name}[{set_name!r}]' must be a list of keywords. Got {type_name(words)} {words!r:.60} instead."
            )
        words = list(words)
        for i, w in enumerate(words):
            if not isinstance(w, str):
                raise InvalidParameterError(
                    f"'{name}[{set_name!r}][{i}]' must be a string keyword. Got {type_name(w)} {w!r:.60} instead."
                )
            if len(w) > MAX_KEYWORD_CHARS:
                raise InvalidParameterError(
                    f"'{name}[{set_name!r}][{i}]' must be at most {MAX_KEYWORD_CHARS} characters. Got {len(w)} "
                    f"characters ({w[:20]!r}...)."
                )
        out[set_name] = words
    return out


def check_negation(negation: Any, name: str) -> dict[str, str]:
    """Validate ``{set name: negation mode}`` (modes in :data:`model.comments.negation.NEGATION_MODES`)."""
    if not isinstance(negation, Mapping):
        raise InvalidParameterError(
            f"'{name}' must be a mapping of keyword-set names to negation modes. Got {type_name(negation)} "
            f"{negation!r:.60} instead."
        )
    for set_name, mode in negation.items():
        if mode not in NEGATION_MODES:
            raise InvalidParameterError(
                f"'{name}[{set_name!r}]' must be one of {list(NEGATION_MODES)}. Got {got(mode)}."
            )
    return dict(negation)


class KeywordConfig(NamedTuple):
    """A keyword file: its sets, exclude phrases per set and negation mode per set (only the sets that name one)."""

    sets: dict[str, list[str]]
    exclude: dict[str, list[str]]
    negation: dict[str, str]


def read_keyword_file(path: str | Path) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Read a keyword file: a JSON object of ``{set: [keywords]}`` or ``{set: {"keywords": [...], "exclude":
    [...], "negation": mode}}``; keys starting with ``_`` are comments. Returns ``(sets, exclude)``; see
    :func:`read_keyword_config` for the negation modes too."""
    config = read_keyword_config(path)
    return config.sets, config.exclude


def read_keyword_config(path: str | Path) -> KeywordConfig:
    """Read a keyword file (format as :func:`read_keyword_file`) with the negation mode of each set that names one."""
    path = Path(path)
    try:
        text = read_utf8(path, "keyword file")
    except FileNotFoundError:
        raise InvalidParameterError(f"keyword file {path} does not exist.") from None
    try:
        # a set named twice would keep its last keywords and drop the others without a word, as a note row would
        raw = json.loads(text, object_pairs_hook=unique_keys)
    except json.JSONDecodeError as exc:
        raise InvalidParameterError(
            f"keyword file {path} is not valid JSON ({exc.msg} at line {exc.lineno})."
        ) from None
    except RecursionError:
        raise InvalidParameterError(f"keyword file {path}: {TOO_DEEP}.") from None
    except RepeatedKeyError as exc:
        raise InvalidParameterError(f"keyword file {path}: {repeated_key(exc.key)}.") from None
    except ValueError:  # json.loads' other failure: an integer longer than Python converts
        raise InvalidParameterError(f"keyword file {path}: {TOO_LONG_NUMBER}.") from None
    if not isinstance(raw, dict):
        raise InvalidParameterError(
            f"keyword file {path} must hold a JSON object of keyword sets. Got {type_name(raw)} instead."
        )
    sets: dict[str, list[str]] = {}
    exclude: dict[str, list[str]] = {}
    negation: dict[str, str] = {}
    for name, value in raw.items():
        if name.startswith("_"):
            continue
        if isinstance(value, dict):
            extra = sorted(set(value) - {"keywords", "exclude", "negation"})
            if extra or "keywords" not in value:
                raise InvalidParameterError(
                    f"keyword file {path}: set {name!r} must be a list or an object with 'keywords' and optional "
                    f"'exclude' and 'negation'. Got keys {sorted(value)}."
                )
            sets[name] = value["keywords"]
            if value.get("exclude"):
                exclude[name] = value["exclude"]
            if "negation" in value:
                negation[name] = value["negation"]
        elif isinstance(value, list):
            sets[name] = value
        else:
            raise InvalidParameterError(
                f"keyword file {path}: set {name!r} must be a list of keywords or an object with 'keywords' and "
                f"optional 'exclude' and 'negation'. Got {type_name(value)} {value!r:.60} instead."
            )
    try:
        checked = check_sets(sets, "keywords")
        checked_ex = check_sets(exclude, "exclude")
        checked_neg = check_negation(negation, "negation")
        if checked:  # the rules only a matcher applies (empty sets, blank keywords) are this file's errors too
            from model.comments.matcher import KeywordMatcher

            KeywordMatcher(checked, exclude=checked_ex, negation=checked_neg)
    except InvalidParameterError as exc:
        said = str(exc)  # a sentence of its own ("Keyword set 'x' must ..."), now a clause after the file's name
        raise InvalidParameterError(f"keyword file {path}: {said[:1].lower()}{said[1:]}") from None
    return KeywordConfig(checked, checked_ex, checked_neg)


def default_keyword_sets() -> dict[str, list[str]]:
    """The shipped keyword sets (``purchase_intent``, ``ad_suspicion``) from ``model/resources``."""
    return read_keyword_file(DEFAULT_KEYWORDS_FILE)[0]


def default_keyword_excludes() -> dict[str, list[str]]:
    """The exclude phrases of the shipped keyword sets."""
    return read_keyword_file(DEFAULT_KEYWORDS_FILE)[1]


def default_keyword_negation() -> dict[str, str]:
    """The negation modes of the shipped keyword sets (``purchase_intent``: ``cancel``; ``ad_suspicion``:
    ``cancel_unless_question``)."""
    return read_keyword_config(DEFAULT_KEYWORDS_FILE).negation


def merge_keyword_sets(
    base: Mapping[str, Sequence[str]], extra: Mapping[str, Sequence[str]] | None
) -> dict[str, list[str]]:
    """``base`` with the sets of ``extra`` added; a set present in both gets the union (base keywords first)."""
    out = {k: list(v) for k, v in check_sets(base, "keyword_sets").items()}
    for name, words in check_sets(extra or {}, "keywords").items():
        out[name] = out.get(name, []) + [w for w in words if w not in out.get(name, [])]
    return out
