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
    (80, 'pain point 0.90 · need 0.80 · churn risk 0.70 · negative 0.90 · detractor (NPS 3)')
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
    values = signals[used].astype(float).fillna(0.0).clip(0.0, 1.0)
    points = values * np.array([getattr(weights, name) / total * 100.0 for name in used])
    priority = np.rint(points.sum(axis=1).to_numpy()).astype(int)
    reasons = [
        _reasons(points.iloc[i], values.iloc[i], None if scores is None else scores.iloc[i], score_name, weights)
        for i in range(len(signals))
    ]
    return priority, reasons


def _reasons(points: pd.Series, values: pd.Series, raw_score: object, score_name: str, weights: PriorityConfig) -> str:
    parts = []
    for name in points.sort_values(ascending=False, kind="stable").index:
        if points[name] < weights.reason_min_points:
            continue
        if name == "score":
            label = "detractor" if score_name == "NPS" else "low rating"
            parts.append(f"{label} ({score_name} {_format_score(raw_score)})")
        else:
            parts.append(f"{SIGNAL_NAMES[name]} {values[name]:.2f}")
    return " · ".join(parts)


def _format_score(value: object) -> str:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return f"{number:g}" if pd.notna(number) else str(value)
