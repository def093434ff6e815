"""Typed training configuration: defaults, a TOML file, and dotted overrides, validated on load.

Example::

    >>> from feedback_nlp.config import load_config
    >>> config = load_config("configs/default.toml", overrides=["model.C=2.0"])  # doctest: +SKIP
    >>> config.model.C  # doctest: +SKIP
    2.0
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from feedback_nlp.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

DEFAULT_HEADS: dict[str, str] = {
    "sentiment": "sentiment",
    "pain_point": "pain_point",
    "need_type": "need_type",
    "topic": "topic",
    "churn_risk": "churn_risk",
}


@dataclass(frozen=True)
class HeadConfig:
    """One classification head: the label column it learns from and, optionally, its label order."""

    column: str
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class DataConfig:
    """Where the labelled training data is and how to hold out the evaluation split."""

    paths: tuple[str, ...] = ()
    text_col: str = "text"
    lang_col: str = "lang"
    split_col: str = "split"
    test_size: float = 0.15


@dataclass(frozen=True)
class FeaturesConfig:
    """The shared text featurisation: lemmatised word n-grams, lexicon counts and character n-grams."""

    lemmatize: bool = True
    negation: bool = True
    lexicon: bool = True
    word_ngram_max: int = 2
    char_ngrams: bool = True
    char_ngram_min: int = 3
    char_ngram_max: int = 5
    min_df: int = 2
    max_word_features: int = 100_000
    max_char_features: int = 150_000
    max_chars: int = 5_000


@dataclass(frozen=True)
class ModelConfig:
    """The per-head classifier: logistic regression with sigmoid or isotonic calibration."""

    C: float = 4.0
    class_weight: str = "balanced"
    calibration: str = "sigmoid"
    calibration_folds: int = 3
    max_iter: int = 3000
    n_jobs: int = -1  # processes fitting the heads (-1 = one per core); results do not depend on it


@dataclass(frozen=True)
class PriorityConfig:
    """Weights of the signals that make up a row's priority (see README, "How priority is computed")."""

    pain_point: float = 0.30
    need: float = 0.25
    want: float = 0.05
    churn_risk: float = 0.20
    negative: float = 0.10
    score: float = 0.10
    reason_min_points: float = 5.0


