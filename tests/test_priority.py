from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from feedback_nlp.config import PriorityConfig
from feedback_nlp.errors import FeedbackNLPWarning
from feedback_nlp.priority import compute_priority, nps_severity, rating_severity


def test_nps_severity_is_zero_for_passives_and_promoters() -> None:
    result = nps_severity(pd.Series([0, 3.5, 6, 7, 10, None]))
    assert result.tolist()[:5] == pytest.approx([1.0, 0.5, 1 / 7, 0.0, 0.0])
    assert np.isnan(result.iloc[5])


def test_rating_severity() -> None:
    assert rating_severity(pd.Series(["1", "2.5", "4", "5"])).tolist() == pytest.approx([1.0, 0.5, 0.0, 0.0])


def test_out_of_range_scores_are_ignored_with_a_warning() -> None:
    with pytest.warns(FeedbackNLPWarning, match="2 NPS value"):
        result = nps_severity(pd.Series(["11", "abc", "0"]))
    assert np.isnan(result.iloc[0]) and np.isnan(result.iloc[1]) and result.iloc[2] == 1.0


def test_compute_priority_matches_the_documented_formula() -> None:
    signals = pd.DataFrame(
        {"pain_point": [0.9, 0.0], "need": [0.8, 0.0], "want": [0.1, 0.0], "churn_risk": [0.7, 0.0],
         "negative": [0.9, 0.0], "score": [4 / 7, 0.0]}
    )  # fmt: skip
    priority, reasons = compute_priority(signals, PriorityConfig(), scores=pd.Series([3, 10]))
    expected = 0.30 * 90 + 0.25 * 80 + 0.05 * 10 + 0.20 * 70 + 0.10 * 90 + 0.10 * 100 * 4 / 7
    assert priority.tolist() == [round(expected), 0]
    assert reasons[0] == "pain point 0.90 · need 0.80 · churn risk 0.70 · negative 0.90 · detractor (NPS 3)"
    assert reasons[1] == ""


def test_compute_priority_rescales_weights_when_a_signal_is_missing() -> None:
    signals = pd.DataFrame({"pain_point": [1.0], "need": [1.0]})
    priority, _ = compute_priority(signals, PriorityConfig())
    assert priority.tolist() == [100]


def test_compute_priority_respects_configured_weights() -> None:
    signals = pd.DataFrame({"pain_point": [1.0], "churn_risk": [0.0]})
    priority, reasons = compute_priority(signals, PriorityConfig(pain_point=1.0, churn_risk=3.0))
    assert priority.tolist() == [25]
    assert reasons == ["pain point 1.00"]
