"""`notecheck score` flags water across a creator's notes like `notecheck comments`, whatever the chunk size: a
first pass over the input (model/comments/crossnote.py, serve/batch/crossnote.py)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from test_water import NOTE_TEXTS, _genuine, inject

import serve.batch.score as batch_score
from model.comments.crossnote import CrossNoteIndex
from model.comments.water import CreatorNote, WaterDetector, word_chars
from model.notes import Comment, Note
from serve.batch import BatchConfig, Interrupted, iter_output_rows, run_batch
from serve.cli import main


def _archive(path: Path) -> Path:
    """Two creators whose notes alternate (so any small chunk splits them), water of every kind injected into
    each creator's notes, one note without an author and one whose comment repeats the other creator's water."""
    rows = []
    for c, creator in enumerate(("甲", "乙")):
        rng = random.Random(c)
        notes = _genuine(rng)
        for kind in ("duplicate", "template", "emoji_only", "copies_note", "burst", "same_commenter"):
            inject(kind, notes, rng)
        for i, comments in enumerate(notes):
            comment_rows = [{"text": x.text, "author": x.author, "time": x.time} for x in comments]
            rows.append({"id": f"{creator}{i}", "text": NOTE_TEXTS[i], "author": creator, "comments": comment_rows})
    rows = [r for pair in zip(rows[: len(NOTE_TEXTS)], rows[len(NOTE_TEXTS) :], strict=True) for r in pair]
    rows.insert(
        3,
        {
            "id": "alone",
            "text": NOTE_TEXTS[0],
            "comments": [{"text": "这款真的太好用了，用完皮肤水嫩嫩的，强烈推荐给大家", "author": None, "time": None}],
        },
    )
    rows.insert(6, {"id": "no-comments", "text": "今天天气很好", "author": "甲"})
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _flags(reports: dict) -> dict:
    return {k: (v["n_comments"], v["suspect_reasons"], v["water_ratio"]) for k, v in reports.items()}


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_score_flags_agree_with_comments_at_any_chunk_size(
    tmp_path, capsys, sample_model_dir, tiny_comment_scorer, fmt
):
    src = _archive(tmp_path / "in.jsonl")
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        rows = [json.loads(line) for line in src.read_text(encoding="utf-8").splitlines()]
        src = tmp_path / "in.parquet"
        pq.write_table(pa.Table.from_pylist([{"author": None, "comments": None, **r} for r in rows]), src)
    assert main(["comments", str(src), "--json", "--no-ad"]) == 0
    doc = json.loads(capsys.readouterr().out)
    expected = _flags({r["id"]: r for r in doc["notes"] if r.get("n_comments")})
    reasons = {k for _, counts, _ in expected.values() for k in counts}
    assert {"duplicate", "template", "same_commenter", "copies_note", "burst", "emoji_only"} <= reasons
    for size in (2, 2000):
        out = tmp_path / f"out{size}.jsonl"
        cfg = BatchConfig(inputs=[str(src)], output=out, model_dir=sample_model_dir, jobs=1, chunk_size=size,
                          progress=False)  # fmt: skip
        summary = run_batch(cfg, log=lambda msg: None)
        rows = list(iter_output_rows(out, "jsonl"))
        assert _flags({r["id"]: r["comments"] for r in rows if r["comments"]}) == expected, size
        assert any("cross-note water detection: first pass over" in n for n in summary.notes)
    # without the first pass, chunks of two notes cannot see a creator's other notes: the flags would differ
    first = json.loads((tmp_path / "in.jsonl").read_text(encoding="utf-8").splitlines()[0])
    alone = WaterDetector().flag([CreatorNote(first["text"], [Comment(**c) for c in first["comments"]])])
    assert alone != [[c["suspect_reason"] for c in doc["notes"][0]["comments"]]]


def test_resumed_run_with_cross_note_flags_is_byte_identical(
    tmp_path, monkeypatch, sample_model_dir, tiny_comment_scorer
):
    src = _archive(tmp_path / "in.jsonl")
    full = tmp_path / "full.jsonl"
    run_batch(BatchConfig(inputs=[str(src)], output=full, model_dir=sample_model_dir, jobs=1, chunk_size=2,
                          progress=False), log=lambda msg: None)  # fmt: skip
    real, calls = batch_score.score_chunk, []

    def flaky(chunk, *a):
        calls.append(chunk.index)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return real(chunk, *a)

    monkeypatch.setattr(batch_score, "score_chunk", flaky)
    out = tmp_path / "out.jsonl"
    cfg = BatchConfig(inputs=[str(src)], output=out, model_dir=sample_model_dir, jobs=1, chunk_size=2, progress=False)
    with pytest.raises(Interrupted):
        run_batch(cfg, log=lambda msg: None)
    assert len(list((tmp_path / "out.jsonl.parts").glob("_crossnote-*.npz"))) == 1
    monkeypatch.setattr(batch_score, "score_chunk", real)
    monkeypatch.setattr(batch_score, "_SCORERS", {})  # a fresh worker: it loads the first pass's file
    cfg.resume = True
    summary = run_batch(cfg, log=lambda msg: None)
    assert summary.resumed_rows == 6
    assert out.read_bytes() == full.read_bytes()


def test_first_pass_answers_like_the_whole_creator_at_once(tmp_path) -> None:
    rng = random.Random(5)
    notes = _genuine(rng)
    for kind in ("duplicate", "template", "same_commenter"):
        inject(kind, notes, rng)
    whole = WaterDetector().flag([CreatorNote(t, cs) for t, cs in zip(NOTE_TEXTS, notes, strict=True)])
    index = CrossNoteIndex(WaterDetector(), buckets=3)
    for t, cs in zip(NOTE_TEXTS, notes, strict=True):
        index.add(Note(text=t, author="甲", comments=tuple(cs)))
    facts = index.finish().creator("甲")
    one_by_one = [WaterDetector().flag([CreatorNote(t, cs)], facts)[0] for t, cs in zip(NOTE_TEXTS, notes, strict=True)]
    assert one_by_one == whole
    assert facts.template_family and facts.is_repeat_commenter("shuijun_8848")
    dup = next(
        c.text for cs, rs in zip(notes, whole, strict=True) for c, r in zip(cs, rs, strict=True) if r == "duplicate"
    )
    assert facts.is_duplicate(word_chars(dup)) and not index._dir.exists()  # temporary buckets removed


def test_first_pass_leaves_out_the_creators_own_replies() -> None:
    from test_water import _qa_notes

    notes = _qa_notes()
    fan = CreatorNote("再一篇", [Comment(text="一百多，活动价更低一点哦", author="fan9")])  # a fan quoting a reply
    index = CrossNoteIndex(WaterDetector(), buckets=2)
    for n in [*notes, fan]:
        index.add(Note(text=n.text, author="小林", comments=tuple(n.comments)))
    facts = index.finish().creator("小林")
    whole = WaterDetector().flag([*notes, fan], creator="小林")
    assert [WaterDetector().flag([n], facts)[0] for n in [*notes, fan]] == whole
    assert whole[-1] == [None] and not facts.is_repeat_commenter("小林")


def test_first_pass_judges_short_questions_by_their_family() -> None:
    notes = [CreatorNote(f"笔记{i}", [Comment(text="这款面霜真的好用吗？", author=f"b{i}{k}") for k in range(3)])
             for i in range(4)]  # fmt: skip
    notes.append(CreatorNote("另一篇", [Comment(text="请问是什么牌子的", author=f"u{k}") for k in range(2)]))
    index = CrossNoteIndex(WaterDetector(), buckets=2)
    for n in notes:
        index.add(Note(text=n.text, author="小林", comments=tuple(n.comments)))
    facts = index.finish().creator("小林")
    whole = WaterDetector().flag(notes, creator="小林")
    assert [WaterDetector().flag([n], facts)[0] for n in notes] == whole
    assert whole[0] == ["duplicate"] * 3 and whole[-1] == [None, None]


def test_inputs_without_comments_skip_the_first_pass(tmp_path) -> None:
    from model.notes import MAX_ROW_BYTES
    from serve.batch.crossnote import gather
    from serve.batch.plan import make_plan

    plain = tmp_path / "plain.jsonl"
    plain.write_text('{"id": "1", "text": "好", "author": "甲"}\n', encoding="utf-8")
    mention = tmp_path / "mention.jsonl"  # the word only in a text: read, and still nothing to share
    mention.write_text('{"id": "2", "text": "no comments here", "author": "甲", "comments": []}\n', encoding="utf-8")
    for files in ([plain], [plain, mention]):
        plan = make_plan(files, chunk_size=2, encoding=None, max_row_bytes=MAX_ROW_BYTES)
        assert gather(plan, tmp_path, WaterDetector(), reuse=False) == (None, None)
    assert not list(tmp_path.glob("*crossnote-*"))


@pytest.mark.parametrize("blank", ["", "  ", "\u3000", "\ufeff"])
def test_a_blank_author_is_no_author(tmp_path, capsys, sample_model_dir, tiny_comment_scorer, blank):
    """Notes whose author is "" are not one creator: the same comment under two strangers' notes is no
    cross-note duplicate (in `comments` and in `score`), and no creator named "" is reported."""
    comment = "看起来好好吃啊我也想学"
    rows = [{"id": "a", "text": "今天做了蛋糕", "author": blank, "comments": [comment]},
            {"id": "b", "text": "周末去爬山", "author": blank, "comments": [comment]}]  # fmt: skip
    src = tmp_path / "blank.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert main(["comments", str(src), "--json", "--no-ad"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["suspect_reason"] for n in doc["notes"] for c in n["comments"]] == [None, None]
    assert [n["author"] for n in doc["notes"]] == [None, None] and [c["author"] for c in doc["creators"]] == [None]
    out = tmp_path / "out.jsonl"
    cfg = BatchConfig(inputs=[str(src)], output=out, model_dir=sample_model_dir, jobs=1, chunk_size=1, progress=False)
    run_batch(cfg, log=lambda msg: None)
    scored = list(iter_output_rows(out, "jsonl"))
    assert [r["author"] for r in scored] == [None, None]
    assert [r["comments"]["suspect_reasons"] for r in scored] == [{}, {}]
