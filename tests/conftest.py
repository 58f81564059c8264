from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
#: labelled comments (1 positive, 0 negative): kept out of samples/, whose note files are the sample archive
SAMPLE_COMMENTS = ROOT / "benchmarks" / "data" / "sample_comments.jsonl"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True, scope="session")
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory):
    """Apps built by tests keep their default appeals database in a temporary data directory, never in the home
    directory of whoever runs the tests (the default data directory follows XDG_DATA_HOME)."""
    import os

    saved = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("xdg-data"))
    yield
    if saved is None:
        os.environ.pop("XDG_DATA_HOME", None)
    else:
        os.environ["XDG_DATA_HOME"] = saved


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "ads" / "xhs_labelled.jsonl").is_file():
        pytest.skip("../shared/data is not present on this machine")
    return SHARED_DATA


@pytest.fixture(scope="session")
def sample_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained on the project's own sample archive (fast)."""
    from training.train import run_training

    out = tmp_path_factory.mktemp("sample-model")
    run_training(SAMPLES / "train_sample.toml", out, progress=False, ablation=True, command="pytest")
    return out


@pytest.fixture(scope="session")
def sample_model(sample_model_dir: Path):
    from model import load_model

    return load_model(sample_model_dir)


@pytest.fixture(scope="session")
def sample_sentiment_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A comment-sentiment model trained on the sample comments (fast; for API tests of comment scoring)."""
    from training.sentiment import run_sentiment_training

    out = tmp_path_factory.mktemp("sample-sentiment")
    config = out / "train.toml"
    config.write_text(
        "seed = 7\ntest_size = 0.25\ndedup = 'normalized'\n[model]\nbackend = 'rjieba'\nword_ngram_max = 2\n"
        "min_df = 1\nC = 2.0\ncv_folds = 3\n[sentiment]\nneutral_band = [0.4, 0.6]\n[[dataset]]\nname = 'sample'\n"
        f"path = '{SAMPLE_COMMENTS.as_posix()}'\nsource = 'sample'\n",
        encoding="utf-8",
    )
    run_sentiment_training(config, out / "model", progress=False, command="pytest")
    return out / "model"


@pytest.fixture
def tiny_comment_scorer(monkeypatch):
    """A CommentScorer with a small sentiment model fitted on the sample comments, injected into serve.batch."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    import serve.batch.score as batch_score
    from model import comments
    from model.pipeline import NoteDocuments

    rows = [json.loads(line) for line in SAMPLE_COMMENTS.read_text("utf-8").splitlines()]
    texts = [comments.sentiment_document(r["text"]) for r in rows]
    features = FeatureUnion([("char", TfidfVectorizer(analyzer="char", ngram_range=(1, 2)))])
    clf = LogisticRegression().fit(features.fit_transform(texts), [int(r["label"] in (1, "positive")) for r in rows])
    pipe = Pipeline([("doc", NoteDocuments()), ("features", features), ("clf", clf)])
    scorer = comments.CommentScorer(sentiment=comments.SentimentModel(pipe, neutral_band=(0.4, 0.6)))
    monkeypatch.setattr(batch_score, "comment_scorer_status", lambda: (scorer, None))
    monkeypatch.setattr(batch_score, "_SCORERS", {})
    return scorer


def stop_after_first_chunk(monkeypatch: pytest.MonkeyPatch, cfg) -> None:
    """Run the batch ``cfg`` as a run that crashed after its first chunk (every later chunk raises), leaving its
    parts and manifest behind for ``--resume``; the real chunk scorer is back in place afterwards."""
    import serve.batch.score as batch_score
    from serve.batch import run_batch

    real = batch_score.score_chunk
    monkeypatch.setattr(batch_score, "score_chunk", lambda c, *a: real(c, *a) if c.index == 0 else 1 / 0)
    with pytest.raises(ZeroDivisionError):
        run_batch(cfg)
    monkeypatch.setattr(batch_score, "score_chunk", real)


def with_thresholds(model, threshold: float, review_threshold: float | None = None):
    """``model``'s weights and calibration deciding at ``threshold`` (and reviewing from ``review_threshold``,
    default the same): for a test of a decision rule that must not hang on where a retrain scores its notes."""
    from model.classifier import AdModel

    review = threshold if review_threshold is None else review_threshold
    return AdModel(
        model.compiled, calibration=model.calibration, threshold=threshold, review_threshold=review, card=model.card
    )


def sample_config_with_news(
    d: Path, notes: Path, news: list[str], *, weight: float | None = None, extra: str = ""
) -> Path:
    """``d/train.toml``: samples/train_sample.toml reading ``notes``, plus ``news`` (texts written to
    ``d/news.jsonl``, label 0) as a dataset of source ``news`` (of ``weight`` when given), then ``extra`` TOML."""
    rows = [{"id": f"n{i}", "text": t, "label": 0} for i, t in enumerate(news)]
    (d / "news.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    text = (SAMPLES / "train_sample.toml").read_text(encoding="utf-8").replace("notes.jsonl", notes.as_posix())
    text += f"\n[[dataset]]\nname = 'news'\npath = '{(d / 'news.jsonl').as_posix()}'\nsource = 'news'\n"
    if weight is not None:
        text += f"weight = {weight}\n"
    (d / "train.toml").write_text(text + extra, encoding="utf-8")
    return d / "train.toml"
