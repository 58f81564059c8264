"""The operating threshold, for notebook 01's "Operating threshold" section: recall, precision and false-positive
rates at the thresholds reaching target false-positive rates, as a table and as a chart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from model.errors import InvalidParameterError
from serve.charts import cjk_font
from training.fit import threshold_at_fpr

DEFAULT_TARGET_FPRS: tuple[float, ...] = (0.005, 0.01, 0.02, 0.05, 0.10, 0.20)


def _arrays(y: Sequence[int], p: Sequence[float], sources: Sequence[str]) -> tuple[np.ndarray, ...]:
    """The labels (0/1), probabilities (in [0, 1]) and sources, checked: a NaN probability or a label 2 would
    otherwise count as neither flagged nor an ad and give a table of plausible, wrong rates."""
    y_arr = np.asarray(y)
    p_arr = np.asarray(p, dtype=np.float64)
    s_arr = np.asarray(sources, dtype=object)
    if not len(y_arr) == len(p_arr) == len(s_arr):
        raise InvalidParameterError(
            f"'y', 'p' and 'sources' must have the same length. Got {len(y_arr)}, {len(p_arr)} and {len(s_arr)}."
        )
    bad = np.flatnonzero(~np.isin(y_arr, (0, 1)) | np.array([isinstance(v, (bool, np.bool_)) for v in y_arr.ravel()]))
    if len(bad):
        raise InvalidParameterError(
            f"'y' must hold labels 1 (ad) and 0 (genuine). Got {y_arr.tolist()[bad[0]]!r} at index {bad[0]}."
        )
    bad = np.flatnonzero(~((p_arr >= 0) & (p_arr <= 1)))  # NaN fails both
    if len(bad):
        raise InvalidParameterError(
            f"'p' must hold probabilities in [0, 1]. Got {p_arr.tolist()[bad[0]]!r} at index {bad[0]}."
        )
    return y_arr.astype(int), p_arr, s_arr


def _rates(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, Any]:
    flagged = p >= threshold
    tp = int(np.sum(flagged & (y == 1)))
    fp = int(np.sum(flagged & (y == 0)))
    n_ad, n_gen = int(np.sum(y == 1)), int(np.sum(y == 0))
    return {
        "recall": tp / n_ad if n_ad else None,
        "false_positive_rate": fp / n_gen if n_gen else None,
        "precision": tp / (tp + fp) if tp + fp else None,
        "flagged": tp + fp,
    }


def threshold_tradeoff(
    y: Sequence[int],
    p: Sequence[float],
    sources: Sequence[str],
    *,
    target_source: str,
    target_fprs: Sequence[float] = DEFAULT_TARGET_FPRS,
    chosen_threshold: float | None = None,
) -> list[dict[str, Any]]:
    """For each target false-positive rate, the threshold reaching it on genuine notes of ``target_source``
    and what that threshold gives: recall, precision and FPR on the target source, FPR on all genuine notes.

    The thresholds are read off the data given (e.g. the test split), so the table shows the trade-off; the
    model's own threshold (``chosen_threshold``, chosen on validation data) is added as a row of its own."""
    y_arr, p_arr, s_arr = _arrays(y, p, sources)
    target = s_arr == target_source
    if not np.any(target & (y_arr == 0)):
        found = sorted({str(s) for s in s_arr[y_arr == 0]})
        raise InvalidParameterError(
            f"The 'target_source' must have genuine notes in the data. Got {target_source!r}; sources with "
            f"genuine notes: {found}."
        )
    for f in target_fprs:
        if isinstance(f, bool) or not isinstance(f, (int, float)) or not 0 < f < 1:
            raise InvalidParameterError(f"Each of 'target_fprs' must be a float in (0, 1). Got {f!r}.")
    rows: list[tuple[str, float | None, float]] = [
        (f"at {f:.1%} FPR", f, threshold_at_fpr(p_arr[target & (y_arr == 0)], f)) for f in sorted(target_fprs)
    ]
    if chosen_threshold is not None:
        rows.append(("model threshold", None, float(chosen_threshold)))
        rows.sort(key=lambda r: -r[2])
    out = []
    for name, fpr, thr in rows:
        on_target = _rates(y_arr[target], p_arr[target], thr)
        overall = _rates(y_arr, p_arr, thr)
        out.append(
            {
                "operating point": name,
                "target_fpr": fpr,
                "threshold": thr,
                f"recall ({target_source})": on_target["recall"],
                f"precision ({target_source})": on_target["precision"],
                f"FPR ({target_source})": on_target["false_positive_rate"],
                "FPR (all genuine)": overall["false_positive_rate"],
                "flagged": overall["flagged"],
            }
        )
    return out


def plot_threshold_tradeoff(
    y: Sequence[int],
    p: Sequence[float],
    sources: Sequence[str],
    *,
    target_source: str,
    chosen_threshold: float,
    target_fprs: Sequence[float] = DEFAULT_TARGET_FPRS,
) -> Any:
    """Recall on ads of ``target_source`` against the false-positive rate on its genuine notes (the ROC curve,
    log x axis; a zero rate is drawn at half of one note), with the target FPRs of :func:`threshold_tradeoff`
    marked and the model's threshold as a star. Returns a matplotlib Figure."""
    from matplotlib.figure import Figure
    from sklearn.metrics import roc_curve

    y_arr, p_arr, s_arr = _arrays(y, p, sources)
    rows = threshold_tradeoff(
        y_arr, p_arr, s_arr, target_source=target_source, target_fprs=target_fprs, chosen_threshold=chosen_threshold
    )
    target = s_arr == target_source
    if not np.any(target & (y_arr == 1)):
        raise InvalidParameterError(
            f"The 'target_source' must have ads in the data to draw recall. Got {target_source!r} with none."
        )
    fpr, tpr, _ = roc_curve(y_arr[target], p_arr[target])
    floor = 0.5 / int(np.sum(target & (y_arr == 0)))
    fig = Figure(figsize=(6.5, 4))
    ax = fig.add_subplot()
    # A Chinese source name needs a CJK font; without one it is left out of the text, never drawn as boxes
    font = cjk_font()
    name = f"{target_source} " if font or target_source.isascii() else "target-source "
    ax.step(np.maximum(fpr, floor), tpr, where="post", label=f"recall on {name}ads")
    points: dict[tuple[float, float], list[str]] = {}
    for r in rows:
        x = max(r[f"FPR ({target_source})"] or 0.0, floor)
        yv = r[f"recall ({target_source})"]
        if r["target_fpr"] is None:
            ax.plot([x], [yv], "r*", ms=14, label=f"model threshold {r['threshold']:.3f}")
        else:
            points.setdefault((x, yv), []).append(f"{r['target_fpr']:.1%}")
    for (x, yv), names in points.items():
        ax.plot([x], [yv], "ko", ms=5)
        ax.annotate(", ".join(names), (x, yv), textcoords="offset points", xytext=(4, -12), fontsize=8)
    ax.set_xscale("log")
    ax.set(
        xlabel=f"false-positive rate on genuine {name}notes (log)",
        ylabel="recall",
        ylim=(-0.02, 1.05),
        title="Threshold trade-off (dots: thresholds at target FPRs)",
    )
    legend = ax.legend(loc="lower right", fontsize=8)
    if font:
        for text in [*legend.get_texts(), ax.xaxis.label]:
            text.set_fontfamily(font)
    fig.tight_layout()
    return fig
