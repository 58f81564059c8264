"""The sentiment model's Markdown outputs: ``report.md`` and ``model_card.md``, written from its card and metrics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from model.comments import sentiment_table
from model.comments.metrics import dev_table


def _band_text(card: dict[str, Any]) -> str:
    b = card["neutral_band"]
    return (
        f"`positive` when P(positive) ≥ **{b['high']:.4f}**, `negative` when < **{b['low']:.4f}**, `neutral` in "
        f"between (rule: {b['rule']}; share of validation texts in the band: {b.get('validation_neutral_share')})."
    )


def write_report(out: Path, card: dict[str, Any], metrics: dict[str, Any]) -> None:
    lines = [
        "# notecheck sentiment model — evaluation report",
        "",
        f"Produced by: `{card.get('command')}`",
        "",
        _band_text(card),
        "`accuracy` and `macro_f1` are at P(positive) = 0.5 (no neutral band); `neutral_share` is the share of "
        "texts in the band and `polar_accuracy` the accuracy on the others.",
        "",
    ]
    if metrics.get("test"):
        lines += [
            "## Held-out test split (never used for fitting or the band)",
            "",
            sentiment_table(metrics["test"]),
            "",
        ]
    if metrics.get("dev"):
        lines += [
            "## Xiaohongshu-style comment development set (three classes; never trained on)",
            "",
            "Accuracy per class with the neutral band; the per-note positive-share error is the mean over notes of "
            "|predicted − annotated positive / (positive + negative)|.",
            "",
            dev_table(metrics["dev"]),
            "",
        ]
    lines += ["## Validation (out-of-fold predictions on the training split)", ""]
    lines += [sentiment_table(metrics["validation"]), ""]
    if metrics.get("eval_only"):
        lines += [
            "## Evaluation-only datasets (never trained on: cross-domain)",
            "",
            sentiment_table(metrics["eval_only"]),
            "",
            "`weibo` = real Weibo posts whose labels came from stripped emoticons (noisy); `sample_comments` = the "
            "project's own 150 labelled Xiaohongshu-style comments.",
            "",
        ]
    lines += ["Comparison with SnowNLP and a HowNet/NTUSD lexicon baseline: `python benchmarks/comments_benchmark.py`."]
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_model_card_md(out: Path, card: dict[str, Any]) -> None:
    split = card["split"]
    lines = [
        f"# Model card — {card['model_version']}",
        "",
        "Task: sentiment of short Chinese comments — P(positive) and a label positive / neutral / negative. "
        "Trained on review corpora (label 1 = positive, 0 = negative); the neutral band stands in for a neutral "
        "class, which the training data does not have.",
        "",
        "## Decision rule",
        "",
        _band_text(card),
        "",
        "## Text preparation and tokenizer",
        "",
        f"- emoticons (`^_^`, `T_T`, `orz`, `555`, `hhh`, ...) become emoji-code tokens (version "
        f"`{card['emoticon_version']}`); emoji codes such as `[笑哭R]` and emoji characters are tokens too",
        f"- normalization version: `{card.get('normalization_version')}`",
        "\n".join(f"- {k}: `{v}`" for k, v in card.get("tokenizer", {}).items()),
        "",
        "## Parameters",
        "",
        "\n".join(f"- {k}: `{v}`" for k, v in card.get("params", {}).items()),
        "",
        "## Data",
        "",
        "| dataset | file | sha256 | rows | used | labels | role |",
        "|---|---|---|---|---|---|---|",
    ]
    for d in card["data"]:  # one row per dataset: its "used" and "labels" count the dataset, not a file
        paths = "<br>".join(str(f["path"]) for f in d["files"])
        shas = "<br>".join(f"`{f['sha256'][:16]}…`" for f in d["files"])
        rows = "<br>".join(str(f["rows"]) for f in d["files"])
        lines.append(f"| {d['name']} | {paths} | {shas} | {rows} | {d['used']} | {d['labels']} | {d['role']} |")
    lex = card.get("lexicons") or {}
    for f in lex.get("files", []):
        lines.append(
            f"| lexicon | {f['path']} | `{f['sha256'][:16]}…` | – | {f['positive']} + {f['negative']} words | – | "
            f"training only (weight {lex['weight']}) |"
        )
    cue = card.get("comment_lexicon_rows") or {}
    if cue:
        lines.append(
            f"| comment lexicon | {cue['path']} | `{cue['sha256'][:16]}…` | – | {cue['rows']} rows (words and the "
            f"words negated) | – | training only (weight {cue['weight']}) |"
        )
    lines += [
        "",
        f"Split: seed {split['seed']}, {split['train']} train / {split['test']} held-out test rows "
        f"(+{split['eval_only']} evaluation-only), stratified by source and label, near-duplicates kept on one side; "
        f"dedup `{split['dedup']}` dropped {split['duplicates']} duplicates and {split['conflicts']} texts seen "
        "with both labels.",
        "",
        "## Metrics (held-out test split)",
        "",
        sentiment_table(card["metrics"]["test"]) if card["metrics"].get("test") else "(none)",
        "",
        "## Library versions",
        "",
        "\n".join(f"- {k}: {v}" for k, v in card.get("library_versions", {}).items()),
    ]
    (out / "model_card.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
