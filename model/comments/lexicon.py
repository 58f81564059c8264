"""Comment sentiment cues: polarity markers for lexicon words (with negation) and request clauses.

The sentiment model is trained on review corpora, where Xiaohongshu slang (yyds, 绝绝子, 踩雷, 智商税) and emoji
codes (``[赞R]``, ``[哭惹R]``) are rare and questions are almost absent. Two rewrites of a comment, applied the
same way in training and at inference, close that gap inside the TF-IDF + logistic-regression shape:

- every hit of a word of ``model/resources/comment_sentiment_lexicon.json`` adds a marker token ``[lxp]``
  (positive) or ``[lxn]`` (negative). Common review words in the lexicon (好用, 失望) give the markers their
  weights; slang inherits them.
- negation scope: when a negator such as 不/没 (optionally followed by a degree word: 不太, 没那么) comes right
  before a hit, the negator and the word are *replaced* by ``[lxv]`` (negated positive: 不好用) or ``[lxz]``
  (negated negative: 没踩雷, 不难吃). Only adding a marker beside the words left their own n-grams in the document,
  and 踩雷 weighs more than any marker, so 没踩雷 read as negative; replaced, the span is one negated cue.
- a clause made only of a short slang word (``standalone`` entries: 冲, 蹲) is that cue; inside longer text the
  same characters mean other things (味道好冲, 深蹲).
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
_DEGREE = ("太", "很", "那么", "这么", "怎么", "是", "算", "够", "咋", "怎", "特别", "觉得")
#: A negator and degree word that together intensify instead (别太好看, 不要太好吃 = very).
_INTENSIFIERS = ("别太", "不要太")
#: Words that end in a negator's character without negating (特别差 is very bad, not "don't be bad").
_NOT_NEGATORS = (
    "特别", "分别", "区别", "差别", "级别", "个别", "类别", "性别", "识别", "告别", "辨别", "鉴别", "派别", "离别",
    "出没", "淹没", "埋没", "沉没", "虚无",
)  # fmt: skip
#: Marker tokens, written as emoji codes. ASCII, so that the character n-grams of the placeholder they become
#: (⟦emo:lxp⟧) do not add to those of Chinese words (正, 负 ...); and each marker's own letter differs, so that
#: markers of different meaning share no character n-gram but their common prefix (a negated-negative marker
#: named after the negative one inherited its strongly negative n-grams).
_MARKERS = {(False, True): "[lxp]", (False, False): "[lxn]", (True, True): "[lxv]", (True, False): "[lxz]"}
REQUEST_MARKER = "[lxq]"
#: 几 asks (几点, 几个月) unless it counts (好几次, 十几个); 还是 between two options asks, not "still" (还是有点).
_HOW_MANY_RE = re.compile(r"(?<![好这那十几])几(?!乎)")
_CHOICE_RE = re.compile(r".+还是(?!有点|很|不|太|会|挺|觉得|要|得|可以|一样|那么|没|算)..")
#: Spans that contain a lexicon word without meaning it (差点 = almost; 好吃到不行 = very good).
_FALSE_HITS = ("差点", "差不多", "相差", "差价", "不差钱", "到不行")
#: Emoji codes, and what is left of a clause without them and spaces (for ``standalone`` entries).
_EMOJI_CODE_RE = re.compile(r"\[[^\[\]]{1,8}\]")
_SPACE_RE = re.compile(r"\s+")
_STANDALONE_MAX_CHARS = 40


@dataclass(frozen=True)
class _Lexicon:
    automaton: object
    negators: tuple[str, ...]
    question_endings: tuple[str, ...]
    standalone: dict[str, str]
    positive: tuple[str, ...]
    negative: tuple[str, ...]
    # One regex per word list: a search over an alternation is several times faster than a loop of `in` tests.
    exclamation_re: re.Pattern[str]
    request_re: re.Pattern[str]
    question_word_re: re.Pattern[str]


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
    standalone = raw.get("standalone")
    kinds = ("positive", "negative", "request")
    if not isinstance(standalone, dict) or not all(
        isinstance(w, str) and w and k in kinds for w, k in standalone.items()
    ):
        raise ModelLoadError(
            f"comment sentiment lexicon {LEXICON_FILE}: 'standalone' must map words to one of {list(kinds)}."
        )
    automaton = ahocorasick.Automaton()
    for polarity in ("positive", "negative"):
        for word in raw[polarity]:
            automaton.add_word(word.lower(), (len(word), polarity == "positive"))
    automaton.make_automaton()
    return _Lexicon(
        automaton=automaton,
        negators=tuple(sorted(raw["negators"], key=len, reverse=True)),
        question_endings=tuple(raw["question_endings"]),
        standalone={w.lower(): k for w, k in standalone.items()},
        positive=tuple(raw["positive"]),
        negative=tuple(raw["negative"]),
        exclamation_re=_alternation(raw["exclamation"]),
        request_re=_alternation(raw["request"]),
        question_word_re=_alternation(raw["question_words"]),
    )


def _alternation(words: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def polarity_words() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The lexicon's positive words, negative words and negators (training turns them into rows)."""
    lex = _lexicon()
    return lex.positive, lex.negative, lex.negators


