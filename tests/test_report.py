"""build_report on a hand-labelled scored table (tests/data/scored_reviews.csv) with every number worked out by
hand, the asks and themes, and the three renderings."""

from __future__ import annotations

import json
import re
import warnings

import pandas as pd
import pytest

from feedback_nlp import sections
from feedback_nlp.asks import cluster_sentences, find_asks, split_sentences
from feedback_nlp.errors import ColumnNotFoundError, ConfigError, FeedbackNLPWarning
from feedback_nlp.model import FeedbackModel
from feedback_nlp.render import to_html, to_json, to_markdown
from feedback_nlp.report import Report, ReportColumns, build_report, resolve_columns
from feedback_nlp.score import OUTPUT_COLUMNS
from feedback_nlp.theme_priority import ThemePriorityWeights

# NPS: valid 10, 9, 3, 0, 6, 8, 2, 10 (one blank, one "11" excluded) → 3 promoters, 1 passive, 4 detractors.
NPS_ALL = (3 - 4) / 8 * 100


def quiet_report(frame: pd.DataFrame, **kwargs: object) -> Report:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FeedbackNLPWarning)
        return build_report(frame, sentences=False, **kwargs)  # type: ignore[arg-type]


def test_headline_kpis_match_hand_computed_values(scored_reviews: pd.DataFrame) -> None:
    with pytest.warns(FeedbackNLPWarning) as caught:
        report = build_report(scored_reviews, sentences=False)
    messages = " | ".join(str(w.message) for w in caught)
    assert "1 NPS ('nps') value(s)" in messages and "(e.g. '11')" in messages
    assert "1 CSAT ('csat') value(s)" in messages and "(e.g. '0')" in messages
    k = report.kpis
    assert (report.rows, k["rows"], k["responses"]) == (10, 10, 9)
    assert k["nps"]["score"] == pytest.approx(NPS_ALL)
    assert (k["nps"]["n"], k["nps"]["promoters"], k["nps"]["passives"], k["nps"]["detractors"]) == (8, 3, 1, 4)
    assert k["csat"] == {"score": pytest.approx(62.5), "n": 8, "satisfied": 5}
    assert k["sentiment"]["negative"] == pytest.approx(400 / 9)
    assert k["sentiment"]["positive"] == pytest.approx(300 / 9)
    assert k["pain_point_rate"] == pytest.approx(400 / 9)
    assert (k["needs"], k["wants"]) == (4, 3)
    assert k["churn_risk_share"] == pytest.approx(300 / 9)


def test_columns_are_guessed_and_reported(scored_reviews: pd.DataFrame) -> None:
    report = quiet_report(scored_reviews)
    assert {role: info["column"] for role, info in report.columns.items()} == {
        "nps": "nps", "csat": "csat", "channel": "channel", "date": "date", "segment": "plan", "value": "value",
        "churned": "churned", "customer": "customer_id", "text": "text",
    }  # fmt: skip
    assert all(info["guessed"] for info in report.columns.values())


def test_given_columns_win_and_unknown_ones_are_a_clear_error(scored_reviews: pd.DataFrame) -> None:
    resolved, guessed = resolve_columns(list(scored_reviews.columns), ReportColumns(rating="csat", segment="channel"))
    assert (resolved.rating, resolved.segment, resolved.csat) == ("csat", "channel", None)
    assert "rating" not in guessed and "nps" in guessed
    with pytest.raises(ColumnNotFoundError, match=r"column 'NPS_score' not found.*pass --nps-col"):
        resolve_columns(list(scored_reviews.columns), ReportColumns(nps="NPS_score"))


def test_a_table_that_was_not_scored_is_refused() -> None:
    with pytest.raises(ColumnNotFoundError, match=r"not a scored table.*feedback-nlp score"):
        build_report(pd.DataFrame({"text": ["hello"], "nps": ["9"]}), sentences=False)


def test_by_period_uses_months_for_a_96_day_span_with_trend(scored_reviews: pd.DataFrame) -> None:
    period = quiet_report(scored_reviews).by_period
    assert period["unit"] == "month"
    assert [p["period"] for p in period["periods"]] == ["2023-12", "2024-01", "2024-02", "2024-03"]
    assert [p["rows"] for p in period["periods"]] == [1, 4, 2, 3]
    assert [p["nps"]["score"] for p in period["periods"]] == pytest.approx([-100.0, 0.0, -50.0, 100.0])
    assert [p["csat"]["score"] for p in period["periods"]] == pytest.approx([0.0, 50.0, 100.0, 100.0])
    assert period["trend"]["nps"] == pytest.approx(150.0)
    assert period["trend"]["csat"] == pytest.approx(0.0)
    assert period["trend"]["rows"] == 1
    assert period["trend"]["pain_point_rate"] == pytest.approx(-50.0)


