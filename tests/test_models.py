"""Plain, NB-weighted and stacked logistic regressions (training/models.py) fold into one weight per feature, so
the numpy engine runs them unchanged."""

from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import SAMPLES
from sklearn.linear_model import LogisticRegression

from model import Note, load_model
from training.config import ModelParams, load_config
from training.data import Example
from training.models import fit_linear, fit_lr, nb_ratio
from training.train import run_training


def test_nb_weights_fold_into_the_coefficients():
    X = sp.random(200, 30, density=0.2, random_state=1, format="csr")
    y = (X[:, :5].sum(axis=1).A.ravel() > 0.3).astype(int)
    w = np.ones(200)
    params = ModelParams(nb_weight=True, C=2.0)
    fit = fit_lr(X, y, w, params, seed=0)
    r = nb_ratio(X, y, w)
    clf = LogisticRegression(C=2.0, class_weight="balanced", solver="liblinear", max_iter=3000, random_state=0)
    clf.fit(X @ sp.diags(r), y, sample_weight=w)
    assert np.allclose(fit.decision(X), clf.decision_function(X @ sp.diags(r)))


def test_part_scales_fold_into_the_coefficients():
    X = sp.random(200, 30, density=0.2, random_state=2, format="csr")
    y = (X[:, :5].sum(axis=1).A.ravel() > 0.3).astype(int)
    w = np.ones(200)
    slices = [("word", np.arange(0, 10)), ("cue", np.arange(10, 20)), ("char", np.arange(20, 30))]
    params = ModelParams(C=2.0, cue_scale=3.0, char_scale=0.5)
    fit = fit_linear(X, y, w, slices, [], params, seed=0, target_source="xhs")
    scale = np.r_[np.ones(10), np.full(10, 3.0), np.full(10, 0.5)]
    clf = LogisticRegression(C=2.0, class_weight="balanced", solver="liblinear", max_iter=3000, random_state=0)
    clf.fit(X @ sp.diags(scale), y, sample_weight=w)
    assert np.allclose(fit.decision(X), clf.decision_function(X @ sp.diags(scale)))
    plain = fit_linear(X, y, w, slices, [], ModelParams(C=2.0), seed=0, target_source="xhs")
    assert not np.allclose(fit.coef, plain.coef)  # the scales change the fit, not only its bookkeeping


def test_domain_intercept_folds_into_the_intercept():
    X = sp.random(200, 30, density=0.2, random_state=3, format="csr")
    y = (X[:, :5].sum(axis=1).A.ravel() > 0.3).astype(int)
    w = np.ones(200)
    source = np.where(np.arange(200) % 3 == 0, "xhs", "sms")
    examples = [Example({"title": "", "text": ""}, int(c), 1.0, s, s) for c, s in zip(y, source, strict=True)]
    params = ModelParams(C=2.0, domain_intercept=True)
    fit = fit_linear(X, y, w, [("word", np.arange(30))], examples, params, seed=0, target_source="xhs")
    domain = (source == "xhs").astype(float)
    clf = LogisticRegression(C=2.0, class_weight="balanced", solver="liblinear", max_iter=3000, random_state=0)
    clf.fit(sp.hstack([X, domain[:, None]], format="csr"), y, sample_weight=w)
    two_part = clf.decision_function(sp.hstack([X, domain[:, None]], format="csr"))
    d = fit.parts["domain_coef"]
    assert d == pytest.approx(clf.coef_[0, -1]) and abs(d) > 1e-3
    target = source == "xhs"
    # the folded model scores every row as a target-source row: exactly the two-part model there, shifted by the
    # domain weight on the other corpora
    assert np.allclose(fit.decision(X)[target], two_part[target])
    assert np.allclose(fit.decision(X)[~target], two_part[~target] + d)
    off = fit_linear(X, y, w, [("word", np.arange(30))], examples, ModelParams(C=2.0), seed=0, target_source="xhs")
    assert "domain_coef" not in off.parts and not np.allclose(off.coef, fit.coef)
    # all rows of the target source: the column would only duplicate the intercept, so it is left out
    same = [Example(e.note, e.label, 1.0, "xhs", "xhs") for e in examples]
    assert "domain_coef" not in fit_linear(X, y, w, [], same, params, seed=0, target_source="xhs").parts


def _two_domains(seed: int):
    """Rows of two sources whose label depends on other columns in the target source (xhs) than elsewhere, so a
    target copy of the features has work to do."""
    X = sp.random(300, 40, density=0.2, random_state=seed, format="csr")
    source = np.where(np.arange(300) % 3 == 0, "xhs", "sms")
    target = source == "xhs"
    y = np.where(target, X[:, :5].sum(axis=1).A.ravel() > 0.3, X[:, 5:10].sum(axis=1).A.ravel() > 0.3).astype(int)
    examples = [Example({"title": "", "text": ""}, int(c), 1.0, s, s) for c, s in zip(y, source, strict=True)]
    return X, target, y, np.ones(300), examples