def _is_request(clause: str, punct: str, lex: _Lexicon) -> bool:
    if lex.exclamation_re.search(clause):
        return False
    if lex.request_re.search(clause):
        return True
    body = re.sub(r"\[[^\[\]]{1,8}\]", "", clause).strip()
    if not body:
        return False
    asks = "?" in punct or "？" in punct or body.endswith(lex.question_endings)
    if asks:
        return True
    # 不怎么 is "not very" (不怎么好用), not the question word 怎么.
    if lex.question_word_re.search(body.replace("不怎么", "") if "不怎么" in body else body):
        return True
    return bool(_HOW_MANY_RE.search(body)) or (bool(_CHOICE_RE.match(body)) and not body.endswith("吧"))


def _negator_start(clause: str, start: int, lex: _Lexicon) -> int:
    """Where the negator of the word at ``start`` begins (a degree word may sit between them), or -1."""
    before = clause[:start]
    if before.endswith(_INTENSIFIERS):
        return -1
    for degree in ("", *_DEGREE):
        if degree and not before.endswith(degree):
            continue
        rest = before[: len(before) - len(degree)]
        for negator in lex.negators:  # longest first: 没有 before 没
            if rest.endswith(negator):
                return -1 if rest.endswith(_NOT_NEGATORS) else len(rest) - len(negator)
    return -1


def _mark_clause(clause: str, lex: _Lexicon) -> tuple[str, list[str]]:
    """A clause with its polarity cues: negated spans replaced by their negated marker, and a marker for each
    other hit appended (its words stay). Longest hits first, no overlaps."""
    hits = [(end - length + 1, end + 1, positive) for end, (length, positive) in lex.automaton.iter(clause)]
    if not hits:
        return clause, []
    hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
    pieces: list[str] = []
    appended: list[str] = []
    kept = 0  # clause[kept:] is not yet in pieces
    taken = -1
    for start, end, positive in hits:
        if start < taken:
            continue
        if any(clause.find(f, max(0, start - 2), end + 2) != -1 for f in _FALSE_HITS):
            continue
        negator = _negator_start(clause, start, lex)
        if negator >= max(kept, taken):  # the negator is not part of an earlier hit
            pieces += [clause[kept:negator], f" {_MARKERS[(True, positive)]} "]
            kept = end
        else:
            appended.append(_MARKERS[(False, positive)])
        taken = end
    if not pieces:  # nothing negated: the clause as it was
        return clause, appended
    pieces.append(clause[kept:])
    return "".join(pieces), appended


def _standalone(clause: str, lex: _Lexicon) -> str | None:
    """The kind of a clause that is one ``standalone`` word (emoji codes and spaces aside), else None."""
    if len(clause) > _STANDALONE_MAX_CHARS:  # standalone words are short, whatever the emoji codes beside them
        return None
    bare = clause.strip()
    if "[" in bare:
        bare = _EMOJI_CODE_RE.sub("", bare).strip()
    if " " in bare:
        bare = _SPACE_RE.sub("", bare)
    return lex.standalone.get(bare)


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
        kind = _standalone(clause, lex)
        if kind == "request" or (kind is None and _is_request(clause, punct, lex)):
            parts.append(clause + punct + f" {REQUEST_MARKER} ")
            continue
        opinion = True
        clause, marks = _mark_clause(clause, lex)
        if kind is not None:
            marks.append(_MARKERS[(False, kind == "positive")])
        parts.append(clause + punct + (" " + " ".join(marks) + " " if marks else ""))
    return "".join(parts), opinion
