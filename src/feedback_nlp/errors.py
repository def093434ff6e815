"""Every exception and warning feedback-nlp raises.

Library code raises these; the command line catches :class:`FeedbackNLPError`, prints its message on one line
and exits with status 1. Each message says what was expected, what was found and what to do about it.
"""

from __future__ import annotations


class FeedbackNLPError(Exception):
    """Base class of every error feedback-nlp raises on purpose."""


class ConfigError(FeedbackNLPError, ValueError):
    """A configuration file or override is missing, malformed or holds a value out of range."""


class InputFormatError(FeedbackNLPError, ValueError):
    """An input or output file has an unknown suffix, cannot be decoded or cannot be parsed."""


class ColumnNotFoundError(FeedbackNLPError, KeyError):
    """A column named by the user (or required by the config) is not in the table."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class DataValidationError(FeedbackNLPError, ValueError):
    """Training or evaluation data has invalid labels, too few rows or other problems (all listed at once)."""


class ModelNotFoundError(FeedbackNLPError, FileNotFoundError):
    """The model directory or one of its files does not exist."""


class IncompatibleModelError(FeedbackNLPError):
    """The model was saved by a format or library version this installation cannot load safely."""


class CorruptModelError(FeedbackNLPError):
    """The model files exist but cannot be read."""


class NotFittedError(FeedbackNLPError, AttributeError):
    """A model method that needs a fitted model was called before ``fit``."""


class FeedbackNLPWarning(UserWarning):
    """Base class of feedback-nlp's warnings (duplicate ids, out-of-range scores, unsupported languages…)."""
