"""Evaluation of a model on labelled data: per head, overall and per language. Returns data; the CLI renders it.

Example::

    >>> from feedback_nlp import evaluate, load_model
    >>> from feedback_nlp.io import read_table
    >>> report = evaluate(load_model(), read_table("data/challenge.csv"))  # doctest: +SKIP
    >>> report["heads"]["sentiment"]["overall"]["macro_f1"]  # doctest: +SKIP
    0.74
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from feedback_nlp.errors import ColumnNotFoundError
from feedback_nlp.model import FeedbackModel, Predictions, normalize_label
from feedback_nlp.score import find_column


def head_metrics(y_true: list[str], y_pred: list[str], labels: list[str]) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix (rows = truth)."""
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    present = [label for label, count in zip(labels, support) if count > 0]
    return {
        "n": len(y_true),
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
        "macro_f1": round(float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)), 4),
        "per_class": {
            label: {
                "precision": round(float(p), 4),
                "recall": round(float(r), 4),
                "f1": round(float(f), 4),
                "support": int(s),
            }
            for label, p, r, f, s in zip(labels, precision, recall, f1, support)
        },
        "confusion": {"labels": labels, "matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist()},
    }


def evaluate(
    model: FeedbackModel,
    data: pd.DataFrame,
    text_col: str = "text",
    lang_col: str | None = "lang",
    predictions: Predictions | None = None,
) -> dict[str, Any]:
    """Metrics of ``model`` on ``data`` for every head whose label column is present, overall and per language.

    The language of a row is ``data[lang_col]`` when that column exists, else the detected language.
    Rows with an empty label are skipped for that head. Returns
    ``{"rows": n, "heads": {head: {"overall": metrics, "by_language": {lang: metrics}}}}``.
    """
    text_col = find_column(list(data.columns), text_col, "--text-col")
    texts = data[text_col].tolist()
    predictions = predictions or model.predict_full(texts)
    table = predictions.table
    if lang_col and lang_col in data.columns:
        languages = data[lang_col].astype("string").fillna("und").to_numpy()
    else:
        languages = table["language"].to_numpy()
    heads: dict[str, Any] = {}
    for name, head in model.heads.items():
        if head.column not in data.columns:
            continue
        truth = np.array([normalize_label(value) for value in data[head.column]], dtype=object)
        predicted = np.array([_predicted_label(value, head.is_binary) for value in table[name]], dtype=object)
        keep = np.array([t is not None and p is not None for t, p in zip(truth, predicted)], dtype=bool)
        y_true, y_pred, kept_languages = truth[keep], predicted[keep], languages[keep]
        labels = list(head.labels) + sorted(set(y_true) - set(head.labels))
        by_language = {
            str(language): _subset_metrics(y_true, y_pred, kept_languages == language, labels)
            for language in sorted(set(kept_languages))
        }
        heads[name] = {"overall": head_metrics(list(y_true), list(y_pred), labels), "by_language": by_language}
    if not heads:
        columns = sorted({head.column for head in model.heads.values()})
        raise ColumnNotFoundError(
            f"none of the model's label columns {columns} is in the data; columns are {list(map(str, data.columns))}"
        )
    return {"rows": len(data), "heads": heads}


def _predicted_label(value: Any, binary: bool) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if binary:
        return "true" if bool(value) else "false"
    return str(value)


def _subset_metrics(y_true: np.ndarray, y_pred: np.ndarray, mask: np.ndarray, labels: list[str]) -> dict[str, Any]:
    metrics = head_metrics(list(y_true[mask]), list(y_pred[mask]), labels)
    return {key: metrics[key] for key in ("n", "accuracy", "macro_f1")}