def test_topics_have_hand_computed_impact_trend_and_priority(scored_reviews: pd.DataFrame) -> None:
    topics = {t["topic"]: t for t in quiet_report(scored_reviews).topics}
    assert set(topics) == {"features", "delivery", "reliability", "customer_support", "other"}
    impacts = {name: t["impact"]["value"] for name, t in topics.items()}
    # e.g. delivery: NPS without rows 3, 4, 7 = (3 − 1) / 5 = 40 → −12.5 − 40
    expected = {"features": 47.5, "delivery": -52.5, "reliability": -12.5, "customer_support": NPS_ALL + 200 / 7}
    assert impacts == pytest.approx({**expected, "other": 0.0})
    assert {name: t["impact"]["metric"] for name, t in topics.items()} == dict.fromkeys(topics, "NPS")
    trends = {name: t["trend"] for name, t in topics.items()}
    assert trends == pytest.approx(
        {"delivery": -50, "features": -50, "customer_support": 50, "other": 50, "reliability": 0}
    )
    delivery = topics["delivery"]
    assert (delivery["responses"], delivery["share"]) == (3, pytest.approx(100 / 3))
    assert delivery["pain_point_rate"] == delivery["negative_share"] == delivery["need_share"] == 100.0
    # 30 volume + 30 severity + 20 NPS drag (capped) + 10 × (300 / 244.4 − 1) value = 82.3
    assert delivery["priority"] == 82
    assert delivery["priority_reasons"] == "volume 3 · severity 1.00 · NPS impact −52.5"
    assert topics["features"]["priority"] == 30 and topics["features"]["priority_reasons"] == "volume 3"
    assert quiet_report(scored_reviews).topics[0]["topic"] == "delivery"  # sorted by priority


def test_priority_weights_are_configurable(scored_reviews: pd.DataFrame) -> None:
    weights = ThemePriorityWeights(volume=1.0, severity=0.0, impact=0.0, trend=0.0, value=0.0)
    topics = {t["topic"]: t["priority"] for t in quiet_report(scored_reviews, weights=weights).topics}
    assert topics == {"features": 100, "delivery": 100, "reliability": 33, "customer_support": 33, "other": 33}


def test_the_priority_formula_is_stated_and_weights_are_validated(scored_reviews: pd.DataFrame) -> None:
    formula = quiet_report(scored_reviews).priority["formula"]
    assert formula.startswith("A topic's or theme's priority (0–100) is a weighted average — 30% volume, 30% severity")
    assert "drags NPS down (5 points = 1)" in formula
    assert ThemePriorityWeights.from_overrides(["volume=0.5", "trend = 0"]).volume == 0.5
    with pytest.raises(ConfigError, match="'severity' must be a number ≥ 0"):
        ThemePriorityWeights(severity=-1.0)
    with pytest.raises(ConfigError, match="is not a number"):
        ThemePriorityWeights.from_overrides(["volume=lots"])


def test_breakdowns_churn_and_channel_volume(scored_reviews: pd.DataFrame) -> None:
    report = quiet_report(scored_reviews)
    channels = {c["name"]: c for c in report.by_channel}
    assert list(channels) == ["app", "web", "email", "<b>partner</b>"]
    assert channels["app"]["nps"]["score"] == pytest.approx(-25.0)
    assert channels["web"]["nps"]["score"] == 0.0 and channels["<b>partner</b>"]["nps"]["score"] is None
    segments = {s["name"]: s["nps"]["score"] for s in report.by_segment}
    assert segments == pytest.approx({"free": 0.0, "pro": -50.0, "enterprise": 100.0})
    churn = report.churn
    assert (churn["level"], churn["customers"], churn["churn_rate"]) == ("customer", 7, pytest.approx(200 / 7))
    assert churn["with_pain_points"] == {"customers": 3, "churn_rate": pytest.approx(200 / 3)}
    assert churn["without_pain_points"] == {"customers": 4, "churn_rate": 0.0}
    volume = report.volume_by_channel
    assert volume["channels"] == {
        "app": [0, 2, 2, 0],
        "web": [0, 2, 0, 1],
        "email": [1, 0, 0, 1],
        "<b>partner</b>": [0, 0, 0, 1],
    }
    assert volume["trend"] == {"app": -2.0, "web": 1.0, "email": 1.0, "<b>partner</b>": 1.0}


