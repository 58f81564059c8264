import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT


def test_ruff_clean():
    beside = Path(sys.executable).parent / "ruff"
    ruff = str(beside) if beside.exists() else shutil.which("ruff")
    if ruff is None:
        pytest.fail("ruff is not installed; install the dev extra: pip install -e '.[dev]'")
    result = subprocess.run([ruff, "check", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_server_side_never_imports_training():
    code = "import sys, model, serve.cli, serve.scoring; sys.exit(any(m.startswith('training') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_scoring_and_serving_never_import_scikit_learn(tmp_path):
    """Inference runs on model.engine: loading both shipped models, checking a note, scoring a file and building
    the app leave scikit-learn (and its ~2.5 s import) out of the process."""
    out = tmp_path / "scored.jsonl"
    code = (
        "import sys\n"
        "from serve.cli import main\n"
        "from serve.app import create_app\n"
        "from serve.deps import load_models\n"
        "from serve.settings import Settings\n"
        "models = load_models(Settings())\n"
        "assert models.ad.check('加vx领券 原价199现价99').decision in ('ad', 'review', 'genuine')\n"
        "create_app(Settings())\n"
        f"assert main(['score', 'samples/notes.jsonl', '-o', {str(out)!r}, '--jobs', '1']) == 0\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'training'))\n"
        "print('imported:', loaded[:5])\n"
        "sys.exit(3 if loaded else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert out.is_file() and out.read_text(encoding="utf-8").count("\n") == 120
