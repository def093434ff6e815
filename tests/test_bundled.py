"""The README's first command: the bundled model scores the bundled sample export, every row accounted for."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from feedback_nlp.score import OUTPUT_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "examples" / "reviews.csv"


def test_bundled_model_scores_the_sample_export(tmp_path: Path) -> None:
    out = tmp_path / "scored.csv"
    result = subprocess.run(
        [sys.executable, "-m", "feedback_nlp", "score", str(SAMPLE), "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    original = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    scored = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert len(scored) == len(original) >= 250
    pd.testing.assert_frame_equal(scored[original.columns], original)
    assert set(OUTPUT_COLUMNS) <= set(scored.columns)
    languages = set(scored["language"])
    assert {"en", "fr", "it", "pl", "te", "es", "de"} <= languages
    assert "duplicate" not in result.stderr or "kept" in result.stderr


def test_bundled_model_metadata_is_complete() -> None:
    metadata = json.loads((ROOT / "models" / "default" / "metadata.json").read_text("utf-8"))
    assert set(metadata["heads"]) == {"sentiment", "pain_point", "need_type", "topic", "churn_risk"}
    assert metadata["data"]["train_rows"] > 1000
    assert sum(p.stat().st_size for p in (ROOT / "models" / "default").iterdir()) < 30 * 1024 * 1024
