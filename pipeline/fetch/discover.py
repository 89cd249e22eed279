"""Where the URLs come from: URL files, RSS/Atom feeds (feedparser) and sitemaps (urlset and
sitemap indexes, gzip'd or not), with courlan to normalise URLs and to keep article pages of
the site's own host. Feeds and sitemaps are fetched through the same polite fetcher as pages
(a `get` callable), so every request obeys robots.txt and the host's delay."""
from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import feedparser
from courlan import clean_url, is_navigation_page, is_not_crawlable
from courlan.filters import extension_filter, path_filter, type_filter
from lxml import etree

from pipeline.clean import host_of
from pipeline.errors import ConfigError
from pipeline.fetch.fetcher import DISCOVERY_MAX_BYTES, Fetched
from pipeline.fsutil import os_reason

Get = Callable[[str], Fetched]
MAX_SITEMAPS = 10_000  # sitemap files followed from one --sitemap


@dataclass(frozen=True)
class Target:
    """A page URL to fetch, and where it was found (`urls.txt:12`, `feed <url>`, …)."""

    url: str
    found_in: str


@dataclass(frozen=True)
class Problem:
    """A URL line, feed or sitemap that gave no URLs, and why."""

    url: str
    kind: str  # page (a bad line in a URL file), feed or sitemap
    reason: str
    found_in: str | None = None
    fetched: Fetched | None = None


@dataclass
class Discovery:
    targets: list[Target] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    documents: list[tuple[str, Fetched]] = field(default_factory=list)  # (feed | sitemap, what was read)
    dropped: int = 0  # links that are not article pages of the site
    older: int = 0  # entries dated before --since

    def offer(self, link: str, site_url: str, source: str) -> None:
        """A link read from a feed or sitemap: a target when it is an article page of the site."""
        url = article_url(link, site_url)
        if url is None:
            self.dropped += 1
        else:
            self.targets.append(Target(url, source))


def normalize(url: str) -> str | None:
    """courlan's normal form (lower-case host, no default port, no trackers) without the
    fragment; None when it is not an http(s) URL."""
    cleaned = clean_url(url.strip()) if url and url.strip() else None
    if not cleaned:
        return None
    parts = urlsplit(cleaned)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return urlunsplit(parts._replace(fragment=""))


def _site(url: str) -> str:
    """www.example.vn and example.vn are one site (a sitemap often names the other)."""
    return (host_of(url) or "").removeprefix("www.")


def article_url(link: str, site_url: str) -> str | None:
    """The link's normal form when it looks like an article page of the same site (not an
    image or file, a tag/category/author page, a login or contact page, a home page)."""
    url = normalize(link)
    if url is None or _site(url) != _site(site_url):
        return None
    parts = urlsplit(url)
    if (not type_filter(url, strict=True) or is_navigation_page(url) or is_not_crawlable(url)
            or not extension_filter(parts.path) or not path_filter(parts.path, parts.query)):
        return None
    return url


def read_url_file(path: Path) -> Discovery:
    """One URL a line; `#` comments and blank lines skipped. A line that is no URL is a problem."""
    found = Discovery()
    try:
        lines = path.read_text("utf-8-sig").splitlines()
    except FileNotFoundError:
        raise ConfigError(f"{path}: URL file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: a folder, not a URL file (one URL a line)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the URL file ({os_reason(exc)})") from None
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        where = f"{path}:{number}"
        url = normalize(text) if len(text.split()) == 1 else None  # "URL extra words" is no URL
        if url is None:
            found.problems.append(Problem(text[:500], "page", f"not an http(s) URL ({where})", where))
        else:
            found.targets.append(Target(url, where))
    return found


def _entry_date(entry: dict) -> date | None:
    for key in ("updated_parsed", "published_parsed", "created_parsed"):
        value = dict.get(entry, key)  # (FeedParserDict.get would map and warn)
        if value:
            return date(*value[:3])
    return None


