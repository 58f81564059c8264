"""A note's fields normalised with an offset map (every normalised character knows the span of the original it
came from), with the cues and markup found in them: where evidence can be placed in the text as sent."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from dataclasses import field as dataclass_field

import numpy as np

from model.cue_parts import RUN_START
from model.cues import CUE_PATTERNS, HASHTAG_RE, DisjointSpans, cue_spans, is_brand_handle, mask_spans, removed_spans
from model.emoji_codes import EMOJI_CODE_RE, NOTE_TAG_MARKERS
from model.highlights.categories import cue_category, is_festival_topic
from model.simplified import to_simplified
from model.spaced import despace_kept
from model.text import (
    CJK_MARKS_RE,
    CLEANUP_RE,
    DIGITS_RE,
    MENTION_RE,
    ZERO_WIDTH_RE,
    Prepared,
    clean_up,
    fold_nfkc,
    has_cjk_marks,
    normalize_text,
    without_cjk_marks,
)

# -- normalisation with an offset map ---------------------------------------------------------------------
_NON_SPACE_RE = re.compile(r"\S+")
#: What is not a letter or a digit (``\w`` also matches "_"): punctuation, symbols, emoji and spaces.
_NOT_CONTENT_RE = re.compile(r"[\W_]+")


#: A number with decimal points or thousands separators inside ("1.2", "12,999"): one word of the writer's, its
#: separators letters of it, so a phrase neither starts nor ends inside it (the "2万" of "1.2万", the "卖12" of
#: "卖12,999"). A thousands separator is an ASCII comma before exactly three digits: not the list "1,2,3", nor the
#: full-width comma, which ends a clause between numbers ("¥198，100盒以上", "618，998入手"). Tried only where a
#: run of digits starts: from inside a run it finds nothing the run's start would not, and a text of 20,000 digits
#: tried from every one of them costs the square of its length.
SEPARATED_NUMBER_RE = re.compile(RUN_START + r"\d+(?:[.．]\d+|,\d{3}(?!\d))+")


def _content_mask(raw: str) -> np.ndarray:
    """Which characters of ``raw`` are letters or digits: not matched by ``_NOT_CONTENT_RE`` (``\\w`` is exactly
    ``str.isalnum`` or "_"), one C call per character instead of a numpy slice per run of other characters; the
    bools go into bytes, which numpy reads as they are (read-only), twice as fast as converting each."""
    return np.frombuffer(bytes(map(str.isalnum, raw)), dtype=bool)


def normalize_aligned(
    raw: str, norm: str | None = None, joins: list[tuple[int, int]] | None = None
) -> tuple[str, list[int], list[int]]:
    """:func:`model.text.normalize_text` of ``raw`` with, for every output character, the ``[start, end)`` of
    the original it came from.

    Most notes keep their length through NFKC and lower-casing (full-width punctuation becomes half-width one
    for one), so positions only shift where whitespace runs collapse: that case is computed from the runs of
    non-space characters. Otherwise character by character; and when even that differs from the real
    normalisation (a combining sequence NFKC composes across characters), each character together with the
    marks after it (:func:`_aligned_clusters`). ``norm`` is ``normalize_text(raw)`` when the caller has it. When
    ``joins`` is a list, the ``[start, end)`` in ``raw`` of every separator deleted to join spaced-out text
    (:mod:`model.spaced`) is appended to it: characters inside a word as the model reads it."""
    norm = normalize_text(raw) if norm is None else norm
    folded = fold_nfkc(raw)
    if len(folded) == len(raw) and CLEANUP_RE.search(folded) is None:
        low = folded.lower()
        if len(norm) == len(raw) == len(low):  # nothing collapsed either: every character stays in place
            return norm, list(range(len(raw))), list(range(1, len(raw) + 1))
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
            mapped = _despaced(" ".join(to_simplified(low).split()), norm, starts, [i + 1 for i in starts], joins)
            if mapped is not None:
                return norm, *mapped
    if has_cjk_marks(raw):
        return norm, *_aligned_clusters(raw, norm, joins)  # a deleted mark stays with its character ("末̣" is one)
    return norm, *_aligned_slow(raw, norm, joins)


def same_normalisation(built: str, norm: str) -> bool:
    """Whether ``built``, a normalisation put together piece by piece, is the text ``norm``. ``str.lower`` makes a
    capital sigma that ends a word "ς" and the same sigma on its own "σ" (its one rule by context): one character
    either way and in the same place, so the map built from "σ" is the map of "ς" (taken for another text, every
    span of the field was placed proportionally)."""
    return built == norm or ("ς" in norm and built.replace("ς", "σ") == norm.replace("ς", "σ"))


def _despaced(
    base: str, norm: str, starts: list[int], ends: list[int], joins: list[tuple[int, int]] | None = None
) -> tuple[list[int], list[int]] | None:
    """The map of ``norm`` from that of ``base`` (the normalisation before spaced-out text is joined, one
    position per character): ``base``'s map when they are the same text, the positions of the characters
    :func:`model.spaced.despace_kept` keeps when joining makes ``norm`` of it, else None."""
    if same_normalisation(base, norm):
        return starts, ends
    kept = despace_kept(base)
    if kept is None or len(kept) != len(norm) or len(base) != len(starts):
        return None
    if not same_normalisation("".join([base[i] for i in kept]), norm):
        return None
    if joins is not None:  # the positions not kept, each a separator inside a run
        prev = -1
        for i in kept:
            joins.extend((starts[j], ends[j]) for j in range(prev + 1, i))
            prev = i
    return [starts[i] for i in kept], [ends[i] for i in kept]


#: Characters whose normalisation is their lower case, one for one: printable ASCII and CJK unified ideographs
#: (most of a Chinese note). The rest are normalised one by one (``tests/test_highlights_equivalence.py``).
_OTHER_CHAR_RE = re.compile("([^ -~\u4e00-\u9fff])")


def _char_out(ch: str) -> str:
    """What :func:`model.text.normalize_text` makes of ``ch`` on its own, before whitespace collapses: its own steps
    (:func:`model.text.fold_nfkc`, :func:`model.text.clean_up`), so the map deletes exactly what the normalisation
    deletes. A rule of the map's own would drift from them: one by Unicode category kept unassigned U+2065, which
    the normalisation deletes, and every span of such a field was placed proportionally, ends cut short."""
    if ch.isascii():
        return ch.lower() if ch.isprintable() or ch in " \t\n" else " "
    out = fold_nfkc(ch)  # NFKC, enclosed digits as digits (model.text.DIGIT_FORMS)
    if CLEANUP_RE.search(out) is not None:
        out = clean_up(out)
    out = without_cjk_marks(out)  # a character with the marks after it: see _aligned_clusters
    return to_simplified(out.lower())


def _aligned_slow(raw: str, norm: str, joins: list[tuple[int, int]] | None = None) -> tuple[list[int], list[int]]:
    """Character by character: each original character normalised on its own (:func:`_char_out`), then
    whitespace runs collapsed to one space at the position of their first character, as normalize_text does."""
    parts = _OTHER_CHAR_RE.split(raw)  # runs of the plain characters, each other character between them
    outs = {ch: _char_out(ch) for ch in parts[1::2]}
    pieces: list[str] = []
    src: list[int] = []  # the original position of each character of ``cat``
    pos = 0
    for k, part in enumerate(parts):
        if k & 1:
            out = outs[part]
            pieces.append(out)
            src += [pos] * len(out)
            pos += 1
        elif part:
            pieces.append(to_simplified(part.lower()))
            src += range(pos, pos + len(part))
            pos += len(part)
    cat = "".join(pieces)
    starts: list[int] = []
    prev_end = -1
    for m in _NON_SPACE_RE.finditer(cat):
        a, b = m.span()
        if prev_end >= 0:
            starts.append(src[prev_end])  # the single space a whitespace run collapses to
        starts += src[a:b]
        prev_end = b
    mapped = _despaced(" ".join(cat.split()), norm, starts, [i + 1 for i in starts], joins)
    return _aligned_clusters(raw, norm, joins) if mapped is None else mapped


def _joins_previous(ch: str) -> bool:
    """Whether NFKC may compose ``ch`` with the character before it: a combining mark (e + U+0301 -> é) or a
    Hangul vowel or final jamo (conjoining jamo compose into one syllable)."""
    return "\u1160" <= ch <= "\u11ff" or unicodedata.category(ch)[0] == "M"


def _aligned_clusters(raw: str, norm: str, joins: list[tuple[int, int]] | None = None) -> tuple[list[int], list[int]]:
    """The offset map when NFKC composes across characters: each character normalised together with the marks
    that follow it, so a composed character spans its whole sequence and the text after it keeps its place.
    When even that differs from the real normalisation, positions are spread proportionally (every span stays
    inside the text, though not on the characters it came from)."""
    clusters: list[tuple[int, int]] = []
    for i, ch in enumerate(raw):
        if clusters and _joins_previous(ch):
            clusters[-1] = (clusters[-1][0], i + 1)
        else:
            clusters.append((i, i + 1))
    chars: list[str] = []
    spans: list[tuple[int, int]] = []
    for a, b in clusters:
        out = _char_out(raw[a:b])
        chars += out
        spans += [(a, b)] * len(out)
    starts: list[int] = []
    ends: list[int] = []
    pending = -1  # the first whitespace character of a run, which the run collapses onto
    for c, (a, b) in zip(chars, spans, strict=True):
        if c.isspace():
            pending = a if pending < 0 else pending
            continue
        if pending >= 0 and starts:
            starts.append(pending)
            ends.append(pending + 1)
        pending = -1
        starts.append(a)
        ends.append(b)
    mapped = _despaced(" ".join("".join(chars).split()), norm, starts, ends, joins)
    if mapped is not None:
        return mapped
    n, m = len(norm), max(len(raw), 1)
    starts = [min(k * m // max(n, 1), m - 1) for k in range(n)]
    return starts, [max(s + 1, min((k + 1) * m // max(n, 1), m)) for k, s in enumerate(starts)]


@dataclass
class NoteField:
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
    gaps: list[tuple[int, int]] = dataclass_field(default_factory=list)  # deleted claims, in the original, by start
    joined: frozenset[int] = frozenset()  # separators of spaced-out text (model.spaced), in the original
    marked: bool = False  # holds combining marks on Chinese characters (model.text.CJK_MARKS_RE)
    # @mentions of brands ("@蕉下官方", "@兰蔻LANCOME"), in the original: (start, end, category)
    handles: list[tuple[int, int, str]] = dataclass_field(default_factory=list)

    def orig(self, a: int, b: int) -> tuple[int, int]:
        """The original span of normalised characters ``[a, b)``."""
        return self.starts[a], self.ends[b - 1]


def _field(name: str, raw: str, prepared: Prepared | None = None) -> NoteField:
    """``prepared``: the normalised ``raw`` and its cue spans, as :func:`model.text.prepare_document` found them."""
    joins: list[tuple[int, int]] = []
    norm, starts, ends = normalize_aligned(raw, prepared[0] if prepared else None, joins)
    f = NoteField(name, raw, norm, starts, ends, [], {})
    f.content = _content_mask(raw)
    if ZERO_WIDTH_RE.search(raw) is not None:  # deleted by the normalisation: inside a word, part of it
        joins += _invisible_inside_words(raw)
    if joins:  # "尊 敬 的 用 户" is one run of words to the model: its separators are inside it, as letters are
        f.content = f.content.copy()
        for a, b in joins:
            f.content[a:b] = True
        f.joined = frozenset(i for a, b in joins for i in range(a, b))
    f.marked = has_cjk_marks(raw)
    if f.marked:
        f.content = f.content.copy()  # the marks on a Chinese character are part of it, as letters are
        for m in CJK_MARKS_RE.finditer(raw):
            f.content[m.start() : m.end()] = True
    if SEPARATED_NUMBER_RE.search(raw) is not None:
        f.content = f.content.copy()  # the mask shares the bytes it was read from, read-only
        for m in SEPARATED_NUMBER_RE.finditer(raw):
            f.content[m.start() : m.end()] = True
    if not norm:
        f.search, f.search_starts, f.search_ends = "", [], []
        return f
    spans = prepared[1] if prepared else cue_spans(norm)
    starts, ends = f.starts, f.ends
    # What the document cuts out, as model.text does: contact details masked, claims (with the separator that set
    # them off) deleted.
    masked: list[tuple[int, int]] = []
    deleted: list[tuple[int, int]] = []
    for start, end, cue in removed_spans(norm, spans):
        (masked if CUE_PATTERNS[cue].replace else deleted).append((start, end))
    f.gaps = [f.orig(a, b) for a, b in deleted]
    for start, cue, end, _ in spans:
        if cue == "price" and "," in norm[start:end]:
            start, end = _price_as_written(f, start, end)
        span = f.orig(start, end)
        f.cues.append((*span, cue))
        f.markers.setdefault(f"⟦cue:{cue}⟧", []).append(span)
    # Words two cues read from the same characters (淘宝: a brand and a shop; 旗舰店: merchant wording and a shop)
    # are shown as the shop the writer bought at, the reading that asks them to hide nothing: the first cue at a
    # place is the one its unit shows (stable sort: the rest keep cue_spans' order).
    f.cues.sort(key=lambda c: (c[0], c[2] != "shop_funnel"))
    # Each kind of markup needs its marker character (as in model.text): most fields have no emoji code or mention.
    # Hashtags and mentions as the document reads them, after contact details are replaced: "#vx:abc123" is a
    # contact, no tag; the "@qq.com" of an e-mail address no mention (it was shown as one, and the address's weight
    # with it).
    marked = mask_spans(norm, masked) if masked and ("#" in norm or "@" in norm) else norm
    for m in HASHTAG_RE.finditer(marked) if "#" in norm else ():
        tag = m.group(1).strip()
        if tag:
            span = f.orig(*m.span())
            f.markers.setdefault(f"⟦tag:{tag.replace(' ', '_')[:40]}⟧", []).append(span)
            f.markers.setdefault("⟦hashtag⟧", []).append(span)
    for m in EMOJI_CODE_RE.finditer(norm) if "[" in norm else ():
        f.markers.setdefault(f"⟦emo:{m.group(1)}⟧", []).append(f.orig(*m.span()))
    for m in MENTION_RE.finditer(marked) if "@" in norm else ():
        if not is_brand_handle(m.group()):  # a brand's account is its words in the document, not ⟦mention⟧
            f.markers.setdefault("⟦mention⟧", []).append(f.orig(*m.span()))
        elif (handle_end := _brand_handle_end(norm, spans, *m.span())) is not None:
            # but shown whole, as any @mention: "@索尼中国" was "索尼" (a brand) and "中国" (wording) apart
            f.handles.append((*f.orig(m.start(), handle_end), "brand_name"))
    f.units = _units(f)
    # The search text: masked contact details become one NUL each, deleted claims nothing, digit runs one "0" (as in
    # the document).
    replaced = sorted(
        [(a, b, "\x00") for a, b in _merged(masked)]
        + [(a, b, "") for a, b in deleted]
        + [(m.start(), m.end(), "0") for m in DIGITS_RE.finditer(norm)]
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
        if repl:  # a deleted claim leaves no character behind
            pieces.append(repl)
            s_starts.append(starts[a])
            s_ends.append(ends[b - 1])
        pos = b
    pieces.append(norm[pos:])
    s_starts += starts[pos:]
    s_ends += ends[pos:]
    f.search, f.search_starts, f.search_ends = "".join(pieces), s_starts, s_ends
    return f


def _invisible_inside_words(raw: str) -> list[tuple[int, int]]:
    """The runs of invisible characters (zero-width spaces and joiners, soft hyphens: what
    :func:`model.text.normalize_text` deletes) with a letter or digit on both sides. The model reads
    "加\u200b微\u200b信" as 加微信; a phrase of the writer's words was a run of letters and digits only, so a
    zero-width space between every character cut every word into single characters, none of them shown: a note's
    words vanished from its highlights and reasons. Such a run is treated as a separator inside a word, as the spaces
    of spaced-out text are. A zero-width joiner inside an emoji sequence (👩\u200d💻) has no letter beside it and
    stays outside."""
    out = []
    for m in _ZERO_WIDTH_RUN_RE.finditer(raw):
        a, b = m.span()
        if 0 < a and b < len(raw) and raw[a - 1].isalnum() and raw[b].isalnum():
            out.append((a, b))
    return out


_ZERO_WIDTH_RUN_RE = re.compile(ZERO_WIDTH_RE.pattern + "+")


def _price_as_written(f: NoteField, start: int, end: int) -> tuple[int, int]:
    """The price cue ``norm[start:end]`` read again with the writer's full-width commas: NFKC made "¥198，100盒"
    "¥198,100盒", whose comma the pattern takes for a thousands separator; a full-width one ends a clause (every such
    comma between digits in the labelled data does), so the price is "¥198"."""
    norm, raw, starts = f.norm, f.raw, f.starts
    text = "".join("，" if c == "," and raw[starts[i]] == "，" else c for i, c in enumerate(norm[start:end], start))
    m = CUE_PATTERNS["price"].pattern.search(text)
    return (start + m.start(), start + m.end()) if m else (start, end)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans ordered by start, with those that overlap or touch merged into one."""
    out: list[tuple[int, int]] = []
    for a, b in spans:
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def note_fields(title: str, text: str, prepared: dict[str, Prepared] | None = None) -> list[NoteField]:
    """The two fields of a note; ``prepared`` as ``prepare_document(..., fields=...)`` filled it, if at hand."""
    got = prepared or {}
    return [_field("title", title or "", got.get("title")), _field("text", text or "", got.get("text"))]


