"""Evaluation report: PNG plots and Markdown, and the Markdown model card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from model.evaluation import format_value, metrics_table


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


#: Every plot :func:`plot_all` can write, in reading order.
PLOT_FILES = ("roc.png", "precision_recall.png", "reliability.png", "confusion_matrix.png", "fpr_by_source.png")


def remove_stale_plots(out: Path, written: list[str]) -> None:
    """Delete the plots of an earlier run in ``out`` that this run did not write (the curves need both classes in
    the test split): left in place they would be shown, by the notebook among others, as this model's."""
    for name in PLOT_FILES:
        if name not in written:
            (out / name).unlink(missing_ok=True)


def plot_all(
    y: np.ndarray,
    p: np.ndarray,
    sources: np.ndarray,
    threshold: float,
    out: Path,
    title: str,
    *,
    legend: list[tuple[str, str]] | None = None,
    target: str | None = None,
) -> list[str]:
    """ROC, precision-recall, reliability curve, confusion matrix and false-positive rate per source. Source
    names are drawn with a CJK font when one is installed; without one a non-ASCII name is drawn as an id (S1,
    S2, ...), never as empty boxes, and ``legend`` (when given) receives the ``(id, name)`` pairs for the report.
    With ``target``, the first four are of that source's rows alone (the task; pooled with corpora that are easy
    by their style, the curves sat at precision 1.0 up to recall 0.8 for a model whose target AUC was 0.82)."""
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import precision_recall_curve, roc_curve

    plt = _plt()
    out.mkdir(parents=True, exist_ok=True)
    files: list[str] = []
    all_y, all_p = np.asarray(y), np.asarray(p)
    if target is not None and np.any(np.asarray(sources) == target):
        mine = np.asarray(sources) == target
        y, p, title = all_y[mine], all_p[mine], f"{title}, {target}"
    else:
        y, p = all_y, all_p

    def save(fig: Any, name: str) -> None:
        fig.tight_layout()
        fig.savefig(out / name, dpi=110)
        plt.close(fig)
        files.append(name)

    both = len(set(y.tolist())) == 2

    if both:
        fig, ax = plt.subplots(figsize=(5, 4))
        fpr, tpr, _ = roc_curve(y, p)
        ax.plot(fpr, tpr)
        ax.plot([0, 1], [0, 1], ls=":", c="grey")
        ax.set(xlabel="false-positive rate", ylabel="true-positive rate (recall)", title=f"ROC — {title}")
        save(fig, "roc.png")

        fig, ax = plt.subplots(figsize=(5, 4))
        prec, rec, _ = precision_recall_curve(y, p)
        ax.plot(rec, prec)
        ax.set(xlabel="recall", ylabel="precision", title=f"Precision-recall — {title}")
        save(fig, "precision_recall.png")

        fig, ax = plt.subplots(figsize=(5, 4))
        frac, mean = calibration_curve(y, p, n_bins=10, strategy="quantile")
        ax.plot(mean, frac, marker="o")
        ax.plot([0, 1], [0, 1], ls=":", c="grey")
        ax.set(xlabel="mean predicted ad probability", ylabel="observed ad share", title=f"Reliability — {title}")
        save(fig, "reliability.png")

    pred = p >= threshold
    cm = np.array(
        [
            [np.sum(~pred & (y == 0)), np.sum(pred & (y == 0))],
            [np.sum(~pred & (y == 1)), np.sum(pred & (y == 1))],
        ]
    )
    fig, ax = plt.subplots(figsize=(4, 3.6))
    ax.imshow(cm, cmap="Blues")
    for (i, j), v in np.ndenumerate(cm):
        ax.text(j, i, str(v), ha="center", va="center", color="black")
    ax.set(xticks=[0, 1], yticks=[0, 1], xticklabels=["genuine", "ad"], yticklabels=["genuine", "ad"])
    ax.set(xlabel="predicted", ylabel="true", title=f"Confusion at threshold {threshold:.3f}")
    save(fig, "confusion_matrix.png")

    from serve.charts import chart_names

    shown, counts, rates = [], [], []
    for s in sorted(set(np.asarray(sources).tolist())):
        mask = (np.asarray(sources) == s) & (all_y == 0)
        if mask.any():
            shown.append(str(s))
            counts.append(int(mask.sum()))
            rates.append(float(np.mean(all_p[mask] >= threshold)))
    if shown:
        names = chart_names(shown, prefix="S")
        labels, font, ids = names.labels, names.font, names.legend
        fig, ax = plt.subplots(figsize=(6, 0.4 * len(shown) + 1.2))
        ax.barh([f"{lab} (n={n})" for lab, n in zip(labels, counts, strict=True)], rates)
        title = "False positives per source" + (" (S1, S2, ...: named in report.md)" if ids else "")
        ax.set(xlabel="false-positive rate on genuine texts", title=title)
        if font:
            for tick in ax.get_yticklabels():
                tick.set_fontfamily(font)
        if legend is not None:
            legend.extend(ids)
        save(fig, "fpr_by_source.png")
    return files


