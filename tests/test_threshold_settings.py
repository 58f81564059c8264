"""A review threshold above the ad threshold names the setting as the user gave it (the environment variable or
the settings file) and the ad threshold it was compared with (the setting, and where it came from, or the
model's). Before, with both thresholds set, the error was about the setting '(settings)' and printed every
setting given as what came in, API keys included; and a review threshold above the model's named no place."""

import os
import re

import pytest

from model.errors import InvalidParameterError
from serve.cli import main
from serve.settings import Settings, load_settings, setting_source


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in [n for n in os.environ if n.upper().startswith("NOTECHECK_")]:
        monkeypatch.delenv(name)
    yield
    # load_settings(file) and notecheck serve export these for worker processes
    for name in ("NOTECHECK_SETTINGS_FILE", "NOTECHECK_MODEL_DIR"):
        os.environ.pop(name, None)


ENV_REVIEW = "setting 'review_threshold' (environment variable NOTECHECK_REVIEW_THRESHOLD)"
FILE_REVIEW = "setting 'review_threshold' (settings file {file})"
ENV_AD = "setting 'threshold' (environment variable NOTECHECK_THRESHOLD)"
FILE_AD = "setting 'threshold' (settings file {file})"


@pytest.mark.parametrize(
    ("env", "toml", "expected"),
    [
        pytest.param({"NOTECHECK_THRESHOLD": "0.5", "NOTECHECK_REVIEW_THRESHOLD": "0.9"}, "",
                     f"{ENV_REVIEW}: must be <= the ad threshold, {ENV_AD} = 0.5. Got '0.9'.", id="both-env"),
        pytest.param({}, "threshold = 0.5\nreview_threshold = 0.9\n",
                     f"{FILE_REVIEW}: must be <= the ad threshold, {FILE_AD} = 0.5. Got 0.9.", id="both-file"),
        pytest.param({"NOTECHECK_THRESHOLD": "0.5"}, "review_threshold = 0.9\n",
                     f"{FILE_REVIEW}: must be <= the ad threshold, {ENV_AD} = 0.5. Got 0.9.", id="file-and-env"),
        # the variable outranks the file: the file's value is not the one refused
        pytest.param({"NOTECHECK_REVIEW_THRESHOLD": "0.8"}, "threshold = 0.5\nreview_threshold = 0.9\n",
                     f"{ENV_REVIEW}: must be <= the ad threshold, {FILE_AD} = 0.5. Got '0.8'.", id="env-over-file"),
        # lower case is read too (pydantic-settings reads the variables case-insensitively), and named as set
        pytest.param({"notecheck_threshold": "0.5", "NOTECHECK_REVIEW_THRESHOLD": "0.9"}, "",
                     f"{ENV_REVIEW}: must be <= the ad threshold, setting 'threshold' (environment variable "
                     "notecheck_threshold) = 0.5. Got '0.9'.", id="lower-case-env"),
    ],
)  # fmt: skip
def test_a_review_threshold_above_the_threshold_names_both_settings_where_given(
    tmp_path, monkeypatch, env, toml, expected
):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    file = None
    if toml:
        file = tmp_path / "serve.toml"
        file.write_text('api_keys = ["secret-key-123456"]\n' + toml, encoding="utf-8")
    with pytest.raises(InvalidParameterError) as exc:
        load_settings(file)
    assert str(exc.value) == f"Invalid notecheck settings: {expected.format(file=file)}"
    assert "(settings)" not in str(exc.value) and "secret-key" not in str(exc.value)


def test_thresholds_given_in_code_name_no_place():
    with pytest.raises(InvalidParameterError, match=re.escape("setting 'review_threshold': must be <= the ad "
                                                              "threshold, setting 'threshold' = 0.2. Got 0.5.")):  # fmt: skip
        load_settings(threshold=0.2, review_threshold=0.5)
    with pytest.raises(ValueError, match="must be <= the ad threshold, setting 'threshold' = 0.2"):
        Settings(threshold=0.2, review_threshold=0.5)


@pytest.mark.parametrize("source", ["env", "file"])
def test_serve_names_the_review_threshold_above_the_models_where_given(
    tmp_path, monkeypatch, capsys, sample_model_dir, source
):
    import uvicorn

    from model.artifacts import read_card

    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: pytest.fail("uvicorn started"))
    argv = ["serve", "--port", "1", "--model", str(sample_model_dir)]  # refused before the port is tried
    if source == "env":
        monkeypatch.setenv("NOTECHECK_REVIEW_THRESHOLD", "0.99")
        where = "environment variable NOTECHECK_REVIEW_THRESHOLD"
    else:
        file = tmp_path / "serve.toml"
        file.write_text("review_threshold = 0.99\n", encoding="utf-8")
        argv += ["--settings", str(file)]
        where = f"settings file {file}"
    assert main(argv) == 2
    threshold = read_card(sample_model_dir)["threshold"]
    assert capsys.readouterr().err == (
        f"error: setting 'review_threshold' ({where}) must be <= the model's ad threshold {threshold}. Got 0.99 "
        "instead.\n"
    )


def test_setting_source_passes_over_a_place_that_gives_another_value(monkeypatch):
    """A value set in code is not put on a variable that says something else."""
    monkeypatch.setenv("NOTECHECK_REVIEW_THRESHOLD", "0.3")
    assert setting_source("review_threshold", 0.3) == " (environment variable NOTECHECK_REVIEW_THRESHOLD)"
    assert setting_source("review_threshold", 0.9) == ""
    assert setting_source("threshold") == ""