@dataclass(frozen=True)
class Config:
    """The whole training configuration. ``base_dir`` is where relative data paths are resolved from."""

    seed: int = 13
    data: DataConfig = field(default_factory=DataConfig)
    features: FeaturesConfig = field(default_factory=FeaturesConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    priority: PriorityConfig = field(default_factory=PriorityConfig)
    heads: dict[str, HeadConfig] = field(
        default_factory=lambda: {name: HeadConfig(column) for name, column in DEFAULT_HEADS.items()}
    )
    base_dir: str = "."

    def data_paths(self) -> list[Path]:
        """The configured data paths, resolved against ``base_dir``."""
        return [(Path(self.base_dir) / path).resolve() for path in self.data.paths]

    def to_dict(self) -> dict[str, Any]:
        """The resolved configuration as plain data (saved next to the model)."""
        resolved = dataclasses.asdict(self)
        resolved.pop("base_dir")
        resolved["heads"] = {
            name: {"column": head.column, "labels": list(head.labels)} for name, head in self.heads.items()
        }
        resolved["data"]["paths"] = [_portable(path) for path in self.data_paths()]
        return resolved


def _portable(path: Path) -> str:
    """``path`` relative to the current folder when it is inside it (so saved metadata does not carry a machine's
    absolute paths), else as it is."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


_SECTIONS: dict[str, type[Any]] = {
    "data": DataConfig,
    "features": FeaturesConfig,
    "model": ModelConfig,
    "priority": PriorityConfig,
}
_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("model", "class_weight"): ("balanced", "none"),
    ("model", "calibration"): ("sigmoid", "isotonic"),
}


def load_config(path: str | Path | None = None, overrides: list[str] | None = None) -> Config:
    """Load a config: defaults, then the TOML file at ``path`` (if any), then ``section.key=value`` overrides.

    Raises :class:`ConfigError` naming every unknown key or invalid value.
    """
    raw: dict[str, Any] = {}
    base_dir = Path.cwd()
    if path is not None:
        config_path = Path(path)
        if not config_path.is_file():
            raise ConfigError(f"config file '{config_path}' not found; pass --config with an existing TOML file")
        try:
            raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config file '{config_path}' is not valid TOML: {exc}") from exc
        base_dir = config_path.resolve().parent
    for override in overrides or []:
        _apply_override(raw, override)
    return config_from_dict(raw, base_dir=base_dir)


def config_from_dict(raw: dict[str, Any], base_dir: str | Path = ".") -> Config:
    """Build and validate a :class:`Config` from nested plain data (the shape of the TOML file)."""
    problems: list[str] = []
    known = {"seed", "heads", *_SECTIONS}
    problems += [f"unknown top-level key '{key}' (allowed: {sorted(known)})" for key in raw if key not in known]
    sections = {name: _build_section(name, cls, raw.get(name, {}), problems) for name, cls in _SECTIONS.items()}
    heads = _build_heads(raw.get("heads"), problems)
    seed = raw.get("seed", 13)
    if not isinstance(seed, int) or isinstance(seed, bool):
        problems.append(f"seed must be an integer, got {seed!r}")
    if problems:
        raise ConfigError("invalid config: " + "; ".join(problems))
    return Config(seed=seed, heads=heads, base_dir=str(base_dir), **sections)


def _build_section(name: str, cls: type[Any], values: Any, problems: list[str]) -> Any:
    if not isinstance(values, dict):
        problems.append(f"[{name}] must be a table, got {values!r}")
        return cls()
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in fields:
            problems.append(f"unknown key '{name}.{key}' (allowed: {sorted(fields)})")
            continue
        default = getattr(cls(), key)
        checked = _check_type(f"{name}.{key}", value, default, problems)
        choices = _CHOICES.get((name, key))
        if choices and checked not in choices:
            problems.append(f"{name}.{key} must be one of {list(choices)}, got {checked!r}")
        kwargs[key] = checked
    section = cls(**kwargs)
    _check_ranges(name, section, problems)
    return section


def _check_type(key: str, value: Any, default: Any, problems: list[str]) -> Any:
    if isinstance(default, tuple):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            problems.append(f"{key} must be a list of strings, got {value!r}")
            return default
        return tuple(value)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            problems.append(f"{key} must be true or false, got {value!r}")
            return default
        return value
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if type(value) is not type(default):
        problems.append(f"{key} must be of type {type(default).__name__}, got {value!r}")
        return default
    return value


def _check_ranges(name: str, section: Any, problems: list[str]) -> None:
    if isinstance(section, DataConfig) and not 0.0 < section.test_size < 0.9:
        problems.append(f"data.test_size must be between 0 and 0.9, got {section.test_size}")
    if isinstance(section, FeaturesConfig):
        if section.char_ngram_min < 1 or section.char_ngram_max < section.char_ngram_min:
            problems.append("features.char_ngram_min must be >= 1 and <= features.char_ngram_max")
        for key in ("word_ngram_max", "min_df", "max_word_features", "max_char_features", "max_chars"):
            if getattr(section, key) < 1:
                problems.append(f"features.{key} must be >= 1, got {getattr(section, key)}")
    if isinstance(section, ModelConfig):
        if section.C <= 0:
            problems.append(f"model.C must be > 0, got {section.C}")
        if section.calibration_folds < 2:
            problems.append(f"model.calibration_folds must be >= 2, got {section.calibration_folds}")
    if isinstance(section, PriorityConfig):
        negative = [f.name for f in dataclasses.fields(section) if getattr(section, f.name) < 0]
        problems += [f"priority.{key} must be >= 0" for key in negative]


def _build_heads(values: Any, problems: list[str]) -> dict[str, HeadConfig]:
    if values is None:
        return {name: HeadConfig(column) for name, column in DEFAULT_HEADS.items()}
    if not isinstance(values, dict) or not values:
        problems.append("[heads] must be a table with at least one [heads.NAME] entry")
        return {}
    heads: dict[str, HeadConfig] = {}
    for name, spec in values.items():
        if not name.isidentifier():
            problems.append(f"head name '{name}' must be a simple identifier such as 'complaint'")
            continue
        spec = {} if spec is True else spec
        if not isinstance(spec, dict):
            problems.append(f"[heads.{name}] must be a table, got {spec!r}")
            continue
        unknown = sorted(set(spec) - {"column", "labels"})
        if unknown:
            problems.append(f"unknown key(s) {unknown} in [heads.{name}] (allowed: ['column', 'labels'])")
        labels = spec.get("labels", [])
        if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
            problems.append(f"heads.{name}.labels must be a list of strings, got {labels!r}")
            labels = []
        heads[name] = HeadConfig(column=str(spec.get("column", name)), labels=tuple(labels))
    return heads


def _apply_override(raw: dict[str, Any], override: str) -> None:
    key, sep, value_text = override.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"override '{override}' must look like section.key=value, e.g. model.C=2.0")
    try:
        value = tomllib.loads(f"v = {value_text.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = value_text.strip()  # a bare word such as `isotonic` is taken as a string
    parts = key.strip().split(".")
    node = raw
    for part in parts[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(f"override '{override}': '{part}' is not a section")
        node = child
    node[parts[-1]] = value