@pytest.mark.parametrize("scale", [0.5, 1.0, 2.0])
def test_domain_features_fold_into_the_shared_weights(scale):
    X, target, y, w, examples = _two_domains(4)
    params = ModelParams(C=2.0, domain_features=scale)
    fit = fit_linear(X, y, w, [("word", np.arange(40))], examples, params, seed=0, target_source="xhs")
    d = target.astype(float)
    augmented = sp.hstack([X, sp.diags(scale * d) @ X], format="csr")
    clf = LogisticRegression(C=2.0, class_weight="balanced", solver="liblinear", max_iter=3000, random_state=0)
    clf.fit(augmented, y, sample_weight=w)
    # the folded model scores every row as a target-source row: the augmented LR's decision there ...
    assert np.allclose(fit.decision(X)[target], clf.decision_function(augmented)[target], rtol=0, atol=1e-9)
    # ... and, on the other corpora, the decision the augmented LR would give them as target-source rows
    as_target = sp.hstack([X, scale * X], format="csr")
    assert np.allclose(fit.decision(X)[~target], clf.decision_function(as_target)[~target], rtol=0, atol=1e-9)
    assert not np.allclose(fit.decision(X)[~target], clf.decision_function(augmented)[~target], atol=1e-3)
    assert fit.parts["domain_features"]["target_norm"] > 1e-3 and "domain_coef" not in fit.parts
    plain = fit_linear(X, y, w, [("word", np.arange(40))], examples, ModelParams(C=2.0), seed=0, target_source="xhs")
    assert "domain_features" not in plain.parts and not np.allclose(plain.coef, fit.coef, atol=1e-3)


def test_domain_features_for_some_parts_only():
    X, target, y, w, examples = _two_domains(6)
    slices = [("word", np.arange(0, 15)), ("cue", np.arange(15, 25)), ("char", np.arange(25, 40))]
    params = ModelParams(C=2.0, domain_features=2.0, domain_parts=("word", "char"))
    fit = fit_linear(X, y, w, slices, examples, params, seed=0, target_source="xhs")
    copied = np.r_[np.arange(0, 15), np.arange(25, 40)]
    d = target.astype(float)
    augmented = sp.hstack([X, sp.diags(2.0 * d) @ X[:, copied]], format="csr")
    clf = LogisticRegression(C=2.0, class_weight="balanced", solver="liblinear", max_iter=3000, random_state=0)
    clf.fit(augmented, y, sample_weight=w)
    assert np.allclose(fit.decision(X)[target], clf.decision_function(augmented)[target], rtol=0, atol=1e-9)
    # the cue columns have only their shared weight
    assert np.allclose(fit.coef[15:25], clf.coef_[0, 15:25], rtol=0, atol=1e-12)
    every = fit_linear(X, y, w, slices, examples, replace(params, domain_parts=()), seed=0, target_source="xhs")
    assert not np.allclose(every.coef[15:25], fit.coef[15:25], atol=1e-3)


def test_domain_features_with_the_intercept_nb_and_stacking():
    X, target, y, w, examples = _two_domains(5)
    d = target.astype(float)
    params = ModelParams(C=2.0, domain_features=1.0, domain_intercept=True, nb_weight=True)
    fit = fit_linear(X, y, w, [("word", np.arange(40))], examples, params, seed=0, target_source="xhs")
    Xr = X @ sp.diags(nb_ratio(X, y, w))
    augmented = sp.hstack([Xr, sp.diags(d) @ Xr, d[:, None]], format="csr")
    clf = LogisticRegression(C=2.0, class_weight="balanced", solver="liblinear", max_iter=3000, random_state=0)
    clf.fit(augmented, y, sample_weight=w)
    assert np.allclose(fit.decision(X)[target], clf.decision_function(augmented)[target], rtol=0, atol=1e-9)
    assert fit.parts["domain_coef"] == pytest.approx(clf.coef_[0, -1])
    # stacking fits its per-part LRs with the target copy too, and stays one weight per column
    slices = [("word", np.arange(0, 20)), ("char", np.arange(20, 40))]
    notes = [Note(text=chr(0x4E00 + 3 * i) + chr(0x5E00 + 7 * i)) for i in range(300)]  # 300 distinct notes
    examples = [Example(n, e.label, 1.0, e.source, e.dataset) for n, e in zip(notes, examples, strict=True)]
    stacked = fit_linear(X, y, w, slices, examples, replace(params, model_kind="stack", nb_weight=False), seed=0,
                         target_source="xhs")  # fmt: skip
    assert stacked.coef.shape == (40,) and np.isfinite(stacked.decision(X)).all()


@pytest.mark.parametrize(
    "overrides",
    [
        {"model_kind": "stack", "cue_part": True},
        {"model_kind": "stack", "nb_weight": True},
        {"nb_weight": True},
        {"cue_scale": 2.0, "char_scale": 0.7},
    ],
)
def test_trained_variants_run_in_the_engine(overrides, tmp_path):
    cfg = load_config(SAMPLES / "train_sample.toml")
    cfg = replace(cfg, model=replace(cfg.model, **overrides))
    run_training(cfg, tmp_path, progress=False, ablation=False)
    model = load_model(tmp_path)
    notes = [
        {"title": "", "text": t}
        for t in ("加vx领券，全场五折", "今天自己做了番茄炒蛋，很好吃", "#好物分享[话题]# 链接在主页")
    ]
    engine = model.predict_proba(notes)
    reference = model.pipeline.predict_proba(notes)[:, 1]  # scikit-learn on the same folded weights
    calibrated = 1 / (
        1 + np.exp(-(model.calibration["a"] * model.pipeline.decision_function(notes) + model.calibration["b"]))
    )
    assert np.allclose(engine, calibrated) and engine.shape == reference.shape
