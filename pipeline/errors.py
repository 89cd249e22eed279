"""The few exception classes the CLI turns into one clear line and a non-zero exit."""
from __future__ import annotations


class ProvnewsError(Exception):
    """Base class: an expected failure with a message fit for the user."""


class ConfigError(ProvnewsError):
    """A settings file or argument is wrong."""


class RuleError(ProvnewsError):
    """One or more rules in rules/*.yaml are invalid; the message lists every problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class ModelError(ProvnewsError):
    """The configured spaCy model is not installed."""


class OutputError(ConfigError):
    """The --out folder cannot hold the tables (someone else's files, read-only, in use, altered by hand).
    Raised before anything is written."""


class WriteError(ProvnewsError):
    """A batch could not be written (disk full, I/O error); the batches committed before it are intact."""


class WorkerError(WriteError):
    """A worker process died (killed, out of memory): its batch is lost, those committed before are intact."""
