from __future__ import annotations

from pathlib import Path

import pytest

from feedback_nlp.config import DEFAULT_HEADS, config_from_dict, load_config
from feedback_nlp.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_load_config_default_file_matches_builtin_defaults() -> None:
    config = load_config(ROOT / "configs" / "default.toml")
    builtin = config_from_dict({})
    assert config.features == builtin.features
    assert config.model == builtin.model
    assert config.priority == builtin.priority
    assert list(config.heads) == list(DEFAULT_HEADS)
    assert config.data_paths() == [(ROOT / "data" / name).resolve() for name in ("corpus", "sentences")]


@pytest.mark.parametrize(
    ("override", "attribute", "expected"),
    [
        ("model.C=2", ("model", "C"), 2.0),
        ("features.char_ngrams=false", ("features", "char_ngrams"), False),
        ("model.calibration=isotonic", ("model", "calibration"), "isotonic"),
        ("data.paths=['a.csv', 'b.csv']", ("data", "paths"), ("a.csv", "b.csv")),
        ("seed=7", ("seed",), 7),
    ],
)
def test_load_config_applies_dotted_overrides(override: str, attribute: tuple[str, ...], expected: object) -> None:
    value: object = load_config(None, [override])
    for part in attribute:
        value = getattr(value, part)
    assert value == expected


def test_config_from_dict_reports_every_problem_at_once() -> None:
    with pytest.raises(ConfigError) as info:
        config_from_dict({"model": {"C": -1, "calibration": "platt", "colour": 1}, "feature": {}})
    message = str(info.value)
    for fragment in ("model.C must be > 0", "model.calibration must be one of", "model.colour", "'feature'"):
        assert fragment in message


def test_config_from_dict_builds_custom_heads() -> None:
    config = config_from_dict({"heads": {"complaint": {"column": "is_complaint"}, "topic": {"labels": ["a", "b"]}}})
    assert config.heads["complaint"].column == "is_complaint"
    assert config.heads["topic"].labels == ("a", "b")


@pytest.mark.parametrize("override", ["model.C", "=3", "model.C.x=1"])
def test_load_config_rejects_malformed_overrides(override: str) -> None:
    with pytest.raises(ConfigError):
        load_config(None, [override])


def test_load_config_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"not found"):
        load_config(tmp_path / "nope.toml")


def test_load_config_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[model\nC = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml"):
        load_config(path)
