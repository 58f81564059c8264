"""The notebooks are an entry point: they run end to end (papermill, kernel ``python3`` of this environment), are
committed without outputs, keep their logic in the packages, and render to HTML."""

import json
import sys

import nbformat
import pytest
from conftest import ROOT, SAMPLES
from nbformat.v4 import new_code_cell, new_notebook

from model import load_model, read_notes
from training.config import load_config
from training.notebooks import NOTEBOOK_DIR, NOTEBOOKS, execute_notebook, main, notebook_parameters, render_html

COMMITTED = sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _outputs_text(nb) -> str:
    parts = []
    for cell in _code_cells(nb):
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.extend(str(v) for k, v in out.get("data", {}).items() if k.startswith("text/"))
    return "\n".join(parts)


def _png_count(nb) -> int:
    return sum("image/png" in out.get("data", {}) for c in _code_cells(nb) for out in c.get("outputs", []))


def test_the_documented_notebooks_exist():
    assert sorted(NOTEBOOKS) == [p.name for p in COMMITTED]


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.name)
def test_committed_notebooks_have_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(_code_cells(nb)) if c.get("outputs") or c.get("execution_count") is not None]
    assert not dirty, f"{path.name}: code cells {dirty} carry outputs; strip them (pre-commit runs nbstripout)"


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.name)
def test_notebooks_have_a_tagged_parameters_cell_and_no_own_logic(path):
    nb = nbformat.read(path, as_version=4)
    cells = _code_cells(nb)
    tagged = [i for i, c in enumerate(cells) if "parameters" in c.metadata.get("tags", [])]
    assert tagged == [0], f"{path.name}: the first code cell (only) must be tagged 'parameters'"
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in cells:
        for line in cell.source.splitlines():
            assert not line.lstrip().startswith(("def ", "class ")), f"{path.name}: logic belongs in the packages"
            assert "lambda" not in line, f"{path.name}: logic belongs in the packages"


@pytest.mark.parametrize("small_data", [False, True])
@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.name)
def test_render_passes_each_notebook_only_parameters_it_declares(path, small_data, tmp_path):
    """`python notebooks/render.py` gave notebook 02 `small_data`, which it does not have: papermill printed
    "Passed unknown parameter: small_data" on every render."""
    nb = nbformat.read(path, as_version=4)
    declared = {
        line.split("=")[0].strip() for line in _code_cells(nb)[0].source.splitlines() if "=" in line.split("#")[0]
    }
    given = notebook_parameters(path.name, tmp_path, small_data=small_data, config="model/default/train.toml")
    assert set(given) <= declared, f"{path.name}: {sorted(set(given) - declared)} are not its parameters"


