"""Text normalisation and Xiaohongshu markup handling.

Everything that turns a raw note into the *document* the tokenizer sees lives here, so that training, batch
scoring and the endpoint all prepare text the same way. The output of :func:`prepare_document` is plain text in
which markup and cues are replaced by *placeholder tokens* written ``⟦kind:value⟧``; the tokenizer keeps those
whole and never hands them to jieba.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from model.brand_repeats import brand_repeats
from model.cues import CUE_PATTERNS, HASHTAG_RE, cue_spans, is_brand_handle, removed_spans
from model.emoji_codes import EMOJI_CODE_RE, emoji_codes
from model.simplified import to_simplified
from model.spaced import despace

#: Bump whenever the output of :func:`normalize_text`, :func:`prepare_document` or the tokenizer's handling of a
#: document (:mod:`model.tokenize`) changes. Recorded in every
#: model artifact; a model is refused when the running code prepares text differently from its training.
NORMALIZATION_VERSION = "54"

PLACEHOLDER_RE = re.compile(r"⟦[^⟦⟧\s]{1,48}⟧")

#: Marks the start of a note's comment text in a document (see ``NoteDocuments(comment_text=True)``). Word tokens
#: after it are prefixed ``c:`` by the tokenizer; :func:`body_only` cuts it off for character n-grams.
COMMENTS_MARKER = "⟦comments⟧"


def body_only(doc: str) -> str:
    """The part of a prepared document before its comment section (a vectorizer preprocessor)."""
    cut = doc.find(COMMENTS_MARKER)
    return doc if cut < 0 else doc[:cut]


def without_placeholders(doc: str) -> str:
    """The document with every placeholder token replaced by a space (a character-vectorizer preprocessor).

    Placeholders are the word vectorizer's business: it keeps each whole. Read as characters, their spelling
    (``⟦t``, ``ag:``, ``:2⟧``) turns every marker into a dozen n-grams shared by all markers of its kind, which
    learn where a row comes from rather than what it says: only Xiaohongshu notes carry hashtags, so the
    characters of ``⟦n_tags:2⟧`` weighed like "not an ad" and one appended hashtag un-flagged ad copy."""
    return PLACEHOLDER_RE.sub(" ", doc)


def body_without_placeholders(doc: str) -> str:
    """:func:`body_only`, then :func:`without_placeholders`."""
    return without_placeholders(body_only(doc))


_MARKUP_PLACEHOLDER_RE = re.compile(r"⟦(?!cue:)[^⟦⟧\s]{1,48}⟧")


def without_markup(doc: str) -> str:
    """The document without its markup placeholders (hashtags, their count, title, emoji, mentions), cue
    placeholders kept: what a note says and the cues in it, not which platform's markup it carries."""
    return _MARKUP_PLACEHOLDER_RE.sub(" ", doc)


def body_without_markup(doc: str) -> str:
    """:func:`body_only`, then :func:`without_markup`."""
    return without_markup(body_only(doc))


def prepare_comment_text(texts: list[str], *, max_comments: int = 50, max_chars: int = 300) -> str:
    """Normalised text of a note's comments for the comment section of a document (digits as ``0``); at most
    ``max_comments`` comments of at most ``max_chars`` characters each."""
    parts = [DIGITS_RE.sub("0", normalize_text(t)[:max_chars]) for t in texts[:max_comments]]
    return " ".join(p for p in parts if p)


