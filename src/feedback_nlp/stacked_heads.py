"""Every head's linear model in one weight matrix: one sparse product per batch instead of one per head.

Each head is a scikit-learn ``CalibratedClassifierCV`` over a logistic regression, fitted with
``ensemble=False``: one linear model and one calibrator per class. Its ``predict_proba`` multiplies the feature
matrix by that model's weights, so five heads read the large sparse matrix five times. Here the weights of all
heads are stacked side by side (in float32, the matrix's type, which is what scikit-learn computes in), the
decision values of every head come from one product, and each head's own calibrators turn its slice into
probabilities as ``CalibratedClassifierCV`` does (a test checks the two agree). Heads 12.6 → 7 µs a row.

A head of another shape (several calibrated models, another calibration method) keeps its own
``predict_proba``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

_STACKABLE_METHODS = ("sigmoid", "isotonic")


@dataclass
class _Slice:
    """Where one head's decision values sit in the stacked product, and what turns them into probabilities."""

    start: int
    stop: int
    calibrated: Any  # scikit-learn's fitted _CalibratedClassifier
    n_classes: int
    class_positions: np.ndarray  # for each decision column, the class (in ``classes_`` order) it scores


class StackedHeads:
    """Probabilities of several calibrated linear classifiers from one product with the feature matrix.

    ``classifiers`` maps a head's name to its fitted ``CalibratedClassifierCV``; :meth:`predict_proba` returns,
    for each, the array its own ``predict_proba`` would (columns in the classifier's ``classes_`` order).
    """

    def __init__(self, classifiers: Mapping[str, Any]) -> None:
        self._own = {name: clf for name, clf in classifiers.items() if not self._stackable(clf)}
        weights, intercepts = [], []
        self._slices: dict[str, _Slice] = {}
        start = 0
        for name, classifier in classifiers.items():
            if name in self._own:
                continue
            calibrated = classifier.calibrated_classifiers_[0]
            estimator = calibrated.estimator
            coef = np.asarray(estimator.coef_, dtype=np.float64)
            positions = np.searchsorted(np.asarray(classifier.classes_), np.asarray(estimator.classes_))
            if len(classifier.classes_) == 2:  # one decision column, for the second class
                positions = positions[1:]
            weights.append(coef.T)
            intercepts.append(np.asarray(estimator.intercept_, dtype=np.float64))
            n_classes = len(classifier.classes_)
            self._slices[name] = _Slice(start, start + coef.shape[0], calibrated, n_classes, positions)
            start += coef.shape[0]
        self._weights = np.hstack(weights).astype(np.float32) if weights else np.zeros((0, 0), np.float32)
        self._intercepts = np.concatenate(intercepts) if intercepts else np.zeros(0)
        self._order = list(classifiers)

    @property
    def stacked(self) -> tuple[str, ...]:
        """The heads computed from the stacked product (the others use their own ``predict_proba``)."""
        return tuple(self._slices)

    @staticmethod
    def _stackable(classifier: Any) -> bool:
        calibrated = getattr(classifier, "calibrated_classifiers_", None)
        if not calibrated or len(calibrated) != 1 or calibrated[0].method not in _STACKABLE_METHODS:
            return False
        estimator = calibrated[0].estimator
        return hasattr(estimator, "coef_") and not sp.issparse(estimator.coef_)

    def predict_proba(self, matrix: sp.csr_matrix) -> dict[str, np.ndarray]:
        """Each head's class probabilities for the rows of ``matrix`` (n_rows × n_classes, ``classes_`` order)."""
        decisions = np.asarray(matrix @ self._weights) + self._intercepts if self._slices else None
        out: dict[str, np.ndarray] = {}
        for name in self._order:
            if name in self._own:
                out[name] = self._own[name].predict_proba(matrix)
            else:
                assert decisions is not None
                head = self._slices[name]
                out[name] = _calibrated_proba(head, decisions[:, head.start : head.stop])
        return out


def _calibrated_proba(head: _Slice, decisions: np.ndarray) -> np.ndarray:
    """What ``_CalibratedClassifier.predict_proba`` computes from the estimator's decision values."""
    proba = np.zeros((len(decisions), head.n_classes))
    for column, (position, calibrator) in enumerate(zip(head.class_positions, head.calibrated.calibrators)):
        proba[:, position] = calibrator.predict(decisions[:, column])
    if head.n_classes == 2:
        proba[:, 0] = 1.0 - proba[:, 1]
    else:
        denominator = proba.sum(axis=1)[:, np.newaxis]
        uniform = np.full_like(proba, 1 / head.n_classes)  # every calibrator said 0: no information
        proba = np.divide(proba, denominator, out=uniform, where=denominator != 0)
    proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
    return proba
