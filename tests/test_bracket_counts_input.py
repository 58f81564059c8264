"""python -m training.bracket_counts on a line that is JSON but not an object names the file and line. Before, a
line holding a JSON array ended in "AttributeError: 'list' object has no attribute 'get'"."""

import pytest

from training.bracket_counts import main


@pytest.mark.parametrize(("line", "kind"), [("[1, 2]", "list"), ("3", "int")])
def test_a_line_that_is_not_an_object_is_named(tmp_path, line, kind):
    path = tmp_path / "notes.jsonl"
    path.write_text('{"text": "好看[笑哭R]"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=rf"notes.jsonl:2: expected one JSON object per line, got {kind}"):
        main([str(path)])
