"""The stacked product of all heads gives what each head's own ``predict_proba`` gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression

from feedback_nlp.model import FeedbackModel
from feedback_nlp.normalization import normalize_all
from feedback_nlp.stacked_heads import StackedHeads


def test_stacked_heads_match_each_heads_own_probabilities(small_model: FeedbackModel, small_corpus: object) -> None:
    texts = normalize_all(pd.read_csv(small_corpus, dtype=str, keep_default_na=False)["text"].tolist())
    matrix, _ = small_model.featurizer_.featurize(texts, [None] * len(texts))
    classifiers = {name: head.classifier for name, head in small_model.heads.items()}
    heads = StackedHeads(classifiers)
    assert heads.stacked == tuple(classifiers)
    stacked = heads.predict_proba(matrix)
    assert list(stacked) == list(classifiers)
    for name, classifier in classifiers.items():
        expected = classifier.predict_proba(matrix)
        assert stacked[name].shape == expected.shape
        np.testing.assert_allclose(stacked[name], expected, atol=1e-6)
        assert (stacked[name].argmax(axis=1) == expected.argmax(axis=1)).all()


@pytest.mark.parametrize("method", ["sigmoid", "isotonic"])
@pytest.mark.parametrize("ensemble", [False, True])
def test_binary_multiclass_and_unstackable_heads_agree(method: str, ensemble: bool) -> None:
    rng = np.random.default_rng(0)
    matrix = sp.random(300, 40, density=0.2, format="csr", dtype=np.float32, random_state=1)
    labels = {
        "binary": np.where(np.asarray(matrix[:, 0].todense()).ravel() > 0, "true", "false"),
        "three": rng.choice(["need", "none", "want"], size=300),
    }
    classifiers = {
        name: CalibratedClassifierCV(LogisticRegression(max_iter=500), method=method, cv=3, ensemble=ensemble).fit(
            matrix, y
        )
        for name, y in labels.items()
    }
    heads = StackedHeads(classifiers)
    assert heads.stacked == (() if ensemble else ("binary", "three"))
    stacked = heads.predict_proba(matrix)
    for name, classifier in classifiers.items():
        np.testing.assert_allclose(stacked[name], classifier.predict_proba(matrix), atol=1e-6)
        np.testing.assert_allclose(stacked[name].sum(axis=1), 1.0, atol=1e-9)


def test_model_refits_its_stack_and_does_not_save_it(small_model: FeedbackModel) -> None:
    small_model.predict(["The app crashes every time"])
    assert "_stacked_heads" in small_model.__dict__
    assert "_stacked_heads" not in small_model.__getstate__()