def markup_spans(raw: str) -> list[tuple[int, int, int, int]]:
    """The hashtags, @mentions and emoji codes of one field as sent: ``(start, end, name_start, name_end)``, the
    name being what may be edited without breaking the markup (``法式美甲`` of ``#法式美甲[话题]#``, ``brand`` of
    ``@brand``; an emoji code has none). Cutting through the rest (a ``#``, the ``[话题]`` suffix) leaves residue
    that is read as new words: see :mod:`training.faithfulness`."""
    norm, starts, ends = normalize_aligned(raw)
    out = []
    for regex, group in ((HASHTAG_RE, 1), (MENTION_RE, 0), (EMOJI_CODE_RE, None)):
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


#: The category of an emoji code's unit until its weight is known: :func:`model.highlights.phrases.phrases` shows it
#: as ``wording`` or ``personal`` by the way it pushes, as the writer's other words (no category of its own).
EMOJI_UNIT = "emoji"
#: The category of a note tag marker's unit (``[时刻]``, :data:`model.emoji_codes.NOTE_TAG_MARKERS`): the platform's
#: markup, never shown. Its weight stays in the probability, as that of the markers the writer never typed (title
#: present, hashtag count) does; a unit of its own keeps the writer's phrases from running into it.
MARKER_UNIT = "marker"

