"""The real commands, run through Typer's CliRunner: exit codes, output and files written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from feedback_nlp.cli import app
from feedback_nlp.model import FORMAT_VERSION

AWKWARD = Path(__file__).resolve().parent / "data" / "awkward.csv"
runner = CliRunner()


def test_train_writes_a_model_directory_and_prints_metrics(small_config_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "model"
    result = runner.invoke(
        app,
        [
            "train",
            "--config",
            str(small_config_path),
            "--out",
            str(out),
            "--set",
            "features.char_ngrams=false",
        ],
    )
    assert result.exit_code == 0, result.output
    assert {"model.joblib", "metadata.json", "model_card.md"} <= {p.name for p in out.iterdir()}
    metadata = json.loads((out / "metadata.json").read_text("utf-8"))
    assert metadata["format_version"] == FORMAT_VERSION
    assert {"python", "feedback_nlp", "scikit_learn", "spacy"} <= set(metadata["versions"])
    assert metadata["heads"]["need_type"]["labels"] == ["need", "want", "none"]
    assert len(metadata["data"]["fingerprint"]) == 64
    assert metadata["config"]["features"]["char_ngrams"] is False
    assert "sentiment" in metadata["metrics"]["heads"]
    assert "held-out evaluation" in result.stdout and "macro-F1" in result.stdout
    assert "## Held-out evaluation" in (out / "model_card.md").read_text("utf-8")


def test_score_then_evaluate_and_info(small_model_dir: Path, small_corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "scored.parquet"
    result = runner.invoke(app, ["score", str(AWKWARD), "--out", str(out), "--model", str(small_model_dir)])
    assert result.exit_code == 0, result.output
    assert "scored 10 rows" in result.stdout
    assert "title + body (guessed" in result.stderr
    assert len(pd.read_parquet(out)) == 10

    result = runner.invoke(app, ["evaluate", "--model", str(small_model_dir), "--data", str(small_corpus), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert set(metrics["heads"]) == {"sentiment", "pain_point", "need_type", "topic", "churn_risk"}
    assert set(metrics["heads"]["sentiment"]["by_language"]) == {"en", "fr", "it", "pl", "es", "de", "te"}
    assert metrics["heads"]["sentiment"]["overall"]["confusion"]["labels"] == [
        "negative",
        "neutral",
        "positive",
    ]

    result = runner.invoke(app, ["evaluate", "--model", str(small_model_dir), "--data", str(small_corpus)])
    assert result.exit_code == 0 and "per class" in result.stdout

    result = runner.invoke(app, ["info", "--model", str(small_model_dir)])
    assert result.exit_code == 0 and "head need_type" in result.stdout


def test_predict_shows_labels_and_explanations(small_model_dir: Path) -> None:
    result = runner.invoke(
        app, ["predict", "--model", str(small_model_dir), "--json", "I was charged twice, refund me"]
    )
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert row["need_type"] in {"need", "want", "none"} and set(row["explanation"]) >= {"sentiment", "topic"}
    piped = runner.invoke(app, ["predict", "--model", str(small_model_dir)], input="great app\nslow delivery\n")
    assert piped.exit_code == 0 and "great app" in piped.stdout and "slow delivery" in piped.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["score", "missing.csv", "--text-col", "x"], "input file 'missing.csv' not found"),
        (["score", str(AWKWARD), "--text-col", "Body"], "did you mean 'body'"),
        (["score", "data.xls"], "unsupported suffix '.xls'"),
        (["info", "--model", "no/such/model"], "model directory 'no/such/model' not found"),
        (["train", "--config", "no.toml"], "config file 'no.toml' not found"),
    ],
)
def test_errors_are_one_line_on_stderr_with_exit_code_1(small_model_dir: Path, args: list[str], message: str) -> None:
    if args[0] == "score":
        args = [*args, "--model", str(small_model_dir)]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_help_teaches_each_command() -> None:
    for command in ("score", "train", "evaluate", "predict", "info"):
        result = runner.invoke(app, [command, "--help"])
        assert (result.exit_code == 0 and "Example" in result.stdout) or command == "info"


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run([sys.executable, "-m", "feedback_nlp", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("feedback-nlp ")
