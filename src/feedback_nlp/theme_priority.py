"""Priority (0–100) of topics and emerging themes, and the reasons behind it.

In two sentences: a topic's or theme's priority is a weighted average of five scores between 0 and 1 — its
**volume** relative to the largest one, its **severity** (the mean of its pain-point, negative-sentiment and need
shares), how far it **drags NPS down** (its NPS impact, or CSAT/rating impact, with ``impact_scale`` points of drag
counting as 1), how fast its share is **rising** (``trend_scale`` percentage points per period counting as 1) and
how much more **valuable** than average the customers who raise it are (average or less counting as 0, twice the
average as 1) — scaled to 0–100. Scores the data cannot give (no NPS/CSAT/rating, no dates, no value column) are
left out and the other weights rescaled to sum to one; every score that adds at least ``reason_min_points``
points is listed in the reasons, biggest first. :func:`describe` says the same with the weights in use.

The default weights are 30 % volume, 30 % severity, 20 % impact, 10 % trend and 10 % value; pass your own
:class:`ThemePriorityWeights` to :func:`~feedback_nlp.report.build_report` (or ``--weight volume=0.5`` on the
command line) to change them.

Example::

    >>> from feedback_nlp.theme_priority import GroupSignals, group_priorities
    >>> signals = [GroupSignals(volume=40, pain=0.8, negative=0.7, need=0.5, impact=-6.0, impact_metric="NPS"),
    ...            GroupSignals(volume=10, pain=0.1, negative=0.1, need=0.0, impact=1.0, impact_metric="NPS")]
    >>> [(p.priority, p.reasons) for p in group_priorities(signals)]
    [(88, 'volume 40 · severity 0.67 · NPS impact −6.0'), (12, 'volume 10')]
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from feedback_nlp.errors import ConfigError

COMPONENTS = ("volume", "severity", "impact", "trend", "value")


@dataclass(frozen=True)
class ThemePriorityWeights:
    """Weights of the five priority scores and the scales that map raw numbers onto 0–1."""

    volume: float = 0.30
    severity: float = 0.30
    impact: float = 0.20
    trend: float = 0.10
    value: float = 0.10
    impact_scale: float = 5.0  # NPS or CSAT points of drag (rating: percent of the 1–5 scale) that score 1
    trend_scale: float = 5.0  # percentage points of share gained since the previous period that score 1
    reason_min_points: float = 5.0

    def __post_init__(self) -> None:
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, (int, float)) or value < 0:
                raise ConfigError(f"theme priority weight '{item.name}' must be a number ≥ 0; got {value!r}")
        if self.impact_scale <= 0 or self.trend_scale <= 0:
            raise ConfigError("theme priority impact_scale and trend_scale must be > 0")

    @classmethod
    def from_overrides(cls, overrides: list[str] | None) -> ThemePriorityWeights:
        """Defaults changed by ``name=value`` strings, e.g. ``["volume=0.5", "trend=0"]``."""
        names = [item.name for item in dataclasses.fields(cls)]
        changes: dict[str, float] = {}
        for override in overrides or []:
            name, sep, raw = override.partition("=")
            name = name.strip()
            if not sep or name not in names:
                raise ConfigError(f"weight override '{override}' should be NAME=VALUE with NAME one of {names}")
            try:
                changes[name] = float(raw)
            except ValueError:
                raise ConfigError(f"weight override '{override}': '{raw}' is not a number") from None
        return cls(**changes)


@dataclass(frozen=True)
class GroupSignals:
    """What is known about one topic or theme. Rates are fractions in 0–1; ``impact`` is metric(all) −
    metric(without the group) in the metric's own units; ``trend`` is the change of the group's share of
    responses between the last two periods in percentage points; ``value_ratio`` is the mean customer value of
    its responses divided by the overall mean."""

    volume: int
    pain: float | None = None
    negative: float | None = None
    need: float | None = None
    impact: float | None = None
    impact_metric: str = "NPS"
    trend: float | None = None
    value_ratio: float | None = None


@dataclass(frozen=True)
class GroupPriority:
    """A group's priority (0–100), the reason text and the points each score added."""

    priority: int
    reasons: str
    points: dict[str, float]


def group_priorities(groups: list[GroupSignals], weights: ThemePriorityWeights | None = None) -> list[GroupPriority]:
    """The priority of each of ``groups``; volume is scored relative to the largest of them."""
    weights = weights or ThemePriorityWeights()
    largest = max((group.volume for group in groups), default=0)
    return [_priority(group, largest, weights) for group in groups]


def _scores(group: GroupSignals, largest: int, weights: ThemePriorityWeights) -> dict[str, float]:
    scores: dict[str, float] = {"volume": group.volume / largest if largest else 0.0}
    severity = [rate for rate in (group.pain, group.negative, group.need) if rate is not None]
    if severity:
        scores["severity"] = sum(severity) / len(severity)
    if group.impact is not None:
        drag = -group.impact * (25.0 if group.impact_metric == "rating" else 1.0)  # stars → % of the 1–5 scale
        scores["impact"] = drag / weights.impact_scale
    if group.trend is not None:
        scores["trend"] = group.trend / weights.trend_scale
    if group.value_ratio is not None:
        scores["value"] = group.value_ratio - 1.0
    return {name: min(1.0, max(0.0, score)) for name, score in scores.items()}


def _priority(group: GroupSignals, largest: int, weights: ThemePriorityWeights) -> GroupPriority:
    scores = _scores(group, largest, weights)
    total = sum(getattr(weights, name) for name in scores)
    if total <= 0:
        return GroupPriority(0, "", {})
    points = {name: 100.0 * getattr(weights, name) / total * score for name, score in scores.items()}
    priority = round(sum(points.values()))
    shown = sorted((name for name in points if points[name] >= weights.reason_min_points), key=lambda n: -points[n])
    return GroupPriority(priority, " · ".join(_describe(name, group, scores) for name in shown), points)


def _describe(name: str, group: GroupSignals, scores: dict[str, float]) -> str:
    if name == "volume":
        return f"volume {group.volume}"
    if name == "severity":
        return f"severity {scores['severity']:.2f}"
    if name == "impact":
        unit = " stars" if group.impact_metric == "rating" else ""
        return f"{group.impact_metric} impact {group.impact:+.1f}{unit}".replace("-", "−")
    if name == "trend":
        return f"rising {group.trend:+.1f} pp"
    return f"value {group.value_ratio:.1f}× average"


def describe(weights: ThemePriorityWeights | None = None, metric: str = "NPS") -> str:
    """The formula in two sentences with the weights and scales in use (shown in every report)."""
    w = weights or ThemePriorityWeights()
    total = sum(getattr(w, name) for name in COMPONENTS) or 1.0
    share = {name: f"{100 * getattr(w, name) / total:.0f}%" for name in COMPONENTS}
    scale = f"{w.impact_scale / 25:g} stars" if metric == "rating" else f"{w.impact_scale:g} points"
    return (
        f"A topic's or theme's priority (0–100) is a weighted average — {share['volume']} volume, "
        f"{share['severity']} severity, {share['impact']} {metric} impact, {share['trend']} trend, {share['value']} "
        "customer value — of five scores between 0 and 1: its volume relative to the largest, its severity (the mean "
        f"of its pain-point, negative and need shares), how far it drags {metric} down ({scale} = 1), "
        f"how fast its share is rising ({w.trend_scale:g} percentage points since the previous period = 1) and how "
        "much more valuable than average its customers are (twice the average = 1). Scores the data cannot give are "
        f"left out and the other weights rescaled; the reasons list each score adding at least "
        f"{w.reason_min_points:g} points."
    )
