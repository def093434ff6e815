"""Training: read the labelled data the config names, hold out a test split, fit, evaluate, save.

Example::

    >>> from feedback_nlp import load_config, train
    >>> result = train(load_config("configs/default.toml"), out_dir="models/mine")  # doctest: +SKIP
    >>> result.metrics["heads"]["topic"]["overall"]["macro_f1"]  # doctest: +SKIP
    0.71
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd
from sklearn.model_selection import train_test_split

from feedback_nlp.config import Config
from feedback_nlp.errors import ColumnNotFoundError, DataValidationError
from feedback_nlp.evaluate import evaluate
from feedback_nlp.io import SUFFIX_FORMATS, describe_columns, read_table
from feedback_nlp.model import FeedbackModel, normalize_label
from feedback_nlp.model_card import write_model_card

Progress = Callable[[str], None]


@dataclass
class TrainResult:
    """A trained model, its held-out evaluation and where it was saved."""

    model: FeedbackModel
    metrics: dict[str, Any]
    train_rows: int
    test_rows: int
    out_dir: Path | None
    seconds: float


def data_files(paths: Sequence[str | Path]) -> list[Path]:
    """The table files named by ``paths``: files as given, folders expanded to their supported files (sorted)."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIX_FORMATS and p.is_file())
            if not found:
                raise DataValidationError(f"data folder '{path}' holds no {sorted(SUFFIX_FORMATS)} files")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise DataValidationError(f"training data '{path}' not found; check data.paths or --data")
    return files


def load_training_data(config: Config, paths: Sequence[str | Path] | None = None) -> pd.DataFrame:
    """All labelled rows from ``paths`` (default: the config's ``data.paths``), validated: the text column and
    every head's label column must exist, and labels must be in the head's configured label set (if any).
    Every problem is reported at once."""
    files = data_files(paths if paths else config.data_paths())
    if not files:
        raise DataValidationError("no training data: set data.paths in the config or pass --data")
    frames = []
    problems: list[str] = []
    for file in files:
        frame = read_table(file)
        missing = [c for c in [config.data.text_col, *(h.column for h in config.heads.values())] if c not in frame]
        if missing:
            problems.append(f"'{file}' lacks column(s) {missing}; columns are {describe_columns(list(frame.columns))}")
        frames.append(frame)
    if problems:
        raise ColumnNotFoundError("; ".join(problems))
    data = pd.concat(frames, ignore_index=True)
    for name, head in config.heads.items():
        if head.labels:
            values = pd.Series([normalize_label(v) for v in data[head.column]], dtype="object").dropna()
            unknown = values[~values.isin(head.labels)].value_counts()
            if len(unknown):
                problems.append(
                    f"head '{name}': column '{head.column}' has labels {unknown.to_dict()} not in the configured "
                    f"labels {list(head.labels)}"
                )
    if problems:
        raise DataValidationError("; ".join(problems))
    return data


def split_train_test(data: pd.DataFrame, config: Config) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The held-out split: the ``split`` column's "train"/"test" rows when the data has one, otherwise a seeded
    split of ``data.test_size`` stratified by language and the first head's label where each group allows."""
    split_col = config.data.split_col
    if split_col in data and data[split_col].astype("string").str.lower().eq("test").any():
        is_test = data[split_col].astype("string").str.lower().eq("test").to_numpy()
        return data[~is_test].reset_index(drop=True), data[is_test].reset_index(drop=True)
    first = next(iter(config.heads.values())).column
    strata = data[first].map(normalize_label).astype("string").fillna("")
    if config.data.lang_col in data:
        strata = data[config.data.lang_col].astype("string").fillna("") + "|" + strata
    counts = strata.value_counts()
    strata = strata.where(strata.map(counts) >= 2, "rare")
    stratify = strata if strata.value_counts().min() >= 2 else None
    train, test = train_test_split(data, test_size=config.data.test_size, random_state=config.seed, stratify=stratify)
    return train.reset_index(drop=True), test.reset_index(drop=True)


def data_fingerprint(data: pd.DataFrame, columns: Sequence[str]) -> str:
    """SHA-256 of the training texts and labels, in order: the same data gives the same fingerprint."""
    digest = hashlib.sha256()
    for column in columns:
        digest.update(column.encode())
        digest.update("\x1f".join(data[column].astype("string").fillna("").tolist()).encode())
    return digest.hexdigest()


def train(
    config: Config,
    data_paths: Sequence[str | Path] | None = None,
    out_dir: str | Path | None = None,
    progress: Progress | None = None,
) -> TrainResult:
    """Train a model from ``config`` (data from ``data_paths`` if given), evaluate it on the held-out split and,
    when ``out_dir`` is given, save it there with ``metadata.json`` and ``model_card.md``.

    ``progress`` receives a short message at each stage (the CLI shows them).
    """
    report = progress or (lambda message: None)
    started = time.perf_counter()
    report("reading training data")
    data = load_training_data(config, data_paths)
    train_rows, test_rows = split_train_test(data, config)
    if len(train_rows) < 10:
        raise DataValidationError(f"only {len(train_rows)} training rows; at least 10 are needed")
    text_col, lang_col = config.data.text_col, config.data.lang_col
    languages = _languages(train_rows, lang_col)
    report(f"fitting {len(config.heads)} heads on {len(train_rows):,} rows")
    model = FeedbackModel(config).fit(train_rows[text_col].tolist(), train_rows, languages)
    report(f"evaluating on {len(test_rows):,} held-out rows")
    metrics = (
        evaluate(model, test_rows, text_col=text_col, lang_col=lang_col if lang_col in test_rows else None)
        if len(test_rows)
        else {"rows": 0, "heads": {}}
    )
    seconds = time.perf_counter() - started
    saved = None
    if out_dir is not None:
        report(f"saving to {out_dir}")
        label_columns = [text_col, *(head.column for head in config.heads.values())]
        metadata = {
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "data": {
                "files": config.to_dict()["data"]["paths"] if not data_paths else [str(p) for p in data_paths],
                "fingerprint": data_fingerprint(data, label_columns),
                "train_rows": len(train_rows),
                "test_rows": len(test_rows),
                "label_counts": {name: _label_counts(train_rows[head.column]) for name, head in config.heads.items()},
            },
            "metrics": metrics,
            "train_seconds": round(seconds, 1),
        }
        saved = model.save(out_dir, metadata)
        write_model_card(saved, model.describe() | metadata)
    return TrainResult(model, metrics, len(train_rows), len(test_rows), saved, seconds)


def _languages(frame: pd.DataFrame, lang_col: str) -> list[str] | None:
    if lang_col not in frame:
        return None
    values = frame[lang_col].astype("string").str.strip().str.lower()
    return None if values.isna().any() or values.eq("").any() else values.tolist()


def _label_counts(column: pd.Series) -> dict[str, int]:
    counts = pd.Series([normalize_label(v) or "(missing)" for v in column], dtype="object").value_counts()
    return {str(k): int(v) for k, v in counts.items()}