def ablation_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| variant | ROC AUC | avg precision | recall @ target FPR | F1 @ target FPR |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        cells = [r["variant"]] + [format_value(r[k]) for k in ("roc_auc", "average_precision", "recall", "f1")]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def threshold_lines(card: dict[str, Any]) -> list[str]:
    """The operating-threshold rule and the FPR it is expected to hold on new notes (Markdown lines)."""
    rule, exp = card.get("threshold_rule"), card.get("expected_fpr")
    if not rule or not exp:
        return []
    how = (
        "the lowest out-of-fold genuine-note score at which at most the target FPR of genuine notes are flagged "
        "(a point estimate)"
        if rule["rule"] == "point"
        else f"the {rule['quantile']:.0%} quantile of the weighted-FPR threshold over {rule['bootstrap_resamples']} "
        "bootstrap resamples of the out-of-fold genuine notes (an upper confidence bound on the FPR), the "
        f"double-annotated (`annotators: 2`) genuine notes weighted to {rule['hard_pool_share']:.0%} because the "
        "held-out test is drawn from their pool"
        + (
            f", on the out-of-fold scores of {rule['out_of_fold_repeats']} splits into folds (seeds apart) pooled, "
            "so that one split's luck does not move it"
            if rule.get("out_of_fold_repeats", 1) > 1
            else ""
        )
    )

    def cell(d: dict[str, float | None]) -> str:
        if d["fpr"] is None:
            return "– (no such notes)"
        return f"{d['fpr']:.2%} [{d['low']:.2%}, {d['high']:.2%}]"

    return [
        f"Threshold rule: {how}.",
        "",
        "Expected FPR on new genuine notes at this threshold (out-of-fold, 95% bootstrap interval): "
        f"weighted {cell(exp['weighted'])}; `annotators: 2` notes {cell(exp['annotators_2'])} "
        f"(n={exp['genuine_notes']['annotators_2']}); other notes {cell(exp['annotators_1'])} "
        f"(n={exp['genuine_notes']['other']}).",
        "",
    ]


def protocol_lines(card: dict[str, Any]) -> list[str]:
    """Cross-validation figures and the protocol ablation named by the training config (Markdown lines)."""
    lines: list[str] = []
    cv = card.get("cross_validation")
    if card.get("cross_validation_omitted"):
        lines += ["## Cross-validation", "", f"None stated: {card['cross_validation_omitted']}.", ""]
    if cv:
        from training.cv import summary_table

        lines += [
            f"## Cross-validation ({cv['cv']['repeats']} x {cv['cv']['folds']} folds on `{cv['target_source']}`)",
            "",
            f"From `{cv['file']}` (`{cv['command']}`). Mean over repeats [95% bootstrap interval].",
            "",
            summary_table(cv["summary"], cv["target_fpr"]),
            "",
        ]
    abl = card.get("protocol_ablation")
    if abl:
        from training.ablation import fpr_label

        at = fpr_label(abl.get("target_fpr"))
        lines += [
            f"## Ablation under the protocol ({abl['cv']}, paired against `{abl['reference']}`)",
            "",
            f"From `{abl['file']}` (`{abl['command']}`). Δ = variant − reference, mean [95% paired bootstrap].",
            "",
            f"| change | ΔAP (all) | ΔF1 @ {at} (all) | ΔAP (annotators: 2) | ΔF1 @ {at} (annotators: 2) | kept |",
            "|---|---|---|---|---|---|",
        ]
        for r in abl["rows"]:
            d = r["delta"]
            cells = [
                f"{d[p][k]['mean']:+.3f} [{d[p][k]['low']:+.3f}, {d[p][k]['high']:+.3f}]"
                for p in ("overall", "annotators_2")
                for k in ("average_precision", "f1_at_fpr")
            ]
            lines.append(f"| {r['variant']} | " + " | ".join(cells) + f" | {r.get('kept', '')} |")
        lines.append("")
    return lines


