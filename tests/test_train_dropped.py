"""Training says on stderr which duplicate and conflicting rows de-duplication dropped (it said nothing: only the
model card counted them), one ``note:`` line per kind with its count per dataset."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import SAMPLES

from model.schema import parse_note
from serve.cli import main
from training.data import Example, deduplicate


def _example(text: str, label: int, dataset: str) -> Example:
    return Example(parse_note({"text": text}), label, 1.0, dataset, dataset)


@pytest.mark.parametrize(
    ("rows", "said"),
    [
        pytest.param([("笔记A", 1, "a"), ("笔记B", 0, "a")], [], id="nothing-dropped"),
        pytest.param(
            [("笔记A", 1, "a"), ("笔记A", 1, "b"), ("笔记A", 1, "b")],
            ["note: dedup 'normalized' dropped 2 duplicate rows (repeating a text kept once) from dataset 'b': 2"],
            id="duplicates",
        ),
        pytest.param(
            [("笔记A", 1, "a"), ("笔记A", 0, "b"), ("笔记B", 0, "a"), ("笔记B", 0, "c")],
            [
                "note: dedup 'normalized' dropped 1 duplicate row (repeating a text kept once) from dataset 'c': 1",
                "note: dedup 'normalized' dropped 2 conflicting rows (of texts seen with both labels) from datasets "
                "'a': 1, 'b': 1",
            ],
            id="both-kinds",
        ),
    ],
)
def test_deduplicate_reports_each_kind_it_drops(rows, said):
    stream = io.StringIO()
    kept, n_dup, n_conflict = deduplicate([_example(*r) for r in rows], "normalized", report=stream)
    assert stream.getvalue().splitlines() == said
    assert len(kept) + n_dup + n_conflict == len(rows)


def test_deduplicate_says_nothing_without_a_stream(capsys):
    deduplicate([_example("笔记A", 1, "a"), _example("笔记A", 1, "a")], "normalized")
    assert capsys.readouterr().err == ""


def test_notecheck_train_says_what_it_dropped(tmp_path: Path, capsys):
    """The sample archive in two overlapping datasets, and one of its notes again with the other label."""
    lines = (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines()
    (tmp_path / "a.jsonl").write_text("\n".join(lines[:80]) + "\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text("\n".join(lines[70:]) + "\n", encoding="utf-8")
    first = json.loads(lines[0])
    flipped = {**first, "id": "flipped", "label": "genuine" if first["label"] in (1, "ad") else "ad"}
    (tmp_path / "c.jsonl").write_text(json.dumps(flipped, ensure_ascii=False) + "\n", encoding="utf-8")
    config = (SAMPLES / "train_sample.toml").read_text(encoding="utf-8")
    config = config.replace('path = "notes.jsonl"', 'path = "a.jsonl"')  # dataset "sample", the first 80 rows
    config += "".join(f'\n[[dataset]]\nname = "{n}"\npath = "{n}.jsonl"\nlabel = "from_file"\n' for n in "bc")
    (tmp_path / "train.toml").write_text(config, encoding="utf-8")
    out = tmp_path / "model"
    assert main(["train", "--config", str(tmp_path / "train.toml"), "-o", str(out), "--no-ablation", "--quiet"]) == 0
    notes = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("note: dedup")]
    split = json.loads((out / "model_card.json").read_text(encoding="utf-8"))["split"]
    assert notes == [
        f"note: dedup 'normalized' dropped {split['duplicates']} duplicate rows (repeating a text kept once) from "
        f"dataset 'b': {split['duplicates']}",
        "note: dedup 'normalized' dropped 2 conflicting rows (of texts seen with both labels) from datasets "
        "'sample': 1, 'c': 1",
    ]
