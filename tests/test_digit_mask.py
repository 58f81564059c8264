"""A corpus that masked its digits (the SMS corpus writes every digit as x) is un-masked as it is read: each run
becomes digits, so the model cannot learn "contains x", and a run of eleven becomes a number the phone cue reads,
as it reads a mobile number in a note. Runs inside a Latin word (a size "xxl", "xbox") are words, not digits."""

import io
import json

import pytest

from model.cues import find_cues
from model.text import normalize_text
from training.config import load_config
from training.data import MASKED_MOBILE, load_all


def _texts(tmp_path, *texts: str, mask: str = "x") -> list[str]:
    rows = "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts)
    (tmp_path / "sms.jsonl").write_text(rows, encoding="utf-8")
    (tmp_path / "c.toml").write_text(
        f'[[dataset]]\nname = "sms"\npath = "sms.jsonl"\nlabel = "ad"\ndigit_mask = "{mask}"\n', encoding="utf-8"
    )
    examples, _ = load_all(load_config(tmp_path / "c.toml"), stderr=io.StringIO())
    return [e.note.text for e in examples]


@pytest.mark.parametrize(
    ("masked", "unmasked"),
    [
        ("满xxx减xx", "满000减00"),
        ("咨询电话xxxxxxxxxxx宋老师", f"咨询电话{MASKED_MOBILE}宋老师"),
        ("热线：xxxx-xxxxxxx", "热线：0000-0000000"),
        ("卡号xxxxxxxxxxxxxxxxxxx", "卡号" + "0" * 19),  # 19 digits: a bank card, no phone
        ("xxxxxxxxxx", "0" * 10),
        ("xxxxxxxxxxxx", "0" * 12),
        ("xxl码 xbox", "xxl码 xbox"),
    ],
)  # fmt: skip
def test_masked_runs_become_digits(tmp_path, masked, unmasked):
    assert _texts(tmp_path, masked) == [unmasked]


def test_an_eleven_digit_run_is_read_as_a_phone_number(tmp_path):
    (text,) = _texts(tmp_path, "联系电话xxxxxxxxxxx，欢迎来电")
    phones = [c.text for c in find_cues(normalize_text(text)) if c.name == "phone"]
    assert phones == [MASKED_MOBILE]
    # any other length stays a plain number
    (text,) = _texts(tmp_path, "联系电话xxxxxxxxxx，欢迎来电")
    assert not [c for c in find_cues(normalize_text(text)) if c.name == "phone"]


def test_a_corpus_without_a_mask_is_read_as_written(tmp_path):
    (tmp_path / "n.jsonl").write_text('{"text": "xxxxxxxxxxx 和 00000000000", "label": 1}\n', encoding="utf-8")
    (tmp_path / "c.toml").write_text('[[dataset]]\nname = "n"\npath = "n.jsonl"\n', encoding="utf-8")
    examples, _ = load_all(load_config(tmp_path / "c.toml"), stderr=io.StringIO())
    assert [e.note.text for e in examples] == ["xxxxxxxxxxx 和 00000000000"]
