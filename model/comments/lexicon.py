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
  and 踩雷 weighs more than any marker, so 没踩雷 read as negative; replaced, the span is one negated cue. A second
  negation right before the negator cancels it (不是不好吃, 没有不喜欢的, 不能说不好看): the whole span becomes the
  word's plain marker (read as 不好吃, the first read 0.006 positive). The scope
  of 没有 / 没 (comparisons: 没有以前好吃), of opinion verbs (不觉得, 没感觉) and of 不会再 reaches a word up to
  six characters on in the same clause (不觉得这个口红好看, 不会再回购; the words between stay) unless a
  conjunction, 过, 了, an intensifier or an emoji code comes first (没踩雷还好用, 没吃过这么好吃的), or the
  negator belongs to a phrase that negates nothing after it (没想到这么好吃). A negated comparison
  (远没有广告说的好, 不如想象中好用) negates the compared word and drops its standard (广告 there says nothing
  about the product).
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

from model.emoji_codes import EMOJI_CODE_RE
from model.errors import ModelLoadError

LEXICON_FILE = Path(__file__).resolve().parent.parent / "resources" / "comment_sentiment_lexicon.json"

_CLAUSE_RE = re.compile(r"([^，,。.！!？?；;～~\n]+)([，,。.！!？?；;～~\n]*)")
#: Words a negator may skip to reach the word it negates (不太好用, 没那么好).
DEGREE = ("太", "很", "那么", "这么", "怎么", "是", "算", "够", "咋", "怎", "特别", "觉得")
#: A negator and degree word that together intensify instead (别太好看, 不要太好吃 = very).
INTENSIFIERS = ("别太", "不要太")
#: Words that end in a negator's character without negating (特别差 is very bad, not "don't be bad").
NOT_NEGATORS = (
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
#: Negators whose scope reaches past the next words of their clause: 没有 / 没 in a comparison (没有以前好吃,
#: 没有外婆家卷饼好吃 = not as good as), opinion verbs (不觉得这个口红好看, 没感觉有多好用) and 不会再 (不会再回购).
#: A lexicon word at most SCOPE_CHARS characters on is negated when nothing in between ends the scope. A bare 不
#: does not reach that far: in reviews it mostly negates its own verb (不能吃, 找不到, 不是一般的差).
LONG_NEGATORS = ("远远没有", "远没有", "并没有", "不觉得", "没觉得", "不感觉", "没感觉", "不认为", "不会再", "没有",
                 "没")  # fmt: skip
SCOPE_CHARS = 6
#: What ends a negation's scope: a conjunction starts a new statement (不贵还好用, 没踩雷但是贵), 过 an experience
#: (没吃过这么好吃的 = the best ever), 了 a finished predicate (不泛油了[赞R]), an intensifier a new predicate
#: (不油不干很舒服) and an emoji code a reaction to the whole clause.
SCOPE_END_RE = re.compile(
    r"但|可是|就是|不过|而且|并且|还|也|又|却|而|所以|因为|然后|反而|只是|倒是|都|过|了|很|超|巨|真|贼|非常|特别|蛮|挺|太"
    rf"|{EMOJI_CODE_RE.pattern}"
)
#: Negations that cancel the negator right after them (不是不好吃, 没有不喜欢的, 不能说不好看 = it is good).
DOUBLE_NEGATORS = ("并不是", "也不是", "又不是", "不是", "并非", "没有", "不能说", "不会", "不可能")
#: What makes such a negation a condition instead (要不是 / 若不是 / 如果不是 / 倘若不是 不好用 = were it not bad).
CONDITIONALS = ("要", "若", "如果", "假如", "倘若", "要是")
#: Phrases that start like a negator and negate nothing after them (没想到这么好吃, 不得不说真的好用).
NON_NEGATING = (
    "没想到", "没想过", "不知道", "不得不", "不管", "不论", "无论", "不仅", "不光", "不但", "不只", "不止", "不用说",
    "没得说", "不愧", "不少", "不停", "不断", "不同", "不一样", "不禁", "不然", "不久", "没事", "没关系", "不就",
    "没准", "不小心", "没得",
)  # fmt: skip
#: A negated comparison, 没有 X (说的/那么) ADJ = "not as ADJ as X": ADJ is negated and the standard X (广告, 图片)
#: says nothing about the product. ADJ is a lexicon word or a bare 好 ending the clause.
_COMPARISON_RE = re.compile(
    r"(?:远远没有|远没有|并没有|没有|远不如|不如)(?P<standard>[^，,。.！!？?；;]{0,8}?)"
    r"(?:说的|讲的|宣传的|描述的|吹的|写的|想象的|想象中的?|传说中的?|图片上|图片里|图上|照片上|视频里)的?"
    r"(?:那么|这么|那样|这样)?"
)
_NEGATED_QUESTION_WORD_RE = re.compile(r"不怎么|没有?什么")
_BARE_GOOD_RE = re.compile(r"好[啊呀了吧呢哦嘛]*$")
#: Spans that contain a lexicon word without meaning it (差点 = almost; 好吃到不行 = very good).
_FALSE_HITS = ("差点", "差不多", "相差", "差价", "不差钱", "到不行")
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
    body = EMOJI_CODE_RE.sub("", clause).strip()
    if not body:
        return False
    asks = "?" in punct or "？" in punct or body.endswith(lex.question_endings)
    if asks:
        return True
    # 不怎么 is "not very" (不怎么好用) and 没什么 "hardly any" (没什么效果): negations, not question words.
    if lex.question_word_re.search(_NEGATED_QUESTION_WORD_RE.sub("", body) if ("不" in body or "没" in body) else body):
        return True
    return bool(_HOW_MANY_RE.search(body)) or (bool(_CHOICE_RE.match(body)) and not body.endswith("吧"))


def _negator_start(clause: str, start: int, lex: _Lexicon) -> tuple[int, bool]:
    """``(where, double)``: where the negator of the word at ``start`` begins (a degree word may sit between them),
    or -1; ``double`` when a second negation before it cancels it (不是不好吃, 没有不喜欢的): ``where`` is then the
    start of that second negation."""
    before = clause[:start]
    if before.endswith(INTENSIFIERS):
        return -1, False
    for degree in ("", *DEGREE):
        if degree and not before.endswith(degree):
            continue
        rest = before[: len(before) - len(degree)]
        for negator in lex.negators:  # longest first: 没有 before 没
            if rest.endswith(negator):
                if rest.endswith(NOT_NEGATORS):
                    return -1, False
                at = len(rest) - len(negator)
                outer = next((d for d in DOUBLE_NEGATORS if rest.endswith(d, 0, at)), None)
                if outer and rest.endswith(CONDITIONALS, 0, at - len(outer)):
                    outer = None  # 要不是不好用，我早就推荐了: "were it not bad", a condition, not "it is not bad"
                return (at - len(outer), True) if outer else (at, False)
    return -1, False


def _long_negator(clause: str, start: int, lex: _Lexicon) -> tuple[int, int]:
    """``(start, end)`` of a negator a few characters before the word at ``start``, when its scope reaches the
    word (no conjunction, experience or intensifier in between, and not part of a phrase that negates nothing),
    or ``(-1, -1)``."""
    if clause[start] == "[":  # an emoji code reacts to the clause; it is no word a negator reaches
        return -1, -1
    window = clause[max(0, start - SCOPE_CHARS - 4) : start]
    offset = start - len(window)
    for i in range(len(window) - 1, -1, -1):  # the nearest negator first
        gap = window[i:]
        if SCOPE_END_RE.search(gap):
            return -1, -1
        for negator in LONG_NEGATORS:  # longest first
            n = offset + i - len(negator) + 1
            if n < 0 or clause[n : offset + i + 1] != negator or len(gap) - 1 > SCOPE_CHARS:
                continue
            if _inside(clause, n, NON_NEGATING) or _inside(clause, n, NOT_NEGATORS):
                return -1, -1
            return n, offset + i + 1
    return -1, -1


def _inside(clause: str, pos: int, phrases: tuple[str, ...]) -> bool:
    """Whether the character at ``pos`` belongs to an occurrence of one of ``phrases``."""
    for phrase in phrases:
        i = clause.find(phrase, max(0, pos - len(phrase) + 1), pos + len(phrase))
        while i != -1 and i <= pos:
            if pos < i + len(phrase):
                return True
            i = clause.find(phrase, i + 1, pos + len(phrase))
    return False


def _comparison(clause: str, lex: _Lexicon) -> tuple[int, int, bool] | None:
    """``(start, end, positive)`` of a negated comparison (远没有广告说的好, 没有想象中那么好用), from its negator to
    the end of the compared word, or None."""
    m = _COMPARISON_RE.search(clause)
    if m is None:
        return None
    rest = clause[m.end() :]
    for end, (length, positive) in lex.automaton.iter(rest):
        if end - length + 1 == 0:
            return m.start(), m.end() + end + 1, positive
    bare = _BARE_GOOD_RE.match(rest)
    return (m.start(), m.end() + 1, True) if bare else None


def _mark_clause(clause: str, lex: _Lexicon) -> tuple[str, list[str]]:
    """A clause with its polarity cues: negated spans replaced by their negated marker, and a marker for each
    other hit appended (its words stay). Longest hits first, no overlaps."""
    compared = _comparison(clause, lex)
    if compared is not None:
        start, end, positive = compared
        before, marks_before = _mark_clause(clause[:start], lex)
        after, marks_after = _mark_clause(clause[end:], lex)
        return f"{before} {_MARKERS[(True, positive)]} {after}", marks_before + marks_after
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
        negator, double = _negator_start(clause, start, lex)
        gap = ""
        if negator < 0:
            negator, negator_end = _long_negator(clause, start, lex)
            gap = clause[negator_end:start]  # the words between stay: they are no cue (这个口红, 觉得有多)
        if negator >= max(kept, taken):  # the negator is not part of an earlier hit
            # a double negation is the word itself, replaced too: 不好吃's own n-grams would read 不是不好吃 as bad
            pieces += [clause[kept:negator], gap, f" {_MARKERS[(not double, positive)]} "]
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
        bare = EMOJI_CODE_RE.sub("", bare).strip()
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
