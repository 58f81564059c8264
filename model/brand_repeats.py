"""The same brand or product named in more than one place of a note (title, hashtags, body): the document builder's
``⟦cue:brand_repeated⟧``. Paid notes repeat the brand wherever a reader or the search looks; an honest note rarely
does. The names are the cues' own (:mod:`model.cues`): lexicon brands, product model names, Latin words used as a
hashtag, brands named by their account."""

from __future__ import annotations

import re

from model.cue_patterns import CUE_PATTERNS, HASHTAG_RE, LEXICON_SCAN, PRECHECKS
from model.cues import cue_spans

_TAG_RE = HASHTAG_RE
_LATIN_WORD_RE = re.compile(r"(?<![a-z0-9])[a-z][a-z0-9]{2,15}(?![a-z0-9])")
_LATIN_LETTER_RE = re.compile("[a-z]")  # a text without one holds no Latin word
# Latin words Xiaohongshu writers use as ordinary tags and words, not brands.
_COMMON_LATIN = frozenset(
    "ootd vlog plog citywalk diy mbti emo cos cosplay selfie outfit daily life travel food makeup skincare "
    "the and you for with love happy good nice cute style look day night home city walk photo video hello baby "
    "pro max plus mini new top best app ins bgm mv".split()
)


_NAME_KINDS = ("brand_mention", "brand_mention_latin", "product_model")


def _tag_words(tags: str, title: str, body: str) -> set[str]:
    """Latin words used as (part of) a hashtag that also occur in the title or body."""
    words = {w for w in _LATIN_WORD_RE.findall(tags) if w not in _COMMON_LATIN} if tags else set()
    return words & set(_LATIN_WORD_RE.findall(f"{title} {body}")) if words else set()


def _account_brands(value: str) -> list[str]:
    """Brands named only by their account in ``value`` (珂卡芙 of @珂卡芙官方旗舰店; not a handle holding a lexicon
    brand, which the lexicon finds wherever it is written)."""
    if "@" not in value:
        return []
    out = []
    for m in CUE_PATTERNS["brand_account"].pattern.finditer(value):
        a, b = m.span("brand")
        if not any(c.pattern.search(value, a, b) for c in LEXICON_SCAN):
            out.append(m.group("brand"))
    return out


def _written_in(name: str, places: tuple[str, str, str]) -> set[int]:
    """Which of (title, hashtags, body) contain ``name`` as written (a Latin name as a whole word): a brand known from
    its account is found wherever the note names it, as a lexicon brand is."""
    if name.isascii():
        word = re.compile(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])")
        return {i for i, value in enumerate(places) if word.search(value)}
    return {i for i, value in enumerate(places) if name in value}


def brand_repeats(
    title: str, title_spans: list[tuple[int, str, int, str]], text: str, text_spans: list[tuple[int, str, int, str]]
) -> list[str]:
    """:func:`repeated_brands` from the :func:`cue_spans` of the normalised title and text, which the document
    builder has already found: no pattern runs again, matches in the text are placed by the hashtag spans. Each
    name is returned as it first appears (an exact substring of the normalised title or text)."""
    names = [(start, matched) for start, name, _, matched in text_spans if name in _NAME_KINDS]
    in_title = [matched for _, name, _, matched in title_spans if name in _NAME_KINDS]
    if not names and not in_title and ("#" not in text or _LATIN_LETTER_RE.search(text) is None):
        return []  # the commonest case, settled before looking for hashtags: no name, no Latin word to tag
    tags = list(_TAG_RE.finditer(text)) if "#" in text else []
    tag_text = " ".join(m.group(1) for m in tags) if tags else ""
    latin_tags = bool(tag_text) and _LATIN_WORD_RE.search(tag_text) is not None
    if not names and not latin_tags and (not in_title or not tags) and "@" not in title:
        return []  # the common case: no name in two places is possible
    found: dict[str, set[int]] = {}
    shown: dict[str, str] = {}
    for matched in in_title:
        key = matched.replace(" ", "")
        found.setdefault(key, set()).add(0)
        shown.setdefault(key, matched)
    spans = [m.span() for m in tags]
    for start, matched in names:
        key = matched.replace(" ", "")
        found.setdefault(key, set()).add(1 if any(a <= start < b for a, b in spans) else 2)
        shown.setdefault(key, matched)
    accounts = _account_brands(title) + _account_brands(text)
    if latin_tags or accounts:
        body = _TAG_RE.sub(" ", text) if tags else text
        for word in _tag_words(tag_text, title, body) if latin_tags else ():
            found.setdefault(word, set()).update((0, 1))
        for name in accounts:
            found.setdefault(name.replace(" ", ""), set()).update(_written_in(name, (title, tag_text, body)))
            shown.setdefault(name.replace(" ", ""), name)
    return sorted(shown.get(key, key) for key, where in found.items() if len(where) >= 2)


def repeated_brands(title: str, text: str) -> list[str]:
    """Brand or product names (lexicon brands, product model names, Latin words used as a hashtag, and brands named
    by their account) that occur in at least two of: the title, the hashtags, the body outside hashtags. Both
    arguments are *normalised* text. Paid notes repeat the brand in every place a reader or the search looks; an
    honest note rarely does."""
    has_tags = "#" in text
    tags = " ".join(m.group(1) for m in _TAG_RE.finditer(text)) if has_tags else ""
    body = _TAG_RE.sub(" ", text) if has_tags else text
    found: dict[str, set[int]] = {}
    model_check = re.compile(PRECHECKS["product_model"])
    for i, value in enumerate((title, tags, body)):
        if not value:
            continue
        for cue in LEXICON_SCAN:
            for m in cue.pattern.finditer(value):
                found.setdefault(m.group(), set()).add(i)
        if model_check.search(value) is not None:  # as cue_spans reads them: not inside a contact detail
            for _, name, _, matched in cue_spans(value):
                if name == "product_model":
                    found.setdefault(matched.replace(" ", ""), set()).add(i)
    for word in _tag_words(tags, title, body):
        found.setdefault(word, set()).update((0, 1))
    for name in _account_brands(title) + _account_brands(text):
        found.setdefault(name, set()).update(_written_in(name, (title, tags, body)))
    return sorted(name for name, where in found.items() if len(where) >= 2)
