"""feedback-nlp: turn customer feedback into sentiment, pain points, needs vs wants, topics, churn risk and
priorities, offline, in seven languages.

The Python API mirrors the command line::

    >>> import feedback_nlp
    >>> model = feedback_nlp.load_model()                 # the bundled default model  # doctest: +SKIP
    >>> model.predict(["Charged twice, please refund"])   # doctest: +SKIP
    >>> feedback_nlp.score_file("reviews.csv", "scored.parquet")  # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from feedback_nlp.config import Config, load_config
from feedback_nlp.evaluate import evaluate
from feedback_nlp.model import FeedbackModel
from feedback_nlp.score import DEFAULT_MODEL_DIR, load_model, score_file, score_frame
from feedback_nlp.train import train

__all__ = [
    "DEFAULT_MODEL_DIR",
    "Config",
    "FeedbackModel",
    "__version__",
    "evaluate",
    "load_config",
    "load_model",
    "score_file",
    "score_frame",
    "train",
]
