"""A real HTTP server on 127.0.0.1 playing a provincial newspaper, with the faults a crawler
meets: the tests fetch from it and read its request log (who asked for what, and when)."""
from __future__ import annotations

import gzip
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
LAMDONG = (RAW / "04-lamdong-truong-xuan.html").read_bytes()
LANGSON = (RAW / "05-langson-survey.html").read_bytes()
CRAWL_DELAY = 0.2
HUGE_BYTES = 20_000_000


@dataclass(frozen=True)
class Hit:
    at: float  # time.monotonic() when the request arrived
    path: str
    headers: dict[str, str]


def _sitemap(entries: list[tuple[str, str]], index: bool = False) -> bytes:
    tag, item = ("sitemapindex", "sitemap") if index else ("urlset", "url")
    body = "".join(f"<{item}><loc>{loc}</loc><lastmod>{lastmod}</lastmod></{item}>" for loc, lastmod in entries)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<{tag} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{body}</{tag}>").encode()


def synthetic_page(n: int) -> bytes:
    return (f"<!DOCTYPE html><html><head><title>Page {n}</title></head><body><article><h1>Page {n}</h1>"
            f"<p>Body of page number {n}.</p></article></body></html>").encode()


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # a client that hung up (timeout, size limit) is what the tests provoke


class NewsSite:
    """Routes by path; `hits` is the request log. Faults that heal (500, 429) heal once."""

    def __init__(self, host: str = "127.0.0.1"):
        self.hits: list[Hit] = []
        self.huge_sent = 0
        self._lock = threading.Lock()
        self._seen: set[str] = set()
        handler = type("Handler", (_Handler,), {"site": self})
        self.server = _QuietServer((host, 0), handler)
        self.server.daemon_threads = True
        self.base = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> NewsSite:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        with self._lock:
            return [hit.path for hit in self.hits]

    def first_time(self, path: str) -> bool:
        with self._lock:
            if path in self._seen:
                return False
            self._seen.add(path)
            return True

    def log(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def feed(self) -> bytes:
        items = [("/news/lamdong-truong-xuan.html", "Mon, 04 Aug 2025 08:00:00 GMT"),
                 ("/news/moved", "Mon, 04 Aug 2025 09:00:00 GMT"),
                 ("/tag/communes/", "Mon, 04 Aug 2025 09:00:00 GMT"),
                 ("/images/ha-thi-hanh.jpg", "Mon, 04 Aug 2025 09:00:00 GMT"),
                 ("http://other-site.example/news/a.html", "Mon, 04 Aug 2025 09:00:00 GMT")]
        body = "".join(f"<item><title>t</title><link>{link if link.startswith('http') else self.base + link}</link>"
                       f"<pubDate>{date}</pubDate></item>" for link, date in items)
        return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
                f"<link>{self.base}/</link>{body}</channel></rss>").encode()


class _Handler(BaseHTTPRequestHandler):
    site: NewsSite
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: bytes = b"", content_type: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _page(self, body: bytes) -> None:
        etag = f'"{len(body)}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._send(200, body, headers={"ETag": etag, "Last-Modified": "Mon, 04 Aug 2025 08:00:00 GMT"})

    def do_GET(self) -> None:  # noqa: C901 - one branch per route reads best here
        site, path = self.site, self.path
        site.log(Hit(time.monotonic(), path, dict(self.headers.items())))
        b = site.base
        if path == "/robots.txt":
            self._send(200, f"User-agent: *\nDisallow: /private/\nCrawl-delay: {CRAWL_DELAY}\n".encode(), "text/plain")
        elif path == "/feed.xml":
            self._send(200, site.feed(), "application/rss+xml")
        elif path == "/sitemap-index.xml":
            self._send(200, _sitemap([(b + "/sitemaps/news.xml.gz", "2025-08-05"),
                                      (b + "/sitemaps/old.xml", "2019-06-01")], index=True), "application/xml")
        elif path == "/sitemaps/news.xml.gz":
            urlset = _sitemap([(b + "/news/langson-survey.html", "2025-08-05"),
                               (b + "/news/2019-story.html", "2019-05-01"),
                               (b + "/category/news/", "2025-08-05"), (b + "/login", "2025-08-05"),
                               ("http://other-site.example/a.html", "2025-08-05")])
            self._send(200, gzip.compress(urlset), "application/x-gzip")
        elif path == "/sitemaps/old.xml":
            self._send(200, _sitemap([(b + "/news/2019-other.html", "2019-05-01")]), "application/xml")
        elif path == "/news/lamdong-truong-xuan.html":  # 500 once, then the page
            if site.first_time(path):
                self._send(500, b"<h1>Internal Server Error</h1>")
            else:
                self._page(LAMDONG)
        elif path == "/news/langson-survey.html":  # 429 with Retry-After once, then the page
            if site.first_time(path):
                self._send(429, b"slow down", headers={"Retry-After": "1"})
            else:
                self._page(LANGSON)
        elif path == "/news/moved":
            self._send(301, headers={"Location": "/news/langson-survey.html"})
        elif path == "/bad-redirect":
            self._send(302, headers={"Location": "http://[::1"})
        elif path in ("/loop/a", "/loop/b"):
            self._send(302, headers={"Location": "/loop/b" if path == "/loop/a" else "/loop/a"})
        elif path == "/slow.html":
            time.sleep(1.5)
            self._send(200, LAMDONG)
        elif path == "/drip.html":  # a few bytes a tenth of a second, each within the read timeout
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(LAMDONG)))
            self.end_headers()
            try:
                for start in range(0, len(LAMDONG), 8):
                    self.wfile.write(LAMDONG[start:start + 8])
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass  # the client gave up: what the test wants
            self.close_connection = True
        elif path == "/truncated.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(LAMDONG[:1000])
            self.close_connection = True
        elif path == "/report.pdf":
            self._send(200, b"%PDF-1.4\n" + b"0" * 2000, "application/pdf")
        elif path == "/huge.html":  # 20 MB of markup, no Content-Length: the client must stop reading
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            chunk = b"<p>" + b"x" * 65533
            try:
                while site.huge_sent < HUGE_BYTES:
                    self.wfile.write(chunk)
                    site.huge_sent += len(chunk)
            except OSError:
                pass
        elif path == "/busy.html":
            self._send(429, b"busy", headers={"Retry-After": "3600"})
        elif path.startswith("/page/") and path.endswith(".html"):
            self._page(synthetic_page(int(path[6:-5])))
        else:
            self._send(404, b"<h1>Not Found</h1>")