def read_feed(feed_url: str, get: Get, since: date | None = None) -> Discovery:
    """Article links of an RSS/Atom feed; entries dated before `since` left out."""
    found = Discovery()
    fetched = get(feed_url)
    if fetched.error:
        found.problems.append(Problem(feed_url, "feed", fetched.error, fetched=fetched))
        return found
    found.documents.append(("feed", fetched))
    parsed = feedparser.parse(io.BytesIO(fetched.body or b""), response_headers={
        "content-location": fetched.final_url, "content-type": (fetched.headers or {}).get("content-type", "")})
    if not parsed.entries:
        if parsed.get("bozo") and not parsed.get("version"):
            reason = f"not an RSS/Atom feed ({parsed.get('bozo_exception') or 'unreadable'})"
            found.problems.append(Problem(feed_url, "feed", str(reason)[:300], fetched=fetched))
        return found
    for entry in parsed.entries:
        links = [entry.get("link")] + [link.get("href") for link in entry.get("links", [])
                                       if link.get("rel", "alternate") == "alternate"]
        link = next((x for x in links if x), None)
        if not link:
            continue
        published = _entry_date(entry)
        if since and published and published < since:
            found.older += 1
            continue
        found.offer(link, fetched.final_url, f"feed {feed_url}")
    return found


def _lastmod(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10]) if text else None
    except ValueError:
        return None


def sitemap_entries(data: bytes) -> tuple[str, list[tuple[str, date | None]]]:
    """('index' | 'urlset' | 'text', [(loc, lastmod)]). ValueError when it is no sitemap."""
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as packed:
                data = packed.read(DISCOVERY_MAX_BYTES + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"broken gzip file ({exc})") from None
        if len(data) > DISCOVERY_MAX_BYTES:
            raise ValueError(f"larger than {DISCOVERY_MAX_BYTES // 1_000_000} MB once unpacked")
    start = data.lstrip()[:200].lower()
    if not start.startswith(b"<"):  # the protocol's plain-text form: one URL a line
        lines = data.decode("utf-8", errors="replace").splitlines()
        urls = [line.strip() for line in lines if line.strip().startswith(("http://", "https://"))]
        if not urls:
            raise ValueError("not a sitemap (neither XML nor a list of URLs)")
        return "text", [(u, None) for u in urls]
    kind = None
    entries: list[tuple[str, date | None]] = []
    try:
        for _, element in etree.iterparse(io.BytesIO(data), events=("end",), resolve_entities=False,
                                          no_network=True, huge_tree=False, recover=False):
            name = etree.QName(element).localname if isinstance(element.tag, str) else ""
            if name in ("url", "sitemap"):
                kind = kind or ("index" if name == "sitemap" else "urlset")
                loc = lastmod = None
                for child in element:
                    child_name = etree.QName(child).localname if isinstance(child.tag, str) else ""
                    if child_name == "loc":
                        loc = (child.text or "").strip()
                    elif child_name == "lastmod":
                        lastmod = child.text
                if loc:
                    entries.append((loc, _lastmod(lastmod)))
                element.clear()
            elif name in ("urlset", "sitemapindex"):
                kind = kind or ("index" if name == "sitemapindex" else "urlset")
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"broken XML ({exc})") from None
    if kind is None:
        raise ValueError("not a sitemap (no <urlset> or <sitemapindex>)")
    return kind, entries


def read_sitemap(sitemap_url: str, get: Get, since: date | None = None) -> Discovery:
    """Article URLs of a sitemap, following sitemap indexes (same site only)."""
    found = Discovery()
    queue, seen = [sitemap_url], {sitemap_url}
    while queue and len(found.documents) + len(found.problems) < MAX_SITEMAPS:
        current = queue.pop(0)
        fetched = get(current)
        if fetched.error:
            found.problems.append(Problem(current, "sitemap", fetched.error, f"sitemap {sitemap_url}", fetched))
            continue
        try:
            kind, entries = sitemap_entries(fetched.body or b"")
        except ValueError as exc:
            found.problems.append(Problem(current, "sitemap", str(exc)[:300], f"sitemap {sitemap_url}", fetched))
            continue
        found.documents.append(("sitemap", fetched))
        for loc, lastmod in entries:
            if since and lastmod and lastmod < since:
                found.older += 1
                continue
            if kind == "index":
                child = normalize(loc)
                if child is None or _site(child) != _site(fetched.final_url):
                    found.dropped += 1
                elif child not in seen:
                    seen.add(child)
                    queue.append(child)
                continue
            found.offer(loc, fetched.final_url, f"sitemap {current}")
    return found


def unique(targets: Iterator[Target] | list[Target]) -> list[Target]:
    """First occurrence of each URL, in order."""
    seen: set[str] = set()
    kept = []
    for target in targets:
        if target.url not in seen:
            seen.add(target.url)
            kept.append(target)
    return kept
