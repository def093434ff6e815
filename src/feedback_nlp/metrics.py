"""The business metrics reports are built from: NPS, CSAT, mean rating, impact, trend and periods.

Pure functions on pandas Series; nothing here reads files or prints.

* **NPS** (0–10 "likelihood to recommend"): % promoters (9–10) − % detractors (0–6); 7–8 are passives.
* **CSAT** (1–5 satisfaction): % of answers that are 4 or 5.
* **Impact** of a group of responses (a topic, a theme) on a metric: metric(all responses) − metric(responses
  outside the group) — what the metric would move by if the group's problems went away, with the sign flipped:
  a topic full of detractors has a negative NPS impact.
* **Trend**: the change between the last two periods (last − previous); ``None`` with fewer than two.
* **Periods**: ISO weeks when the dates span at most :data:`WEEKLY_MAX_DAYS` days, calendar months otherwise.

Missing values are skipped. Values that are not numbers or fall outside the scale are excluded too, with a
:class:`~feedback_nlp.errors.FeedbackNLPWarning` saying how many and showing one.

Example::

    >>> import pandas as pd
    >>> from feedback_nlp.metrics import nps, csat, impact
    >>> scores = pd.Series([10, 9, 8, 6, 0])
    >>> nps(scores)   # 2 promoters, 2 detractors of 5
    0.0
    >>> csat(pd.Series([5, 4, 3, 1]))
    50.0
    >>> impact(scores, pd.Series([False, False, False, True, True]), nps)   # NPS 0 overall, 66.7 without
    -66.66666666666667
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from feedback_nlp.errors import FeedbackNLPWarning

NPS_RANGE = (0.0, 10.0)
CSAT_RANGE = (1.0, 5.0)
RATING_RANGE = (1.0, 5.0)
WEEKLY_MAX_DAYS = 92
_TRUE = {"true", "1", "yes", "y", "t", "1.0"}
_FALSE = {"false", "0", "no", "n", "f", "0.0"}


def clean_scores(
    values: pd.Series, low: float, high: float, name: str = "score", purpose: str = "the report"
) -> pd.Series:
    """``values`` as floats; blanks become NaN, and so do non-numbers and values outside ``low``–``high``
    (with one :class:`FeedbackNLPWarning` naming how many were excluded)."""
    raw = values.astype(object).where(values.notna(), None)
    blank = raw.map(lambda value: value is None or (isinstance(value, str) and not value.strip()))
    numbers = pd.to_numeric(raw.where(~blank, None), errors="coerce").astype(float)
    bad = (~blank & numbers.isna()) | (numbers < low) | (numbers > high)
    if bad.any():
        warnings.warn(
            f"{int(bad.sum())} {name} value(s) not numbers or outside {low:g}–{high:g} (e.g. "
            f"{values[bad].iloc[0]!r}) were excluded from {purpose}",
            FeedbackNLPWarning,
            stacklevel=2,
        )
    cleaned: pd.Series = numbers.where(~bad)
    return cleaned


@dataclass(frozen=True)
class NPSBreakdown:
    """Promoters (9–10), passives (7–8) and detractors (0–6) among ``n`` valid answers."""

    n: int
    promoters: int
    passives: int
    detractors: int

    @property
    def score(self) -> float | None:
        """NPS in −100…100, ``None`` without answers."""
        return None if self.n == 0 else 100.0 * (self.promoters - self.detractors) / self.n

    def to_dict(self) -> dict[str, float | int | None]:
        """Plain data: score, counts and the share of each group in percent."""
        share = (lambda count: None) if self.n == 0 else (lambda count: 100.0 * count / self.n)
        return {
            "score": self.score, "n": self.n, "promoters": self.promoters, "passives": self.passives,
            "detractors": self.detractors, "promoters_pct": share(self.promoters),
            "passives_pct": share(self.passives), "detractors_pct": share(self.detractors),
        }  # fmt: skip


def nps_breakdown(values: pd.Series) -> NPSBreakdown:
    """Count promoters, passives and detractors among the valid 0–10 answers in ``values``."""
    scores = clean_scores(values, *NPS_RANGE, name="NPS").dropna()
    promoters = int((scores >= 9).sum())
    detractors = int((scores < 7).sum())  # 0–6 (a fractional 6.5 too)
    return NPSBreakdown(len(scores), promoters, len(scores) - promoters - detractors, detractors)


def nps(values: pd.Series) -> float | None:
    """Net Promoter Score of the valid 0–10 answers in ``values``; ``None`` without any."""
    return nps_breakdown(values).score


def csat_counts(values: pd.Series) -> tuple[int, int]:
    """(valid 1–5 answers, answers of 4 or 5)."""
    scores = clean_scores(values, *CSAT_RANGE, name="CSAT").dropna()
    return len(scores), int((scores >= 4).sum())


def csat(values: pd.Series) -> float | None:
    """CSAT: percent of the valid 1–5 answers that are 4 or 5; ``None`` without any."""
    n, satisfied = csat_counts(values)
    return None if n == 0 else 100.0 * satisfied / n


def mean_rating(values: pd.Series) -> float | None:
    """Mean of the valid 1–5 ratings; ``None`` without any."""
    scores = clean_scores(values, *RATING_RANGE, name="rating").dropna()
    return None if scores.empty else float(scores.mean())


def impact(values: pd.Series, in_group: pd.Series, metric: Callable[[pd.Series], float | None]) -> float | None:
    """metric(all ``values``) − metric(``values`` outside the group); ``None`` when either is undefined.

    ``in_group`` is a boolean mask aligned with ``values`` (missing counts as outside).
    """
    mask = in_group.fillna(False).astype(bool).to_numpy()
    overall, without = metric(values), metric(values[~mask])
    return None if overall is None or without is None else overall - without


def trend(values: Sequence[float | None]) -> float | None:
    """The change between the last two periods, ``values[-1] − values[-2]``; ``None`` if either is missing."""
    if len(values) < 2:
        return None
    last, previous = values[-1], values[-2]
    if last is None or previous is None or np.isnan(last) or np.isnan(previous):
        return None
    return float(last - previous)


def share(mask: pd.Series) -> float | None:
    """Percent of the non-missing values of a boolean ``mask`` that are true; ``None`` if all are missing."""
    known = mask.dropna()
    return None if known.empty else 100.0 * float(known.astype(bool).sum()) / len(known)


def to_bool(values: pd.Series) -> pd.Series:
    """A nullable boolean Series from booleans, 0/1 or "True"/"false"/"yes"/"no" strings; other values → NA."""

    def convert(value: object) -> bool | None:
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            return None
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        text = str(value).strip().lower()
        return True if text in _TRUE else False if text in _FALSE else None

    return pd.Series([convert(value) for value in values], index=values.index, dtype="boolean")


def parse_dates(values: pd.Series, name: str = "date") -> pd.Series:
    """``values`` as timezone-naive timestamps; blanks become NaT, and so do unparsable values (with a warning)."""
    raw = values.astype(object).where(values.notna(), None)
    blank = raw.map(lambda value: value is None or (isinstance(value, str) and not value.strip()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas' "could not infer format" is noise here
        dates = pd.to_datetime(raw.where(~blank, None), errors="coerce", utc=True, format="mixed")
    bad = ~blank & dates.isna()
    if bad.any():
        warnings.warn(
            f"{int(bad.sum())} {name} value(s) could not be read as dates (e.g. {values[bad].iloc[0]!r}) and "
            "were left out of the trends",
            FeedbackNLPWarning,
            stacklevel=2,
        )
    naive: pd.Series = dates.dt.tz_localize(None)
    return naive


def period_unit(dates: pd.Series) -> str:
    """ "week" when the dates span at most :data:`WEEKLY_MAX_DAYS` days, else "month"."""
    known = dates.dropna()
    if known.empty:
        return "month"
    return "week" if (known.max() - known.min()).days <= WEEKLY_MAX_DAYS else "month"


def periods(dates: pd.Series, unit: str) -> tuple[pd.Series, list[str]]:
    """Each date's period label ("2024-W07" or "2024-02", NA for missing dates) and every period from the
    first to the last, gaps included, in order."""
    freq = "W-SUN" if unit == "week" else "M"
    known = dates.dropna()
    if known.empty:
        return pd.Series(pd.NA, index=dates.index, dtype="string"), []
    as_periods = dates.dt.to_period(freq)
    every = pd.period_range(known.min().to_period(freq), known.max().to_period(freq), freq=freq)

    def label(period: pd.Period) -> str:
        if unit == "week":
            year, week, _ = period.start_time.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{period.year}-{period.month:02d}"

    names = {period: label(period) for period in every}
    return as_periods.map(names).astype("string"), list(names.values())