#: Invisible characters, deleted: the format characters (Unicode category Cf) of the BMP that are drawn as nothing
#: (soft hyphen U+00AD, Arabic letter mark, Mongolian vowel separator, zero-width space and joiners, bidi
#: controls, word joiner and invisible operators, BOM, interlinear annotation marks), the line and paragraph
#: separators and the unassigned code points between them. Inside a word they would hide it ("加微\u00ad信"). Not
#: the Cf characters that are drawn (Arabic number signs U+0600-0605), nor the supplementary-plane ones (tag
#: characters U+E0020-E007F): a class holding those makes this check, run on every text, ~3x slower.
_ZERO_WIDTH_CHARS = "\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff\ufff9-\ufffb"
#: Combining diacritical marks (NFKC has already composed those it can: e + U+0301 is "é").
_COMBINING_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
COMBINING_RE = re.compile(f"[{_COMBINING_MARKS}]")
#: Combining marks on a Chinese character, deleted: decoration (dots below, strike-through, a circle) with no width
#: of its own, and one on every few characters cut the words around it and moved the probability (0.825 -> 0.802
#: with U+0323 on every fifth character, model ad-02f1b78969f2). Only on an ideograph: the marks of a keycap emoji
#: (1 + U+FE0F + U+20E3) or a kaomoji (NFKC makes " ́" of its "´") are what the writer typed, and the model has
#: learnt them as such.
CJK_MARKS_RE = re.compile(f"(?<=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])[{_COMBINING_MARKS}]+")
#: Category Cc (U+0000-001F, U+007F-009F) except tab and newline; a regex is ~8x faster than a per-character loop.
_CONTROL_CHARS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
#: Characters normalize_text deletes or blanks besides whitespace (a keyword of only these matches nothing).
INVISIBLE_CHARS = _ZERO_WIDTH_CHARS + _CONTROL_CHARS + "⟦⟧"
ZERO_WIDTH_RE = re.compile(f"[{_ZERO_WIDTH_CHARS}]")
_WS_RE = re.compile(r"\s+")
_CONTROL_RE = re.compile(f"[{_CONTROL_CHARS}]")
# Hashtags (HASHTAG_RE): "#话题[话题]#" on Xiaohongshu, "#话题#" on Weibo, "#话题 #话题" typed by hand (see
# model.cues.hashtag_regex). After NFKC the brackets are ASCII.
# Emoji codes (EMOJI_CODE_RE) such as [笑哭R], [doge], [吐舌头H] (model.emoji_codes); other bracketed text stays words.
#: An @mention's handle holds a letter, ideograph or digit (``[^\W_]``) among its first 30 characters: "@_@" (an
#: emoticon) and "@." (text spaced out with full stops) name no one and stay text. Nor does the "@" that closes such
#: an emoticon open a mention ("好累@_@小明", "汤圆哦@_@1288元"): a handle never holds "@", so "@_@" glued to a name is
#: the emoticon then the writer's words, and the app inserts a mention with a space or nothing before it, not a face.
MENTION_RE = re.compile(r"@(?<!@[\-·._]@)(?=[\-·._]{0,29}[^\W_])[\w\-·.]{1,30}")
# Hashtag markup left outside a well-formed tag: "[话题]" typed on its own, or the "[话" / "题]" of a tag an edit
# cut through. Kept, its characters were learned as evidence (towards genuine, from notes whose tags the parser
# missed), so typing it lowered a note's ad probability by up to 4 log-odds; it is deleted instead.
_TAG_RESIDUE_RE = re.compile(r"\[话(?:题\]?)?|话?题\]")
#: A number, with a decimal point or not: written ``0`` in a document (its value is noise to the model).
DIGITS_RE = re.compile(r"\d+(?:\.\d+)?")
_PLACEHOLDER_CHARS_RE = re.compile("[⟦⟧]")
#: Everything the clean-up steps of normalize_text (:func:`clean_up`) delete or replace: zero-width and control
#: characters, lone surrogates and placeholder brackets. Most texts contain none, and one search then skips all four
#: steps.
CLEANUP_RE = re.compile(f"[{_ZERO_WIDTH_CHARS}{_CONTROL_CHARS}\ud800-\udfff⟦⟧]")

# -- Fast NFKC ---------------------------------------------------------------------------------------------------
# unicodedata.normalize("NFKC") returns at once when a quick check finds the text already normalised, but Chinese
# text rarely is: full-width punctuation (，！：？（）), "…" and the like send it down the full decompose-and-compose
# path, ~70 us for a 190-character note (half the Xiaohongshu notes). Replacing each such character c by NFKC(c)
# first does not change the result and usually lets the quick check pass. Why: c and NFKC(c) are compatibility
# equivalent; the equivalence carries over to any text around them (x + c + y and x + NFKC(c) + y), and equivalent
# texts have the same NFKC form. The normalisation still runs on the result, so this is only a shortcut: characters
# the table leaves out simply take the slow path. tests/test_prep_parity.py checks every code point. The same table
# also reads the enclosed digits of DIGIT_FORMS (below) as digits: that is normalisation of our own, not NFKC's.
#
# The table covers the BMP blocks holding most characters NFKC changes (punctuation, full-width and enclosed forms,
# letter-like symbols, squared CJK). Supplementary-plane ones (math letters 𝙖, 🉑) are left out on purpose: a class
# that mixes them in makes the regex engine test a list of ranges for every Chinese character.
_COMPAT_BLOCKS = (
    (0x00A0, 0x0500),  # Latin-1 supplement to Cyrillic: no-break space, ², ¼, ´, ligatures
    (0x1D00, 0x1DC0),  # phonetic extensions: modifier letters
    (0x2000, 0x3400),  # punctuation, super/subscripts, letter-like, ①, ⼀ radicals, ideographic space, ㊙ ㎡
    (0xF900, 0xFFF0),  # CJK compatibility ideographs, presentation, vertical, small and full/half-width forms
)