def write_report(
    out: Path,
    metrics: dict[str, Any],
    plots: list[str],
    command: str,
    *,
    card: dict[str, Any] | None = None,
    findings: Path | None = None,
    chart_legend: list[tuple[str, str]] | None = None,
) -> None:
    val = metrics["validation"]
    test = metrics["test"]
    card = card or {}
    lines = [
        "# notecheck ad model — evaluation report",
        "",
        f"Produced by: `{command}`",
        "",
        *threshold_lines(card),
        *protocol_lines(card),
        *_credit_lines(card),
        *([findings.read_text(encoding="utf-8"), ""] if findings else []),
        # the card's thresholds at full precision: the metrics' are rounded to 6 places, and rounding those again
        # to 4 gave 0.0080 here where the card said 0.0081 (0.0080503)
        f"Threshold {card.get('threshold', test['threshold']):.4f} (chosen on out-of-fold validation predictions at a "
        f"{metrics['target_fpr']:.1%} false-positive rate on genuine `{metrics['target_source']}` notes); "
        f"review band from {card.get('review_threshold', test['review_threshold']):.4f}.",
        "",
        "## Test split (never used for fitting, calibration or threshold)",
        "",
        metrics_table(test["per_source"], test, target=metrics["target_source"]),
        "",
        *(["Source groups (test split):", "", metrics_table(test["per_group"]), ""] if test.get("per_group") else []),
        "## Validation (out-of-fold predictions on the training split)",
        "",
        metrics_table(val["per_source"], val, target=metrics["target_source"]),
        "",
    ]
    if metrics.get("ablation"):
        lines += [
            f"## Feature-group ablation on `{metrics['target_source']}` validation (out-of-fold)",
            "",
            "Each row is a plain logistic regression (the config's C and class weights) fitted on the model's "
            "features with one group left out, thresholded at the target FPR on the same out-of-fold scores: the "
            "rows compare with each other, not with the configured model's figures above (NB weighting, stacking or "
            "the target-source copy are not refitted per row). The protocol's ablation is `python -m "
            "training.ablation`.",
            "",
            ablation_table(metrics["ablation"]),
            "",
        ]
    if metrics.get("feedback"):
        from training.feedback import feedback_section

        lines += feedback_section(metrics["feedback"])
    if metrics.get("eval_only"):
        lines += ["## Evaluation-only datasets", "", metrics_table(metrics["eval_only"]["per_source"]), ""]
    lines += [
        "## Plots (test split)",
        "",
        f"ROC, precision-recall, reliability and the confusion matrix are of the `{metrics['target_source']}` notes "
        "of the test split; the false positives per source, of every source's genuine texts.",
        "",
    ] + [f"![{p}]({p})" for p in plots]
    if chart_legend:  # the chart names these sources by id: no CJK font was installed where it was drawn
        lines += [
            "",
            "No CJK font was installed when the plots were drawn, so fpr_by_source.png names non-ASCII sources by "
            "id: " + ", ".join(f"{i} = {name}" for i, name in chart_legend) + " (install one, Debian: apt-get "
            "install fonts-noto-cjk, and retrain to see the names).",
        ]
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _credit_lines(card: dict[str, Any]) -> list[str]:
    """The "Data credits" section: each dataset's ``credit`` (a licence such as CC BY requires attribution wherever
    numbers derived from the data are published), when any dataset has one."""
    credits = [(d["name"], d["credit"]) for d in card.get("data", []) if d.get("credit")]
    if not credits:
        return []
    return ["## Data credits", "", *(f"- `{name}`: {credit}" for name, credit in credits), ""]