#: What may follow a brand's name in its account's handle: Latin letters and digits ("@兰蔻LANCOME", "@dior999"),
#: and account words ("@蕉下官方", "@索尼中国", "@小熊电器官方旗舰店").
_HANDLE_LATIN = re.compile(r"[a-z0-9_\-·.]+")
_HANDLE_WORDS = re.compile(r"(?:官方旗舰店|官方微博|旗舰店|官方|official|中国|china)+")
_BRAND_KINDS = frozenset({"brand_mention", "brand_mention_latin"})


def _brand_handle_end(norm: str, spans: list[tuple[int, str, int, str]], start: int, end: int) -> int | None:
    """Where the @mention ``norm[start:end]`` of a brand's account ends as a brand's handle: the brand names it
    opens with, each with the Latin letters and account words after it. None when it opens with no brand. A handle
    typed against the writer's next words ("@兰蔻官方私信我领取小样") ends there, so those words keep their own
    reasons (the call to action 私信). Shown as 品牌与产品名 (``brand_name``), as any brand named: a writer tagging a
    brand to complain is no campaign."""
    names = {a: b for a, name, b, _ in spans if name in _BRAND_KINDS and start < a < end}
    pos = start + 1
    if pos not in names:
        return None
    while pos in names:
        pos = min(names[pos], end)
        if (latin := _HANDLE_LATIN.match(norm, pos, end)) is not None:
            pos = latin.end()
        if (words := _HANDLE_WORDS.match(norm, pos, end)) is not None:
            pos = words.end()
    return pos


