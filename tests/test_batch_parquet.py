"""Parquet output of `notecheck score`: `comments` is a typed struct (maps keyed by keyword set, keyword, label),
the same schema in every part and across --resume, equal field by field to the JSON Lines output."""

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import stop_after_first_chunk

from serve.batch import BatchConfig, Interrupted, iter_output_rows, run_batch
from serve.batch.writers import encode_rows
from serve.cli import main
from serve.scoring import OUTPUT_COLUMNS

KEYWORDS = {"兰若面霜": ["兰若"], "求购": ["求链接", "怎么买"]}
# The first chunk (chunk size 3) has no comments; later ones have comments with and without likes, a keyword
# hit in both sets, water (a sticker, a repeated comment) and a note whose comments list is empty.
NOTES = [
    {"id": "n1", "text": "今天去爬山了，风景超美，累但是值得", "author": "山野"},
    {"id": "n2", "text": "全场饮品第二杯半价，加vx领券", "author": "店长"},
    {"id": "n3", "text": "这家面馆味道一般，排队太久了", "author": "吃货", "comments": []},
    {"id": "c1", "text": "用了兰若面霜，很滋润", "author": "山野",
     "comments": [{"text": "兰若好用吗", "likes": 3}, {"text": "求链接", "likes": 0}, "一般般吧"]},
    {"id": "c2", "text": "姐妹们冲！链接在主页", "author": "店长",
     "comments": ["求链接", "[赞R][赞R]", "这个颜色真的太好看了我也想要", "这个颜色真的太好看了我也想要", "怎么买"]},
    {"id": "n4", "text": "读完这本书很有感触", "author": "山野"},
    {"id": "c3", "text": "下班做了番茄肥牛饭", "author": "吃货", "comments": ["看起来好好吃", "难吃"]},
]  # fmt: skip


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def run(tmp_path, sample_model_dir, tiny_comment_scorer):
    src = write_jsonl(tmp_path / "in.jsonl", NOTES)
    kw = tmp_path / "kw.json"
    kw.write_text(json.dumps(KEYWORDS, ensure_ascii=False), encoding="utf-8")

    def config(name: str) -> BatchConfig:
        return BatchConfig(inputs=[str(src)], output=tmp_path / name, model_dir=sample_model_dir, jobs=1,
                           chunk_size=3, progress=False, keywords_file=kw)  # fmt: skip

    return config


def test_parquet_comments_are_structs_equal_to_the_jsonl_output(run, tmp_path):
    for name in ("out.jsonl", "out.parquet"):
        cfg = run(name)
        cfg.report_dir = tmp_path / f"report-{name}"
        run_batch(cfg)
    # the per-creator report, read back from the output, sees the same comment figures in both formats
    csv_from = {
        name: (tmp_path / f"report-{name}" / "creators.csv").read_bytes() for name in ("out.jsonl", "out.parquet")
    }
    assert csv_from["out.parquet"] == csv_from["out.jsonl"] and "兰若面霜".encode() in csv_from["out.jsonl"]
    table = pq.read_table(run("out.parquet").output)
    assert table.schema.names == list(OUTPUT_COLUMNS)
    kind = table.schema.field("comments").type
    assert pa.types.is_struct(kind)
    assert kind.field("n_comments").type == pa.int64() and kind.field("positive_share").type == pa.float64()
    assert kind.field("keyword_ratio").type == pa.map_(pa.string(), pa.float64())
    assert kind.field("keyword_hits").type == pa.map_(pa.string(), pa.map_(pa.string(), pa.int64()))
    assert kind.field("matched_comments").type == pa.map_(pa.string(), pa.list_(pa.int64()))

    from_parquet = table.to_pylist(maps_as_pydicts="strict")
    from_jsonl = [json.loads(line) for line in run("out.jsonl").output.read_text(encoding="utf-8").splitlines()]
    assert len(from_parquet) == len(from_jsonl) == len(NOTES)
    assert list(iter_output_rows(run("out.parquet").output, "parquet")) == from_parquet  # the reader of --report
    for pq_row, js_row in zip(from_parquet, from_jsonl, strict=True):
        assert list(pq_row) == list(js_row)
        for name in OUTPUT_COLUMNS:
            assert pq_row[name] == js_row[name], (js_row["id"], name)
    reports = {r["id"]: r["comments"] for r in from_jsonl}
    assert [k for k, v in reports.items() if v is not None] == ["c1", "c2", "c3"]  # null without comments
    assert [f.name for f in kind] == list(reports["c1"])  # every key of the JSON report has its field
    # what the comparison covers: likes give weighted shares, keyword sets and water give keyed values
    assert reports["c1"]["positive_share_weighted"] is not None and reports["c2"]["positive_share_weighted"] is None
    assert reports["c1"]["keyword_ratio"]["兰若面霜"] > 0 and reports["c2"]["keyword_hits"]["求购"]["怎么买"] == 1
    assert reports["c2"]["suspect_reasons"] and reports["c2"]["keyword_ratio_weighted"]["求购"] is None


def test_a_chunk_without_comments_has_the_schema_of_one_with_comments(run):
    from serve.batch.writers import arrow_schema

    run_batch(run("out.jsonl"))
    rows = [json.loads(line) for line in run("out.jsonl").output.read_text(encoding="utf-8").splitlines()]
    without, with_comments = rows[:3], rows[3:]
    assert all(r["comments"] is None for r in without) and any(r["comments"] for r in with_comments)
    schemas = [pq.read_schema(pa.BufferReader(encode_rows(part, "parquet"))) for part in (without, with_comments, [])]
    assert schemas[0] == schemas[1] == schemas[2] == arrow_schema()
    assert not pa.types.is_null(schemas[0].field("comments").type)
    empty_chunk = pq.read_table(pa.BufferReader(encode_rows(without, "parquet")))
    assert empty_chunk.column("comments").null_count == 3


def test_resumed_parquet_run_is_byte_identical(run, monkeypatch):
    import serve.batch.score as batch_score

    run_batch(run("full.parquet"))
    real, calls = batch_score.score_chunk, []

    def interrupted(chunk, *a):
        calls.append(chunk.index)
        if len(calls) == 2:  # after the chunk without comments, before any with
            raise KeyboardInterrupt
        return real(chunk, *a)

    monkeypatch.setattr(batch_score, "score_chunk", interrupted)
    cfg = run("resumed.parquet")
    with pytest.raises(Interrupted, match="^interrupted: stopped after 1 of 3 chunk"):
        run_batch(cfg)
    monkeypatch.setattr(batch_score, "score_chunk", real)
    cfg.resume = True
    assert run_batch(cfg).resumed_rows == 3
    assert cfg.output.read_bytes() == run("full.parquet").output.read_bytes()


def test_resume_refuses_parts_of_another_parquet_schema(run, monkeypatch, capsys, tmp_path):
    stop_after_first_chunk(monkeypatch, run("out.parquet"))
    manifest = tmp_path / "out.parquet.parts" / "_manifest.jsonl"
    lines = manifest.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    del first["fingerprint"]["parquet_schema"]  # as an earlier version, whose parts held `comments` as JSON text
    manifest.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n", encoding="utf-8")
    cfg = run("out.parquet")
    argv = ["score", *cfg.inputs, "-o", str(cfg.output), "--resume", "--model", str(cfg.model_dir), "--jobs", "1",
            "--chunk-size", "3", "--keywords", str(cfg.keywords_file), "--no-progress"]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "--resume: the unfinished run in" in err and "different parquet_schema" in err