def write_model_card_md(out: Path, card: dict[str, Any]) -> None:
    m = card.get("metrics", {})
    test = m.get("test", {})
    lines = [
        f"# Model card — {card.get('model_version')}",
        "",
        "Task: tell commercial promotion (soft-text ads, merchant self-promotion, sponsored or funnel posts) from "
        "genuine sharing in Chinese social-media notes.",
        "",
        "## Intended use",
        "",
        f"Screening `{card.get('target_source')}`-style notes before publication and auditing archives, with a "
        "person deciding what the model flags: `ad` says which words of the note drove it, `review` sends a note to "
        "a person, and every verdict can be appealed. Not for deciding alone against a writer, nor for texts unlike "
        "the training data (other languages, long articles, images).",
        "",
        "## Limitations",
        "",
        "- Trained on few ads of the target source; most ad examples come from other corpora (WeChat ad copy, "
        "promotional SMS), so words typical of those corpora can push an honest note towards ad (a parent's trip to "
        "Hangzhou, 带孩子去杭州西湖玩, reads as one): the reasons show which words did.",
        "- Disguised ads written as diaries are often sent to review rather than called ads; honest notes that "
        "compare brands or name products and prices are the genuine notes most often flagged.",
        "- The figures below are estimates on labelled data"
        + ("; the cross-validation section gives their intervals." if card.get("cross_validation") else "."),
        "",
        *_credit_lines(card),
        "## Decision rule",
        f"- `ad` when the calibrated ad probability is ≥ **{card['threshold']:.4f}** "
        f"(target false-positive rate {card.get('target_fpr', 0):.1%} on genuine `{card.get('target_source')}` "
        "notes, chosen on validation predictions)",
        f"- `review` when it is ≥ {card['review_threshold']:.4f}; otherwise `genuine`",
        f"- calibration: sigmoid, a = {card['calibration']['a']:.4f}, b = {card['calibration']['b']:.4f}",
        "",
        *threshold_lines(card),
        *protocol_lines(card),
        "## Tokenizer",
        "",
        "\n".join(f"- {k}: `{v}`" for k, v in card.get("tokenizer", {}).items()),
        f"- normalization version: `{card.get('normalization_version')}`",
        "",
        "## Parameters",
        "",
        "\n".join(f"- {k}: `{v}`" for k, v in card.get("params", {}).items()),
        "",
        "## Data",
        "",
    ]
    # feedback datasets leave rows still waiting for a label out: a column says how many, when any did
    unlabelled = any(d.get("unlabelled") for d in card.get("data", []))
    lines += [
        "| dataset | file | sha256 | rows | used | skipped |"
        + (" unlabelled |" if unlabelled else "")
        + " labels | weight |",
        "|---|---|---|---|---|---|" + ("---|" if unlabelled else "") + "---|---|",
    ]
    for d in card.get("data", []):
        # one row per dataset: "used", "skipped" and "labels" count the dataset, not each of its files (a row per
        # file repeated them: a file of 7,846 rows read "used 8000")
        files = d["files"]
        paths = "<br>".join(str(f["path"]) for f in files)
        shas = "<br>".join(f"`{f['sha256'][:16]}…`" for f in files)
        rows = "<br>".join(str(f["rows"]) for f in files)
        lines.append(
            f"| {d['name']} | {paths} | {shas} | {rows} | {d['used']} | {len(d['skipped'])} |"
            + (f" {d.get('unlabelled', 0)} |" if unlabelled else "")
            + f" {d['labels']} | {d['weight']} |"
        )
    lines += [
        "",
        f"Split: seed {card.get('split', {}).get('seed')}, "
        f"{card.get('split', {}).get('train')} train / {card.get('split', {}).get('test')} test rows, "
        f"dedup `{card.get('split', {}).get('dedup')}` "
        f"(dropped {card.get('split', {}).get('duplicates')} duplicates, "
        f"{card.get('split', {}).get('conflicts')} conflicting).",
        "",
        "## Metrics (test split)",
        "",
        metrics_table(test.get("per_source", {}), test, target=card.get("target_source")) if test else "(none)",
        "",
        f"Produced by: `{card.get('command')}`",
        "",
        "## Library versions",
        "",
        "\n".join(f"- {k}: {v}" for k, v in card.get("library_versions", {}).items()),
    ]
    (out / "model_card.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
