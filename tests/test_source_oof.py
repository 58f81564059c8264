"""Every corpus measured out of fold (training/source_oof.py), on the sample archive plus a small news corpus."""

import numpy as np
import pytest
from conftest import SAMPLES, sample_config_with_news

from training.config import load_config
from training.source_oof import main, run_source_oof, wilson

NEWS = [
    f"本市今日召开{t}会议，讨论{w}。"
    for t in ("春季", "夏季", "秋季", "冬季", "年度", "专项")
    for w in ("道路建设", "公共交通")
]


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    d = tmp_path_factory.mktemp("oofdata")
    extra = "\n[groups]\nall = ['sample', 'news']\n"
    return load_config(sample_config_with_news(d, SAMPLES / "notes.jsonl", NEWS, extra=extra))


@pytest.mark.parametrize(
    ("k", "n", "low", "high"), [(0, 10, 0.0, 0.2775), (5, 10, 0.2366, 0.7634), (10, 10, 0.7225, 1.0)]
)
def test_wilson_interval_matches_the_textbook_values(k, n, low, high):
    got = wilson(k, n)
    assert got == pytest.approx((low, high), abs=1e-4)


def test_wilson_of_no_trials_is_undefined():
    assert all(np.isnan(wilson(0, 0)))


def test_every_row_is_scored_once_by_a_model_that_did_not_see_it(config):
    result, rows = run_source_oof(config, n_splits=3)
    assert result["rows"] == len(rows["y"]) == len(NEWS) + 120
    assert sorted(set(rows["fold"].tolist())) == [0, 1, 2]
    sources = result["sources"]
    assert (
        sources["news"]["n"] == len(NEWS)
        and sources["news"]["genuine"] == len(NEWS)
        and "recall" not in sources["news"]
    )
    assert sources["sample"]["n"] + sources["news"]["n"] == result["rows"]
    whole = sources["all (sample + news)"]
    assert whole["n"] == result["rows"] and whole["fpr"]["of"] == sources["sample"]["genuine"] + len(NEWS)
    for f in sources.values():
        for name in ("recall", "fpr"):
            if name in f:
                assert f[name]["low"] <= f[name]["rate"] <= f[name]["high"]
    assert 0.5 < sources["sample"]["roc_auc"] <= 1.0  # the sample's funnel ads are easy even out of fold
    # one rule per fold: each fold's flags are its scores at one threshold
    for k in range(3):
        mine = rows["fold"] == k
        s, f = rows["scores"][mine], rows["flagged"][mine]
        assert not f.any() or not (~f).any() or s[f].min() > s[~f].max()


def test_the_same_config_gives_the_same_figures(config):
    a, ra = run_source_oof(config, n_splits=3)
    b, rb = run_source_oof(config, n_splits=3)
    assert a["sources"] == b["sources"] and np.array_equal(ra["scores"], rb["scores"])


def test_the_tool_writes_its_report_and_refuses_one_fold(config, tmp_path, capsys):
    assert main(["--config", str(config.path), "-o", str(tmp_path / "out"), "--folds", "3"]) == 0
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"source_oof.json", "source_oof.md", "source_oof.npz"}
    assert "| news | 12 | 0 | 12 |" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["--config", str(config.path), "-o", str(tmp_path / "out2"), "--folds", "1"])
    assert exc.value.code == 2 and "--folds must be at least 2. Got 1." in capsys.readouterr().err


def test_the_threshold_pools_the_configs_repeats_as_training_does(config, monkeypatch, tmp_path):
    """threshold_repeats = 2: two splits scored, fold k of the first thresholded on both splits' target scores of
    the rows outside it; the rows' scores and folds are still the first split's."""
    from dataclasses import replace

    import training.threshold

    seen: list[np.ndarray] = []
    rule = training.threshold.threshold_rule

    def recording(cfg, fpr=None):
        chooser = rule(cfg, fpr)

        def choose(scores, y, hard):
            seen.append(np.array(scores))
            return chooser(scores, y, hard)

        return choose

    one, rows1 = run_source_oof(config, n_splits=3)
    monkeypatch.setattr(training.threshold, "threshold_rule", recording)
    two, rows2 = run_source_oof(replace(config, threshold_repeats=2), n_splits=3)
    assert two["threshold_repeats"] == 2 and one["threshold_repeats"] == config.threshold_repeats == 1
    assert np.array_equal(rows1["scores"], rows2["scores"]) and np.array_equal(rows1["fold"], rows2["fold"])
    target = rows2["sources"] == "sample"
    assert len(seen) == 3
    for k, pooled in enumerate(seen):
        rest = target & (rows2["fold"] != k)
        assert pooled.shape == (2, int(rest.sum())) and np.array_equal(pooled[0], rows2["scores"][rest])
        assert not np.array_equal(pooled[1], pooled[0])  # the second split's models scored them
    from training.source_oof import markdown

    assert "of 2 splits pooled" in markdown(two, "cmd") and "pooled" not in markdown(one, "cmd")


def test_a_group_naming_no_source_is_refused(tmp_path):
    """`[groups]` members are checked against the data's sources here as in `notecheck train`: a misspelt member
    left the group's row computed on the other members, and nothing said so."""
    from model.errors import InvalidParameterError

    extra = "\n[groups]\nall = ['sample', 'nwes']\n"
    cfg = load_config(sample_config_with_news(tmp_path, SAMPLES / "notes.jsonl", NEWS, extra=extra))
    with pytest.raises(InvalidParameterError, match=r"'groups.all' parameter .* Got 'nwes'; the sources are"):
        run_source_oof(cfg, n_splits=3)
