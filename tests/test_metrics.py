"""NPS, CSAT, rating, impact, trend and periods against small fixtures computed by hand."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from feedback_nlp.errors import FeedbackNLPWarning
from feedback_nlp.metrics import (
    clean_scores,
    csat,
    csat_counts,
    impact,
    mean_rating,
    nps,
    nps_breakdown,
    parse_dates,
    period_unit,
    periods,
    share,
    to_bool,
    trend,
)


@pytest.mark.parametrize(
    ("scores", "expected", "counts"),
    [
        ([10, 9, 8, 7, 6, 0], 0.0, (6, 2, 2, 2)),  # tie: as many promoters as detractors
        ([9, 7, 6], 0.0, (3, 1, 1, 1)),  # the boundaries 9 / 7–8 / 6
        ([10, 10, 10, 0], 50.0, (4, 3, 0, 1)),
        (["10", "9", "3"], 100.0 / 3, (3, 2, 0, 1)),  # CSV cells are strings
        ([8.5, 9.0, 6.5], 0.0, (3, 1, 1, 1)),  # 6.5 is below 7: a detractor
        ([10, None, "", 6, np.nan, " "], 0.0, (2, 1, 0, 1)),  # missing values are skipped
        ([9], 100.0, (1, 1, 0, 0)),  # one row
        ([3], -100.0, (1, 0, 0, 1)),
        ([8], 0.0, (1, 0, 1, 0)),
    ],
)
def test_nps_counts_promoters_passives_and_detractors(scores: list[object], expected: float, counts: tuple) -> None:
    breakdown = nps_breakdown(pd.Series(scores, dtype=object))
    assert breakdown.score == pytest.approx(expected)
    assert (breakdown.n, breakdown.promoters, breakdown.passives, breakdown.detractors) == counts
    assert nps(pd.Series(scores, dtype=object)) == pytest.approx(expected)


@pytest.mark.parametrize("scores", [[], [None, ""], [np.nan]])
def test_nps_of_no_answers_is_none(scores: list[object]) -> None:
    assert nps(pd.Series(scores, dtype=object)) is None
    assert nps_breakdown(pd.Series(scores, dtype=object)).to_dict()["promoters_pct"] is None


def test_nps_excludes_out_of_range_and_non_numbers_with_a_warning() -> None:
    with pytest.warns(FeedbackNLPWarning, match=r"3 NPS value\(s\) not numbers or outside 0–10 \(e\.g\. 11\)"):
        breakdown = nps_breakdown(pd.Series([11, -1, "n/a", 10, 5], dtype=object))
    assert (breakdown.n, breakdown.promoters, breakdown.detractors) == (2, 1, 1)
    assert breakdown.score == 0.0


def test_valid_scores_raise_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nps(pd.Series([0, 10, None]))
        csat(pd.Series([1, 5, ""]))


def test_nps_breakdown_shares_add_up() -> None:
    result = nps_breakdown(pd.Series([10, 9, 8, 0])).to_dict()
    assert result == {
        "score": 25.0, "n": 4, "promoters": 2, "passives": 1, "detractors": 1,
        "promoters_pct": 50.0, "passives_pct": 25.0, "detractors_pct": 25.0,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([5, 4, 3, 2, 1], 40.0),
        ([4, 4], 100.0),
        (["5", "4.0", "3", ""], 200.0 / 3),
        ([3], 0.0),  # one row
        ([], None),  # empty
        ([None], None),
    ],
)
def test_csat_is_the_share_of_4_and_5(scores: list[object], expected: float | None) -> None:
    result = csat(pd.Series(scores, dtype=object))
    assert result == (pytest.approx(expected) if expected is not None else None)


def test_csat_excludes_out_of_range_with_a_warning() -> None:
    with pytest.warns(FeedbackNLPWarning, match="2 CSAT value"):
        assert csat_counts(pd.Series([0, 6, 5, 2])) == (2, 1)


def test_mean_rating() -> None:
    assert mean_rating(pd.Series([1, 2, "3", None])) == pytest.approx(2.0)
    assert mean_rating(pd.Series([], dtype=object)) is None


def test_impact_is_metric_of_all_minus_metric_without_the_group() -> None:
    # NPS of all = 0 (2 promoters, 2 detractors); without the two detractors it is 100.
    scores = pd.Series([10, 10, 0, 0])
    assert impact(scores, pd.Series([False, False, True, True]), nps) == pytest.approx(-100.0)
    assert impact(scores, pd.Series([True, True, False, False]), nps) == pytest.approx(100.0)


def test_impact_skips_missing_scores() -> None:
    # Valid: 10, 0, 6 → NPS (1 − 2) / 3; outside the group: 10, 6 → NPS 0.
    scores = pd.Series([10, None, 0, 6], dtype=object)
    result = impact(scores, pd.Series([False, True, True, False]), nps)
    assert result == pytest.approx(-100.0 / 3)


def test_impact_is_none_when_every_response_is_in_the_group_and_zero_without_scores() -> None:
    scores = pd.Series([10, 0])
    assert impact(scores, pd.Series([True, True]), nps) is None
    assert impact(pd.Series([10, None], dtype=object), pd.Series([False, True]), nps) == 0.0
    assert impact(pd.Series([5, 1, 4]), pd.Series([False, True, pd.NA], dtype="boolean"), csat) == pytest.approx(
        200 / 3 - 100.0
    )


@pytest.mark.parametrize(
    ("values", "expected"),
    [([1.0, 2.0, 5.0], 3.0), ([5.0, 2.0], -3.0), ([5.0], None), ([], None), ([None, 2.0], None), ([3.0, np.nan], None)],
)
def test_trend_is_the_change_between_the_last_two_periods(values: list[float | None], expected: float | None) -> None:
    assert trend(values) == expected


def test_share_and_to_bool_read_csv_booleans() -> None:
    flags = to_bool(pd.Series(["True", "false", "", None, "1", "yes", "maybe", True], dtype=object))
    assert flags.tolist() == [True, False, pd.NA, pd.NA, True, True, pd.NA, True]
    assert share(flags) == pytest.approx(80.0)
    assert share(pd.Series([pd.NA], dtype="boolean")) is None


def test_clean_scores_keeps_positions() -> None:
    with pytest.warns(FeedbackNLPWarning):
        cleaned = clean_scores(pd.Series(["3", "x", "", "12"], index=[5, 6, 7, 8]), 0, 10)
    assert cleaned.index.tolist() == [5, 6, 7, 8]
    assert cleaned.iloc[0] == 3.0 and cleaned.iloc[1:].isna().all()


def test_weeks_for_short_spans_and_months_for_long_ones() -> None:
    short = parse_dates(pd.Series(["2024-12-30", "2025-01-12", "", "2025-01-01T10:00:00+02:00"]))
    assert period_unit(short) == "week"
    labels, every = periods(short, "week")
    assert labels.tolist() == ["2025-W01", "2025-W02", pd.NA, "2025-W01"]  # ISO weeks: Dec 30 is in 2025-W01
    assert every == ["2025-W01", "2025-W02"]
    long = parse_dates(pd.Series(["2024-01-15", "2024-04-30"]))
    assert period_unit(long) == "month"
    labels, every = periods(long, "month")
    assert labels.tolist() == ["2024-01", "2024-04"]
    assert every == ["2024-01", "2024-02", "2024-03", "2024-04"]  # gaps included


def test_unreadable_dates_are_left_out_with_a_warning() -> None:
    with pytest.warns(FeedbackNLPWarning, match="1 date value"):
        dates = parse_dates(pd.Series(["2024-01-01", "not a date", None]))
    assert dates.notna().tolist() == [True, False, False]
    assert periods(dates.iloc[1:], "month")[1] == []
