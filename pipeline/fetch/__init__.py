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


def fetch(*args, **kwargs):
    """`pipeline.fetch.crawl.fetch`: inputs -> raw store (imported on use: urllib3, feedparser)."""
    from pipeline.fetch.crawl import fetch as _fetch

    return _fetch(*args, **kwargs)


__all__ = ["fetch"]
