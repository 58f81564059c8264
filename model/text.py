"""Text normalisation and Xiaohongshu markup handling.

Everything that turns a raw note into the *document* the tokenizer sees lives here, so that training, batch
scoring and the endpoint all prepare text the same way. The output of :func:`prepare_document` is plain text in
which markup and cues are replaced by *placeholder tokens* written ``⟦kind:value⟧``; the tokenizer keeps those
whole and never hands them to jieba.
"""

from __future__ import annotations

import re
import unicodedata

from model.cues import CUE_PATTERNS, find_cues

#: Bump whenever the output of :func:`normalize_text`, :func:`prepare_document` or the tokenizer's handling of a
#: document (:mod:`model.tokenize`) changes. Recorded in every
#: model artifact; a model is refused when the running code prepares text differently from its training.
NORMALIZATION_VERSION = "2"

PLACEHOLDER_RE = re.compile(r"⟦[^⟦⟧\s]{1,48}⟧")

#: Marks the start of a note's comment text in a document (see ``NoteDocuments(comment_text=True)``). Word tokens
#: after it are prefixed ``c:`` by the tokenizer; :func:`body_only` cuts it off for character n-grams.
COMMENTS_MARKER = "⟦comments⟧"


def body_only(doc: str) -> str:
    """The part of a prepared document before its comment section (a vectorizer preprocessor)."""
    cut = doc.find(COMMENTS_MARKER)
    return doc if cut < 0 else doc[:cut]


def prepare_comment_text(texts: list[str], *, max_comments: int = 50, max_chars: int = 300) -> str:
    """Normalised text of a note's comments for the comment section of a document (digits as ``0``); at most
    ``max_comments`` comments of at most ``max_chars`` characters each."""
    parts = [_DIGITS_RE.sub("0", normalize_text(t)[:max_chars]) for t in texts[:max_comments]]
    return " ".join(p for p in parts if p)


_ZERO_WIDTH_RE = re.compile("[\u200b-\u200f\u2028-\u202f\u2060-\u206f\ufeff]")
_WS_RE = re.compile(r"\s+")
#: Category Cc (U+0000-001F, U+007F-009F) except tab and newline; a regex is ~8x faster than a per-character loop.
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Hashtags: "#话题[话题]#" on Xiaohongshu, "#话题#" on Weibo. After NFKC the brackets are ASCII.
_HASHTAG_RE = re.compile(r"#([^#\[\]\n]{1,40}?)(?:\[话题\])?#")
# Emoji codes such as [笑哭R], [doge], [吐舌头H]; lower-cased by then.
_EMOJI_CODE_RE = re.compile(r"\[(?!话题\])([^\[\]\s]{1,8}?)(?:r|h)?\]")
_MENTION_RE = re.compile(r"@[\w\-·.]{1,30}")
_DIGITS_RE = re.compile(r"\d+(?:\.\d+)?")
_PLACEHOLDER_CHARS_RE = re.compile("[⟦⟧]")


def normalize_text(text: str) -> str:
    """Unicode NFKC (full-width to half-width), lower-case Latin letters, drop control and zero-width
    characters, collapse whitespace. Pure: the same input always gives the same output."""
    if not isinstance(text, str):
        raise TypeError(f"normalize_text expects a str, got {type(text).__name__}")
    text = unicodedata.normalize("NFKC", text)
    text = _ZERO_WIDTH_RE.sub("", text)
    text = _CONTROL_RE.sub(" ", text)
    # Lone surrogates (possible from JSON input) cannot be encoded; replace them.
    text = text.encode("utf-8", "replace").decode("utf-8") if _has_surrogates(text) else text
    text = _PLACEHOLDER_CHARS_RE.sub(" ", text)  # user text can never forge a placeholder token
    return _WS_RE.sub(" ", text.lower()).strip()


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def extract_hashtags(text: str) -> list[str]:
    """Hashtags of a *normalised* text, in order, without the ``#`` and ``[话题]`` markup."""
    return [m.group(1).strip() for m in _HASHTAG_RE.finditer(text) if m.group(1).strip()]


def extract_emoji_codes(text: str) -> list[str]:
    """Emoji codes of a *normalised* text such as ``[笑哭R]`` → ``笑哭``."""
    return [m.group(1) for m in _EMOJI_CODE_RE.finditer(text)]


def _bucket(n: int, edges: tuple[int, ...]) -> str:
    for edge in edges:
        if n <= edge:
            return str(edge)
    return f"{edges[-1]}+"


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

    text = _HASHTAG_RE.sub(tag, text)
    text = _EMOJI_CODE_RE.sub(lambda m: f" ⟦emo:{m.group(1)}⟧ ", text)
    text = _MENTION_RE.sub(" ⟦mention⟧ ", text)
    return text, tags


def prepare_document(title: str | None, text: str | None) -> str:
    """Build the model's document for a note: normalised title and body with markup and cues as placeholders.

    Title and body both count; title tokens are not marked separately, but a ``⟦has:title⟧`` token is added so
    the model knows a title was present.
    """
    parts: list[str] = []
    all_tags: list[str] = []
    n_cues = 0
    for field, value in (("title", title), ("text", text)):
        if not value:
            continue
        norm = normalize_text(value)
        if not norm:
            continue
        norm, cue_tokens = _replace_cues(norm)
        n_cues += len(cue_tokens)
        norm, tags = _markup_to_tokens(norm)
        all_tags.extend(tags)
        norm = _DIGITS_RE.sub("0", norm)
        if field == "title":
            parts.append("⟦has:title⟧")
        parts.append(norm)
        parts.extend(cue_tokens)
    parts.append(f"⟦n_tags:{_bucket(len(all_tags), (0, 2, 5))}⟧")
    if _repeated_tag_stem(all_tags):
        parts.append("⟦cue:repeated_brand_tag⟧")
    return _WS_RE.sub(" ", " ".join(parts)).strip()


def _replace_cues(text: str) -> tuple[str, list[str]]:
    """Find cues; contact details (URLs, phones, ids) are *replaced* by their placeholder because the literal
    value is noise; other cues stay in the text (their words are useful) and get a placeholder appended."""
    cues = find_cues(text)
    tokens = [f"⟦cue:{c.name}⟧" for c in cues]
    # Replace right to left so offsets stay valid; only replace the contact-detail kinds.
    out = text
    for cue in sorted(cues, key=lambda c: c.start, reverse=True):
        if CUE_PATTERNS[cue.name].replace:
            out = out[: cue.start] + f" ⟦cue:{cue.name}⟧ " + out[cue.end :]
            tokens.remove(f"⟦cue:{cue.name}⟧")
    return out, tokens


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