#: Single digits written in enclosed forms, read as the ASCII digit: a phone number typed "❶❸❽…" or "⑴⑶⑻…" is one
#: to slip past filters. NFKC already makes a digit of the circled ①-⑨ and ⓪ and of the digits with a full stop or
#: comma (⒈ "1.", 🄂 "1,"), but leaves the dingbat circled forms (❶ ➀ ➊ and their zeros 🄋 🄌), the double circled ⓵
#: and ⓿ alone, and makes "(1)" of the parenthesised ⑴ (a separator the phone pattern does not skip). Only 0 to 9:
#: a form of 10 or more (⑩, ❿, ⓫, ⑽) is a number of a list, not a digit of a phone number, and stays as NFKC makes
#: it ("10", or the symbol itself). Applied before NFKC, one character for one.
DIGIT_FORMS = {
    **{chr(0x2474 + i): str(i + 1) for i in range(9)},  # ⑴-⑼ parenthesised
    **{chr(0x2776 + i): str(i + 1) for i in range(9)},  # ❶-❾ dingbat negative circled
    **{chr(0x2780 + i): str(i + 1) for i in range(9)},  # ➀-➈ dingbat circled sans-serif
    **{chr(0x278A + i): str(i + 1) for i in range(9)},  # ➊-➒ dingbat negative circled sans-serif
    **{chr(0x24F5 + i): str(i + 1) for i in range(9)},  # ⓵-⓽ double circled
    "\u24ff": "0",  # ⓿ negative circled zero
    "\U0001f10b": "0",  # 🄋 dingbat circled sans-serif zero
    "\U0001f10c": "0",  # 🄌 dingbat negative circled sans-serif zero
}
_DIGIT_TABLE = str.maketrans(DIGIT_FORMS)


def _compat_table() -> dict[str, str]:
    """Every character of ``_COMPAT_BLOCKS`` that NFKC changes, mapped to its NFKC form, and the enclosed digits of
    :data:`DIGIT_FORMS` in them, mapped to the digit (built once, ~10 ms)."""
    table = {}
    for lo, hi in _COMPAT_BLOCKS:
        for cp in range(lo, hi):
            ch = chr(cp)
            nfkc = unicodedata.normalize("NFKC", ch)
            if nfkc != ch:
                table[ch] = nfkc
    # The enclosed digits of the BMP (all in the punctuation-to-radicals block) are replaced by the same search, at no
    # cost; the two supplementary zeros are looked for on their own (see fold_nfkc).
    table.update((ch, digit) for ch, digit in DIGIT_FORMS.items() if ch < "\U00010000")
    return table


def _char_class(chars: Iterable[str]) -> str:
    """A regex character class matching exactly ``chars``, written as ranges of consecutive code points."""
    runs: list[list[int]] = []
    for cp in sorted(map(ord, chars)):
        if runs and runs[-1][1] == cp - 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    return "[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in runs) + "]"


_COMPAT = _compat_table()
_COMPAT_RE = re.compile(_char_class(_COMPAT))
# The most frequent of them in Chinese notes: str.replace is cheaper than a regex callback for each occurrence.
_COMMON_COMPAT = tuple((ch, _COMPAT[ch]) for ch in "，！：（）？…～｜；")


def _compat_char(m: re.Match[str]) -> str:
    return _COMPAT[m.group()]


def fold_nfkc(text: str) -> str:
    """The first step of :func:`normalize_text`: ``unicodedata.normalize("NFKC", text)`` of the text with its
    enclosed digits first read as ASCII digits (:data:`DIGIT_FORMS`: ❶ ➀ ➊ ⓵ ⑴ ⓿ 🄋 🄌 ... as "1", "0"; NFKC alone
    leaves them or makes "(1)" of ⑴). NFKC folds compatibility forms: full-width letters, digits and punctuation
    to ASCII (ｄａｉｌｙ, "，" to ","), mathematical and letter-like letters (𝓭, ℍ), circled and other enclosed
    forms (① to "1"), ligatures, super- and subscripts, CJK radicals and compatibility ideographs. No case folding,
    no clean-up, no traditional-to-simplified. Computed faster than ``unicodedata`` for typical Chinese text (see
    above), with the same result."""
    if "\U0001f10b" in text or "\U0001f10c" in text:  # the other enclosed digits are in _COMPAT
        text = text.translate(_DIGIT_TABLE)
    for ch, nfkc in _COMMON_COMPAT:
        if ch in text:
            text = text.replace(ch, nfkc)
    if _COMPAT_RE.search(text) is not None:
        text = _COMPAT_RE.sub(_compat_char, text)
    return unicodedata.normalize("NFKC", text)


