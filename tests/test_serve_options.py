"""`notecheck serve` errors name what the user wrote: the `--model` option when the model came from it, else the
setting and the environment variable or settings file that gave it."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from model.artifacts import DEFAULT_MODEL_DIR
from serve.cli import main

SENTIMENT = DEFAULT_MODEL_DIR.parent / "sentiment"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _no_model(tmp_path: Path) -> Path:
    return tmp_path


def _missing(tmp_path: Path) -> Path:
    return tmp_path / "missing"


def _sentiment(tmp_path: Path) -> Path:
    return SENTIMENT


CASES = [
    pytest.param(_missing, " must be a model directory. Got {d}.", id="missing"),
    pytest.param(_no_model, ": {d}: no model_card.json; expected a notecheck model directory.", id="no-card"),
    pytest.param(_sentiment, ": {d}: model card task is 'sentiment', expected 'ad'.", id="other-task"),
]


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    import uvicorn

    calls: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(app))
    # serve exports --model and --settings into os.environ (for its workers): set then unset through monkeypatch,
    # so that whatever a test leaves there is undone after it
    for name in ("NOTECHECK_MODEL_DIR", "NOTECHECK_SETTINGS_FILE"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return calls


@pytest.mark.parametrize(("directory", "why"), CASES)
@pytest.mark.parametrize("env_too", [False, True], ids=["option", "option-over-env"])
def test_an_error_about_the_model_option_names_the_option(
    monkeypatch, capsys, tmp_path, started, directory, why, env_too
):
    """`serve --model DIR` said "setting 'model_dir'", a name the user never wrote (--model is exported as
    NOTECHECK_MODEL_DIR for the workers); with that variable also set, --model is still what was used."""
    d = directory(tmp_path)
    if env_too:
        monkeypatch.setenv("NOTECHECK_MODEL_DIR", str(DEFAULT_MODEL_DIR))
    assert main(["serve", "--port", str(_free_port()), "--model", str(d)]) == 2
    assert not started
    assert capsys.readouterr().err == "error: --model" + why.format(d=d) + "\n"


@pytest.mark.parametrize(("directory", "why"), CASES)
@pytest.mark.parametrize("place", ["env", "file"])
def test_an_error_about_the_model_setting_names_where_it_was_set(
    monkeypatch, capsys, tmp_path, started, directory, why, place
):
    d = directory(tmp_path)
    argv = ["serve", "--port", str(_free_port())]
    if place == "env":
        monkeypatch.setenv("NOTECHECK_MODEL_DIR", str(d))
        source = "environment variable NOTECHECK_MODEL_DIR"
    else:
        settings = tmp_path / "settings.toml"
        settings.write_text(f"model_dir = {str(d)!r}\n", encoding="utf-8")
        argv += ["--settings", str(settings)]
        source = f"settings file {settings}"
    assert main(argv) == 2
    assert not started
    assert capsys.readouterr().err == f"error: setting 'model_dir' ({source})" + why.format(d=d) + "\n"
