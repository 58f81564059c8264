"""Speed of per-note text preparation and word tokenization: the original implementations against the live ones.

    python benchmarks/prep_speed.py [--data ../shared/data] [--rounds 7] [--limit N]

Runs on the Xiaohongshu notes of ``ads/xhs_labelled.jsonl`` (``samples/notes.jsonl`` when the shared data is
absent). The references are the ``_reference_*`` copies kept in ``tests/test_prep_parity.py`` (the code before the
speed work), so both sides are measured in the same run, interleaved round by round; the best round of each side is
reported, in microseconds per note, with the speed-up ratio (reference / live). Outputs are checked to be
identical before timing.

The live tokenizer caches its noise decisions per instance, so each round times a fresh one (empty cache) sharing
the reference's segmenter, which is built before the timings.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from model.cues import find_cues  # noqa: E402
from model.text import normalize_text, prepare_document  # noqa: E402
from model.tokenize import NoteTokenizer  # noqa: E402


def _load_reference() -> Any:
    spec = importlib.util.spec_from_file_location("prep_reference", ROOT / "tests" / "test_prep_parity.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _load_notes(data: Path, limit: int) -> tuple[str, list[tuple[str | None, str | None]]]:
    path = data / "ads" / "xhs_labelled.jsonl"
    if not path.is_file():
        path = ROOT / "samples" / "notes.jsonl"
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    if limit:
        rows = rows[:limit]
    return str(path), [(row.get("title"), row.get("text")) for row in rows]


def _time(fn: Callable[[Any], Any], items: Sequence[Any]) -> float:
    gc.collect()
    start = time.perf_counter()
    for item in items:
        fn(item)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--rounds", type=int, default=9, help="interleaved timing rounds; the best is reported")
    ap.add_argument("--limit", type=int, default=0, help="notes to use (0 = all)")
    args = ap.parse_args(argv)

    ref = _load_reference()
    source, notes = _load_notes(args.data, args.limit)
    fields = [v for pair in notes for v in pair if v]
    normalized = [normalize_text(v) for v in fields]
    docs = [prepare_document(*pair) for pair in notes]
    tok_ref = NoteTokenizer()
    tok_ref("预热")  # builds the segmenter outside the timings

    def fresh_tokenizer() -> NoteTokenizer:
        tok = NoteTokenizer()
        tok._engine = tok_ref._cut()  # the same segmenter, empty caches
        return tok

    def ref_tokenize(doc: str) -> list[str]:
        return ref._reference_tokenize(tok_ref, doc)

    # (name, reference, live, inputs); per-note figures divide by the number of notes.
    cases: list[tuple[str, Callable[[Any], Any], Callable[[Any], Any], Sequence[Any]]] = [
        ("prepare_document", lambda p: ref._reference_prepare_document(*p), lambda p: prepare_document(*p), notes),
        ("normalize_text", ref._reference_normalize_text, normalize_text, fields),
        ("find_cues", ref._reference_find_cues, find_cues, normalized),
        ("tokenizer (rjieba)", ref_tokenize, fresh_tokenizer(), docs),
    ]
    for name, old, new, items in cases:
        if [old(x) for x in items] != [new(x) for x in items]:
            print(f"{name}: outputs differ from the reference", file=sys.stderr)
            return 1

    print(f"{len(notes)} notes from {source}; {sum(map(len, fields)) / len(notes):.0f} characters per note")
    best = {name: [float("inf"), float("inf")] for name, *_ in cases}
    for _ in range(args.rounds):
        for name, old, new, items in cases:
            if name.startswith("tokenizer"):
                new = fresh_tokenizer()
            best[name] = [min(best[name][0], _time(old, items)), min(best[name][1], _time(new, items))]
    print(f"{'us/note':<24}{'reference':>11}{'live':>9}{'speed-up':>10}")
    for name, (t_old, t_new) in best.items():
        us_old, us_new = t_old / len(notes) * 1e6, t_new / len(notes) * 1e6
        print(f"{name:<24}{us_old:>11.1f}{us_new:>9.1f}{us_old / us_new:>9.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
