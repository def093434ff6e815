"""The multi-head feedback model: one shared featurisation, one calibrated linear classifier per head.

Example::

    >>> from feedback_nlp.model import FeedbackModel
    >>> model = FeedbackModel.load("models/default")  # doctest: +SKIP
    >>> model.predict(["The app crashes every time I open my invoices"])  # doctest: +SKIP
      language sentiment  sentiment_score  pain_point  pain_point_proba need_type ...
"""

from __future__ import annotations

import json
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import scipy.sparse as sp
import sklearn
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from feedback_nlp import __version__
from feedback_nlp.config import Config, HeadConfig
from feedback_nlp.errors import (
    CorruptModelError,
    DataValidationError,
    IncompatibleModelError,
    ModelNotFoundError,
    NotFittedError,
)
from feedback_nlp.language import SUPPORTED_LANGUAGES, detect_languages
from feedback_nlp.normalization import has_content, normalize_all
from feedback_nlp.stacked_heads import StackedHeads
from feedback_nlp.text import TextFeaturizer

# 2: n-gram vocabularies of 64-bit hashes (feedback_nlp.ngrams), known words per language; 3: lexicon counts
FORMAT_VERSION = 3
MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
BINARY_LABELS = ("false", "true")
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f"}


def normalize_label(value: Any) -> str | None:
    """A label as the model stores it: a trimmed string, booleans and 0/1/yes/no as "true"/"false",
    missing values as ``None``."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    text = str(value).strip()
    if not text:
        return None
    lowered = text.lower()
    if lowered in _TRUE:
        return "true"
    if lowered in _FALSE:
        return "false"
    return text


@dataclass
class Head:
    """A fitted head: its name, label column, label order and calibrated classifier."""

    name: str
    column: str
    labels: tuple[str, ...]
    classifier: CalibratedClassifierCV = field(repr=False)

    @property
    def is_binary(self) -> bool:
        """True for true/false heads (``pain_point``, ``churn_risk``, a custom ``complaint``…)."""
        return self.labels == BINARY_LABELS

    def coefficients(self) -> np.ndarray:
        """The linear model's weights, one row per label (in ``labels`` order)."""
        estimator = self.classifier.calibrated_classifiers_[0].estimator
        coef = np.asarray(estimator.coef_)
        if coef.shape[0] == 1:  # binary: one row for the positive class
            return np.vstack([-coef[0], coef[0]])
        order = [list(estimator.classes_).index(label) for label in self.labels]
        centred: np.ndarray = coef[order] - coef.mean(axis=0)
        return centred


@dataclass
class Predictions:
    """What one prediction pass yields: the output ``table`` (see :meth:`FeedbackModel.predict`), every head's
    probability table in ``proba`` (NaN for texts with no content) and the ``empty`` mask of those texts."""

    table: pd.DataFrame
    proba: dict[str, pd.DataFrame]
    empty: np.ndarray


