"""The in-process latency benchmark runs end to end (a smoke run with few calls: its numbers are not asserted,
only that every measurement it reports still runs against the current model code)."""

from __future__ import annotations

import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_api_latency_benchmark_runs(monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    sys.modules.pop("api_latency", None)
    import api_latency

    assert api_latency.main(["--n", "3"]) == 0
    out = capsys.readouterr().out
    for row in ("check (model.engine, the served path)", "reasons (top 8 each way)", "POST /v1/check, ASGI in-process"):
        assert row in out
    assert "target check p50 <= 1000 µs" in out


def test_before_after_section_replaces_only_itself(monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    sys.modules.pop("sentiment_before_after", None)
    import sentiment_before_after as ba

    report = tmp_path / "report.md"
    report.write_text("# report\n\n## Held-out\n\nrows\n")
    ba.write_section(report, f"{ba.SECTION}\n\nfirst\n")
    ba.write_section(report, f"{ba.SECTION}\n\nsecond\n")
    text = report.read_text()
    assert text.count(ba.SECTION) == 1 and "second" in text and "first" not in text
    assert text.startswith("# report\n\n## Held-out\n\nrows\n")
    report.write_text(f"# report\n\n{ba.SECTION}\n\nold\n\n## Later\n\nkept\n")
    ba.write_section(report, f"{ba.SECTION}\n\nnew\n")
    assert report.read_text() == f"# report\n\n{ba.SECTION}\n\nnew\n\n## Later\n\nkept\n"