def test_typed_input_gives_the_same_report_as_csv_strings(scored_reviews: pd.DataFrame) -> None:
    typed = scored_reviews.copy()
    for column in ("pain_point", "churn_risk", "language_supported"):
        typed[column] = typed[column].map({"True": True, "False": False, "": None}).astype("boolean")
    for column in ("nps", "csat", "sentiment_score", "value"):
        typed[column] = pd.to_numeric(typed[column].replace("", None))
    typed["date"] = pd.to_datetime(typed["date"])
    assert quiet_report(typed).to_dict() == quiet_report(scored_reviews).to_dict()


def test_the_scored_frame_is_not_modified(scored_reviews: pd.DataFrame, small_model: FeedbackModel) -> None:
    before = scored_reviews.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FeedbackNLPWarning)
        report = build_report(scored_reviews, model=small_model)
    pd.testing.assert_frame_equal(scored_reviews, before)
    assert report.rows == len(before)


def test_asks_group_the_same_request_across_rows(scored_reviews: pd.DataFrame, small_model: FeedbackModel) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FeedbackNLPWarning)
        report = build_report(scored_reviews, model=small_model)
    apple = [c for c in report.asks["clusters"] if "apple pay" in c["label"]]
    assert len(apple) == 1, report.asks
    assert apple[0]["responses"] == 3 and apple[0]["need"] + apple[0]["want"] == 3
    texts = scored_reviews["text"].tolist()
    assert all(any(quote in text for text in texts) for quote in apple[0]["examples"])  # verbatim
    assert isinstance(report.themes["clusters"], list)


