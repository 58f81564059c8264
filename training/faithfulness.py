"""Are the highlights faithful? Delete them and see whether the model changes its mind.

For each flagged note, the ``k`` strongest highlights towards "ad" are deleted from the text and the note is
scored again; the drop in ad probability is compared with the drop after deleting ``k`` random spans of the same
lengths in the same fields (averaged over ``repeats`` draws). Highlights that really carry the decision give drops
far larger than random text of the same size: the report states the ratio of mean drops.

    python -m training.faithfulness --config model/default/train.toml [--model DIR] [-o faithfulness.json]

runs it on the flagged notes of the target source in the config's held-out test split (the rows the model never
saw in training).
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
from model.notes import Note


def delete_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` without the characters of ``spans`` (non-overlapping)."""
    out, pos = [], 0
    for a, b in sorted(spans):
        out.append(text[pos:a])
        pos = max(pos, b)
    out.append(text[pos:])
    return "".join(out)


def random_spans(text: str, lengths: list[int], rng: random.Random, tries: int = 200) -> list[tuple[int, int]]:
    """Non-overlapping random spans of ``text`` with the given lengths (fewer when the text is too short)."""
    spans: list[tuple[int, int]] = []
    for length in sorted(lengths, reverse=True):
        for _ in range(tries):
            if length > len(text):
                break
            a = rng.randrange(0, len(text) - length + 1)
            if all(a + length <= s or e <= a for s, e in spans):
                spans.append((a, a + length))
                break
    return spans


def _as_dict(note: Any) -> dict[str, str]:
    if isinstance(note, Note):
        return {"title": note.title, "text": note.text}
    if isinstance(note, str):
        return {"title": "", "text": note}
    return {"title": note.get("title") or "", "text": note.get("text") or ""}


def deletion_drops(
    model: Any, notes: Sequence[Any], *, rng: random.Random, k: int = 3, repeats: int = 5
) -> tuple[list[float], list[float]]:
    """Per note with at least one highlight towards ad: the probability drop after deleting its ``k`` strongest
    highlights towards ad, and the mean drop after deleting random spans of the same lengths."""
    top_drops: list[float] = []
    random_drops: list[float] = []
    notes = [_as_dict(n) for n in notes]
    for note, result in zip(notes, model.check_many(notes, top=0), strict=True):
        towards_ad = sorted((h for h in result.highlights if h.weight > 0), key=lambda h: -h.weight)[:k]
        if not towards_ad:
            continue
        p0 = result.ad_probability
        edited = dict(note)
        for field in ("title", "text"):
            edited[field] = delete_spans(note[field], [(h.start, h.end) for h in towards_ad if h.field == field])
        variants = []
        for _ in range(repeats):
            variant = dict(note)
            for field in ("title", "text"):
                lengths = [h.end - h.start for h in towards_ad if h.field == field]
                variant[field] = delete_spans(note[field], random_spans(note[field], lengths, rng))
            variants.append(variant)
        p = model.predict_proba([edited, *variants])
        top_drops.append(float(p0 - p[0]))
        random_drops.append(float(np.mean(p0 - p[1:])))
    return top_drops, random_drops


def faithfulness(model: Any, notes: Sequence[Any], *, seed: int = 0, k: int = 3, repeats: int = 5) -> dict[str, Any]:
    """Mean drops, their ratio and a 95% bootstrap interval of the ratio over notes."""
    top, rand = deletion_drops(model, notes, rng=random.Random(seed), k=k, repeats=repeats)
    out: dict[str, Any] = {"n_notes": len(top), "k": k, "repeats": repeats}
    if not top:
        return out | {"mean_drop_top": None, "mean_drop_random": None, "ratio": None, "ratio_ci95": None}
    t, r = np.array(top), np.array(rand)
    boot = np.random.default_rng(seed)
    ratios = []
    for _ in range(1000):
        i = boot.integers(0, len(t), len(t))
        ratios.append(t[i].mean() / max(r[i].mean(), 1e-9))
    return out | {
        "mean_drop_top": round(float(t.mean()), 4),
        "mean_drop_random": round(float(r.mean()), 4),
        "ratio": round(float(t.mean() / max(r.mean(), 1e-9)), 2),
        "ratio_ci95": [round(float(x), 2) for x in np.percentile(ratios, [2.5, 97.5])],
    }


def flagged_test_notes(config: str | Path, model: Any) -> list[Note]:
    """The notes of the config's target source in its held-out test split that ``model`` flags (ad or review)."""
    from training.config import load_config
    from training.data import deduplicate, load_all, split_train_test

    cfg = load_config(config)
    examples, _ = load_all(cfg)
    examples, _, _ = deduplicate(examples, cfg.dedup)
    _, test_idx = split_train_test(examples, test_size=cfg.test_size, seed=cfg.seed)
    notes = [examples[i].note for i in test_idx if examples[i].source == cfg.target_source]
    p = model.predict_proba(notes)
    return [n for n, pi in zip(notes, p, strict=True) if pi >= model.review_threshold]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.faithfulness", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, help="training config whose held-out test split is used")
    parser.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    parser.add_argument("-o", "--output", default=None, help="write the result as JSON here")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random spans")
    args = parser.parse_args(argv)
    model = load_model(args.model) if args.model else load_model()
    notes = flagged_test_notes(args.config, model)
    result = faithfulness(model, notes, seed=args.seed) | {"model_version": model.version}
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
