"""Fetching one URL politely: robots.txt first, the host's turn, retries with backoff (or the
server's Retry-After), redirects followed one hop at a time (each hop obeys its own host's
rules) up to a cap, loops detected."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit, urlunsplit

from pipeline.fetch.client import REDIRECTS, HttpClient, Reply
from pipeline.fetch.politeness import HostGates, RobotsCache, RobotsRules, parse_robots
from pipeline.settings import FetchSettings

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DISCOVERY_MAX_BYTES = 50_000_000  # the sitemap protocol's own limit for one file


@dataclass(frozen=True)
class Fetched:
    """The outcome for one requested URL, after redirects and retries."""

    url: str
    final_url: str
    status: int | None = None
    headers: dict[str, str] | None = None
    body: bytes | None = None
    error: str | None = None
    transient: bool = False

    @property
    def not_modified(self) -> bool:
        return self.status == 304 and self.error is None


def retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (delta-seconds or an HTTP date), None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _plain(url: str) -> str:
    """The URL a server sees: no fragment."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(fragment=""))


class PoliteFetcher:
    """Shared by the worker threads of one fetch."""

    def __init__(self, settings: FetchSettings, client: HttpClient | None = None):
        self.settings = settings
        self.client = client or HttpClient(settings)
        self.gates = HostGates(settings.per_host, settings.delay)
        self.robots = RobotsCache(self._load_robots, settings.user_agent)

    def close(self) -> None:
        self.client.close()

    def get(self, url: str, *, html_only: bool = True, headers: dict[str, str] | None = None,
            headers_for: str | None = None) -> Fetched:
        """Follow `url` to a final answer. `headers` (a conditional GET's validators) go with
        the hop to `headers_for` (the URL they came from; the first hop by default)."""
        chain = [_plain(url)]
        headers_for = _plain(headers_for) if headers_for else chain[0]
        current = chain[0]
        max_bytes = None if html_only else max(DISCOVERY_MAX_BYTES, int(self.settings.max_size_mb * 1_000_000))
        for _ in range(self.settings.max_redirects + 1):
            rules = self.robots.rules(current)
            refused = rules.verdict(current, self.settings.user_agent)
            if refused:
                return Fetched(url, current, error=refused, transient=rules.unavailable is not None)
            reply = self._exchange(current, headers if current == headers_for else None, html_only, max_bytes)
            if reply.status in REDIRECTS and reply.error is None:
                location = reply.headers.get("location")
                if not location:
                    return self._done(url, current, reply, f"HTTP {reply.status} without a Location header")
                try:
                    target = _plain(urljoin(current, location.strip()))
                except ValueError:  # "http://[::1": not a URL; the same answer next time
                    return self._done(url, current, reply, f"redirect to a malformed URL: {location.strip()[:200]!r}")
                if urlsplit(target).scheme not in ("http", "https"):
                    return self._done(url, current, reply, f"redirect to a non-web URL: {target[:200]}")
                if target in chain:
                    return self._done(url, current, reply, "redirect loop (" + " -> ".join([*chain, target]) + ")")
                chain.append(target)
                current = target
                continue
            return self._done(url, current, reply)
        return Fetched(url, current, error=f"too many redirects (more than {self.settings.max_redirects})")

    def _done(self, url: str, final: str, reply: Reply, error: str | None = None) -> Fetched:
        if error is None and reply.error is None and reply.status not in (200, 304):
            error = f"HTTP {reply.status}"
        return Fetched(url, final, reply.status, reply.headers, reply.body, error or reply.error,
                       reply.transient if error is None else False)

    def _exchange(self, url: str, headers: dict[str, str] | None, html_only: bool,
                  max_bytes: int | None) -> Reply:
        """One hop, in the host's turn, tried again after transient failures."""
        gate = self.gates(url)
        s = self.settings
        for attempt in range(s.retries + 1):
            with gate.turn():
                reply = self.client.get(url, headers, html_only=html_only, max_bytes=max_bytes)
            retryable = reply.transient or reply.status in RETRY_STATUSES
            if not retryable:
                return reply
            reason = reply.error or f"HTTP {reply.status}"
            asked = retry_after(reply.headers.get("retry-after")) if reply.status in (429, 503) else None
            if asked is not None and asked > s.max_retry_wait:
                return Reply(url, reply.status, reply.headers, error=f"{reason}: the server asks to wait "
                             f"{asked:g} s, more than max_retry_wait ({s.max_retry_wait:g} s); try again later",
                             transient=True)
            if attempt == s.retries:
                break
            wait = asked if asked is not None else min(s.max_retry_wait, s.backoff * 2 ** attempt)
            gate.rest(wait * (1 if asked is not None else random.uniform(0.8, 1.2)))
        tries = f" (after {s.retries} {'retry' if s.retries == 1 else 'retries'})" if s.retries else ""
        return Reply(url, reply.status, reply.headers, error=f"{reason}{tries}", transient=True)

    def _load_robots(self, robots_url: str) -> RobotsRules:
        """GET /robots.txt (redirects followed, up to 5 as RFC 9309 says), in the host's turn."""
        current = robots_url
        for _ in range(5):
            reply = self._exchange(current, None, False, None)
            if reply.status in REDIRECTS and reply.headers.get("location"):
                try:
                    current = _plain(urljoin(current, reply.headers["location"].strip()))
                except ValueError:
                    break  # a malformed Location: robots.txt as the redirect's own answer
                continue
            break
        rules = parse_robots(reply.status, reply.body, reply.error, reply.transient)
        delay = rules.delay(self.settings.user_agent)
        if delay:
            self.gates(robots_url).slow_down(min(delay, self.settings.max_crawl_delay))
        return rules
