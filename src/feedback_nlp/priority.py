"""Row priority (0–100) and the reasons behind it.

In two sentences: a row's priority is a weighted average of how likely it is a pain point, a need, a want, a
churn risk and negative, plus how low the customer's own score is (NPS 0–10 or rating 1–5) when the file has
one, scaled to 0–100. Each signal that adds at least ``reason_min_points`` points is listed in
``priority_reasons``, biggest first, e.g. "pain point 0.93 · need 0.81 · churn risk 0.70 · detractor (NPS 3)".

The weights live in the ``[priority]`` section of the training config; signals the model or the file does not
have are left out and the remaining weights are rescaled to sum to one.

Example::

    >>> import pandas as pd
    >>> from feedback_nlp.priority import compute_priority, nps_severity
    >>> signals = pd.DataFrame({"pain_point": [0.9], "need": [0.8], "want": [0.1], "churn_risk": [0.7],
    ...                         "negative": [0.9], "score": nps_severity(pd.Series([3]))})
    >>> priority, reasons = compute_priority(signals, scores=pd.Series([3]), score_name="NPS")
    >>> int(priority[0]), reasons[0]
    (76, 'pain point 0.90 · need 0.80 · churn risk 0.70 · negative 0.90 · detractor (NPS 3)')
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from feedback_nlp.config import PriorityConfig
from feedback_nlp.metrics import clean_scores

SIGNAL_NAMES: dict[str, str] = {
    "pain_point": "pain point",
    "need": "need",
    "want": "want",
    "churn_risk": "churn risk",
    "negative": "negative",
}
SCORE_RANGES: dict[str, tuple[float, float]] = {"NPS": (0.0, 10.0), "rating": (1.0, 5.0)}


def nps_severity(nps: pd.Series) -> pd.Series:
    """0 for promoters and passives (7–10), rising to 1 at NPS 0: (7 − score) / 7 for detractors."""
    values = _checked_scores(nps, "NPS")
    severity: pd.Series = ((7.0 - values).clip(lower=0.0) / 7.0).where(values.notna())
    return severity


def rating_severity(rating: pd.Series) -> pd.Series:
    """0 for ratings 4–5, rising to 1 at rating 1: (4 − rating) / 3."""
    values = _checked_scores(rating, "rating")
    severity: pd.Series = ((4.0 - values).clip(lower=0.0) / 3.0).where(values.notna())
    return severity


def _checked_scores(scores: pd.Series, kind: str) -> pd.Series:
    low, high = SCORE_RANGES[kind]
    return clean_scores(scores, low, high, kind, purpose="priority")


def compute_priority(
    signals: pd.DataFrame,
    weights: PriorityConfig | None = None,
    scores: pd.Series | None = None,
    score_name: str = "NPS",
) -> tuple[np.ndarray, list[str]]:
    """Priority 0–100 (integers) and reason strings for each row of ``signals``.

    ``signals`` holds probabilities in [0, 1] in any of the columns ``pain_point``, ``need``, ``want``,
    ``churn_risk``, ``negative`` and a severity in [0, 1] in ``score`` (see :func:`nps_severity`); missing
    values count as 0. ``scores`` (the raw NPS or rating) only feeds the reason text.
    """
    weights = weights or PriorityConfig()
    used = [name for name in [*SIGNAL_NAMES, "score"] if name in signals and getattr(weights, name) > 0]
    if "score" in used and signals["score"].isna().all():
        used.remove("score")
    total = sum(getattr(weights, name) for name in used)
    if not used or total <= 0:
        return np.zeros(len(signals), dtype=int), ["" for _ in range(len(signals))]
    values = signals[used].astype(float).fillna(0.0).clip(0.0, 1.0).to_numpy()
    points = values * np.array([getattr(weights, name) / total * 100.0 for name in used])
    priority = np.rint(points.sum(axis=1)).astype(int)
    order = np.argsort(-points, axis=1, kind="stable")  # biggest first; ties keep the signal order
    raw_scores = [""] * len(signals) if scores is None else _format_scores(scores)
    labels = [_label(name, score_name) for name in used]
    reasons = [
        " · ".join(
            labels[j].format(value=row_values[j], score=raw_score)
            for j in row_order
            if row_points[j] >= weights.reason_min_points
        )
        for row_points, row_values, row_order, raw_score in zip(points, values, order, raw_scores)
    ]
    return priority, reasons


def _label(name: str, score_name: str) -> str:
    """The reason text of one signal, as a template for ``value`` (its probability) and ``score`` (raw)."""
    if name == "score":
        return ("detractor" if score_name == "NPS" else "low rating") + f" ({score_name} {{score}})"
    return f"{SIGNAL_NAMES[name]} {{value:.2f}}"


def _format_scores(scores: pd.Series) -> list[str]:
    """Scores as the reasons show them: numbers without trailing zeros ("3", "4.5"), anything else as is."""
    numbers = pd.to_numeric(scores, errors="coerce").tolist()
    return [f"{number:g}" if pd.notna(number) else str(raw) for number, raw in zip(numbers, scores.tolist())]
