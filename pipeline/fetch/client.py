"""One HTTP exchange, with urllib3: timeouts, a streamed body that stops at the size limit,
and every failure turned into a reason a person understands. No politeness here (see
`politeness.py`) and no redirects followed (see `fetcher.py`)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    HTTPError,
    IncompleteRead,
    LocationParseError,
    NameResolutionError,
    NewConnectionError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
    SSLError,
)

from pipeline import __version__
from pipeline.fetch.content import is_html, media_type
from pipeline.settings import FetchSettings

CHUNK = 64 * 1024
REDIRECTS = frozenset({301, 302, 303, 307, 308})
KEPT_HEADERS = ("content-type", "content-length", "etag", "last-modified", "location", "retry-after")


def user_agent(settings: FetchSettings) -> str:
    contact = f"; +{settings.contact}" if settings.contact else ""
    return f"{settings.user_agent}/{__version__} (news research crawler{contact})"


def megabytes(n_bytes: int) -> str:
    return f"{n_bytes / 1_000_000:g} MB"


@dataclass(frozen=True)
class Reply:
    """What one request gave: a status and headers, the body when it was wanted and read,
    or an `error` saying why not (`transient` when asking again may help)."""

    url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    error: str | None = None
    transient: bool = False


class HttpClient:
    """urllib3 with a connection pool per host, safe to share between threads."""

    def __init__(self, settings: FetchSettings):
        self.settings = settings
        self.timeout = urllib3.Timeout(connect=settings.connect_timeout, read=settings.read_timeout)
        self.pool = urllib3.PoolManager(
            num_pools=max(10, settings.concurrency * 2), maxsize=settings.per_host, block=False,
            headers={"User-Agent": user_agent(settings), "Accept-Encoding": "gzip, deflate"},
        )

    def close(self) -> None:
        self.pool.clear()

    def get(self, url: str, headers: dict[str, str] | None = None, *, html_only: bool = True,
            max_bytes: int | None = None) -> Reply:
        """GET one URL. A 200 body is read only when it is wanted (HTML, or anything when
        `html_only` is False) and only up to `max_bytes`; other statuses come without a body."""
        max_bytes = max_bytes or int(self.settings.max_size_mb * 1_000_000)
        try:
            response = self.pool.request(
                "GET", url, headers=headers, redirect=False, retries=False, preload_content=False,
                decode_content=True, timeout=self.timeout,
            )
        except Exception as exc:  # noqa: BLE001 - every failure becomes a reason, never a crash
            return Reply(url, error=self._reason(exc), transient=_transient(exc))
        try:
            kept = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
            if response.status != 200:
                _discard(response)
                return Reply(url, response.status, kept)
            return self._read_body(url, response, kept, html_only, max_bytes)
        finally:
            response.release_conn()

    def _read_body(self, url: str, response: urllib3.BaseHTTPResponse, headers: dict[str, str],
                   html_only: bool, max_bytes: int) -> Reply:
        content_type = headers.get("content-type")
        if html_only and media_type(content_type) and not is_html(content_type):
            response.close()  # not an article: do not download it
            return Reply(url, 200, headers, error=f"not HTML: {media_type(content_type)}")
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            response.close()
            return Reply(url, 200, headers, error=f"larger than {megabytes(max_bytes)}")
        deadline = time.monotonic() + self.settings.total_timeout
        chunks: list[bytes] = []
        size = 0
        try:
            # read1: whatever has arrived (at least one byte), so the whole-response deadline is
            # checked as the bytes come; `stream` waits to fill each chunk, and a server that
            # drips a few bytes a second held it for as long as it liked (review)
            for chunk in iter(lambda: response.read1(CHUNK), b""):
                size += len(chunk)
                if size > max_bytes:
                    response.close()
                    return Reply(url, 200, headers, error=f"larger than {megabytes(max_bytes)}")
                if not chunks and html_only and not media_type(content_type) and not is_html(None, chunk):
                    response.close()
                    return Reply(url, 200, headers, error="not HTML: no Content-Type and the body is not markup")
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    response.close()
                    return Reply(url, 200, headers, transient=True,
                                 error=f"timeout: the response took longer than {self.settings.total_timeout:g} s")
        except Exception as exc:  # noqa: BLE001
            response.close()
            return Reply(url, 200, headers, error=self._reason(exc), transient=_transient(exc))
        body = b"".join(chunks)
        if not body.strip():
            return Reply(url, 200, headers, error="empty body")
        return Reply(url, 200, headers, body)

    def _reason(self, exc: BaseException) -> str:
        """A failure as a person would say it."""
        s = self.settings
        if isinstance(exc, NameResolutionError):  # (a NewConnectionError, itself a ConnectTimeoutError)
            return "host not found (DNS)"
        if isinstance(exc, NewConnectionError):
            return "cannot connect (connection refused or unreachable)"
        if isinstance(exc, ConnectTimeoutError):
            return f"connect timeout after {s.connect_timeout:g} s"
        if isinstance(exc, (ReadTimeoutError, TimeoutError)):
            return f"timeout after {s.read_timeout:g} s"
        short = _incomplete(exc)
        if short is not None:
            if isinstance(short.partial, int) and isinstance(short.expected, int):
                return f"truncated body ({short.partial} bytes, {short.expected} more were announced)"
            return "truncated body"
        if isinstance(exc, SSLError):
            return f"TLS error ({_first_line(exc)})"
        if isinstance(exc, ProxyError):
            return f"proxy error ({_first_line(exc)})"
        if isinstance(exc, DecodeError):
            return "body cannot be decoded (broken Content-Encoding)"
        if isinstance(exc, (LocationParseError, ValueError)) and not isinstance(exc, HTTPError):
            return f"not a valid URL ({_first_line(exc)})"
        if isinstance(exc, ProtocolError):
            return f"connection broken ({_first_line(exc)})"
        return f"request failed ({type(exc).__name__}: {_first_line(exc)})"


def _discard(response: urllib3.BaseHTTPResponse) -> None:
    """Drop a body we do not want: read a small one (the connection is kept for the next
    request: redirects, 404 pages), close on a large or unknown one."""
    length = response.headers.get("content-length", "")
    try:
        if length.isdigit() and int(length) <= 64 * 1024:
            response.drain_conn()
        else:
            response.close()
    except Exception:  # noqa: BLE001 - a broken error page changes nothing
        response.close()


def _incomplete(exc: BaseException) -> IncompleteRead | None:
    """The IncompleteRead behind an error: the body ended before its Content-Length."""
    seen: BaseException | None = exc
    while seen is not None:
        for candidate in (seen, *getattr(seen, "args", ())):
            if isinstance(candidate, IncompleteRead):
                return candidate
        seen = seen.__cause__ or seen.__context__
    return None


def _transient(exc: BaseException) -> bool:
    """Worth another try later: the network or the server, not the URL or the content."""
    return isinstance(exc, (ConnectTimeoutError, ReadTimeoutError, NewConnectionError, NameResolutionError,
                            ProtocolError, ProxyError, TimeoutError, ConnectionError)) or _incomplete(exc) is not None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
