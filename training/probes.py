"""Feature probes: extra columns the ablation can append to a config's TF-IDF matrix to measure whether a new kind
of feature is worth building into the model (document builder and numpy engine). A probe is never shipped: a
model trained with one could not be served.

- ``title_char``: character 1-3-grams of the title alone, so a title word weighs apart from the same word in the
  body (the shipped document mixes title and body).
- ``structure``: a note's shape, as one-hot tokens: how many distinct brand or product names it names, the share
  of its hashtags naming one, which of brand / price / call to action occur together, first-person density
  against second-person address (你, 姐妹们, 宝子们, ...), an explicit "无广" (no ad), video chapter markers.
- ``tone``: whether the note also says what is wrong, as the labelling guide's honest notes do: how many of its
  sentences the shipped sentiment model reads as negative (and their share), drawback words (缺点, 踩雷, 后悔, ...)
  against sales hype (闭眼入, 谁用谁知道, 手慢无, ...), bucketed.
- ``tail_char``: character 1-3-grams of the last ``TAIL_CHARS`` characters of the text without its hashtags,
  where a covert ad puts its call ("想要同款的私信我", "趁活动入手") and an honest note its verdict ("仅供参考").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from model.cues import cue_spans
from model.notes import Note
from model.text import normalize_text

_TAG_RE = re.compile(r"#([^#\[\]\n]{1,40}?)(?:\[话题\])?#")
_ADDRESS_RE = re.compile(r"你们|你|姐妹们|姐妹|宝子们|宝子|集美们|集美|家人们|宝宝们|大家|友友们|朋友们")
_NAME_KINDS = {"brand_mention", "brand_mention_latin", "product_model", "brand_campaign_tag", "brand_account"}


def _bucket(x: float, edges: tuple[float, ...]) -> str:
    for i, e in enumerate(edges):
        if x <= e:
            return str(i)
    return str(len(edges))


def structure_tokens(note: Note) -> list[str]:
    title = normalize_text(note.title or "")
    text = normalize_text(note.text or "")
    whole = f"{title}\n{text}"
    spans = cue_spans(title) + cue_spans(text)
    kinds = {name for _, name, _, _ in spans}
    names = {m.lower() for _, name, _, m in spans if name in _NAME_KINDS - {"brand_campaign_tag", "brand_account"}}
    tags = [m.group(1).lower() for m in _TAG_RE.finditer(whole)]
    tagged = sum(1 for t in tags if any(n in t for n in names)) / len(tags) if tags else 0.0
    brand = bool(kinds & _NAME_KINDS)
    combo = "".join(c for c, on in (("B", brand), ("P", "price" in kinds), ("C", "call_to_action" in kinds)) if on)
    n_chars = max(len(whole), 1)
    first = whole.count("我") * 100 / n_chars
    second = len(_ADDRESS_RE.findall(whole)) * 100 / n_chars
    toks = [
        f"s:brands:{_bucket(len(names), (0, 1, 2))}",
        f"s:tagbrand:{_bucket(tagged, (0, 0.2, 0.5))}",
        f"s:combo:{combo or '-'}",
        f"s:first:{_bucket(first, (0, 1, 3))}",
        f"s:second:{_bucket(second, (0, 0.5, 1.5))}",
        "s:person:" + ("none" if first == second == 0 else "first" if first >= second else "second"),
    ]
    if "无广" in whole:
        toks.append("s:no_ad")
    if "[时刻]" in (note.text or ""):
        toks.append("s:chapters")
    return toks


def _title_char(notes: list[Note]) -> tuple[Any, list[str]]:
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, max_features=20_000, sublinear_tf=True)
    X = vec.fit_transform([normalize_text(n.title or "") for n in notes])
    return X, [f"title:{t}" for t in vec.get_feature_names_out()]


#: How much of a note's end the ``tail_char`` probe reads.
TAIL_CHARS = 40


def _tail_char(notes: list[Note]) -> tuple[Any, list[str]]:
    tails = [_TAG_RE.sub(" ", normalize_text(n.text or "")).strip()[-TAIL_CHARS:] for n in notes]
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=2, max_features=20_000, sublinear_tf=True)
    X = vec.fit_transform(tails)
    return X, [f"tail:{t}" for t in vec.get_feature_names_out()]


def _structure(notes: list[Note]) -> tuple[Any, list[str]]:
    vec = TfidfVectorizer(analyzer=lambda toks: toks, lowercase=False, use_idf=False, sublinear_tf=True)
    X = vec.fit_transform([structure_tokens(n) for n in notes])
    return X, list(vec.get_feature_names_out())


_SENTENCE_RE = re.compile(r"[。！？!?\n~～；;]+")
_DRAWBACK_RE = re.compile(
    r"缺点|不足|踩雷|避雷|拔草|不推荐|后悔|失望|一般般|槽点|翻车|不值|鸡肋|智商税|劝退|难用|不好用|退货|差评|吐槽|不喜欢"
)
_HYPE_RE = re.compile(
    r"闭眼入|谁用谁知道|绝绝子|yyds|天花板|必入|必买|冲鸭|冲冲冲|手慢无|限时|无限回购|回购无数|强推|按头|"
    r"安利|宝藏|神器|绝了|爱了|一定要|赶紧|不允许|直接封神"
)


def _tone(notes: list[Note], keep: str | tuple[str, ...] = "t:") -> tuple[Any, list[str]]:
    from model.comments import load_sentiment_model

    sentiment = load_sentiment_model()
    per_note: list[list[str]] = []
    sentences: list[str] = []
    for n in notes:
        whole = normalize_text(f"{n.title or ''}\n{n.text or ''}")
        per_note.append([s for s in (x.strip() for x in _SENTENCE_RE.split(whole)) if len(s) >= 4][:60])
        sentences += per_note[-1]
    labels = sentiment.predict(sentences) if sentences else []
    docs, k = [], 0
    for n, sents in zip(notes, per_note, strict=True):
        neg = sum(1 for lab in labels[k : k + len(sents)] if lab == "negative")
        k += len(sents)
        whole = normalize_text(f"{n.title or ''}\n{n.text or ''}")
        draw, hype = len(_DRAWBACK_RE.findall(whole)), len(_HYPE_RE.findall(whole))
        docs.append([
            f"t:neg:{_bucket(neg, (0, 1, 2))}",
            f"t:negshare:{_bucket(neg / max(len(sents), 1), (0, 0.1, 0.25))}",
            f"t:drawback:{_bucket(draw, (0, 1))}",
            f"t:hype:{_bucket(hype, (0, 1, 3))}",
            "t:mix:" + ("both" if draw and hype else "draw" if draw else "hype" if hype else "none"),
        ])  # fmt: skip
    docs = [[t for t in d if t.startswith(keep)] or ["t:-"] for d in docs]
    vec = TfidfVectorizer(analyzer=lambda toks: toks, lowercase=False, use_idf=False, sublinear_tf=True)
    X = vec.fit_transform(docs)
    return X, list(vec.get_feature_names_out())


PROBES: dict[str, Callable[[list[Note]], tuple[Any, list[str]]]] = {
    "tone": _tone,
    "tone_sentences": lambda notes: _tone(notes, "t:neg"),
    "tone_words": lambda notes: _tone(notes, ("t:drawback", "t:hype", "t:mix")),
    "title_char": _title_char,
    "tail_char": _tail_char,
    "structure": _structure,
}


def probe_columns(name: str, notes: list[Note]) -> tuple[Any, np.ndarray]:
    """The probe's matrix (one row per note, fitted without labels) and its column names."""
    X, names = PROBES[name](notes)
    return X.tocsr(), np.asarray(names, dtype=object)
