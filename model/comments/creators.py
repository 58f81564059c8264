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
    ``keyword_ratio`` (per set, the share of all the creator's comments hitting it, as ``positive_share`` and
    ``water_ratio`` pool them: a note of 1,000 comments weighs more than a note of one; ``None`` without comments),
    ``positive_share`` (pooled over all comments: positive / (positive + negative)), ``label_counts`` and
    ``comments`` (total number of comments), ``review_share``, ``mean_ad_probability`` (over rows that have
    one) and ``rows_with_errors`` (rows carrying an ``error``: they count as notes); with water detection,
    ``suspect_comments``, ``water_ratio`` (suspects / comments) and ``keyword_ratio_clean`` /
    ``positive_share_clean``, the same without suspects.
    """
    groups: dict[Any, dict[str, Any]] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise InvalidParameterError(f"'rows[{i}]' must be a mapping. Got {type_name(row)} {row!r:.60}.")
        author = row.get("author")
        author = None if author is None else str(author)
        g = groups.setdefault(
            author,
            {"notes": 0, "decided": 0, "ads": 0, "with_comments": 0, "hits": {}, "labels": dict.fromkeys(LABELS, 0),
             "comments": 0, "suspects": 0, "hits_clean": {}, "clean": 0, "labels_clean": dict.fromkeys(LABELS, 0),
             "reviews": 0, "errors": 0, "p_sum": 0.0, "p_n": 0},
        )  # fmt: skip
        g["notes"] += 1
        decision = row.get("decision")
        if decision is not None:
            g["decided"] += 1
            g["ads"] += decision == "ad"
            g["reviews"] += decision == "review"
        if row.get("error"):
            g["errors"] += 1
        p = row.get("ad_probability")
        if isinstance(p, (int, float)) and not isinstance(p, bool):
            g["p_sum"] += float(p)
            g["p_n"] += 1
        report = _report_of(row)
        if report is None:
            continue
        n = int(report.get("n_comments") or 0)
        g["comments"] += n
        for label, count in (report.get("label_counts") or {}).items():
            if label in g["labels"]:
                g["labels"][label] += int(count)
        water = float(report.get("water_ratio") or 0.0)
        reasons = report.get("suspect_reasons")
        suspects = sum(reasons.values()) if isinstance(reasons, Mapping) else round(water * n)
        g["suspects"] += suspects
        for label, count in (report.get("label_counts_clean") or report.get("label_counts") or {}).items():
            if label in g["labels_clean"]:
                g["labels_clean"][label] += int(count)
        if n:
            g["with_comments"] += 1
            matched = report.get("matched_comments") or {}
            for set_name, ratio in (report.get("keyword_ratio") or {}).items():
                hits = matched.get(set_name)
                # the count of comments hitting the set: a ratio of n comments times n is that count (6 decimals)
                count = len(hits) if isinstance(hits, list) else round(float(ratio or 0.0) * n)
                g["hits"][set_name] = g["hits"].get(set_name, 0) + count
            n_clean = n - suspects - int(report.get("n_creator_replies") or 0)  # the audience's comments
            g["clean"] += n_clean
            clean = report.get("keyword_ratio_clean") or report.get("keyword_ratio") or {}
            for set_name, ratio in clean.items():
                count = round(float(ratio) * n_clean) if ratio is not None and n_clean > 0 else 0
                g["hits_clean"][set_name] = g["hits_clean"].get(set_name, 0) + count
    out = []
    for author, g in groups.items():
        labels = g["labels"]
        all_sets = sorted(g["hits"])
        out.append(
            {
                "author": author,
                "notes": g["notes"],
                "notes_with_comments": g["with_comments"],
                "ad_share": share(g["ads"], g["decided"]),
                "review_share": share(g["reviews"], g["decided"]),
                "mean_ad_probability": share(g["p_sum"], g["p_n"]),
                "rows_with_errors": g["errors"],
                "keyword_ratio": {s: share(g["hits"][s], g["comments"]) for s in all_sets},
                "positive_share": share(labels["positive"], labels["positive"] + labels["negative"]),
                "label_counts": dict(labels),
                "comments": g["comments"],
                "suspect_comments": g["suspects"],
                "water_ratio": share(g["suspects"], g["comments"]),
                "keyword_ratio_clean": {s: share(g["hits_clean"].get(s, 0), g["clean"]) for s in all_sets},
                "positive_share_clean": share(
                    g["labels_clean"]["positive"], g["labels_clean"]["positive"] + g["labels_clean"]["negative"]
                ),
            }
        )
    out.sort(key=lambda d: (-d["notes"], d["author"] is None, d["author"] or ""))
    return out


#: Columns of the one creator table (CSV, Markdown, notebooks, ``notecheck comments``), in order; keyword-set
#: columns follow per set: ``<set> ratio`` and ``<set> ratio clean``.
CREATOR_COLUMNS = (
    "creator", "notes", "rows with errors", "ad share", "review share", "mean ad probability", "notes with comments",
    "comments", "positive comments", "neutral comments", "negative comments", "water ratio", "positive share",
    "positive share clean",
)  # fmt: skip


def creator_table(creators: Iterable[Mapping[str, Any]], sets: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Flat rows of :func:`aggregate_creators` output with the columns of :data:`CREATOR_COLUMNS` then, per
    keyword set (all sets seen, or ``sets`` when given: a set no note hit still gets its columns), ``<set> ratio``
    and ``<set> ratio clean``. Every row has every column (None where there is no value), so the CSV, the Markdown
    table and the chart all read the same keys: no value can land under another column's header. The sets are
    always sorted by name, whoever calls: `comments` passes them in keyword-file order, and its table must show
    the columns of `creators` and `score --report` in the same order."""
    creators = list(creators)
    seen = {s for c in creators for s in (c.get("keyword_ratio") or {})}
    names = sorted(seen if sets is None else set(sets))
    rows = []
    for c in creators:
        row = {
            "creator": c.get("author"),
            "notes": c.get("notes"),
            "rows with errors": c.get("rows_with_errors"),
            "ad share": c.get("ad_share"),
            "review share": c.get("review_share"),
            "mean ad probability": c.get("mean_ad_probability"),
            "notes with comments": c.get("notes_with_comments"),
            "comments": c.get("comments"),
            "positive comments": (c.get("label_counts") or {}).get("positive"),
            "neutral comments": (c.get("label_counts") or {}).get("neutral"),
            "negative comments": (c.get("label_counts") or {}).get("negative"),
            "water ratio": c.get("water_ratio"),
            "positive share": c.get("positive_share"),
            "positive share clean": c.get("positive_share_clean"),
        }
        for s in names:
            row[f"{s} ratio"] = (c.get("keyword_ratio") or {}).get(s)
            row[f"{s} ratio clean"] = (c.get("keyword_ratio_clean") or {}).get(s)
        rows.append(row)
    return rows