class FeedbackModel:
    """Multi-head text classifier for customer feedback.

    ``fit`` learns one shared :class:`~feedback_nlp.text.TextFeaturizer` and one calibrated logistic
    regression per head; every head reads the same feature matrix, computed once per batch.
    """

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()

    # -- fitting ---------------------------------------------------------------------------------------
    def fit(
        self, texts: list[str], labels: pd.DataFrame, languages: Sequence[str | None] | None = None
    ) -> FeedbackModel:
        """Fit the featurisation and every configured head on ``texts`` and the label columns in ``labels``.

        A row whose label is missing for a head is left out of that head only.
        """
        if len(texts) != len(labels):
            raise DataValidationError(f"{len(texts)} texts but {len(labels)} label rows")
        frame = self._frame(texts, languages)
        missing = frame["language"].isna().to_numpy()
        if missing.any():
            frame.loc[missing, "language"] = detect_languages(frame.loc[missing, "text"].tolist())
        features = self.config.features
        self.featurizer_ = TextFeaturizer(
            lemmatize=features.lemmatize,
            negation=features.negation,
            lexicon=features.lexicon,
            word_ngram_max=features.word_ngram_max,
            char_ngrams=features.char_ngrams,
            char_ngram_min=features.char_ngram_min,
            char_ngram_max=features.char_ngram_max,
            min_df=features.min_df,
            max_word_features=features.max_word_features,
            max_char_features=features.max_char_features,
        ).fit(frame)
        matrix = self.featurizer_.transform(frame)
        self.__dict__.pop("_stacked_heads", None)  # built from the heads on first prediction
        self.heads_ = self._fit_heads(matrix, labels)
        self.training_languages_ = {str(k): int(v) for k, v in frame["language"].value_counts().items()}
        return self

    def _fit_heads(self, matrix: sp.csr_matrix, labels: pd.DataFrame) -> dict[str, Head]:
        """Every head, fitted in parallel: one process per head (up to ``model.n_jobs``), the largest first, so
        two cores stay busy; with a single head its calibration folds run in parallel instead. The result does
        not depend on the number of processes."""
        targets = {name: _head_target(name, spec, labels[spec.column]) for name, spec in self.config.heads.items()}
        processes = min(effective_n_jobs(self.config.model.n_jobs), len(targets))
        fold_jobs = 1 if processes > 1 else self.config.model.n_jobs
        largest_first = sorted(targets, key=lambda name: -len(targets[name].labels) * len(targets[name].y))
        fitted = Parallel(n_jobs=processes)(
            delayed(_fit_classifier)(matrix[targets[name].keep], targets[name], self.config, fold_jobs)
            for name in largest_first
        )
        classifiers = dict(zip(largest_first, fitted))
        return {
            name: Head(name=name, column=spec.column, labels=targets[name].labels, classifier=classifiers[name])
            for name, spec in self.config.heads.items()
        }

    # -- prediction ------------------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "heads_"):
            raise NotFittedError("this FeedbackModel is not fitted yet; call fit() or FeedbackModel.load()")

    def _frame(self, texts: list[str], languages: Sequence[str | None] | None) -> pd.DataFrame:
        """Normalised texts with their language: the given code where there is one, ``None`` otherwise."""
        max_chars = self.config.features.max_chars
        normalized = normalize_all(texts, max_chars)
        given = [_language_code(c) for c in languages] if languages is not None else [None] * len(texts)
        frame: pd.DataFrame = pd.DataFrame({"text": normalized, "language": given}, dtype=object)
        return frame

    @property
    def heads(self) -> dict[str, Head]:
        """The fitted heads by name."""
        self._check_fitted()
        return self.heads_

    def predict_proba(self, texts: list[str], languages: Sequence[str | None] | None = None) -> dict[str, pd.DataFrame]:
        """Probability of every label of every head: {head: DataFrame(rows × labels)}, plus "language"."""
        self._check_fitted()
        frame = self._frame(list(texts), languages)
        if frame.empty:  # scikit-learn refuses zero-row matrices
            return {"language": pd.DataFrame({"language": pd.Series(dtype=object)})} | {
                name: pd.DataFrame(columns=list(head.labels), dtype=float) for name, head in self.heads_.items()
            }
        matrix, found = self.featurizer_.featurize(frame["text"].tolist(), frame["language"].tolist())
        result = {"language": pd.DataFrame({"language": found})}
        probas = self._stacked_heads.predict_proba(matrix)
        for name, head in self.heads_.items():
            proba = probas[name]
            classes = list(head.classifier.classes_)
            result[name] = pd.DataFrame(
                {label: proba[:, classes.index(label)] if label in classes else 0.0 for label in head.labels}
            )
        return result

    @cached_property
    def _stacked_heads(self) -> StackedHeads:
        return StackedHeads({name: head.classifier for name, head in self.heads_.items()})

    def __getstate__(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if key != "_stacked_heads"}  # rebuilt on use

    def predict(self, texts: list[str], languages: Sequence[str | None] | None = None) -> pd.DataFrame:
        """Labels and probabilities per text, as the columns ``feedback-nlp score`` adds.

        For each head: ``<head>`` and ``<head>_proba`` (probability of "true" for true/false heads, of the
        chosen label otherwise); for ``sentiment`` a ``sentiment_score`` = P(positive) − P(negative) instead.
        Texts with no content (empty, whitespace, punctuation only) get empty labels.
        """
        return self.predict_full(texts, languages).table

    def predict_full(self, texts: list[str], languages: Sequence[str | None] | None = None) -> Predictions:
        """:meth:`predict`'s table together with every head's full probability table (one featurisation)."""
        texts = list(texts)
        probas = self.predict_proba(texts, languages)
        out = pd.DataFrame(index=range(len(texts)))
        out["language"] = probas["language"]["language"].to_numpy()
        out["language_supported"] = out["language"].isin(SUPPORTED_LANGUAGES)
        empty = ~np.array([has_content(text) for text in texts], dtype=bool)
        for name, head in self.heads_.items():
            table = probas[name]
            chosen = np.asarray(head.labels, dtype=object)[table.to_numpy().argmax(axis=1)]
            if head.is_binary:
                out[name] = pd.array(chosen == "true", dtype="boolean")
                out[f"{name}_proba"] = table["true"].to_numpy()
            else:
                out[name] = pd.array(chosen, dtype="string")
                if name == "sentiment" and {"positive", "negative"} <= set(head.labels):
                    out["sentiment_score"] = table["positive"].to_numpy() - table["negative"].to_numpy()
                else:
                    out[f"{name}_proba"] = table.to_numpy().max(axis=1)
            table.loc[empty] = np.nan
        for column in out.columns.drop(["language", "language_supported"]):
            out.loc[empty, column] = pd.NA
        return Predictions(table=out, proba=probas, empty=empty)

    def explain(self, text: str, language: str | None = None, top_n: int = 5) -> dict[str, list[tuple[str, float]]]:
        """The terms that pushed each head towards its predicted label, strongest first, with their weight."""
        self._check_fitted()
        frame = self._frame([text], None if language is None else [language])
        row = self.featurizer_.featurize(frame["text"].tolist(), frame["language"].tolist())[0]
        names = self.featurizer_.get_feature_names_out()
        n_words = self.featurizer_.n_word_features_
        explanation: dict[str, list[tuple[str, float]]] = {}
        for name, head in self.heads_.items():
            proba = head.classifier.predict_proba(row)[0]
            best = str(head.classifier.classes_[int(proba.argmax())])
            weights = head.coefficients()[head.labels.index(best)]
            indexes, values = row.indices, row.data
            contributions = values * weights[indexes]
            order = np.argsort(-contributions)
            words = [(str(names[indexes[i]]), float(contributions[i])) for i in order if contributions[i] > 0]
            preferred = [item for item, i in zip(words, order) if indexes[i] < n_words] or words
            explanation[name] = preferred[:top_n]
        return explanation

    # -- persistence -----------------------------------------------------------------------------------
    def save(self, directory: str | Path, metadata: dict[str, Any] | None = None) -> Path:
        """Write ``model.joblib`` and ``metadata.json`` (format, versions, labels, plus ``metadata``)."""
        self._check_fitted()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, directory / MODEL_FILE, compress=3)
        full = {**self.describe(), **(metadata or {})}
        (directory / METADATA_FILE).write_text(json.dumps(full, indent=2, ensure_ascii=False) + "\n", "utf-8")
        return directory

    def describe(self) -> dict[str, Any]:
        """Format version, library versions, heads and labels, languages: what ``metadata.json`` starts with."""
        self._check_fitted()
        return {
            "format_version": FORMAT_VERSION,
            "versions": library_versions(),
            "heads": {
                name: {"column": head.column, "labels": list(head.labels), "binary": head.is_binary}
                for name, head in self.heads_.items()
            },
            "training_languages": self.training_languages_,
            "supported_languages": list(SUPPORTED_LANGUAGES),
            "config": self.config.to_dict(),
        }

    @staticmethod
    def check(directory: str | Path) -> None:
        """Raise the error :meth:`load` would for a missing folder, metadata, format or version, without
        reading the model itself."""
        directory = Path(directory)
        if not directory.is_dir():
            raise ModelNotFoundError(
                f"model directory '{directory}' not found; pass --model with a folder made by "
                "`feedback-nlp train` (the bundled one is models/default)"
            )
        check_compatible(read_metadata(directory), directory)
        if not (directory / MODEL_FILE).is_file():
            raise ModelNotFoundError(f"'{directory / MODEL_FILE}' is missing; retrain the model")

    @classmethod
    def load(cls, directory: str | Path) -> FeedbackModel:
        """Load a model directory written by :meth:`save`, refusing formats and versions it cannot trust."""
        directory = Path(directory)
        cls.check(directory)
        try:
            model = joblib.load(directory / MODEL_FILE)
        except FileNotFoundError as exc:
            raise ModelNotFoundError(f"'{directory / MODEL_FILE}' is missing; retrain the model") from exc
        except Exception as exc:  # joblib/pickle raise many types for damaged files
            raise CorruptModelError(
                f"'{directory / MODEL_FILE}' cannot be read ({type(exc).__name__}: {exc}); "
                "the file is damaged or incomplete: copy it again or retrain with `feedback-nlp train`"
            ) from exc
        if not isinstance(model, cls):
            raise CorruptModelError(f"'{directory / MODEL_FILE}' does not hold a feedback-nlp model")
        return model


