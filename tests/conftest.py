"""Shared fixtures: a small model trained once per test session on a slice of the project's corpus."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from feedback_nlp.config import load_config
from feedback_nlp.model import FeedbackModel
from feedback_nlp.train import train

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
CORPUS = ROOT / "data" / "corpus"
ROWS_PER_LANGUAGE = 70


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A deterministic slice of the corpus (train rows plus a few test rows per language) as one CSV."""
    frames = []
    for path in sorted(CORPUS.glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        train_rows = frame[frame["split"] == "train"].head(ROWS_PER_LANGUAGE)
        test_rows = frame[frame["split"] == "test"].head(ROWS_PER_LANGUAGE // 5)
        frames += [train_rows, test_rows]
    path = tmp_path_factory.mktemp("corpus") / "small.csv"
    pd.concat(frames, ignore_index=True).to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def small_config_path(tmp_path_factory: pytest.TempPathFactory, small_corpus: Path) -> Path:
    """A config for a quick model: the default heads, smaller features."""
    path = tmp_path_factory.mktemp("config") / "small.toml"
    default = (ROOT / "configs" / "default.toml").read_text(encoding="utf-8")
    data_line = next(line for line in default.splitlines() if line.startswith("paths = "))
    path.write_text(default.replace(data_line, f'paths = ["{small_corpus.as_posix()}"]'), "utf-8")
    return path


@pytest.fixture(scope="session")
def small_model_dir(tmp_path_factory: pytest.TempPathFactory, small_config_path: Path) -> Path:
    """A model directory trained (once per session) on the small corpus slice."""
    out = tmp_path_factory.mktemp("models") / "small"
    config = load_config(small_config_path, overrides=["features.max_char_features=20000"])
    train(config, out_dir=out)
    return out


@pytest.fixture(scope="session")
def small_model(small_model_dir: Path) -> FeedbackModel:
    """The small model, loaded."""
    return FeedbackModel.load(small_model_dir)


SCORED_REVIEWS = DATA / "scored_reviews.csv"


@pytest.fixture
def scored_reviews() -> pd.DataFrame:
    """Ten hand-labelled scored rows (strings, as read from CSV) whose report numbers are worked out by hand in
    tests/test_report.py: NPS, CSAT, topics, trends, churn, an empty text, out-of-range scores, a `<script>`."""
    from feedback_nlp.io import read_table

    return read_table(SCORED_REVIEWS)
