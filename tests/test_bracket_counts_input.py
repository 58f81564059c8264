"""python -m training.bracket_counts reads its files as every command reads notes: a line that is JSON but not an
object names the file and line (a JSON array ended in "AttributeError: 'list' object has no attribute 'get'"), and
a CSV file is read too (the tool read JSON Lines by hand)."""

import pytest

from training.bracket_counts import main


@pytest.mark.parametrize(("line", "kind"), [("[1, 2]", "list"), ("3", "int")])
def test_a_line_that_is_not_an_object_is_named(tmp_path, capsys, line, kind):
    path = tmp_path / "notes.jsonl"
    path.write_text('{"text": "好看[笑哭R]"}\n' + line + "\n", encoding="utf-8")
    assert main([str(path)]) == 2
    assert capsys.readouterr().err == f"error: {path}, line 2: expected a JSON object per line, got {kind}\n"


def test_a_csv_file_is_counted_like_its_json_lines(tmp_path, capsys):
    (tmp_path / "n.jsonl").write_text('{"text": "好看[笑哭R][推荐]"}\n{"title": "[哈哈]"}\n', encoding="utf-8")
    (tmp_path / "n.csv").write_text("text,title\n好看[笑哭R][推荐],\n,[哈哈]\n", encoding="utf-8")
    assert main([str(tmp_path / "n.jsonl"), str(tmp_path / "n.csv")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{tmp_path / 'n.jsonl'}: 2 rows") and out[3].startswith(f"{tmp_path / 'n.csv'}: 2 rows")
    assert out[1:3] == out[4:6] and "[推荐] 1" in out[2]


def test_a_missing_file_is_a_usage_error(tmp_path, capsys):
    assert main([str(tmp_path / "none.jsonl")]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'none.jsonl'}: no such file\n"
