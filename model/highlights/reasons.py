"""Phrases grouped into readable reasons, and the one sentence of advice for a flagged writer."""

from __future__ import annotations

from model.highlights.categories import CATEGORIES, Highlight, ReadableReason

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
    if not drivers and decision == "review":
        # No phrase points to an ad (a bare number, a word or two): a person reads the note; the model makes no
        # ad verdict it cannot show the writer a reason for (AdModel.decide).
        return {
            "zh": "这条笔记需要人工复核：没有哪个词句指向广告（笔记很短时常见），所以由人工阅读，而不是直接判为广告。"
            "如果这是你的真实个人分享，可以提出申诉。",
            "en": "This note needs a human review: no phrase of it points to an ad (common when a note is very short), "
            "so a person reads it rather than the model calling it an ad. If it is your honest personal sharing, you "
            "can appeal.",
        }
    if not drivers:
        # Nothing is highlighted towards ad (a very short note, or many faint words): there are no phrases to
        # reword, so the writer is told so and pointed to the appeal alone.
        return {
            "zh": f"这条笔记{_DECISION_ZH[decision]}，但没有哪个词句单独起决定作用，是整体写法所致。"
            "如果这是你的真实个人分享，可以提出申诉由人工复核。",
            "en": f"This note {_DECISION_EN[decision]}, but no single phrase drove the decision: its overall wording "
            "did. If it is your honest personal sharing, you can appeal for a human review.",
        }
    zh_parts = [f"{r.label_zh}（{r.quoted(2)}）" for r in drivers]
    en_parts = [f"{r.label_en} ({r.quoted(2, ', ')})" for r in drivers]
    return {
        "zh": f"这条笔记{_DECISION_ZH[decision]}，主要因为{'和'.join(zh_parts)}。"
        "如果这是你的真实个人分享，可以修改这些用词，或提出申诉由人工复核。",
        "en": f"This note {_DECISION_EN[decision]}, mainly because of {' and '.join(en_parts)}. If it is your honest "
        "personal sharing, you can reword these phrases or appeal for a human review.",
    }
