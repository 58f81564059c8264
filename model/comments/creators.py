"""Per-creator aggregation of per-note rows (decision and comment report): notes, ad share, keyword ratio and
positive share per author."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from model.comments.scorer import share
from model.comments.sentiment import LABELS
from model.errors import InvalidParameterError
from model.notes import type_name


def _report_of(row: Mapping[str, Any]) -> Mapping[str, Any] | None:
    for key in ("comment_report", "comments"):
        value = row.get(key)
        if isinstance(value, Mapping) and "n_comments" in value:
            return value
    return row if "n_comments" in row else None


def aggregate_creators(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Aggregate per-note rows per creator.

    Each row is a mapping with ``author`` (``None`` groups notes without one), an optional ``decision``
    (``ad``/``review``/``genuine``, or ``None`` when the note was not or could not be scored) and a comment
    report (``CommentReport.to_dict()``), either merged into the row or under ``comment_report`` or
    ``comments``. Rows without a report still count as notes. Returns one dict per creator, most notes first:
    ``notes``, ``notes_with_comments``, ``ad_share`` (ads among notes with a decision; ``None`` when none has one),
    ``keyword_ratio`` (per set, mean over notes with comments; ``None`` when none has comments),
    ``positive_share`` (pooled over all comments: positive / (positive + negative)), ``label_counts`` and
    ``comments`` (total number of comments).
    """
    groups: dict[Any, dict[str, Any]] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise InvalidParameterError(f"'rows[{i}]' must be a mapping. Got {type_name(row)} {row!r:.60}.")
        author = row.get("author")
        author = None if author is None else str(author)
        g = groups.setdefault(
            author,
            {"notes": 0, "decided": 0, "ads": 0, "with_comments": 0, "ratios": {}, "labels": dict.fromkeys(LABELS, 0),
             "comments": 0},
        )  # fmt: skip
        g["notes"] += 1
        decision = row.get("decision")
        if decision is not None:
            g["decided"] += 1
            g["ads"] += decision == "ad"
        report = _report_of(row)
        if report is None:
            continue
        n = int(report.get("n_comments") or 0)
        g["comments"] += n
        for label, count in (report.get("label_counts") or {}).items():
            if label in g["labels"]:
                g["labels"][label] += int(count)
        if n:
            g["with_comments"] += 1
            for set_name, ratio in (report.get("keyword_ratio") or {}).items():
                g["ratios"].setdefault(set_name, []).append(float(ratio))
    out = []
    for author, g in groups.items():
        labels = g["labels"]
        all_sets = sorted({s for s in g["ratios"]})
        out.append(
            {
                "author": author,
                "notes": g["notes"],
                "notes_with_comments": g["with_comments"],
                "ad_share": share(g["ads"], g["decided"]),
                "keyword_ratio": {s: (round(sum(v) / len(v), 6) if (v := g["ratios"][s]) else None) for s in all_sets},
                "positive_share": share(labels["positive"], labels["positive"] + labels["negative"]),
                "label_counts": dict(labels),
                "comments": g["comments"],
            }
        )
    out.sort(key=lambda d: (-d["notes"], d["author"] is None, d["author"] or ""))
    return out
