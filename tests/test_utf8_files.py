"""The small files a user names (a training config, a keyword file, server settings, a user dictionary, stop words)
are UTF-8. One saved in GBK is refused with the file and the place of the first byte that is not UTF-8: before, a
training config or user dictionary ended in a traceback called a bug, and a JSON keyword or settings file was said
to hold "a number of more than 4,300 digits" (the decoding error is a ValueError, caught as that one)."""

import codecs

import pytest

from model import InvalidParameterError
from model.comments.keywords import read_keyword_config
from model.tokenize import read_stopwords, read_user_dict
from serve.settings import read_settings_file
from training.config import load_config

CASES = [
    ("c.toml", 'seed = 7\n# 中文注释\n[[dataset]]\nname = "d"\npath = "d.jsonl"\n', load_config, "training config"),
    ("kw.json", '{"广告": ["广告"]}', read_keyword_config, "keyword file"),
    ("s.json", '{"api_keys": ["密钥"]}', read_settings_file, "settings file"),
    ("s.toml", '# 设置\napi_keys = ["k"]\n', read_settings_file, "settings file"),
    ("dict.txt", "hello 3\n中文 5\n", read_user_dict, "user dictionary"),
    ("stop.txt", "的\n了\n", read_stopwords, "stop-word file"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "content", "reader", "what"), CASES)
def test_a_gbk_file_is_refused_with_the_place_of_its_first_bad_byte(tmp_path, name, content, reader, what):
    (tmp_path / "d.jsonl").write_text('{"text": "你好", "label": 0}\n', encoding="utf-8")
    path = tmp_path / name
    data = content.encode("gbk")
    path.write_bytes(data)
    bad = next(i for i, b in enumerate(data) if b >= 0x80)
    line = data.count(b"\n", 0, bad) + 1
    column = bad - (data.rfind(b"\n", 0, bad) + 1) + 1
    with pytest.raises(InvalidParameterError) as info:
        reader(path)
    assert str(info.value) == (
        f"{what} {path} is not UTF-8 (byte 0x{data[bad]:02x} at line {line}, byte {column} of the line); "
        "save it as UTF-8, e.g. iconv -f gbk -t utf-8."
    )


@pytest.mark.parametrize(("name", "content", "reader", "what"), CASES)
def test_the_same_file_in_utf8_is_read_with_or_without_a_byte_order_mark(tmp_path, name, content, reader, what):
    (tmp_path / "d.jsonl").write_text('{"text": "你好", "label": 0}\n', encoding="utf-8")
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    plain = reader(path)
    path.write_bytes(codecs.BOM_UTF8 + content.encode("utf-8"))
    again = reader(path)
    if what == "training config":
        assert plain.seed == again.seed == 7
    elif what == "keyword file":
        assert plain.sets == again.sets == {"广告": ["广告"]}
    else:
        assert again == plain and plain