def _sentences(rows: list[tuple[int, str, bool, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(row, text, "en", need, 0.9, topic, pain) for row, text, pain, need, topic in rows],
        columns=["row", "sentence", "language", "need_type", "need_type_proba", "topic", "pain_point"],
    )


def test_themes_cluster_pain_sentences_within_a_topic_with_impact(scored_reviews: pd.DataFrame) -> None:
    table = _sentences([
        (2, "The parcel arrived late again.", True, "need", "delivery"),
        (2, "Very annoying.", False, "none", "other"),
        (3, "My parcel arrived late and damaged.", True, "need", "delivery"),
        (6, "Parcel arrived late, third time.", True, "need", "delivery"),
        (4, "The app crashes on login.", True, "need", "reliability"),
    ])  # fmt: skip
    report = quiet_report(scored_reviews)
    data = pd.DataFrame({"nps": pd.to_numeric(scored_reviews["nps"], errors="coerce").where(lambda s: s <= 10)})
    result = sections.themes(data, table, [], ThemePriorityWeights())
    assert result["sentences"] == 4
    (theme,) = result["clusters"]  # the single crash is below the 2-response minimum
    assert theme["topic"] == "delivery" and "parcel arrived late" in theme["label"]
    assert theme["responses"] == 3 and theme["sentences"] == 3
    assert theme["impact"]["value"] == pytest.approx(-52.5)  # the same rows as the delivery topic
    assert report.topics[0]["impact"]["value"] == pytest.approx(-52.5)
    assert theme["examples"][0] in table["sentence"].tolist()


def test_asks_come_from_request_phrases_or_the_model_but_not_from_problems() -> None:
    table = _sentences([
        (0, "Please add Apple Pay!", False, "none", "features"),  # phrase, model says none → want
        (1, "I need to export invoices for my accountant.", False, "need", "features"),
        (2, "Order never arrived.", True, "need", "delivery"),  # a problem, not an ask
        (3, "Dark mode would be great.", False, "want", "features"),
        (4, "Thanks!", False, "want", "other"),  # no content words
    ])  # fmt: skip
    asks = find_asks(table)
    assert asks["row"].tolist() == [0, 1, 3]
    assert asks["kind"].tolist() == ["want", "need", "want"]
    summary = sections.asks(table, texts=5)
    assert (summary["sentences"], summary["need"], summary["want"], summary["clusters_total"]) == (3, 1, 2, 3)


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Love it! Please add Apple Pay. Thanks", ["Love it!", "Please add Apple Pay.", "Thanks"]),
        ("J'aimerais pouvoir exporter. Merci", ["J'aimerais pouvoir exporter.", "Merci"]),
        ("Vorrei il tema scuro… Grazie!", ["Vorrei il tema scuro…", "Grazie!"]),
        ("Chciałbym tryb offline, np. w pociągu. Dzięki", ["Chciałbym tryb offline, np. w pociągu.", "Dzięki"]),
        ("Version 2.5 crashes.\nPlease fix", ["Version 2.5 crashes.", "Please fix"]),
        ("దయచేసి డార్క్ మోడ్ జోడించండి. ధన్యవాదాలు", ["దయచేసి డార్క్ మోడ్ జోడించండి.", "ధన్యవాదాలు"]),
        ("  …  ", []),
    ],
)
def test_split_sentences_keeps_verbatim_slices(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_clustering_is_deterministic_and_groups_reworded_asks() -> None:
    texts = [
        "please add Apple Pay",
        "Add Apple Pay please",
        "dark mode please",
        "I'd love a dark mode",
        "export to csv",
    ]
    first = cluster_sentences(texts, ["en"] * 5)
    assert [(c.label, c.members) for c in first] == [("apple pay", [0, 1]), ("dark mode", [2, 3]), ("export csv", [4])]
    assert [(c.label, c.members) for c in cluster_sentences(texts, ["en"] * 5)] == [(c.label, c.members) for c in first]


def test_json_has_the_documented_top_level_keys(scored_reviews: pd.DataFrame) -> None:
    document = json.loads(to_json(quiet_report(scored_reviews)), parse_constant=lambda name: pytest.fail(name))
    assert {"schema_version", "kpis", "topics", "asks", "themes", "by_channel", "by_period", "by_segment", "churn",
            "volume_by_channel", "priority", "columns", "notes"} <= set(document)  # fmt: skip
    assert {"nps", "csat"} <= set(document["kpis"])
    assert document["kpis"]["nps"]["score"] == -12.5
    assert {"topic", "responses", "share", "impact", "trend", "priority", "priority_reasons"} <= set(
        document["topics"][0]
    )
    assert document["priority"]["weights"]["volume"] == 0.3


def test_html_escapes_every_text_and_has_charts(scored_reviews: pd.DataFrame) -> None:
    report = quiet_report(scored_reviews)
    report.asks = {"sentences": 1, "responses": 1, "need": 0, "want": 1, "clusters_total": 1, "clusters": [
        {"label": "<i>x</i>", "responses": 1, "need": 0, "want": 1, "topic": "features",
         "examples": ["<script>alert('x')</script> please & thanks"]},
    ]}  # fmt: skip
    page = to_html(report)
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; please &amp; thanks" in page
    assert "&lt;b&gt;partner&lt;/b&gt;" in page and "<b>partner" not in page
    assert "&lt;i&gt;x&lt;/i&gt;" in page
    assert page.count("<svg") == 3 and 'data-chart="trend"' in page and 'data-chart="impact"' in page
    assert not re.search(r"(?:src|href)=\"(?!#)|url\((?!#)|@import", page)  # nothing loaded from elsewhere


def test_markdown_has_the_same_tables(scored_reviews: pd.DataFrame) -> None:
    text = to_markdown(quiet_report(scored_reviews))
    for heading in ("## By month", "## Topics", "## Churn", "## By channel", "## By segment", "## How priority"):
        assert heading in text
    assert "| topic | priority | responses | share | negative | pain points | NPS impact | trend (pp) | why |" in text
    assert (
        "| delivery | 82 | 3 | 33.3% | 100.0% | 100.0% | −52.5 | −50.0 | volume 3 · severity 1.00 · NPS impact −52.5 |"
        in text
    )
    assert "\\<b\\>partner\\</b\\>" in text and "| NPS | −12.5 |" in text


@pytest.mark.parametrize("rows", [0, 1])
def test_empty_and_one_row_tables_render(scored_reviews: pd.DataFrame, rows: int) -> None:
    frame = scored_reviews.head(rows)
    report = quiet_report(frame)
    assert report.rows == rows
    if rows == 0:
        assert report.kpis["nps"]["score"] is None and report.topics == [] and report.by_period == {}
    else:
        assert report.kpis["nps"]["score"] == 100.0
        assert report.by_period["trend"]["nps"] is None  # one period: no trend
    for render in (to_html, to_markdown, to_json):
        assert render(report)


def test_a_header_only_scored_file_reports_zero_rows() -> None:
    frame = pd.DataFrame(columns=["text", *OUTPUT_COLUMNS])
    report = build_report(frame)  # no text rows: no model needed
    assert report.kpis == {"rows": 0, "responses": 0, "sentiment": report.kpis["sentiment"], "pain_point_rate": None,
                           "needs": 0, "wants": 0, "churn_risk_share": None}  # fmt: skip