def _units(f: NoteField) -> list[tuple[int, int, str]]:
    """Spans shown whole, never split or merged with their neighbours: hashtags, @mentions and emoji codes (with
    the category of a cue inside them, else ``hashtag`` / ``mention`` (``brand_name`` for a brand's account) /
    :data:`EMOJI_UNIT`, or :data:`MARKER_UNIT`
    for a note tag marker, never shown), then cues outside them. An emoji code ("[笑哭R]", "[doge]", as the document
    builder's pattern finds it) is one token of the document, so it is shown with its brackets, not as the word
    inside them. Non-overlapping, by start."""
    units: list[tuple[int, int, str]] = []
    held = DisjointSpans()
    cues = f.cues  # by start (cue_spans' order, mapped back monotonically)
    cue_starts = [s for s, _, _ in cues]
    markup = [(f.markers.get("⟦hashtag⟧", ()), "hashtag"), (f.markers.get("⟦mention⟧", ()), "mention")]
    markup += [
        (spans, MARKER_UNIT if marker[5:-1] in NOTE_TAG_MARKERS else EMOJI_UNIT)
        for marker, spans in f.markers.items()
        if marker.startswith("⟦emo:")
    ]
    for spans, plain in markup:
        for a, b in spans:
            if held.claim(a, b):
                cue = None if plain == MARKER_UNIT else _first_cue_inside(f, cue_starts, a, b)
                units.append((a, b, cue or plain))
    for a, b, category in f.handles:  # a brand's @mention: the brand, whatever cues lie inside
        if held.claim(a, b):
            units.append((a, b, category))
    for a, b, cue in cues:
        if held.claim(a, b):
            units.append((a, b, cue_category(cue, f.raw[a:b])))
    units.sort()
    return units


def _first_cue_inside(f: NoteField, starts: list[int], a: int, b: int) -> str | None:
    """The category of the first cue lying wholly inside ``[a, b)`` of ``f`` (a hashtag naming a brand is a
    brand), found from the first cue starting at ``a`` on: a bisection, not a scan of every cue for every hashtag.
    A campaign hashtag opening with a shopping festival and naming no brand is ``festival``
    (:func:`~model.highlights.categories.is_festival_topic`)."""
    cues = f.cues
    for k in range(bisect_left(starts, a), len(cues)):
        s, e, cue = cues[k]
        if s >= b:
            break
        if e <= b:
            if cue == "brand_campaign_tag" and is_festival_topic(f.raw[s:e]) and not _brand_inside(cues, k, e):
                return "festival"
            return cue_category(cue, f.raw[s:e])
    return None


def _brand_inside(cues: list[tuple[int, int, str]], k: int, end: int) -> bool:
    """Whether a brand or product name lies in the cue ``k`` (which ends at ``end``): cues after it by start."""
    for s, e, cue in cues[k + 1 :]:
        if s >= end:
            return False
        if e <= end and cue_category(cue) == "brand_name":
            return True
    return False