def normalize_text(text: str, *, simplified: bool = True) -> str:
    """Unicode NFKC (full-width to half-width), lower-case Latin letters, traditional Chinese characters as
    simplified ones (:mod:`model.simplified`; kept as typed with ``simplified=False``, for a caller that converts
    whole phrases itself), drop control and zero-width characters and the combining marks on Chinese characters
    (:data:`CJK_MARKS_RE`), collapse whitespace, and read text spaced out
    character by character ("加 微 信") as the word it spells (:mod:`model.spaced`). Pure: the same input always
    gives the same output."""
    return despace(normalize_base(text, simplified=simplified))


def normalize_base(text: str, *, simplified: bool = True) -> str:
    """:func:`normalize_text` without reading spaced-out text: the steps that map each character to none, one or
    a few characters of its own, and collapse whitespace (what :mod:`model.highlights.fields` maps back)."""
    if not isinstance(text, str):
        raise TypeError(f"normalize_text expects a str, got {type(text).__name__}")
    text = fold_nfkc(text)
    if CLEANUP_RE.search(text) is not None:  # rare: skip four passes over the text when there is nothing to do
        text = clean_up(text)
    text = without_cjk_marks(text)
    # str.split() splits on exactly the characters r"\s" matches (str.isspace), so this equals
    # _WS_RE.sub(" ", text).strip(), about 3x faster.
    text = text.lower()
    return " ".join((to_simplified(text) if simplified else text).split())


def has_cjk_marks(text: str) -> bool:
    """Whether ``text`` holds a combining mark on a Chinese character (:data:`CJK_MARKS_RE`)."""
    return COMBINING_RE.search(text) is not None and CJK_MARKS_RE.search(text) is not None


def without_cjk_marks(text: str) -> str:
    """``text`` without the combining marks on its Chinese characters (:data:`CJK_MARKS_RE`), a step of
    :func:`normalize_base` after :func:`clean_up`."""
    if COMBINING_RE.search(text) is None:  # most texts: the class scan is faster than the lookbehind's
        return text
    return CJK_MARKS_RE.sub("", text)


def clean_up(text: str) -> str:
    """The clean-up steps of :func:`normalize_base`, after NFKC: zero-width characters deleted, control characters
    and placeholder brackets as spaces (user text can never forge a placeholder token), lone surrogates (possible
    from JSON input; they cannot be encoded) replaced. A no-op on text :data:`CLEANUP_RE` does not match, which
    callers search first: most texts hold none of these."""
    text = ZERO_WIDTH_RE.sub("", text)
    text = _CONTROL_RE.sub(" ", text)
    text = text.encode("utf-8", "replace").decode("utf-8") if _has_surrogates(text) else text
    return _PLACEHOLDER_CHARS_RE.sub(" ", text)


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def extract_hashtags(text: str) -> list[str]:
    """Hashtags of a *normalised* text, in order, without the ``#`` and ``[话题]`` markup."""
    return [m.group(1).strip() for m in HASHTAG_RE.finditer(text) if m.group(1).strip()]


def extract_emoji_codes(text: str) -> list[str]:
    """Emoji codes of a *normalised* text such as ``[笑哭R]`` → ``笑哭`` (not ``[推荐]``: see model.emoji_codes)."""
    return emoji_codes(text)


def _bucket(n: int, edges: tuple[int, ...]) -> str:
    for edge in edges:
        if n <= edge:
            return str(edge)
    return f"{edges[-1]}+"


def _mention(m: re.Match[str]) -> str:
    """An @mention as the document has it: a brand's account as the brand's words (its brand cue is appended with
    the other cues), anyone else as ``⟦mention⟧``."""
    return m.group()[1:] if is_brand_handle(m.group()) else " ⟦mention⟧ "


def _markup_to_tokens(text: str) -> tuple[str, list[str]]:
    """Replace markup in a normalised text with placeholders. Returns the text and the hashtags found."""
    tags: list[str] = []

    def tag(m: re.Match[str]) -> str:
        name = m.group(1).strip()
        if not name:
            return " "
        tags.append(name)
        # The whole tag as one token (brand-campaign tags) *and* its words for the tokenizer.
        return f" ⟦tag:{name.replace(' ', '_')[:40]}⟧ {name} "

    # Each kind of markup needs its marker character; most notes have hashtags but few emoji codes or mentions.
    if "#" in text:
        text = HASHTAG_RE.sub(tag, text)
    if "[" in text:
        text = EMOJI_CODE_RE.sub(lambda m: f" ⟦emo:{m.group(1)}⟧ ", text)
    if "[话" in text or "题]" in text:  # after the tags and emoji codes: only residue is left to match
        text = _TAG_RESIDUE_RE.sub(" ", text)
    if "@" in text:
        text = MENTION_RE.sub(_mention, text)
    return text, tags


