"""Are the highlights faithful? Delete them and see whether the model changes its mind.

For each flagged note, the ``k`` strongest highlights towards "ad" are deleted and the note is scored again; the
drop is compared with the drop after deleting ``k`` random spans of the same lengths in the same fields (averaged
over ``repeats`` draws). Highlights that really carry the decision give drops far larger than random text of the
same size: the report states the ratio of mean drops, in probability and in log-odds (a note at 0.98 can lose
two units of log-odds and only 0.1 of probability, so the probability hides effects on confident notes).

The random spans are drawn fairly: same field and lengths as the top spans, never overlapping them or each other
(a random span inside a highlight would delete part of the highlight), and never cutting through a hashtag,
@mention or emoji code: a random span may cover such markup whole, or edit the name inside it, but not cut its
``#`` or ``[话题]`` (``#美甲[话]`` left behind reads to the model as the words 话题 and 题], strong evidence of a
*genuine* note, so such a deletion adds evidence instead of removing it). A note whose fields leave no room for
such spans is skipped and counted. ``baseline="anywhere"`` drops the markup rule, for comparison.

    python -m training.faithfulness --config model/default/train.toml [--model DIR] [-o OUT.json] [--update]

runs it on the flagged notes of the target source in the config's held-out test split (the rows the model never
saw in training); ``--update`` writes ``faithfulness.json`` into the model directory and states the figures in its
``report.md`` and ``model_card.md`` (training does the same for every model it saves).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from model import load_model
from model.declared import declared_spans
from model.errors import InvalidParameterError
from model.highlights import markup_spans
from model.notes import Note
from training.tool_errors import user_errors

BASELINES = ("markup", "anywhere")


def delete_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` without the characters of ``spans`` (non-overlapping)."""
    out, pos = [], 0
    for a, b in sorted(spans):
        out.append(text[pos:a])
        pos = max(pos, b)
    out.append(text[pos:])
    return "".join(out)


def _allowed_starts(
    n: int, length: int, taken: list[tuple[int, int]], markup: list[tuple[int, int, int, int]]
) -> np.ndarray:
    """Starts ``s`` where ``[s, s + length)`` overlaps no span of ``taken`` and cuts no markup."""
    ok = np.ones(n - length + 1, dtype=bool)
    for a, b in taken:
        ok[max(0, a - length + 1) : b] = False
    for a, b, name_a, name_b in markup:
        cuts = np.zeros_like(ok)
        cuts[max(0, a - length + 1) : b] = True  # overlaps the markup
        cuts[max(0, b - length) : a + 1] = False  # covers it whole
        if length < name_b - name_a:  # inside its name, leaving some of it
            cuts[name_a : name_b - length + 1] = False
        ok &= ~cuts
    return ok


def random_spans(
    text: str,
    lengths: list[int],
    rng: random.Random,
    *,
    avoid: Sequence[tuple[int, int]] = (),
    markup: Sequence[tuple[int, int, int, int]] = (),
) -> list[tuple[int, int]] | None:
    """Random non-overlapping spans of ``text`` with the given lengths, overlapping no span of ``avoid`` and
    cutting no ``markup`` (see :func:`model.highlights.markup_spans`); None when they do not fit."""
    taken = list(avoid)
    spans: list[tuple[int, int]] = []
    for length in sorted(lengths, reverse=True):
        if length > len(text):
            return None
        starts = np.flatnonzero(_allowed_starts(len(text), length, taken, list(markup)))
        if not len(starts):
            return None
        a = int(starts[rng.randrange(len(starts))])
        spans.append((a, a + length))
        taken.append((a, a + length))
    return spans


def _as_dict(note: Any) -> dict[str, str]:
    if isinstance(note, Note):
        return {"title": note.title, "text": note.text}
    if isinstance(note, str):
        return {"title": "", "text": note}
    return {"title": note.get("title") or "", "text": note.get("text") or ""}


