"""Execute the project's notebooks (papermill) and render HTML copies of the results (nbconvert).

``python notebooks/render.py`` runs this; the test suite uses :func:`execute_notebook` too. Papermill and
nbconvert come with the ``dev`` extra."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from model.errors import InvalidParameterError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS: tuple[str, ...] = ("01-train-ad-classifier.ipynb", "02-comments-and-creators.ipynb")
DEFAULT_OUT = ROOT / "runs" / "notebooks"  # gitignored


def execute_notebook(
    path: str | Path,
    output_path: str | Path,
    *,
    parameters: Mapping[str, Any] | None = None,
    cwd: str | Path | None = None,
    kernel_name: str = "python3",
    timeout: int = 3600,
) -> Path:
    """Run a notebook top to bottom with ``parameters`` injected after its ``parameters``-tagged cell; the
    executed copy goes to ``output_path``. Any cell error raises (papermill's ``PapermillExecutionError``).
    The kernel runs in the notebook's directory unless ``cwd`` is given."""
    import papermill

    path = Path(path)
    if not path.is_file():
        raise InvalidParameterError(f"The 'path' parameter must be an existing notebook file. Got {str(path)!r}.")
    output = Path(output_path)
    output.parent.mkdir(parents=True, exist_ok=True)
    papermill.execute_notebook(
        str(path),
        str(output),
        parameters=dict(parameters or {}),
        cwd=str(cwd if cwd is not None else path.parent),
        kernel_name=kernel_name,
        progress_bar=False,
        execution_timeout=timeout,
    )
    return output


def render_html(notebook_path: str | Path, html_path: str | Path) -> Path:
    """Write a self-contained HTML copy of an (executed) notebook; images are embedded."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(notebook_path), as_version=4)
    body, _ = HTMLExporter().from_notebook_node(nb)
    html = Path(html_path)
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(body, encoding="utf-8")
    return html


def notebook_parameters(name: str, out_dir: Path, *, small_data: bool, config: str | None) -> dict[str, Any]:
    """The papermill parameters :func:`render_all` gives each notebook (paths absolute, outputs under out_dir)."""
    params: dict[str, Any] = {}
    if name.startswith("01-"):  # only notebook 01 has these (papermill warns of any parameter a notebook lacks)
        params["small_data"] = small_data
        params["out_dir"] = str(out_dir / "ad-model")
        if config:
            params["config"] = str(Path(config).resolve())
    return params


def render_all(
    out_dir: str | Path = DEFAULT_OUT,
    *,
    small_data: bool = False,
    config: str | None = None,
    notebooks: Sequence[str] = NOTEBOOKS,
) -> list[Path]:
    """Execute each notebook into ``out_dir`` and write its HTML copy beside it. Returns the HTML paths."""
    out = Path(out_dir).resolve()
    unknown = [n for n in notebooks if not (NOTEBOOK_DIR / n).is_file()]
    if unknown:
        raise InvalidParameterError(
            f"The 'notebooks' parameter must name notebooks in {NOTEBOOK_DIR}. Got unknown {unknown}; "
            f"available: {sorted(p.name for p in NOTEBOOK_DIR.glob('*.ipynb'))}."
        )
    if config is not None:
        if small_data:  # notebook 01 trains on the sample archive's own config then: --config would go unused
            raise InvalidParameterError(
                "--config and --small-data: --small-data trains on the sample archive's own config "
                "(samples/train_sample.toml); give one of the two."
            )
        from training.config import load_config

        load_config(config)  # a missing or invalid config is named here, not as a traceback from inside a cell
    from papermill.exceptions import PapermillExecutionError

    pages = []
    for name in notebooks:
        try:
            executed = execute_notebook(
                NOTEBOOK_DIR / name,
                out / name,
                parameters=notebook_parameters(name, out, small_data=small_data, config=config),
            )
        except PapermillExecutionError as exc:
            # the page of this run, error included: an earlier run's page left there would read as this one's
            render_html(out / name, (out / name).with_suffix(".html"))
            exc.add_note(f"notebook {name}; executed copy {out / name}")
            exc.notebook, exc.executed = name, out / name  # type: ignore[attr-defined]  # for main's error line
            raise
        pages.append(render_html(executed, executed.with_suffix(".html")))
    return pages


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python notebooks/render.py",
        description="Execute the notebooks and write executed copies and HTML renderings (for readers).",
    )
    parser.add_argument("notebooks", nargs="*", default=list(NOTEBOOKS), help="notebook file names (default: all)")
    parser.add_argument("-o", "--out", default=str(DEFAULT_OUT), help=f"output directory (default: {DEFAULT_OUT})")
    parser.add_argument(
        "--small-data", action="store_true", help="train on the project's own sample archive (seconds, no shared data)"
    )
    parser.add_argument("--config", help="training config for notebook 01 (default: model/default/train.toml)")
    args = parser.parse_args(argv)
    from papermill.exceptions import PapermillExecutionError

    try:
        pages = render_all(args.out, small_data=args.small_data, config=args.config, notebooks=args.notebooks)
    except InvalidParameterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except PapermillExecutionError as exc:  # a cell failed: what and where, not papermill's page of traceback
        evalue = " ".join(str(exc.evalue).split())
        name, executed = getattr(exc, "notebook", "a notebook"), getattr(exc, "executed", Path(args.out).resolve())
        print(
            f"error: {name} stopped at cell {exc.exec_count}: {exc.ename}: {evalue} ({executed} shows the cell and "
            "its traceback)",
            file=sys.stderr,
        )
        return 1
    for page in pages:
        print(page)
    return 0


if __name__ == "__main__":
    sys.exit(main())
