from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SHARED_DATA = ROOT.parent / "shared" / "data"


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