@dataclass
class _HeadTarget:
    """One head's training labels: which rows have one (``keep``), the labels ``y``, the label order, and how
    many rows the rarest label has."""

    keep: np.ndarray
    y: np.ndarray
    labels: tuple[str, ...]
    smallest: int


def _head_target(name: str, spec: HeadConfig, column: pd.Series) -> _HeadTarget:
    """The labels of head ``name`` from its column, checked before any fitting starts."""
    values = [normalize_label(value) for value in column]
    keep = np.array([value is not None for value in values])
    y = np.array([value for value in values if value is not None], dtype=object)
    present = sorted(set(y))
    counts = pd.Series(y).value_counts()
    smallest = int(counts.min()) if len(counts) else 0
    if len(present) < 2 or smallest < 2:
        raise DataValidationError(
            f"head '{name}' needs at least two labels with two rows each in column '{spec.column}'; "
            f"found {counts.to_dict()}"
        )
    labels = spec.labels or (BINARY_LABELS if set(present) <= set(BINARY_LABELS) else tuple(present))
    return _HeadTarget(keep=keep, y=y, labels=tuple(labels), smallest=smallest)


def _fit_classifier(matrix: sp.csr_matrix, target: _HeadTarget, config: Config, n_jobs: int) -> CalibratedClassifierCV:
    """A calibrated logistic regression on ``matrix`` (the rows of ``target.keep``) for ``target.y``."""
    model = config.model
    folds = min(model.calibration_folds, target.smallest)
    classifier = CalibratedClassifierCV(
        LogisticRegression(
            C=model.C,
            class_weight=None if model.class_weight == "none" else "balanced",
            max_iter=model.max_iter,
            random_state=config.seed,
        ),
        method=model.calibration,
        cv=StratifiedKFold(n_splits=folds, shuffle=True, random_state=config.seed),
        ensemble=False,
        n_jobs=n_jobs,
    )
    with threadpool_limits(limits=1):  # one BLAS thread, as in a worker process: the same model either way
        fitted: CalibratedClassifierCV = classifier.fit(matrix, target.y)
    return fitted


