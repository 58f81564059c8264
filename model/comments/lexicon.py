"""Comment sentiment cues: polarity markers for lexicon words (with negation) and request clauses.

The sentiment model is trained on review corpora, where Xiaohongshu slang (yyds, 绝绝子, 踩雷, 智商税) and emoji
codes (``[赞R]``, ``[哭惹R]``) are rare and questions are almost absent. Two rewrites of a comment, applied the
same way in training and at inference, close that gap inside the TF-IDF + logistic-regression shape:

- every hit of a word of ``model/resources/comment_sentiment_lexicon.json`` adds a marker token ``[lxp]``
  (positive) or ``[lxn]`` (negative), ``[lxnp]``/``[lxnn]`` when a negator such as 不/没 comes right before it
  (不好用, 没踩雷).
  Common review words in the lexicon (好用, 失望) give the markers their weights; slang inherits them.
- a clause that asks or requests (好用吗, 求链接, 多少钱, 蹲一个) gets a ``[lxq]`` marker instead of polarity
  markers (好用吗 does not say it is good). A comment made only of such clauses asserts no opinion
  (:func:`comment_document` says so, and the model labels it ``neutral`` whatever its probability). A
  clause with an exclamation cue (这么, 太, 就这) is not a request: 怎么这么好吃 stays an opinion.

Markers are written as emoji codes, which :func:`model.text.prepare_document` turns into placeholder tokens.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from model.errors import ModelLoadError

LEXICON_FILE = Path(__file__).resolve().parent.parent / "resources" / "comment_sentiment_lexicon.json"

_CLAUSE_RE = re.compile(r"([^，,。.！!？?；;～~\n]+)([，,。.！!？?；;～~\n]*)")
#: Words a negator may skip to reach the word it negates (不太好用, 没那么好).
_DEGREE = ("太", "很", "那么", "怎么", "是", "算", "够", "咋", "怎")
#: Marker tokens, written as emoji codes. ASCII, so that the character n-grams of the placeholder they become
#: (⟦emo:lxp⟧) do not add to those of Chinese words (正, 负 ...).
_MARKERS = {(False, True): "[lxp]", (False, False): "[lxn]", (True, True): "[lxnp]", (True, False): "[lxnn]"}
REQUEST_MARKER = "[lxq]"
#: 几 asks (几点, 几个月) unless it counts (好几次, 十几个); 还是 between two options asks, not "still" (还是有点).
_HOW_MANY_RE = re.compile(r"(?<![好这那十几])几(?!乎)")
_CHOICE_RE = re.compile(r".+还是(?!有点|很|不|太|会|挺|觉得|要|得|可以|一样|那么|没|算)..")
#: Spans that contain a lexicon word without meaning it (差点 = almost).
_FALSE_HITS = ("差点", "差不多", "相差", "差价", "不差钱")


@dataclass(frozen=True)
class _Lexicon:
    automaton: object
    negators: tuple[str, ...]
    request: tuple[str, ...]
    question_endings: tuple[str, ...]
    question_words: tuple[str, ...]
    exclamation: tuple[str, ...]


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    import ahocorasick

    try:
        raw = json.loads(LEXICON_FILE.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"comment sentiment lexicon {LEXICON_FILE} cannot be read: {exc}") from None
    for key in ("positive", "negative", "negators", "request", "question_endings", "question_words", "exclamation"):
        if not isinstance(raw.get(key), list) or not all(isinstance(w, str) and w for w in raw[key]):
            raise ModelLoadError(f"comment sentiment lexicon {LEXICON_FILE}: '{key}' must be a list of words.")
    automaton = ahocorasick.Automaton()
    for polarity in ("positive", "negative"):
        for word in raw[polarity]:
            automaton.add_word(word.lower(), (len(word), polarity == "positive"))
    automaton.make_automaton()
    return _Lexicon(
        automaton=automaton,
        negators=tuple(sorted(raw["negators"], key=len, reverse=True)),
        request=tuple(raw["request"]),
        question_endings=tuple(raw["question_endings"]),
        question_words=tuple(raw["question_words"]),
        exclamation=tuple(raw["exclamation"]),
    )


def _is_request(clause: str, punct: str, lex: _Lexicon) -> bool:
    if any(w in clause for w in lex.exclamation):
        return False
    if any(w in clause for w in lex.request):
        return True
    body = re.sub(r"\[[^\[\]]{1,8}\]", "", clause).strip()
    if not body:
        return False
    asks = "?" in punct or "？" in punct or body.endswith(lex.question_endings)
    if asks or any(w in body for w in lex.question_words):
        return True
    return bool(_HOW_MANY_RE.search(body)) or (bool(_CHOICE_RE.match(body)) and not body.endswith("吧"))


def _negated(clause: str, start: int, lex: _Lexicon) -> bool:
    before = clause[:start]
    for degree in ("", *_DEGREE):
        if degree and not before.endswith(degree):
            continue
        rest = before[: len(before) - len(degree)]
        if rest.endswith(lex.negators):
            return True
    return False


def _markers(clause: str, lex: _Lexicon) -> list[str]:
    """Polarity markers of one clause: longest hits first, no overlaps."""
    hits = []
    for end, (length, positive) in lex.automaton.iter(clause):
        hits.append((end - length + 1, end + 1, positive))
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    out = []
    taken = -1
    for start, end, positive in hits:
        if start < taken:
            continue
        if any(clause.find(f, max(0, start - 2), end + 2) != -1 for f in _FALSE_HITS):
            continue
        taken = end
        flip = _negated(clause, start, lex)
        out.append(_MARKERS[(flip, positive)])
    return out


def comment_document(text: str) -> tuple[str, bool]:
    """``(rewritten text, has_opinion)`` for a comment already NFKC-normalised and lower-cased (as
    :func:`model.comments.sentiment.mark_emoticons` leaves it). ``has_opinion`` is False when every clause is a
    request or question (or the text has no clause)."""
    lex = _lexicon()
    parts: list[str] = []
    opinion = False
    for m in _CLAUSE_RE.finditer(text):
        clause, punct = m.group(1), m.group(2)
        if not clause.strip():
            parts.append(punct)
            continue
        if _is_request(clause, punct, lex):
            parts.append(clause + punct + f" {REQUEST_MARKER} ")
            continue
        opinion = True
        marks = _markers(clause, lex)
        parts.append(clause + punct + (" " + " ".join(marks) + " " if marks else ""))
    return "".join(parts), opinion
