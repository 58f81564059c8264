"""Highlights and readable reasons: the model's evidence as spans of the note exactly as the writer sent it.

The classifier scores a *prepared document* (normalised, digits as ``0``, contact details replaced by
placeholders, see :func:`model.text.prepare_document`), so its features are not the writer's words. This module
carries every feature's contribution to the log-odds (TF-IDF value × coefficient) back to the characters of the
submitted ``title`` and ``text`` it came from:

1. each field is normalised with an *offset map*: every normalised character knows the span of the original it
   came from (NFKC can turn one character into several or drop one; whitespace runs collapse);
2. a word or character n-gram is found in the normalised field (digit runs read as ``0``, replaced contact
   details masked), a placeholder (``⟦cue:wechat⟧``, ``⟦tag:…⟧``, ``⟦emo:…⟧``, ``⟦mention⟧``) at the span of
   the cue or markup it stands for; its contribution is shared equally among its occurrences and among the
   characters each covers;
3. characters pushing the same way are merged into phrases (split at whitespace and at cue boundaries), each
   with the summed weight and a category: the cue it overlaps, else ``wording`` towards ad or ``personal``
   towards genuine;
4. phrases a writer cannot act on (digits or punctuation only, a lone character, function words) are not shown.

Features with no place in the text (``⟦has:title⟧``, the hashtag-count bucket, comment signals) keep their
weight in the probability but are never shown. Only the strongest features are attributed (``MAX_FEATURES``):
the many faint ones change no phrase a person would read.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field

import numpy as np

from model.cues import CUE_PATTERNS, DisjointSpans, cue_spans
from model.text import (
    _CLEANUP_RE,
    _DIGITS_RE,
    _EMOJI_CODE_RE,
    _HASHTAG_RE,
    _MENTION_RE,
    PLACEHOLDER_RE,
    Prepared,
    _nfkc,
    normalize_text,
)

#: Writer-facing categories: code -> (Chinese, English).
CATEGORIES: dict[str, tuple[str, str]] = {
    "contact": ("联系方式", "contact details"),
    "link": ("链接导流", "links and shop funnels"),
    "price": ("价格优惠", "price or discount"),
    "call_to_action": ("购买引导", "call to action"),
    "brand": ("品牌推广", "brand campaign"),
    "merchant": ("商家用语", "merchant wording"),
    "disclosure": ("合作披露", "sponsorship disclosure"),
    "giveaway": ("抽奖福利", "giveaway or lucky draw"),
    "sales_tone": ("推销话术", "sales-pitch phrase"),
    "hashtag": ("话题标签", "hashtags"),
    "mention": ("@提及", "@mentions"),
    "wording": ("用词", "wording"),
    "personal": ("个人体验", "personal experience"),
}

_CUE_CATEGORY = {
    "wechat": "contact",
    "qq": "contact",
    "phone": "contact",
    "url": "link",
    "price": "price",
    "call_to_action": "call_to_action",
    "merchant": "merchant",
    "disclosure": "disclosure",
    "giveaway": "giveaway",
    "sales_tone": "sales_tone",
    "repeated_brand_tag": "brand",
    "product_model": "brand",
    "shop_funnel": "link",
    "no_ad_claim": "personal",
}

#: Only this many of a note's features, the strongest by |contribution|, are carried back to the text.
MAX_FEATURES = 64
#: Highlights one check returns at most, strongest first: a note repeating a cue between other words thousands of
#: times would otherwise get a response as long as itself, and no writer reads past the first few dozen.
MAX_HIGHLIGHTS = 100
#: Evidence longer than this is quoted by its start in a reason's one-line text and in the advice.
QUOTE_CHARS = 24
#: A character whose attributed weight is below this (log-odds) belongs to no phrase.
MIN_CHAR_WEIGHT = 0.004
#: A phrase of the writer's words lighter than this (log-odds) is not shown.
MIN_PHRASE_WEIGHT = 0.02

#: Words that carry grammar, not content: never shown on their own.
FUNCTION_WORDS = frozenset(
    (
        "了 的 和 与 及 是 在 也 就 都 很 还 又 吗 吧 啊 呢 哦 呀 嘛 啦 着 过 把 被 让 给 从 对 这 那 个 一 "
        "我 你 他 她 它 们 有 不 没 会 能 要 去 来 说 到 上 下 里 得 地 之 而 或 但 "
        "就是 还是 一个 这个 那个 我们 你们 他们 自己 什么 怎么 然后 因为 所以 如果 可以 已经 真的 非常 比较 "
        "一下 一些 还有 没有 不是 the a an and or of to in on for is it"
    ).split()
)


def cue_category(name: str) -> str:
    """The writer-facing category of a cue kind (brand cues are all ``brand``)."""
    if name.startswith("brand"):
        return "brand"
    return _CUE_CATEGORY.get(name, "wording")


@dataclass(frozen=True)
class Span:
    """``text == note[field][start:end]`` of the note as it was sent."""

    field: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Highlight:
    field: str
    start: int
    end: int
    text: str
    weight: float  # contribution to the log-odds; positive pushes towards "ad"
    category: str

    @property
    def span(self) -> Span:
        return Span(self.field, self.start, self.end, self.text)


@dataclass(frozen=True)
class ReadableReason:
    category: str
    label_zh: str
    label_en: str
    direction: str  # "ad" or "genuine"
    weight: float
    evidence: tuple[Span, ...]

    def quoted(self, n: int | None = None, sep: str = "、") -> str:
        """The first ``n`` distinct evidence texts, quoted: a phrase the note repeats is quoted once."""
        texts = list(dict.fromkeys(e.text for e in self.evidence))[:n]
        # a phrase of a thousand copies is quoted by its start: the span itself stays exact
        return sep.join(f"“{t if len(t) <= QUOTE_CHARS else t[: QUOTE_CHARS - 1] + '…'}”" for t in texts)

    def text(self) -> str:
        """One line for a table: ``联系方式 contact details: “加VX”、“微信”``."""
        return f"{self.label_zh} {self.label_en}: " + self.quoted()


# -- normalisation with an offset map ---------------------------------------------------------------------
_NON_SPACE_RE = re.compile(r"\S+")
#: What is not a letter or a digit (``\w`` also matches "_"): punctuation, symbols, emoji and spaces.
_NOT_CONTENT_RE = re.compile(r"[\W_]+")


def _normalize_aligned(raw: str, norm: str | None = None) -> tuple[str, list[int], list[int]]:
    """:func:`model.text.normalize_text` of ``raw`` with, for every output character, the ``[start, end)`` of
    the original it came from.

    Most notes keep their length through NFKC and lower-casing (full-width punctuation becomes half-width one
    for one), so positions only shift where whitespace runs collapse: that case is computed from the runs of
    non-space characters. Otherwise character by character; and when even that differs from the real
    normalisation (a combining sequence NFKC composes across characters, a context-dependent lower-casing),
    positions are spread proportionally, which keeps every span inside the text. ``norm`` is
    ``normalize_text(raw)`` when the caller has it already."""
    norm = normalize_text(raw) if norm is None else norm
    folded = _nfkc(raw)
    if len(folded) == len(raw) and _CLEANUP_RE.search(folded) is None:
        low = folded.lower()
        if len(low) == len(raw):
            starts: list[int] = []
            prev_end = -1
            for m in _NON_SPACE_RE.finditer(low):
                a, b = m.span()
                if prev_end >= 0:
                    starts.append(prev_end)  # the single space a whitespace run collapses to
                starts.extend(range(a, b))
                prev_end = b
            if len(starts) == len(norm):
                return norm, starts, [i + 1 for i in starts]
    return norm, *_aligned_slow(raw, norm)


def _aligned_slow(raw: str, norm: str) -> tuple[list[int], list[int]]:
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pending_space = -1  # the original position of a whitespace run not yet written
    for i, ch in enumerate(raw):
        if ch.isascii():
            out = ch.lower() if ch.isprintable() or ch in " \t\n" else " "
        else:
            out = unicodedata.normalize("NFKC", ch)
            cleaned = []
            for c in out:
                cat = unicodedata.category(c)
                if c in "⟦⟧" or cat == "Cc":
                    cleaned.append(" ")
                elif cat in ("Cf", "Cs", "Zl", "Zp"):
                    continue  # zero-width and similar characters are dropped
                else:
                    cleaned.append(c)
            out = "".join(cleaned).lower()
        for c in out:
            if c.isspace():
                if pending_space < 0:
                    pending_space = i
                continue
            if pending_space >= 0:
                if chars:
                    chars.append(" ")
                    starts.append(pending_space)
                    ends.append(pending_space + 1)
                pending_space = -1
            chars.append(c)
            starts.append(i)
            ends.append(i + 1)
    if "".join(chars) != norm:
        n, m = len(norm), max(len(raw), 1)
        starts = [min(k * m // max(n, 1), m - 1) for k in range(n)]
        ends = [max(s + 1, min((k + 1) * m // max(n, 1), m)) for k, s in enumerate(starts)]
    return starts, ends


@dataclass
class _Field:
    """One field of a note: normalised text, where its characters came from, the cues and markup in it, and
    the text n-grams are searched in (digit runs as ``0``, replaced contact details masked)."""

    name: str
    raw: str
    norm: str
    starts: list[int]
    ends: list[int]
    cues: list[tuple[int, int, str]]  # (start, end) in the original, cue name
    markers: dict[str, list[tuple[int, int]]]  # placeholder -> spans in the original
    units: list[tuple[int, int, str]] = dataclass_field(default_factory=list)  # shown whole: (start, end, category)
    content: np.ndarray = dataclass_field(default_factory=lambda: np.zeros(0, dtype=bool))  # letters and digits
    search: str = ""
    search_starts: list[int] | None = None
    search_ends: list[int] | None = None

    def orig(self, a: int, b: int) -> tuple[int, int]:
        """The original span of normalised characters ``[a, b)``."""
        return self.starts[a], self.ends[b - 1]


def _field(name: str, raw: str, prepared: Prepared | None = None) -> _Field:
    """``prepared``: the normalised ``raw`` and its cue spans, as :func:`model.text.prepare_document` found them."""
    norm, starts, ends = _normalize_aligned(raw, prepared[0] if prepared else None)
    f = _Field(name, raw, norm, starts, ends, [], {})
    f.content = np.ones(len(raw), dtype=bool)
    for m in _NOT_CONTENT_RE.finditer(raw):
        f.content[m.start() : m.end()] = False
    if not norm:
        f.search, f.search_starts, f.search_ends = "", [], []
        return f
    masked: list[tuple[int, int]] = []  # replaced contact details, in order
    starts, ends = f.starts, f.ends
    for start, cue, end, _ in prepared[1] if prepared else cue_spans(norm):
        if cue == "price" and norm[end - 1].isdigit():  # "￥9" of "￥99": show the whole amount
            while end < len(norm) and (norm[end].isdigit() or (norm[end] == "." and norm[end - 1].isdigit())):
                end += 1
        span = f.orig(start, end)
        f.cues.append((*span, cue))
        f.markers.setdefault(f"⟦cue:{cue}⟧", []).append(span)
        if CUE_PATTERNS[cue].replace:
            masked.append((start, end))
    tags = []
    for m in _HASHTAG_RE.finditer(norm):
        tag = m.group(1).strip()
        if tag:
            tags.append(tag)
            span = f.orig(*m.span())
            f.markers.setdefault(f"⟦tag:{tag.replace(' ', '_')[:40]}⟧", []).append(span)
            f.markers.setdefault("⟦hashtag⟧", []).append(span)
    for m in _EMOJI_CODE_RE.finditer(norm):
        f.markers.setdefault(f"⟦emo:{m.group(1)}⟧", []).append(f.orig(*m.span()))
    for m in _MENTION_RE.finditer(norm):
        f.markers.setdefault("⟦mention⟧", []).append(f.orig(*m.span()))
    f.units = _units(f)
    # The search text: masked contact details become one NUL each, digit runs one "0" (as in the document).
    replaced = sorted(
        [(a, b, "\x00") for a, b in _merged(masked)] + [(m.start(), m.end(), "0") for m in _DIGITS_RE.finditer(norm)]
    )
    pieces: list[str] = []
    s_starts: list[int] = []
    s_ends: list[int] = []
    pos = 0
    for a, b, repl in replaced:
        if a < pos:  # a digit run inside a masked contact detail
            continue
        pieces.append(norm[pos:a])
        s_starts += starts[pos:a]
        s_ends += ends[pos:a]
        pieces.append(repl)
        s_starts.append(starts[a])
        s_ends.append(ends[b - 1])
        pos = b
    pieces.append(norm[pos:])
    s_starts += starts[pos:]
    s_ends += ends[pos:]
    f.search, f.search_starts, f.search_ends = "".join(pieces), s_starts, s_ends
    return f


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans ordered by start, with those that overlap or touch merged into one."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


# -- attribution -------------------------------------------------------------------------------------------
def _occurrences(fields: list[_Field], gram: str) -> list[tuple[_Field, int, int]]:
    """Original spans of every occurrence of ``gram`` in the search texts: (field, start, end)."""
    out = []
    for f in fields:
        at = f.search.find(gram)
        while at >= 0:
            a, b = f.search_starts[at], f.search_ends[at + len(gram) - 1]  # type: ignore[index]
            out.append((f, a, b))
            at = f.search.find(gram, at + 1)
    return out


def _marker_spans(fields: list[_Field], marker: str) -> list[tuple[_Field, int, int]]:
    if marker in _DOCUMENT_CUES:  # a document-level cue: placed on the brand names and hashtags behind it
        return [(f, a, b) for f in fields for m in _DOCUMENT_CUES[marker] for a, b in f.markers.get(m, ())]
    return [(f, a, b) for f in fields for a, b in f.markers.get(marker, ())]


#: Cues the document builder adds for the note as a whole, and the spans that show them.
_DOCUMENT_CUES = {
    "⟦cue:repeated_brand_tag⟧": ("⟦hashtag⟧",),
    "⟦cue:brand_repeated⟧": ("⟦cue:brand_mention⟧", "⟦cue:brand_mention_latin⟧", "⟦cue:product_model⟧"),
}


def _spread(spans: dict[str, list[tuple[int, int, float]]], where: list[tuple[_Field, int, int]], value: float) -> None:
    """Share ``value`` equally among the occurrences ``where`` (and among the characters each covers)."""
    if where:
        share = value / len(where)
        for f, a, b in where:
            if b > a:
                spans[f.name].append((a, b, share / (b - a)))


class _Markers:
    """The placeholders of one document, to place the character n-grams found only inside them (``ue:`` of
    ``⟦cue:price⟧``)."""

    def __init__(self, doc: str) -> None:
        self.markers = list(dict.fromkeys(m.group() for m in PLACEHOLDER_RE.finditer(doc)))
        self.outside = PLACEHOLDER_RE.sub(lambda m: "\x00" * len(m.group()), doc) if self.markers else doc

    def holding(self, gram: str) -> list[str]:
        """The placeholders holding every occurrence of ``gram``; empty when it also occurs outside them."""
        if not self.markers or gram in self.outside:
            return []
        return [m for m in self.markers if gram in m]


def attribute(fields: list[_Field], doc: str, names: list[str], contributions: list[float]) -> dict[str, np.ndarray]:
    """Per-character weights of each field from features ``names`` (``word__…`` / ``char__…``) and their
    contributions to the log-odds."""
    spans: dict[str, list[tuple[int, int, float]]] = {f.name: [] for f in fields}
    markers: _Markers | None = None
    for name, value in zip(names, contributions, strict=True):
        part, _, term = name.partition("__")
        if part == "char":
            where = _occurrences(fields, term) if "⟦" not in term and "⟧" not in term else []
            if not where:
                markers = markers or _Markers(doc)
                where = [span for m in markers.holding(term) for span in _marker_spans(fields, m)]
            _spread(spans, where, value)
            continue
        tokens = term.split(" ")
        for token in tokens:
            if token.startswith("⟦"):
                where = _marker_spans(fields, token)
            elif token.startswith("c:"):
                where = []  # comment text: scored, but not part of the note's title or text
            else:
                where = _occurrences(fields, token)
            _spread(spans, where, value / len(tokens))
    weights = {}
    for f in fields:
        # A difference array: + the per-character weight where a span starts, - where it ends, then a running sum.
        diff = np.zeros(len(f.raw) + 1)
        mine = spans[f.name]
        if mine:
            a, b, x = (np.array(v) for v in zip(*mine, strict=True))
            np.add.at(diff, a.astype(np.int64), x)
            np.add.at(diff, b.astype(np.int64), -x)
        weights[f.name] = np.cumsum(diff[:-1])
    return weights


# -- phrases -----------------------------------------------------------------------------------------------
def _units(f: _Field) -> list[tuple[int, int, str]]:
    """Spans shown whole, never split or merged with their neighbours: hashtags and @mentions (with the category
    of a cue inside them, else ``hashtag`` / ``mention``), then cues outside them. Non-overlapping, by start."""
    units: list[tuple[int, int, str]] = []
    held = DisjointSpans()
    cues = f.cues  # by start (cue_spans' order, mapped back monotonically)
    cue_starts = [s for s, _, _ in cues]
    for marker, plain in (("⟦hashtag⟧", "hashtag"), ("⟦mention⟧", "mention")):
        for a, b in f.markers.get(marker, ()):
            if held.claim(a, b):
                units.append((a, b, _first_cue_inside(cues, cue_starts, a, b) or plain))
    for a, b, cue in cues:
        if held.claim(a, b):
            units.append((a, b, cue_category(cue)))
    units.sort()
    return units


def _first_cue_inside(cues: list[tuple[int, int, str]], starts: list[int], a: int, b: int) -> str | None:
    """The category of the first cue lying wholly inside ``[a, b)`` (a hashtag naming a brand is a brand), found
    from the first cue starting at ``a`` on: a bisection, not a scan of every cue for every hashtag."""
    for k in range(bisect_left(starts, a), len(cues)):
        s, e, cue = cues[k]
        if s >= b:
            break
        if e <= b:
            return cue_category(cue)
    return None


def _is_content(ch: str) -> bool:
    """Letters and digits are the words a writer can change; punctuation, symbols, emoji and spaces only
    surround them."""
    return unicodedata.category(ch)[0] in "LN"


def _readable(text: str, cue: bool) -> bool:
    """Whether a phrase is something a writer can read and act on: a cue, or two or more characters of words
    that are not all digits or function words."""
    content = "".join(c for c in text if _is_content(c))
    if not content:
        return False
    if cue:
        return True
    return len(content) >= 2 and content.lower() not in FUNCTION_WORDS and not content.isdigit()


def _runs_of_units(f: _Field) -> list[tuple[int, int, str]]:
    """The units of ``f`` with runs of one cue joined: copies of one cue separated by nothing a writer reads
    ("加微信加微信…", "V信 V信") are one phrase; different cues ("领券，原价") stay apart. Shown apart, a cue
    repeated a thousand times would split its weight a thousand ways into highlights too faint to show, and the
    note would be flagged with no reason.
    Hashtags and @mentions stay apart: each is its own item."""
    out: list[tuple[int, int, str]] = []
    last = ""  # the text of the previous unit (one copy of it, when joined)
    for a, b, category in f.units:
        text = f.raw[a:b]
        if out and category == out[-1][2] and category not in ("hashtag", "mention") and text == last:
            pa, pb, _ = out[-1]
            if not f.content[pb:a].any():
                out[-1] = (pa, b, category)
                continue
        out.append((a, b, category))
        last = text
    return out


def _faint_but_strong(units: list[tuple[int, int, str, float]]) -> frozenset[str]:
    """Categories whose units are each too faint to show but together matter: a cue repeated between other words
    thousands of times spreads its weight over every copy. They are shown anyway (strongest first, up to
    :data:`MAX_HIGHLIGHTS`), or the note would be flagged with no reason at all."""
    visible: set[str] = set()
    sums: dict[str, float] = {}
    for _, _, category, total in units:
        sums[category] = sums.get(category, 0.0) + total
        if abs(total) >= MIN_CHAR_WEIGHT:
            visible.add(category)
    return frozenset(c for c, t in sums.items() if c not in visible and abs(t) >= MIN_PHRASE_WEIGHT)


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _word_bounds(raw: str, segment: Callable[[str], list[str]]) -> np.ndarray | None:
    """Offsets in ``raw`` where a word starts or ends, by ``segment``; None when its pieces do not tile ``raw``."""
    if _SURROGATE_RE.search(raw) is not None:  # the segmenter takes UTF-8; one character for one keeps offsets
        raw = _SURROGATE_RE.sub("\ufffd", raw)
    pieces = segment(raw)
    bounds = np.cumsum([0, *(len(p) for p in pieces)])
    return bounds if bounds[-1] == len(raw) else None


def _snap(runs: list[tuple[int, int]], bounds: np.ndarray, ok: np.ndarray) -> list[tuple[int, int]]:
    """Each run widened to the words it cuts through, on a side only where the added characters are all ``ok``
    (the writer's words, outside cues, hashtags and mentions); runs that then share a word become one phrase
    (its weight is the word's net weight, whichever way its characters pushed)."""
    out: list[tuple[int, int]] = []
    for a, b in runs:
        a2 = int(bounds[np.searchsorted(bounds, a, side="right") - 1])
        b2 = int(bounds[np.searchsorted(bounds, b, side="left")])
        a2 = a2 if ok[a2:a].all() else a
        b2 = b2 if ok[b:b2].all() else b
        if out and a2 < out[-1][1]:
            out[-1] = (out[-1][0], max(b2, out[-1][1]))
        else:
            out.append((a2, b2))
    return out


def phrases(
    fields: list[_Field], weights: dict[str, np.ndarray], segment: Callable[[str], list[str]] | None = None
) -> list[Highlight]:
    """Non-overlapping phrases, sorted by |weight| (largest first): each cue, hashtag or @mention whole, and
    runs of the writer's other words whose characters push the same way (ended by anything but a letter or
    digit). Runs are found with array operations: a note has hundreds of characters but few phrases."""
    out: list[Highlight] = []
    for f in fields:
        w = weights[f.name]
        n = len(w)
        if not n:
            continue
        free = np.ones(n, dtype=bool)
        units = [(a, b, category, float(w[a:b].sum())) for a, b, category in _runs_of_units(f)]
        for a, b, _, _ in units:
            free[a:b] = False
        faint = _faint_but_strong(units)
        for a, b, category, total in units:
            if abs(total) >= MIN_CHAR_WEIGHT or (total and category in faint):
                out.append(Highlight(f.name, a, b, f.raw[a:b], round(total, 4), category))
        # 0: no phrase here; 1: pushes towards ad; 2: towards genuine
        key = np.where(free & f.content & (np.abs(w) >= MIN_CHAR_WEIGHT), np.where(w > 0, 1, 2), 0)
        starts = np.flatnonzero(np.diff(key, prepend=-1))
        ends = np.append(starts[1:], n)
        totals = np.add.reduceat(w, starts)
        # Runs hold letters and digits only: readable when two or more characters, not all digits, not a function
        # word; and strong enough to matter (a phrase of 0.01 log-odds changes no decision). Then widened to whole
        # words (a lone strong character stays unshown: growing each into its word doubled the phrases to show).
        cand = (key[starts] > 0) & (ends - starts >= 2) & (np.abs(totals) >= MIN_PHRASE_WEIGHT)
        runs = list(zip(starts[cand].tolist(), ends[cand].tolist(), strict=True))
        bounds = _word_bounds(f.raw, segment) if segment is not None and runs else None
        if bounds is not None:
            runs = _snap(runs, bounds, free & f.content)
        for a, b in runs:
            total = float(w[a:b].sum())
            text = f.raw[a:b]
            if b - a < 2 or abs(total) < MIN_PHRASE_WEIGHT or text.isdigit() or text.lower() in FUNCTION_WORDS:
                continue
            out.append(Highlight(f.name, a, b, text, round(total, 4), "wording" if total > 0 else "personal"))
    out.sort(key=lambda h: (-abs(h.weight), h.field, h.start))
    return out[:MAX_HIGHLIGHTS]


#: Categories a reason towards "genuine" may have: a price or a call to action that happens to lower the
#: probability is shown as a green highlight, but "call to action" is no reason a note reads as genuine.
_GENUINE_CATEGORIES = frozenset({"personal", "wording", "hashtag", "mention"})


def reasons(highlights: list[Highlight], *, top: int = 8, evidence: int = 5) -> list[ReadableReason]:
    """Highlights grouped by category and direction, at most ``top``, strongest first."""
    groups: dict[tuple[str, str], list[Highlight]] = {}
    for h in highlights:
        direction = "ad" if h.weight > 0 else "genuine"
        if direction == "genuine" and h.category not in _GENUINE_CATEGORIES:
            continue
        groups.setdefault((h.category, direction), []).append(h)
    out = []
    for (category, direction), hs in groups.items():
        zh, en = CATEGORIES[category]
        spans = tuple(h.span for h in hs[:evidence])
        out.append(ReadableReason(category, zh, en, direction, round(sum(h.weight for h in hs), 4), spans))
    out.sort(key=lambda r: (-abs(r.weight), r.category))
    return out[: max(top, 0)]


_DECISION_ZH = {"ad": "可能被判为广告", "review": "需要人工复核"}
_DECISION_EN = {"ad": "reads as an advertisement", "review": "needs a human review"}


def advice(decision: str, readable: list[ReadableReason]) -> dict[str, str] | None:
    """One sentence for the writer when a note is flagged: what drove it, and that an honest note can be
    appealed. None for genuine notes."""
    if decision not in _DECISION_ZH:
        return None
    drivers = [r for r in readable if r.direction == "ad"][:2]
    if drivers:
        zh_parts = [f"{r.label_zh}（{r.quoted(2)}）" for r in drivers]
        en_parts = [f"{r.label_en} ({r.quoted(2, ', ')})" for r in drivers]
        zh_why = "主要因为" + "和".join(zh_parts)
        en_why = "mainly because of " + " and ".join(en_parts)
    else:
        zh_why, en_why = "主要因为整体写法", "mainly because of its overall wording"
    return {
        "zh": f"这条笔记{_DECISION_ZH[decision]}，{zh_why}。"
        "如果这是你的真实个人分享，可以修改这些用词，或提出申诉由人工复核。",
        "en": f"This note {_DECISION_EN[decision]}, {en_why}. If it is your honest personal sharing, you can "
        "reword these phrases or appeal for a human review.",
    }


def note_fields(title: str, text: str, prepared: dict[str, Prepared] | None = None) -> list[_Field]:
    """The two fields of a note; ``prepared`` as ``prepare_document(..., fields=...)`` filled it, if at hand."""
    got = prepared or {}
    return [_field("title", title or "", got.get("title")), _field("text", text or "", got.get("text"))]


def explain_spans(
    title: str,
    text: str,
    doc: str,
    names: list[str],
    contributions: list[float],
    prepared: dict[str, Prepared] | None = None,
    segment: Callable[[str], list[str]] | None = None,
) -> list[Highlight]:
    """Highlights of one note from its document's strongest features (see the module docstring); with
    ``segment`` (the model tokenizer's word segmentation) phrases of the writer's words end on whole words."""
    fields = note_fields(title, text, prepared)
    return phrases(fields, attribute(fields, doc, names, contributions), segment)


def strongest(contrib: np.ndarray, k: int = MAX_FEATURES) -> np.ndarray:
    """Positions of the ``k`` largest |contributions| (all when fewer), in no particular order."""
    if len(contrib) <= k:
        return np.arange(len(contrib))
    return np.argpartition(-np.abs(contrib), k)[:k]


def markup_spans(raw: str) -> list[tuple[int, int, int, int]]:
    """The hashtags, @mentions and emoji codes of one field as sent: ``(start, end, name_start, name_end)``, the
    name being what may be edited without breaking the markup (``法式美甲`` of ``#法式美甲[话题]#``, ``brand`` of
    ``@brand``; an emoji code has none). Cutting through the rest (a ``#``, the ``[话题]`` suffix) leaves residue
    that is read as new words: see :mod:`training.faithfulness`."""
    norm, starts, ends = _normalize_aligned(raw)
    out = []
    for regex, group in ((_HASHTAG_RE, 1), (_MENTION_RE, 0), (_EMOJI_CODE_RE, None)):
        for m in regex.finditer(norm):
            a, b = starts[m.start()], ends[m.end() - 1]
            if group is None:
                out.append((a, b, a, a))
            elif group == 0:
                out.append((a, b, min(starts[m.start()] + 1, b), b))  # the name after "@"
            else:
                s, e = m.span(1)
                out.append((a, b, starts[s], ends[e - 1]) if e > s else (a, b, a, a))
    return sorted(out)
