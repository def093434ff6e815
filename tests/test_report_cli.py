"""`feedback-nlp report` and `score --report` run for real, and the HTML report opened in headless Chromium."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from feedback_nlp.cli import app

AWKWARD = Path(__file__).resolve().parent / "data" / "awkward.csv"
SCRIPT = "<script>alert('x')</script>"
runner = CliRunner()


@pytest.fixture
def scored_csv(scored_reviews: pd.DataFrame, tmp_path: Path) -> Path:
    """The hand-labelled scored rows, with an ask that carries a script tag, as a CSV file."""
    frame = scored_reviews.copy()
    frame.loc[9, "text"] = f"Please add {SCRIPT} dark mode"
    path = tmp_path / "scored.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("suffix", ["html", "md", "json"])
def test_report_writes_each_format_and_prints_the_columns(
    scored_csv: Path, small_model_dir: Path, tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"report.{suffix}"
    result = runner.invoke(app, ["report", str(scored_csv), "--out", str(out), "--model", str(small_model_dir)])
    assert result.exit_code == 0, result.output
    assert "columns: nps nps (guessed), csat csat (guessed)" in result.stderr
    assert "warning:" in result.stderr and "(e.g. '11')" in result.stderr  # the out-of-range NPS
    assert f"report → {out}  (10 rows, 5 topics" in result.stdout
    text = out.read_text("utf-8")
    assert not list(tmp_path.glob(".*partial*"))
    if suffix == "html":
        assert text.startswith("<!DOCTYPE html>") and "<svg" in text and "<script" not in text
    elif suffix == "md":
        assert text.startswith("# Customer feedback report: scored.csv") and "| topic | priority |" in text
    else:
        document = json.loads(text)
        assert document["rows"] == 10 and document["kpis"]["nps"]["score"] == -12.5
        assert any(SCRIPT in quote for ask in document["asks"]["clusters"] for quote in ask["examples"])


def test_format_option_and_explicit_columns(scored_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    args = ["report", str(scored_csv), "--out", str(out), "--format", "json", "--no-asks", "--model", "/nowhere"]
    result = runner.invoke(app, [*args, "--nps-col", "csat", "--rating-col", "csat", "--weight", "trend=0"])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text("utf-8"))
    assert document["columns"]["nps"] == {"column": "csat", "guessed": False}
    assert document["priority"]["weights"]["trend"] == 0.0
    assert document["asks"] == {} and "text" in document["columns"]


def test_default_output_sits_next_to_the_scored_file(scored_csv: Path) -> None:
    result = runner.invoke(app, ["report", str(scored_csv), "--no-asks"])
    assert result.exit_code == 0, result.output
    assert (scored_csv.parent / "scored.report.html").is_file()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--out", "report.txt"], "has suffix '.txt'; use .html, .md or .json"),
        (["--format", "pdf"], "report format 'pdf' unknown"),
        (["--nps-col", "NPS"], "column 'NPS' not found"),
        (["--weight", "loudness=1"], "weight override 'loudness=1'"),
    ],
)
def test_report_errors_are_one_line(scored_csv: Path, tmp_path: Path, extra: list[str], message: str) -> None:
    result = runner.invoke(app, ["report", str(scored_csv), "--no-asks", *extra])
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def test_score_with_report_does_both(small_model_dir: Path, tmp_path: Path) -> None:
    scored, report = tmp_path / "scored.parquet", tmp_path / "report.md"
    args = ["score", str(AWKWARD), "--out", str(scored), "--model", str(small_model_dir), "--report", str(report)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "scored 10 rows" in result.stdout and f"report → {report}" in result.stdout
    assert len(pd.read_parquet(scored)) == 10
    assert "# Customer feedback report: scored.parquet" in report.read_text("utf-8")


# -- the HTML in a real browser -------------------------------------------------------------------------------
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not on PATH (apt-get install chromium; .ci/run installs it)"
)


def _chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--enable-logging=stderr", "--v=0", f"--user-data-dir={profile}", *args, page.resolve().as_uri(),
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


@pytest.fixture
def html_report(scored_csv: Path, small_model_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(scored_csv), "--out", str(out), "--model", str(small_model_dir)])
    assert result.exit_code == 0, result.output
    return out


@needs_chromium
def test_html_report_renders_in_headless_chromium(html_report: Path, tmp_path: Path) -> None:
    result = _chromium(html_report, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert '<main id="report">' in dom and "Customer feedback report" in dom
    for chart in ("trend", "impact", "channels"):
        assert f'data-chart="{chart}"' in dom
    assert dom.count("<path") > 50  # the charts were parsed as SVG, not dropped
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in dom and "<script" not in dom  # the quote stays text
    errors = [
        line for line in result.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line or "Refused" in line
    ]
    assert not errors


@needs_chromium
def test_html_report_screenshot_shows_the_charts(html_report: Path, tmp_path: Path) -> None:
    from matplotlib.image import imread

    shot = tmp_path / "shot.png"
    result = _chromium(html_report, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,2400")
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    pixels = (imread(shot)[..., :3] * 255).round().astype(int)

    def count(color: str) -> int:
        rgb = np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)])
        return int((np.abs(pixels - rgb).sum(axis=2) <= 6).sum())

    assert count("#90cdf4") > 500  # the trend chart's volume bars
    assert count("#c53030") > 200  # the impact chart's negative bars
