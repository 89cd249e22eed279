"""The fetching stage: URL files, feeds, sitemaps -> the raw store (and WARC), politely.

    discover.py   URL files, feeds, sitemaps -> target URLs (courlan, feedparser, lxml)
    fetcher.py    one URL, politely: robots.txt, the host's turn, retries, redirects
      politeness.py   robots.txt (protego), per-host delay and cap
      client.py       one HTTP exchange (urllib3): timeouts, size limit, reasons
    store.py      bodies by SHA-256 + the manifest; read back by `provnews run`
    warc.py       WARC in (`provnews run x.warc.gz`) and out (`fetch --warc`)
    crawl.py      ties them: `fetch(...)`
"""
from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    """`fetch` = `pipeline.fetch.crawl.fetch`, imported on first use (urllib3, feedparser)."""
    if name == "fetch":
        from pipeline.fetch.crawl import fetch

        return fetch
    raise AttributeError(f"module 'pipeline.fetch' has no attribute {name!r}")


__all__ = ["fetch"]
