"""Start-up of the command line: building the parser imports no web or settings framework (every ``notecheck``
command, ``score`` included, would pay for it), and ``serve --help`` still lists every setting."""

from __future__ import annotations

import subprocess
import sys

import pytest

from serve.cli import main


def test_building_the_parser_imports_neither_fastapi_nor_pydantic_settings():
    code = (
        "import sys; from serve.cli import build_parser; build_parser(); "
        "print(sorted(m for m in ('fastapi', 'pydantic_settings', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_serve_help_lists_the_settings(capsys):
    from serve.settings import ENV_PREFIX, Settings

    with pytest.raises(SystemExit) as exc:
        main(["serve", "--help"])
    out = capsys.readouterr().out
    assert exc.value.code == 0
    assert [n for n in Settings.model_fields if f"  {ENV_PREFIX}{n.upper()} (default " not in out] == []