def _language_code(value: object) -> str | None:
    """ "fr", "FR", "fr-CA" and "fr_FR" → "fr"; empty or missing → None (to be detected)."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().lower().replace("_", "-").split("-")[0]


def library_versions() -> dict[str, str]:
    """Versions of Python and the libraries a saved model depends on."""
    from importlib.metadata import version

    return {
        "python": platform.python_version(),
        "feedback_nlp": __version__,
        "scikit_learn": sklearn.__version__,
        "spacy": version("spacy"),
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "lingua": version("lingua-language-detector"),
    }


def read_metadata(directory: Path) -> dict[str, Any]:
    """The parsed ``metadata.json`` of a model directory."""
    path = directory / METADATA_FILE
    if not path.is_file():
        raise ModelNotFoundError(f"'{path}' is missing: '{directory}' is not a complete feedback-nlp model directory")
    try:
        metadata = json.loads(path.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CorruptModelError(f"'{path}' is not valid JSON ({exc}); copy the model again or retrain") from exc
    if not isinstance(metadata, dict):
        raise CorruptModelError(f"'{path}' does not hold a metadata object; copy the model again or retrain")
    return metadata


def check_compatible(metadata: dict[str, Any], directory: Path) -> None:
    """Raise :class:`IncompatibleModelError` when the saved format or scikit-learn version differs."""
    retrain = f"retrain it with `feedback-nlp train --config configs/default.toml --out {directory}`"
    saved_format = metadata.get("format_version")
    if saved_format != FORMAT_VERSION:
        raise IncompatibleModelError(
            f"model '{directory}' has format version {saved_format!r}; this feedback-nlp ({__version__}) "
            f"reads format {FORMAT_VERSION}; {retrain}"
        )
    saved = str(metadata.get("versions", {}).get("scikit_learn", "unknown"))
    if _major_minor(saved) != _major_minor(sklearn.__version__):
        raise IncompatibleModelError(
            f"model '{directory}' was saved with scikit-learn {saved}, this installation has "
            f"{sklearn.__version__}; install scikit-learn=={saved} or {retrain}"
        )


def _major_minor(version: str) -> tuple[str, ...]:
    return tuple(version.split(".")[:2])
