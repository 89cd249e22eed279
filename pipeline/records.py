"""Plain records handed between stages (never spaCy Docs across module boundaries)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


@dataclass(frozen=True)
class RawRecord:
    """One input as read: HTML or clean text, plus whatever metadata the input carried."""

    source: str  # file path (with line number for JSONL) or URL: where to look when it fails
    id: str | None = None
    url: str | None = None
    html: str | None = None
    text: str | None = None
    title: str | None = None
    date: str | None = None
    fetched_at: str | None = None  # ISO 8601 UTC, when it came from the web (raw store, WARC)


@dataclass(frozen=True)
class Article:
    """A cleaned article: the text every character offset in the tables points into."""

    article_id: str
    source: str
    text: str
    url: str | None = None
    source_url: str | None = None
    site: str | None = None
    title: str | None = None
    published: str | None = None  # ISO date, YYYY-MM-DD
    language: str | None = None
    text_hash: str = ""
    fetched_at: str | None = None
    # The text's MinHash values (uint32), made where the article was cleaned by a worker, so the
    # process that decides duplicates only compares them; None when that process cleaned it
    # itself (it signs the articles the tables do not hold, when it comes to them).
    signature: Any = field(default=None, compare=False, repr=False)
    # `clean.raw_hash` of the record it was made from: stored with its signature, so that a later
    # run meets the same record again without cleaning it (`HeldRecord`).
    raw_hash: int | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class HeldRecord:
    """An input exactly as an earlier run read it when it made an article the tables hold (the
    same `clean.raw_hash`): counted as already there, not cleaned again."""

    source: str


@dataclass(frozen=True)
class ErrorRecord:
    source: str
    stage: str
    message: str
    at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


@dataclass(frozen=True)
class DuplicateRecord:
    """An input skipped as a copy of an article the tables keep: a row of `duplicates`."""

    source: str
    url: str | None
    skipped_id: str  # the id the copy would have had
    kept_article_id: str
    similarity: float  # 1.0 for the same text; the MinHash estimate for a near copy
    reason: str  # "same text", "near copy" or "same record"
    at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