def _log_odds(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


def deletion_drops(
    model: Any,
    notes: Sequence[Any],
    *,
    rng: random.Random,
    k: int = 3,
    repeats: int = 5,
    baseline: str = "markup",
) -> dict[str, Any]:
    """Per note with at least one highlight towards ad: the drop in probability (``top``) and log-odds
    (``top_log_odds``) after deleting its ``k`` strongest highlights towards ad, and the mean drops after deleting
    random spans of the same lengths (``random``, ``random_log_odds``); ``skipped`` counts the notes with no room
    for the random spans."""
    if baseline not in BASELINES:
        raise ValueError(f"baseline must be one of {BASELINES}; got {baseline!r}")
    drops: dict[str, Any] = {"top": [], "random": [], "top_log_odds": [], "random_log_odds": [], "skipped": 0}
    notes = [_as_dict(n) for n in notes]
    for note, result in zip(notes, model.check_many(notes, top=0), strict=True):
        towards_ad = strongest_towards_ad(note, result, k)
        if not towards_ad:
            continue
        edited = dict(note)
        variants: list[dict[str, str]] = []
        for field in ("title", "text"):
            edited[field] = delete_spans(note[field], [(h.start, h.end) for h in towards_ad if h.field == field])
        markup = {f: markup_spans(note[f]) if baseline == "markup" else [] for f in ("title", "text")}
        for _ in range(repeats):
            variant = dict(note)
            for field in ("title", "text"):
                mine = [(h.start, h.end) for h in towards_ad if h.field == field]
                spans = random_spans(note[field], [b - a for a, b in mine], rng, avoid=mine, markup=markup[field])
                if spans is None:
                    break
                variant[field] = delete_spans(note[field], spans)
            else:
                variants.append(variant)
                continue
            break
        if len(variants) < repeats:
            drops["skipped"] += 1
            continue
        p = model.predict_proba([note, edited, *variants])
        z = _log_odds(p)
        drops["top"].append(float(p[0] - p[1]))
        drops["random"].append(float(np.mean(p[0] - p[2:])))
        drops["top_log_odds"].append(float(z[0] - z[1]))
        drops["random_log_odds"].append(float(np.mean(z[0] - z[2:])))
    return drops


def strongest_towards_ad(note: dict[str, str], result: Any, k: int) -> list[Any]:
    """The ``k`` strongest highlights towards ad of ``note``'s check ``result`` that are the model's: a note that
    declares itself an ad has its declarations as highlights weighing what the rule gives them (the log-odds the note
    lacks to reach the threshold), so deleting them would measure the rule, not whether the model's phrases drive
    the model's probability."""
    said = set(declared_spans(note["title"], note["text"])) if result.declared is not None else set()
    mine = (h for h in result.highlights if h.weight > 0 and h.span not in said)
    return sorted(mine, key=lambda h: -h.weight)[:k]


def _ratio(top: np.ndarray, rand: np.ndarray, seed: int) -> dict[str, Any]:
    """Mean drops, their ratio and difference, and 95% bootstrap intervals over notes. The ratio's upper bound
    is None (unbounded) when the random drop's mean reaches zero in more than 2.5% of the resamples: deleting
    random text then changes nothing measurable, and only the lower bound says something."""
    boot = np.random.default_rng(seed)
    picks = boot.integers(0, len(top), (1000, len(top)))
    t, r = top[picks].mean(axis=1), rand[picks].mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(r > 0, t / r, np.inf)
    lo, hi = np.percentile(ratios, [2.5, 97.5], method="inverted_cdf")  # no interpolation with inf
    diff = np.percentile(t - r, [2.5, 97.5])
    return {
        "mean_drop_top": round(float(top.mean()), 4),
        "mean_drop_random": round(float(rand.mean()), 4),
        "ratio": round(float(top.mean() / rand.mean()), 2) if rand.mean() > 0 else None,
        "ratio_ci95": [
            round(float(lo), 2) if np.isfinite(lo) else None,
            round(float(hi), 2) if np.isfinite(hi) else None,
        ],
        "difference": round(float(top.mean() - rand.mean()), 4),
        "difference_ci95": [round(float(x), 4) for x in diff],
    }


def faithfulness(
    model: Any, notes: Sequence[Any], *, seed: int = 0, k: int = 3, repeats: int = 20, baseline: str = "markup"
) -> dict[str, Any]:
    """Mean drops in probability and in log-odds, their ratios and 95% bootstrap intervals over notes."""
    drops = deletion_drops(model, notes, rng=random.Random(seed), k=k, repeats=repeats, baseline=baseline)
    out: dict[str, Any] = {
        "n_notes": len(drops["top"]),
        "n_skipped": drops["skipped"],
        "k": k,
        "repeats": repeats,
        "baseline": baseline,
    }
    if not drops["top"]:
        return out | {"probability": None, "log_odds": None}
    return out | {
        "probability": _ratio(np.array(drops["top"]), np.array(drops["random"]), seed),
        "log_odds": _ratio(np.array(drops["top_log_odds"]), np.array(drops["random_log_odds"]), seed),
    }


def faithfulness_report(model: Any, notes: Sequence[Any], *, seed: int = 0, repeats: int = 20) -> dict[str, Any]:
    """:func:`faithfulness` of flagged ``notes`` under each random-span baseline, with the model's version.
    Twenty draws per note: the random drop is small and heavy-tailed (a draw that hits a cue), so five left the
    ratio's denominator, and the ratio, to chance."""
    return {
        "model_version": model.version,
        "flagged_notes": len(notes),
        **{
            baseline: faithfulness(model, notes, seed=seed, repeats=repeats, baseline=baseline)
            for baseline in BASELINES
        },
    }


def flagged(model: Any, notes: Sequence[Any]) -> list[Any]:
    """The notes ``model`` flags (ad or review)."""
    p = model.predict_proba(notes) if notes else []
    return [n for n, pi in zip(notes, p, strict=True) if pi >= model.review_threshold]


def flagged_test_notes(config: str | Path, model: Any, model_dir: str | Path | None = None) -> list[Note]:
    """The notes of the config's target source in its held-out test split that ``model`` flags (ad or review).

    With ``model_dir``, the notes are checked against the model's training-row hashes: a config other than the
    one the model was trained with (another seed, other data) gives a "test split" of notes the model was fitted
    on, whose highlights measure nothing held out, so it is refused naming how many."""
    from model.training_rows import load_training_rows, overlap_mask
    from training.config import load_config
    from training.data import deduplicate, load_all
    from training.folds import split_train_test

    cfg = load_config(config)
    examples, _ = load_all(cfg)
    examples, _, _ = deduplicate(examples, cfg.dedup, cfg.feedback_datasets)
    _, test_idx = split_train_test(examples, test_size=cfg.test_size, seed=cfg.seed)
    notes = [examples[i].note for i in test_idx if examples[i].source == cfg.target_source]
    hashes = load_training_rows(model_dir, model.card) if model_dir is not None else None
    if hashes is not None:
        seen = int(overlap_mask(hashes, ((n.title, n.text) for n in notes)).sum())
        if seen:
            raise InvalidParameterError(
                f"--config {config}: {seen} of the {len(notes)} held-out {cfg.target_source!r} notes of its test split "
                f"were training rows of the model {model.version}; give the config the model was trained with "
                f"(its card: {model.card.get('config')}, seed {model.card.get('split', {}).get('seed')})."
            )
    return flagged(model, notes)


SECTION = "## Faithfulness of the highlights"
_BASELINE_NAMES = {
    "markup": "fair: never cutting a hashtag, @mention or emoji code",
    "anywhere": "anywhere: may cut through markup",
}


def report_lines(result: dict[str, Any], command: str) -> list[str]:
    """The report section stating ``result`` (of :func:`faithfulness_report`), Markdown lines."""

    def cell(figures: dict[str, Any]) -> list[str]:
        lo, hi = figures["ratio_ci95"]
        # no point ratio when the random spans' mean drop is not above zero: "– [121.2, unbounded]" read as a
        # missing figure with an interval; the drop itself is the column before
        ratio = "none (random drop ≤ 0)" if figures["ratio"] is None else f"{figures['ratio']:.1f}×"
        bounds = f"[{'–' if lo is None else f'{lo:.1f}'}, {'unbounded' if hi is None else f'{hi:.1f}'}]"
        return [f"{figures['mean_drop_top']:.3f}", f"{figures['mean_drop_random']:.3f}", f"{ratio} {bounds}"]

    lines = [
        SECTION,
        "",
        f"From `{command}`, on the {result['flagged_notes']} held-out notes of the target source the model flags "
        "(ad or review): each note's three strongest highlights towards ad are deleted, and compared with deleting "
        "three random spans of the same lengths in the same fields, never overlapping the highlights "
        f"({result['markup']['repeats']} draws per note). Mean drop of the ad probability and of its log-odds; "
        "ratio of the mean drops [95% bootstrap interval over notes; unbounded when the random drop's mean can "
        "reach zero].",
        "",
        "| random spans | notes (skipped) | Δp top-3 | Δp random | ratio | Δlog-odds top-3 | Δlog-odds random "
        "| ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for baseline in BASELINES:
        r = result[baseline]
        if r["probability"] is None:
            continue
        lines.append(
            f"| {_BASELINE_NAMES[baseline]} | {r['n_notes']} ({r['n_skipped']}) | "
            + " | ".join(cell(r["probability"]) + cell(r["log_odds"]))
            + " |"
        )
    lines += [
        "",
        "The fair baseline is the figure that counts: a random span cutting a hashtag leaves broken markup (a lone "
        "`#`, a tag's name run into the text), so the anywhere row also measures that, not only the highlights; "
        "`[话题]` residue itself is deleted from the document (normalisation version 4). "
        "Skipped notes leave no room for such spans (hashtag-only text).",
        "",
    ]
    fair = result[BASELINES[0]]["probability"]
    if fair is not None and fair["mean_drop_random"] < 0.001:
        # a ratio over a mean drop that rounds to zero is no number to quote (4,214x with 0.000 below it), and a
        # random drop at or under zero leaves no ratio at all
        lo = fair["ratio_ci95"][0]
        d, (d_lo, d_hi) = fair["difference"], fair["difference_ci95"]
        if fair.get("ratio") is not None:
            what = "so its ratio is a division by almost nothing: read its lower bound" + (
                f" ({lo:.1f}×)" if lo is not None else ""
            )
        else:
            what = "so there is no ratio to read"
        lines += [
            f"Random spans of the fair baseline move the probability by {fair['mean_drop_random']:.3f} on average, "
            f"{what} and the difference of the mean drops, {d:.3f} [{d_lo:.3f}, {d_hi:.3f}].",
            "",
        ]
    return lines


def _replace_section(text: str, section: list[str], before: str) -> str:
    """``text`` with its faithfulness section replaced by ``section`` (inserted before the heading ``before``, or
    at the end, when it has none)."""
    lines = text.rstrip("\n").split("\n")
    if SECTION in lines:
        a = lines.index(SECTION)
        b = next((i for i in range(a + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        lines[a:b] = section
    else:
        at = next((i for i, line in enumerate(lines) if line.startswith(before)), None)
        lines[at if at is not None else len(lines) :] = section + (lines[at:] if at is not None else [])
    return "\n".join(lines).rstrip("\n") + "\n"


def update_reports(model_dir: Path, result: dict[str, Any], command: str) -> None:
    """Write ``faithfulness.json`` into ``model_dir`` and state it in its ``report.md`` and ``model_card.md``."""
    (model_dir / "faithfulness.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    section = report_lines(result, command)
    for name, before in (("report.md", "## Plots"), ("model_card.md", "## Tokenizer")):
        path = model_dir / name
        if path.is_file():
            path.write_text(_replace_section(path.read_text(encoding="utf-8"), section, before), encoding="utf-8")


@user_errors
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.faithfulness", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, help="training config whose held-out test split is used")
    parser.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    parser.add_argument("-o", "--output", default=None, help="write the result as JSON here")
    parser.add_argument(
        "--update", action="store_true", help="write faithfulness.json and the section of report.md / model_card.md"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the random spans")
    args = parser.parse_args(argv)
    from model.artifacts import DEFAULT_MODEL_DIR

    model = load_model(args.model) if args.model else load_model()
    model_dir = Path(args.model) if args.model else DEFAULT_MODEL_DIR
    result = faithfulness_report(model, flagged_test_notes(args.config, model, model_dir), seed=args.seed)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    if args.update:
        given = f" --model {args.model}" if args.model else ""
        update_reports(model_dir, result, f"python -m training.faithfulness --config {args.config}{given} --update")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