#: What :func:`prepare_document` found in one field: its normalised text and the :func:`cue_spans` of that text.
Prepared = tuple[str, list[tuple[int, str, int, str]]]


def prepare_document(
    title: str | None,
    text: str | None,
    *,
    cues: list[tuple[str, str]] | None = None,
    fields: dict[str, Prepared] | None = None,
) -> str:
    """Build the model's document for a note: normalised title and body with markup and cues as placeholders.

    Title and body both count; title tokens are not marked separately, but a ``⟦has:title⟧`` token is added so
    the model knows a title was present. When ``cues`` is a list, the ``(cue name, matched text)`` of every cue
    found is appended to it (title first, then body, each in text order), so callers that show the evidence
    need not find the cues again. When ``fields`` is a dict, each non-empty field's normalised text and cue
    spans are stored under ``"title"`` / ``"text"`` (what :mod:`model.highlights` would otherwise compute again).
    """
    parts: list[str] = []
    all_tags: list[str] = []
    normalized = {"title": "", "text": ""}
    spans: dict[str, list[tuple[int, str, int, str]]] = {"title": [], "text": []}
    for field, value in (("title", title), ("text", text)):
        if not value:
            continue
        norm = normalize_text(value)
        if not norm:
            continue
        normalized[field] = norm
        spans[field] = cue_spans(norm)
        if fields is not None:
            fields[field] = (norm, spans[field])
        norm, cue_tokens = _replace_cues(norm, cues, spans[field])
        norm, tags = _markup_to_tokens(norm)
        all_tags.extend(tags)
        norm = DIGITS_RE.sub("0", norm)
        if field == "title":
            parts.append("⟦has:title⟧")
        parts.append(norm)
        parts.extend(cue_tokens)
    parts.append(f"⟦n_tags:{_bucket(len(all_tags), (0, 2, 5))}⟧")
    if _repeated_tag_stem(all_tags):
        parts.append("⟦cue:repeated_brand_tag⟧")
    # The names behind it are already in ``cues`` as brand_mention / product_model evidence.
    if brand_repeats(normalized["title"], spans["title"], normalized["text"], spans["text"]):
        parts.append("⟦cue:brand_repeated⟧")
    return " ".join(" ".join(parts).split())  # = _WS_RE.sub(" ", ...).strip(), see normalize_text


def _replace_cues(
    text: str, found: list[tuple[str, str]] | None = None, spans: list[tuple[int, str, int, str]] | None = None
) -> tuple[str, list[str]]:
    """Find cues (or take ``spans``, the :func:`cue_spans` of ``text``); contact details (URLs, phones, ids) are
    *replaced* by their placeholder because the literal value is noise; claims any writer can add for free
    (``delete`` cues: "无广") are deleted; other cues stay in the text (their words are useful) and get a placeholder
    appended."""
    spans = cue_spans(text) if spans is None else spans
    if not spans:
        return text, []
    if found is not None:
        found.extend((name, matched) for _, name, _, matched in spans)
    tokens = [
        f"⟦cue:{name}⟧" for _, name, _, _ in spans if not (CUE_PATTERNS[name].replace or CUE_PATTERNS[name].delete)
    ]
    if len(tokens) == len(spans):
        return text, tokens
    pieces: list[str] = []
    pos = 0
    # Removed spans come ordered and never overlap one another, so the text is rebuilt left to right in one pass.
    for start, end, name in removed_spans(text, spans):
        pieces.append(text[pos:start])
        # A claim: as if it were never written (with the separator that set it off, see removed_spans).
        pieces.append(f" ⟦cue:{name}⟧ " if CUE_PATTERNS[name].replace else "")
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces), tokens


def _repeated_tag_stem(tags: list[str]) -> bool:
    """True when three or more hashtags share a leading name of two or more characters, as brand campaigns do
    (#格力空调 #格力王者柜机 #格力立式空调)."""
    if len(tags) < 3:
        return False
    counts: dict[str, int] = {}
    for tag in set(tags):
        stem = tag[:2]
        if len(stem) == 2 and not stem.isdigit():
            counts[stem] = counts.get(stem, 0) + 1
    return max(counts.values(), default=0) >= 3
