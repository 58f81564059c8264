import json

import pytest
from conftest import SAMPLES, with_thresholds

from serve.cli import main


def test_check_prints_decision_and_reasons(capsys, sample_model_dir):
    assert main(["check", "--model", str(sample_model_dir), "加vx: abc123 原价199现价99，链接在主页"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("decision: ad")
    assert "【加vx: abc123】" in out and "联系方式 contact details" in out  # the writer's words, marked
    assert "⟦" not in out and "cue:" not in out and "申诉" in out


def test_check_colours_highlights_on_a_terminal(monkeypatch, sample_model):
    from serve.check_output import format_check

    note = {"title": "", "text": "加vx: abc123 原价199现价99，链接在主页"}
    result = sample_model.check(note)
    coloured = format_check(result, note, colour=True)
    assert "\x1b[31m" in coloured and "【" not in coloured
    plain = format_check(result, note, colour=False)
    assert "\x1b[" not in plain and "【" in plain


def test_check_shows_controls_in_the_note_escaped(sample_model):
    """`check - < note.txt` printed the note, its evidence and the advice raw: an escape sequence in the file
    cleared or recoloured the terminal and a bidi override reordered the line, which every other command's output
    escapes (serve/terminal.py). Highlights and colours still work around the escaped text."""
    from serve.check_output import format_check

    note = {"title": "\u202e周末", "text": "加vx\x1b[2J abc123 领券 原价199现价99\r链接在主页"}
    result = sample_model.check(note)
    for colour in (False, True):
        shown = format_check(result, note, colour=colour)
        assert "\x1b[2J" not in shown and "\u202e" not in shown and "\r" not in shown
        assert "\\x1b" in shown and "\\u202e" in shown and "\\x0d" in shown
    assert any(h.weight > 0 for h in result.highlights) and "【" in format_check(result, note, colour=False)


def test_evaluate_table_shows_a_source_name_escaped(tmp_path, capsys, sample_model_dir):
    """A source name from the data went into evaluate's table raw: an escape sequence acted on the terminal and a
    "|" split the Markdown row into a column too many."""
    path = tmp_path / "labelled.jsonl"
    rows = [{"text": "加vx领券 原价199", "label": 1}, {"text": "今天去爬山，风景很好", "label": 0}]
    path.write_text("".join(json.dumps({**r, "source": "s\x1b[2J|x"}) + "\n" for r in rows), encoding="utf-8")
    assert main(["evaluate", str(path), "--model", str(sample_model_dir)]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("| s\\"))
    assert "\x1b" not in out and row.startswith("| s\\x1b[2J\\|x | 2 | 1 |")
    assert row.replace("\\|", "").count("|") == 10  # the table's nine columns


def test_evaluate_says_when_a_text_carries_both_labels(tmp_path, capsys, sample_model_dir):
    """The same text labelled ad in one row and genuine in another was scored and counted twice, one copy right and
    one wrong, without a word (a data scientist's walkthrough)."""
    path = tmp_path / "labelled.jsonl"
    rows = [{"text": "加vx领券，私信下单", "label": 1}, {"text": "加ＶＸ领券，私信下单", "label": 0},  # read alike
            {"text": "今天去爬山", "label": 0}, {"text": "今天去爬山", "label": 0}]  # fmt: skip
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert main(["evaluate", str(path), "--model", str(sample_model_dir), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["texts_with_both_labels"] == 1 and json.loads(captured.out)["n"] == 4
    assert "note: 1 text(s) appear with both labels" in captured.err
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[2:]), encoding="utf-8")
    assert main(["evaluate", str(path), "--model", str(sample_model_dir)]) == 0
    assert "both labels" not in capsys.readouterr().err


def test_check_json_from_stdin(capsys, monkeypatch, sample_model_dir):
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO("今天去爬山了，风景超美".encode())))
    assert main(["check", "--model", str(sample_model_dir), "--json", "-"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["decision"] in {"ad", "review", "genuine"} and 0 <= out["ad_probability"] <= 1
    assert out["threshold"] >= out["review_threshold"] and isinstance(out["reasons"], list)
    assert all(h["text"] in "今天去爬山了，风景超美" for h in out["highlights"])


def test_check_a_title_only_note(capsys, sample_model_dir):
    """An image note has a title and no text, as the API and the writer's page accept; `check --title X` stopped
    at "the following arguments are required: text" and needed an explicit "" as text."""
    assert main(["check", "--model", str(sample_model_dir), "--title", "周末去爬山", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["decision"] in {"ad", "review", "genuine"}
    assert {h["field"] for h in out["highlights"]} <= {"title"}
    assert main(["check", "--model", str(sample_model_dir)]) == 2  # neither: the note is blank
    assert capsys.readouterr().err == (
        "error: field 'text' is required when the title is blank: a note needs text or a title that is not blank. "
        "Got nothing.\n"
    )


def test_evaluate_json(capsys, sample_model_dir):
    assert main(["evaluate", str(SAMPLES / "notes.jsonl"), "--model", str(sample_model_dir), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 120 and out["per_source"]["sample"]["n"] == 120
    assert {"roc_auc", "precision", "recall", "f1", "false_positive_rate", "ece"} <= set(out)


def test_evaluate_decides_as_score_does(tmp_path, capsys, monkeypatch):
    """A note at or above the ad threshold that no phrase explains is decided review by check and score; evaluate
    counts it so too (not as a caught ad), and says how many went to review that way."""
    from model import load_model
    from model.notes import read_notes

    shipped = load_model()
    # Both thresholds at 0: every note reaches the ad threshold; only a phrase towards ad makes it "ad".
    model = with_thresholds(shipped, 0.0)
    monkeypatch.setattr("serve.cli.load_ad_model", lambda args: model)
    rows = [
        {"title": "新店开业", "text": "加VX领券，原价199现价99，链接在主页，私信下单", "label": 1},
        {"text": "好", "label": 1},
        {"text": "好", "title": "嗯", "label": 0},
        {"title": "周末爬山", "text": "今天和朋友去爬山，山顶风景很好，下山吃了碗面，累但开心", "label": 0},
    ]
    data = tmp_path / "notes.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    notes, _ = read_notes(data, require_label=True)
    decided = model.score(notes, top=0).decisions
    assert "review" in decided and "ad" in decided  # the file exercises the rule
    assert main(["evaluate", str(data), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    caught = [d == "ad" for d in decided]
    assert out["confusion"] == {
        "tp": sum(c and r["label"] == 1 for c, r in zip(caught, rows, strict=True)),
        "fp": sum(c and r["label"] == 0 for c, r in zip(caught, rows, strict=True)),
        "fn": sum(not c and r["label"] == 1 for c, r in zip(caught, rows, strict=True)),
        "tn": sum(not c and r["label"] == 0 for c, r in zip(caught, rows, strict=True)),
    }
    assert out["decisions"] == {d: decided.count(d) for d in ("ad", "review", "genuine")}
    assert out["unexplained"] == decided.count("review") > 0
    assert main(["evaluate", str(data)]) == 0
    text = capsys.readouterr().out
    assert f"{decided.count('review')} of 4 notes at or above the threshold were decided review, not ad" in text


def test_evaluate_reads_directories_and_globs_as_score_does(tmp_path, capsys, sample_model_dir):
    lines = (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "later").mkdir()
    (tmp_path / "first.jsonl").write_text("".join(lines[:50]), encoding="utf-8")
    (tmp_path / "later" / "rest.jsonl").write_text("".join(lines[50:]), encoding="utf-8")
    (tmp_path / "keywords.json").write_text("{}", encoding="utf-8")  # not a note file: left out, as in score
    assert main(["evaluate", str(SAMPLES / "notes.jsonl"), "--model", str(sample_model_dir), "--json"]) == 0
    whole = json.loads(capsys.readouterr().out)
    for inputs in ([str(tmp_path)], [str(tmp_path / "**" / "*.jsonl")]):
        assert main(["evaluate", *inputs, "--model", str(sample_model_dir), "--json"]) == 0
        assert json.loads(capsys.readouterr().out) == whole


def test_evaluate_reports_bad_rows(tmp_path, capsys, sample_model_dir):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "好看", "label": 1}\n{"text": "x", "label": "perhaps"}\n', encoding="utf-8")
    assert main(["evaluate", str(bad), "--model", str(sample_model_dir)]) == 2
    assert "bad.jsonl, line 2: field 'label'" in capsys.readouterr().err
    assert main(["evaluate", str(bad), "--model", str(sample_model_dir), "--skip-bad-rows", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["skipped_rows"] == [
        f"{bad}, line 2: field 'label' must be 1/0 or \"ad\"/\"genuine\". Got str 'perhaps'."
    ]


def test_score_keeps_every_row(tmp_path, capsys, sample_model_dir):
    data = tmp_path / "mixed.jsonl"
    data.write_text('{"id": "a", "text": "好看"}\nnot json\n{"id": "c", "text": 3}\n{"id": "d", "text": "加v"}\n')
    out = tmp_path / "scored.jsonl"
    assert main(["score", str(data), "-o", str(out), "--model", str(sample_model_dir)]) == 1
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["line"] for r in rows] == [1, 2, 3, 4]
    assert [r["error"] is None for r in rows] == [True, False, False, True]
    assert "invalid JSON" in rows[1]["error"] and "field 'text' must be a string" in rows[2]["error"]
    assert "2 row(s) with errors" in capsys.readouterr().out


def test_train_command(tmp_path, capsys):
    assert main(["train", "--config", str(SAMPLES / "train_sample.toml"), "-o", str(tmp_path), "--quiet",
                 "--no-ablation"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    # the target source first: pooled with other corpora (easy by their style) the figures say little of the task
    heads = [line for line in out.splitlines() if line.startswith("test split")]
    assert heads[0].startswith("test split, sample (the target source): n=")
    assert heads[1].startswith("test split, all sources pooled: n=")
    assert "| **sample** (the target) |" in out and (tmp_path / "model_card.json").is_file()


def test_metrics_tables_put_the_target_source_first():
    from model.evaluation import metrics_table

    m = {"n": 10, "n_ad": 2, "roc_auc": 0.8, "f1": 0.5}
    table = metrics_table({"wechat": {**m, "f1": 0.9}, "xhs": m}, {**m, "f1": 0.85}, target="xhs").splitlines()
    assert table[2].startswith("| **xhs** (the target) | 10 | 2 | 0.800 |")
    assert table[3].startswith("| wechat |") and table[4].startswith("| all sources pooled |")
    assert metrics_table({"wechat": m}, m).splitlines()[2].startswith("| **all** |")  # no target: as before


def test_missing_model_is_a_clear_error(capsys, tmp_path):
    assert main(["check", "--model", str(tmp_path), "x"]) == 2
    assert "no model_card.json" in capsys.readouterr().err


def test_usage_error_exits_2():
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


@pytest.mark.parametrize(
    ("argv", "usage"),
    [
        (["check", "--bogus", "x"], "usage: notecheck check "),
        (["score", "in.jsonl", "--bogus"], "usage: notecheck score "),
        (["appeals", "list", "--bogus"], "usage: notecheck appeals list "),
    ],
)
def test_an_unknown_option_is_reported_by_its_subcommand(capsys, argv, usage):
    """The usage shown is the subcommand's (its options), not the top-level list of commands."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err
    assert exc.value.code == 2 and err.startswith(usage)
    assert f"{usage[7:].strip()}: error: unrecognized arguments: --bogus" in err


def test_check_top_has_the_api_limit(capsys, sample_model_dir):
    with pytest.raises(SystemExit) as exc:
        main(["check", "--top", "51", "--model", str(sample_model_dir), "加vx领券"])
    assert exc.value.code == 2
    assert "--top: must be at most 50 (as the API's top). Got 51." in capsys.readouterr().err
    assert main(["check", "--top", "50", "--json", "--model", str(sample_model_dir), "加vx领券"]) == 0
    assert json.loads(capsys.readouterr().out)["decision"] == "ad"


def test_inconsistent_thresholds_in_a_model_card_are_a_named_error(tmp_path, capsys, sample_model_dir):
    import shutil

    model = tmp_path / "model"
    shutil.copytree(sample_model_dir, model)
    card = json.loads((model / "model_card.json").read_text(encoding="utf-8"))
    card["threshold"], card["review_threshold"] = 0.2, 0.9
    (model / "model_card.json").write_text(json.dumps(card), encoding="utf-8")
    assert main(["check", "--model", str(model), "加vx领券"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: The thresholds of AdModel must satisfy 0 <= review_threshold <= threshold")
    assert "Traceback" not in err


def test_training_data_with_one_class_is_a_named_error(tmp_path, capsys):
    rows = [json.loads(line) for line in (SAMPLES / "notes.jsonl").read_text(encoding="utf-8").splitlines()]
    genuine = tmp_path / "genuine.jsonl"
    genuine.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows if r["label"] in (0, "genuine")),
                       encoding="utf-8")  # fmt: skip
    config = tmp_path / "train.toml"
    config.write_text(
        (SAMPLES / "train_sample.toml").read_text(encoding="utf-8").replace('"notes.jsonl"', f'"{genuine.as_posix()}"'),
        encoding="utf-8",
    )
    assert main(["train", "--config", str(config), "-o", str(tmp_path / "out"), "--quiet", "--no-ablation"]) == 2
    assert capsys.readouterr().err == (
        "error: Training data must contain both ads and genuine notes. Got only label 0.\n"
    )


def test_check_prints_a_note_of_several_lines_indented_under_its_field(sample_model):
    """A note of several lines was printed with its further lines at the margin, where a line of the note (here
    "reasons: (none)") read as a line of the report, and each Windows line end as "\\x0d"."""
    from serve.check_output import format_check

    note = {"title": "私信\n下单", "text": "加\r\n微\r\n信\r\n领\r\n券\nreasons: (none)"}
    result = sample_model.check(note)
    assert any(h.weight > 0 for h in result.highlights)
    plain = format_check(result, note, colour=False)
    lines = plain.splitlines()
    for field in ("title", "text"):
        first = next(i for i, line in enumerate(lines) if line.startswith(f"{field}: "))
        n = note[field].replace("\r\n", "\n").count("\n") + 1
        block = [lines[first][len(f"{field}: ") :], *lines[first + 1 : first + n]]
        assert all(line.startswith(" " * len(f"{field}: ")) for line in lines[first + 1 : first + n])
        shown = "\n".join(line.strip() for line in block).translate(str.maketrans("", "", "【】〔〕"))
        assert shown == note[field].replace("\r\n", "\n")  # only marks and indentation were added
    assert "\\x0d" not in plain and [line for line in lines if line.startswith("reasons:")] == ["reasons:"]


@pytest.mark.parametrize("sep", ["\n", "\r\n", " \n ", "\u2028", "\n\n"])
def test_reasons_and_advice_quote_a_phrase_across_lines_on_one_line(capsys, sample_model, sample_model_dir, sep):
    """Text spaced out line by line is read as the words it spells, so one phrase spans line breaks: its reason
    ("one line for a table") and the advice quoted it with the breaks, splitting the reasons list of `check`.
    Quotes put each break on one space; the highlight still gives the text as sent."""
    text = sep.join("加微信领券") + "，原价199现价99"
    result = sample_model.check({"title": "", "text": text})
    spanning = [h for h in result.highlights if sep in h.text]
    assert spanning, result.highlights
    for h in spanning:
        assert text[h.start : h.end] == h.text
    quoted = [r.quoted() for r in result.reasons] + [r.text() for r in result.reasons]
    quoted += list(result.advice.values())
    for q in quoted:
        assert len(q.splitlines()) == 1 and "\u2028" not in q and "  " not in q
    assert any(f"“{' '.join(h.text.split())}”" in r.quoted() for r in result.reasons for h in spanning)
    assert main(["check", "--model", str(sample_model_dir), text]) == 0
    out = capsys.readouterr().out
    reasons = out.split("reasons:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert reasons and all(line.startswith("  ") and ("→ ad" in line or "→ genuine" in line) for line in reasons)


def test_plain_marks_never_look_like_the_writers_own_brackets(sample_model):
    """Xiaohongshu titles use 【】: marking highlights with 【】 too made “【小团出发】” read as a highlight and
    nested marks (“【搜【XX旗舰店】】”). Such a note is marked with brackets it does not use, named in the legend."""
    from serve.check_output import format_check

    note = {
        "title": "【小团出发】云南6天5晚纯玩团",
        "text": "加vx: abc123 现在搜【XX旗舰店】领券，原价199现价99〔限时〕",
    }
    result = sample_model.check(note)
    assert any(h.weight > 0 for h in result.highlights)
    plain = format_check(result, note, colour=False)
    assert "(«…» pushes towards ad, ‹…› towards genuine)" in plain
    lines = {line.split(": ", 1)[0]: line.split(": ", 1)[1] for line in plain.splitlines()[3:5]}
    for field, marked in lines.items():
        assert marked.translate(str.maketrans("", "", "«»‹›")) == note[field]  # only marks were added
    for h in result.highlights:
        assert ("«" if h.weight > 0 else "‹") + h.text + ("»" if h.weight > 0 else "›") in lines[h.field]
    other = {"title": "", "text": "加vx: abc123 原价199现价99"}
    assert "(【…】 pushes towards ad, 〔…〕 towards genuine)" in format_check(
        sample_model.check(other), other, colour=False
    )


def test_every_argument_of_every_command_has_help():
    """The README says every command's --help explains each option."""
    import argparse

    from serve.cli import build_parser

    missing = []

    def walk(parser: argparse.ArgumentParser, name: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub, subparser in action.choices.items():
                    walk(subparser, f"{name} {sub}")
            elif action.help is None and not isinstance(action, argparse._HelpAction):
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")

    walk(build_parser(), "notecheck")
    assert not missing


def test_model_option_help_names_the_model_it_picks():
    """`comments` and `creators` take --model for the sentiment model (--ad-model for the ad one), but their --help
    said "model directory (default: the shipped model)", which reads as the ad model of every other command."""
    import argparse

    from serve.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    helps = {name: next(a.help for a in p._actions if "--model" in a.option_strings) for name, p in sub.choices.items()
             if any("--model" in a.option_strings for a in p._actions)}  # fmt: skip
    assert "sentiment model" in helps["comments"] and "sentiment model" in helps["creators"]
    assert all("ad model" in helps[c] for c in ("check", "score", "review", "train", "serve") if c in helps)


def test_check_json_has_the_fields_of_the_api_response(capsys, sample_model_dir):
    """`check --json` is documented as the API's /v1/check response: same fields, same order."""
    from serve.schemas.check import CheckOut

    assert main(["check", "--model", str(sample_model_dir), "--json", "加vx领券"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == list(CheckOut.model_fields)
    CheckOut.model_validate(out)


def test_check_json_is_the_api_response_for_the_same_note(capsys):
    """`check --json` kept 6 reasons where /v1/check returns 8 by default, so the two answers differed for a note
    with many reasons; --json now defaults to the API's top, the terminal view still to 6."""
    from fastapi.testclient import TestClient

    from serve.app import create_app
    from serve.settings import Settings

    text = ("源头厂家直供，加vx abc123领券，原价199现价99，点击链接下单，抽奖送福利，#好物分享[话题]# @小红 合作 广告 "
            "今天我自己用了觉得真的很好 https://t.cn/abc")  # fmt: skip
    assert main(["check", "--json", text]) == 0
    out = json.loads(capsys.readouterr().out)
    with TestClient(create_app(Settings(model_processes=0))) as client:
        api = client.post("/v1/check", json={"text": text}).json()
    assert len(api["reasons"]) == Settings().top_reasons == 8
    assert out == api
    assert main(["check", text]) == 0
    assert capsys.readouterr().out.split("\nreasons:\n")[1].split("\n\n")[0].count("\n") + 1 == 6


@pytest.mark.parametrize(
    ("argv", "target"),
    [
        (["review", str(SAMPLES / "notes.jsonl"), "-o", "q.csv", "--include-labelled"], "serve.cmd_review.nearest"),
        (["creators", str(SAMPLES / "notes.jsonl"), "-o", "audit"], "serve.cmd_creators.score_rows"),
        (["comments", str(SAMPLES / "notes.jsonl")], "serve.cmd_comments.build_scorer"),
    ],
)
def test_ctrl_c_is_one_line_and_exit_130(tmp_path, capsys, monkeypatch, argv, target):
    """Ctrl-C in review, creators or comments printed a KeyboardInterrupt traceback (score alone said
    'interrupted'); every command now stops with one line on stderr and status 130, as score does."""

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(target, interrupted)
    assert main(argv) == 130
    captured = capsys.readouterr()
    assert captured.err == f"interrupted: notecheck {argv[0]} stopped before it finished\n"  # no blank line first
    assert "Traceback" not in captured.out + captured.err


@pytest.mark.parametrize(("tty", "said"), [(True, "\ninterrupted: "), (False, "interrupted: ")])
def test_the_stop_line_starts_a_line_of_its_own_only_on_a_terminal(monkeypatch, tty, said):
    """On a terminal the line follows the "^C" it echoed, so it starts on a new line; in a log or a pipe a blank
    line before it was noise (the README promises one line)."""
    import sys

    from serve.sigterm import stop_line

    monkeypatch.setattr(sys.stderr, "isatty", lambda: tty)
    assert stop_line("interrupted: x") == said + "x"
    monkeypatch.setattr(sys, "stderr", None)  # run with stderr closed (2>&-): the stop still ends as a stop
    assert stop_line("interrupted: x") == "interrupted: x"


@pytest.mark.parametrize(
    ("raised", "status", "last_line"),
    [
        (KeyboardInterrupt, 130, "interrupted: python -m training.threshold stopped before it finished"),
        (RuntimeError("boom"), 70, "error: python -m training.threshold stopped on an unexpected error, a bug"),
        (BrokenPipeError(32, "Broken pipe", "out.csv"), 2, "error: out.csv: Broken pipe"),
    ],
)
def test_training_tools_end_as_notecheck_commands_end(monkeypatch, capsys, raised, status, last_line):
    """The python -m training tools and notecheck share one ending: a bug in a tool gave status 1 (which promises
    a complete output) and Ctrl-C did not name the tool."""
    from training import config, threshold

    def fails(*args, **kwargs):
        raise raised

    monkeypatch.setattr(config, "load_config", fails)  # the tool's first step
    assert threshold.main(["--config", "c.toml", "--oof", "o.npz"]) == status
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith(last_line)
