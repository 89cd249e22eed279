"""Being a good guest: robots.txt (protego) and, per host, a cap on requests in flight and a
minimum time between the starts of two requests (the larger of our delay and the site's
Crawl-delay / Request-rate). A host that answered 429/5xx or failed is given rest as a whole."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from pipeline.clean import host_of

ROBOTS_MAX_BYTES = 500 * 1024  # what RFC 9309 asks crawlers to read at least


def host_key(url: str) -> str:
    """Politeness is per server name: http and https, and every port, of one host share it."""
    return host_of(url) or ""


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class HostGate:
    """At most `per_host` requests in flight; starts spaced by `delay` seconds."""

    def __init__(self, per_host: int, delay: float):
        self._slots = threading.BoundedSemaphore(per_host)
        self._lock = threading.Lock()
        self._next_start = 0.0
        self._last_start: float | None = None
        self.delay = delay

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._slots:
            with self._lock:
                start = max(time.monotonic(), self._next_start)
                self._next_start = start + self.delay
                self._last_start = start
            time.sleep(max(0.0, start - time.monotonic()))
            yield

    def rest(self, seconds: float) -> None:
        """No request starts before `seconds` from now (Retry-After, backoff)."""
        with self._lock:
            self._next_start = max(self._next_start, time.monotonic() + seconds)

    def slow_down(self, delay: float) -> None:
        """A longer delay (robots.txt Crawl-delay), from the request that started last."""
        with self._lock:
            self.delay = max(self.delay, delay)
            if self._last_start is not None:
                self._next_start = max(self._next_start, self._last_start + self.delay)


class HostGates:
    def __init__(self, per_host: int, delay: float):
        self.per_host, self.delay = per_host, delay
        self._gates: dict[str, HostGate] = {}
        self._lock = threading.Lock()

    def __call__(self, url: str) -> HostGate:
        key = host_key(url)
        with self._lock:
            if key not in self._gates:
                self._gates[key] = HostGate(self.per_host, self.delay)
            return self._gates[key]


@dataclass(frozen=True)
class RobotsRules:
    """One origin's robots.txt: parsed rules, or allow-all (none there), or why we must not
    crawl it now (it could not be read: RFC 9309 says assume everything is disallowed)."""

    parser: Protego | None = None
    unavailable: str | None = None

    def verdict(self, url: str, agent: str) -> str | None:
        """None when `url` may be fetched, else the reason."""
        if self.unavailable:
            return f"robots.txt unavailable ({self.unavailable}); not fetched"
        if self.parser is not None and not self.parser.can_fetch(url, agent):
            return "robots.txt disallows"
        return None

    def delay(self, agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(agent)
        rate = self.parser.request_rate(agent)
        if rate is not None and rate.requests:
            rate_delay = rate.seconds / rate.requests
            delay = max(delay or 0.0, rate_delay)
        return float(delay) if delay is not None else None


def parse_robots(status: int | None, body: bytes | None, error: str | None, transient: bool) -> RobotsRules:
    """Rules from the answer to GET /robots.txt, as RFC 9309 reads it: 4xx means no rules;
    5xx, 429 or a network failure means the site cannot be crawled for now."""
    if status == 200 and body is not None:
        text = body[:ROBOTS_MAX_BYTES].decode("utf-8", errors="replace")
        try:
            return RobotsRules(parser=Protego.parse(text))
        except Exception:  # noqa: BLE001 - an unparsable file is treated as no rules
            return RobotsRules()
    if status is not None and 400 <= status < 500 and status != 429:
        return RobotsRules()  # no robots.txt: everything allowed
    if status == 200 and not transient:  # a body we refused (far too large): no usable rules
        return RobotsRules()
    return RobotsRules(unavailable=error or f"HTTP {status}")


class RobotsCache:
    """robots.txt of each origin, fetched once per run (by one thread; the others wait)."""

    def __init__(self, load: Callable[[str], RobotsRules], agent: str):
        self._load = load
        self.agent = agent
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def rules(self, url: str) -> RobotsRules:
        key = origin(url)
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._rules:
                self._rules[key] = self._load(key + "/robots.txt")
            return self._rules[key]
