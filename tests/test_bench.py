"""The benchmark scripts' quick variants, so the benchmark code cannot rot (numbers are not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT.parent / "shared" / "benchmarks"


def _run_bench(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "bench" / script), *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)


@pytest.mark.skipif(not BENCHMARKS.is_dir(), reason="../shared/benchmarks not present")
def test_accuracy_bench_quick_run_writes_results(tmp_path: Path) -> None:
    result = _run_bench("accuracy.py", "--quick", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    results = json.loads((tmp_path / "accuracy.json").read_text("utf-8"))
    assert set(results["sets"]) == {
        "uci_sentiment_sentences", "complaints_twitter", "semeval19_suggestion_forum", "polemo2_sentence_test",
        "germeval17_test",
    }  # fmt: skip
    uci = results["sets"]["uci_sentiment_sentences"]
    assert {"ours", "vader", "textblob"} <= set(uci["zero_shot"]) and uci["in_domain"]["folds"] == 1
    assert uci["in_domain"]["accuracy_fold_sd"] == 0.0  # one fold: no spread to report
    assert "| uci_sentiment_sentences |" in (tmp_path / "accuracy.md").read_text("utf-8")


def test_accuracy_bench_skips_cleanly_without_the_benchmarks(tmp_path: Path) -> None:
    result = _run_bench("accuracy.py", "--benchmarks", str(tmp_path / "absent"), "--out", str(tmp_path))
    assert result.returncode == 0 and "skipped" in result.stdout
    assert not (tmp_path / "accuracy.json").exists()


def test_speed_bench_quick_run_compares_with_vader(tmp_path: Path) -> None:
    result = _run_bench("speed.py", "--quick", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    results = json.loads((tmp_path / "speed.json").read_text("utf-8"))
    (size,) = results["sizes"].values()
    assert size["ours_rows_per_s"] > 0 and size["vader_rows_per_s"] > 0 and size["ours_peak_mb"] > 0
    assert results["model_load_s"] > 0