def test_python3_kernel_runs_this_environment(tmp_path):
    nb = new_notebook(cells=[new_code_cell("import sys\nprint(sys.prefix)")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "probe.ipynb")
    done = nbformat.read(execute_notebook(tmp_path / "probe.ipynb", tmp_path / "out.ipynb"), as_version=4)
    assert _outputs_text(done).strip() == sys.prefix


@pytest.fixture(scope="module")
def small_training_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nb01-small")
    out = execute_notebook(
        NOTEBOOK_DIR / "01-train-ad-classifier.ipynb",
        tmp / "01.ipynb",
        parameters={"small_data": True, "out_dir": str(tmp / "model"), "n_examples": 2},
    )
    return out, tmp / "model"


def test_training_notebook_runs_on_the_sample_and_saves_a_loadable_model(small_training_run):
    executed, model_dir = small_training_run
    nb = nbformat.read(executed, as_version=4)
    text = _outputs_text(nb)
    assert "train_sample.toml" in text  # small-data mode picked the sample config
    for expected in ("Most ad-like", "Most genuine-like", "model threshold", "Model card"):
        assert expected in text
    assert _png_count(nb) >= 6  # ROC, PR, reliability, confusion, FPR per source, trade-off
    model = load_model(model_dir)
    metrics = json.loads((model_dir / "metrics.json").read_text(encoding="utf-8"))
    assert f"ad threshold {model.threshold:.4f}" in text
    assert metrics["test"]["n"] > 0 and model.card["command"] == "notebooks/01-train-ad-classifier.ipynb"


def test_executed_notebook_renders_to_self_contained_html(small_training_run, tmp_path):
    executed, _ = small_training_run
    html = render_html(executed, tmp_path / "01.html").read_text(encoding="utf-8")
    assert "Train the ad classifier" in html and html.count("data:image/png;base64") >= 6


def test_a_failed_render_leaves_no_stale_page(tmp_path, monkeypatch, capsys):
    """`python notebooks/render.py` without ../shared/data stopped at notebook 01's data cell, and
    runs/notebooks/01-train-ad-classifier.html was still the page of an earlier run (e.g. --small-data), read as
    this one's results. The page of a notebook that failed is now its executed copy, showing the error."""
    import training.notebooks as notebooks

    source = tmp_path / "nb"
    source.mkdir()
    nb = new_notebook(cells=[new_code_cell("x = 1", metadata={"tags": ["parameters"]}), new_code_cell("1 / 0")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, source / "03-fails.ipynb")
    monkeypatch.setattr(notebooks, "NOTEBOOK_DIR", source)
    out = tmp_path / "out"
    out.mkdir()
    (out / "03-fails.html").write_text("<p>the results of an earlier run</p>", encoding="utf-8")
    assert main(["03-fails.ipynb", "-o", str(out)]) == 1
    assert "03-fails.ipynb stopped at cell" in capsys.readouterr().err
    page = (out / "03-fails.html").read_text(encoding="utf-8")
    assert "an earlier run" not in page and "ZeroDivisionError" in page


def test_render_command_rejects_unknown_notebooks(capsys):
    assert main(["no-such.ipynb", "-o", "/nonexistent-out"]) == 2
    assert "no-such.ipynb" in capsys.readouterr().err


def test_comments_notebook_scores_the_sample_archive(tmp_path):
    executed = execute_notebook(NOTEBOOK_DIR / "02-comments-and-creators.ipynb", tmp_path / "02.ipynb")
    nb = nbformat.read(executed, as_version=4)
    text = _outputs_text(nb)
    notes, _ = read_notes(SAMPLES / "notes.jsonl")
    assert f"{len(notes)} notes from" in text
    assert all(f"| {n.id} |" in text for n in notes)  # every note has its row
    assert all(n.author in text for n in notes if n.author)  # every creator is in the tables
    for column in (
        "kw: 兰若面霜",
        "kw: purchase_intent",
        "positive_ratio",
        "negative_ratio",
        "ad share",
        "water ratio",
    ):
        assert column in text
    assert _png_count(nb) == 3  # creators by ad share, by positive share, by brand mentions


def test_comments_notebook_agrees_with_the_comments_command(tmp_path, capsys):
    """Notebook 02 read the archive with the ad reader (a note of comments alone, which `notecheck comments` scores,
    stopped it with InvalidNoteError) and kept only the keyword file's keywords (its exclude phrases and negation
    mode dropped), so on the same archive and keyword file its numbers were not the command's. It now runs the
    command's own reading and scoring; its creator table is the command's."""
    from serve.cli import main as cli

    notes = tmp_path / "notes.jsonl"
    rows = [
        {"id": "n1", "author": "阿梨", "text": "今天去爬山", "comments": ["兰若真好用", "兰若寺好玩", "不是兰若"]},
        {"id": "n2", "author": "阿梨", "comments": ["兰若好用吗", "兰若yyds"]},  # comments and no text
        {"id": "n3", "author": "店长", "text": "加vx领券", "comments": ["兰若", "不错"]},
        {"id": "n4", "author": "店长", "text": "日记", "comments": [1]},  # a bad row: counted, as the command does
    ]
    notes.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    keywords = tmp_path / "keywords.json"
    brand = {"keywords": ["兰若"], "exclude": ["兰若寺"], "negation": "cancel"}
    keywords.write_text(json.dumps({"兰若面霜": brand}, ensure_ascii=False), encoding="utf-8")

    assert cli(["comments", str(notes), "--keywords", str(keywords), "--json"]) == 1
    expected = json.loads(capsys.readouterr().out)
    executed = execute_notebook(
        NOTEBOOK_DIR / "02-comments-and-creators.ipynb",
        tmp_path / "02.ipynb",
        parameters={"notes_path": str(notes), "keywords_path": str(keywords), "top_creators": 5},
    )
    text = _outputs_text(nbformat.read(executed, as_version=4))
    assert "3 notes from" in text and "rows with errors: 1" in text
    for note in expected["notes"][:3]:  # each note's brand ratio as the command gives it
        ratio = note["keyword_ratio"]["兰若面霜"]
        assert f"| {note['id']} |" in text and f"{ratio:.2f}" in text
    creators = {c["author"]: c for c in expected["creators"]}
    # n1: 1 of 3 (兰若寺 is excluded, 不是兰若 negated); n2: 2 of 2; a creator's ratio is the share of their comments
    assert creators["阿梨"]["keyword_ratio"]["兰若面霜"] == pytest.approx((1 + 2) / (3 + 2), abs=1e-6)
    assert creators["店长"]["rows_with_errors"] == 1
    for name, c in creators.items():  # the creator table's row: notes, rows with errors, ..., the brand ratio
        line = next(ln for ln in text.splitlines() if ln.startswith(f"| {name} |"))
        assert line.startswith(f"| {name} | {c['notes']} | {c['rows_with_errors']} |"), line
        assert f"| {c['keyword_ratio']['兰若面霜']:.2f} |" in line, line


@pytest.mark.slow
def test_training_notebook_runs_on_the_real_data(shared_data, tmp_path):
    config = ROOT / "model" / "default" / "train.toml"
    out = execute_notebook(
        NOTEBOOK_DIR / "01-train-ad-classifier.ipynb",
        tmp_path / "01.ipynb",
        parameters={
            "config": str(config),
            "out_dir": str(tmp_path / "model"),
            "ablation": False,
        },
    )
    text = _outputs_text(nbformat.read(out, as_version=4))
    cfg = load_config(config)
    assert f"recall ({cfg.target_source})" in text and "model threshold" in text
    card = load_model(tmp_path / "model").card
    assert [d["name"] for d in card["data"]] == [d.name for d in cfg.datasets]
    assert card["metrics"]["test"]["per_source"][cfg.target_source]["n"] > 0
