"""`provnews fetch`: URL files, feeds and sitemaps -> the raw store, politely, resumably.

A URL whose last manifest row is a stored page (or a final failure: 404, not HTML, robots.txt
…) is not asked for again; `refresh` asks again, with a conditional GET for stored pages.
Pages are fetched by a pool of threads, interleaved across hosts so that one slow host does
not hold the others; each host keeps its own delay and cap (politeness.py).
"""
from __future__ import annotations

import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import zip_longest
from pathlib import Path

from pipeline.errors import ConfigError
from pipeline.fetch.discover import (Discovery, Problem, Target, normalize, read_feed, read_sitemap, read_url_file,
                                     unique)
from pipeline.fetch.fetcher import Fetched, PoliteFetcher
from pipeline.fetch.politeness import host_key
from pipeline.fetch.store import ManifestRow, RawStore, now_iso
from pipeline.fetch.warc import write_warc
from pipeline.settings import Settings, load_settings

Reporter = Callable[[str], None]


@dataclass
class FetchSummary:
    raw: Path
    asked: int = 0  # distinct page URLs from all inputs
    had: int = 0  # already in the store (or settled): not requested
    fetched: int = 0
    not_modified: int = 0
    robots: int = 0
    failed: Counter = field(default_factory=Counter)  # reason -> pages
    discovery_failed: int = 0  # feeds and sitemaps that gave nothing
    bad_lines: int = 0  # lines of URL files that are no URL (not among the pages asked for)
    dropped: int = 0  # links that are not article pages of the site
    older: int = 0  # feed/sitemap entries before --since
    warc_records: int | None = None
    seconds: float = 0.0

    def lines(self) -> list[str]:
        failed = sum(self.failed.values())
        lines = [
            f"provnews: fetched into {self.raw / 'store'} in {self.seconds:.1f} s",
            f"  pages: {self.asked} asked for, {self.had} already in the store, {self.fetched} fetched, "
            f"{self.not_modified} not modified, {self.robots} skipped by robots.txt, {failed} failed",
        ]
        lines += [f"    {n} × {reason}" for reason, n in self.failed.most_common()]
        if self.bad_lines:
            lines.append(f"  URL files: {self.bad_lines} line(s) that are no URL (each in the manifest with its line)")
        if self.dropped or self.older or self.discovery_failed:
            lines.append(f"  links: {self.dropped} dropped (not an article page of the site), {self.older} older than "
                         f"--since; {self.discovery_failed} feed/sitemap failure(s)")
        if self.warc_records is not None:
            lines.append(f"  WARC: {self.warc_records} response records")
        return lines


class Progress:
    """A bar on a terminal (tqdm); elsewhere a line every 30 s, so logs stay readable."""

    def __init__(self, total: int, report: Reporter | None, bar: bool):
        self.total, self.report = total, report
        self.counts = Counter()
        self.started = self.last_line = time.monotonic()
        self.bar = None
        if bar and total and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="page", desc="fetch", file=sys.stderr)

    def note(self, outcome: str) -> None:
        self.counts[outcome] += 1
        done = sum(self.counts.values())
        rate = done / max(1e-9, time.monotonic() - self.started)
        if self.bar is not None:
            self.bar.set_postfix(fetched=self.counts["fetched"], failed=self.counts["failed"], refresh=False)
            self.bar.update(1)
        elif self.report and time.monotonic() - self.last_line >= 30:
            self.last_line = time.monotonic()
            self.report(f"fetch: {done}/{self.total} pages ({self.counts['fetched']} fetched, "
                        f"{self.counts['failed']} failed), {rate:.1f}/s")

    def say(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line, file=sys.stderr)
        elif self.report:
            self.report(line)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _row(fetched: Fetched, kind: str, found_in: str | None, sha256: str | None = None,
         previous: ManifestRow | None = None) -> ManifestRow:
    headers = fetched.headers or {}
    if fetched.not_modified and previous is not None:  # the stored body is still the page
        return ManifestRow(fetched.url, kind, fetched.final_url, 304, previous.content_type, previous.size,
                           previous.sha256, now_iso(), headers.get("etag", previous.etag),
                           headers.get("last-modified", previous.last_modified), None, False, found_in)
    return ManifestRow(
        url=fetched.url, kind=kind, final_url=fetched.final_url, status=fetched.status,
        content_type=headers.get("content-type"), size=len(fetched.body) if fetched.body is not None else None,
        sha256=sha256, fetched_at=now_iso(), etag=headers.get("etag"), last_modified=headers.get("last-modified"),
        error=fetched.error, transient=fetched.transient, found_in=found_in,
    )


def _problem_row(problem: Problem) -> ManifestRow:
    if problem.fetched is None:
        return ManifestRow(problem.url, problem.kind, fetched_at=now_iso(), error=problem.reason,
                           found_in=problem.found_in)
    row = _row(problem.fetched, problem.kind, problem.found_in)
    transient = problem.fetched.transient and problem.fetched.error == problem.reason
    return replace(row, size=None, error=problem.reason, transient=transient)


def _conditional(previous: ManifestRow | None) -> dict[str, str] | None:
    if previous is None or not previous.stored:
        return None
    headers = {}
    if previous.etag:
        headers["If-None-Match"] = previous.etag
    if previous.last_modified:
        headers["If-Modified-Since"] = previous.last_modified
    return headers or None


def _interleaved(targets: list[Target]) -> list[Target]:
    """Round robin over hosts: consecutive tasks go to different hosts while there are several."""
    by_host: dict[str, list[Target]] = {}
    for target in targets:
        by_host.setdefault(host_key(target.url), []).append(target)
    return [t for group in zip_longest(*by_host.values()) for t in group if t is not None]


def _discover(url_files: Iterable[str | Path], feeds: Iterable[str], sitemaps: Iterable[str],
              fetcher: PoliteFetcher, since: date | None) -> Discovery:
    found = Discovery()

    def get(url: str) -> Fetched:
        return fetcher.get(url, html_only=False)

    parts = [read_url_file(Path(f)) for f in url_files]
    for kind, urls, reader in (("feed", feeds, read_feed), ("sitemap", sitemaps, read_sitemap)):
        for url in urls:
            start = normalize(url)
            if start is None:
                parts.append(Discovery(problems=[Problem(url, kind, f"not an http(s) URL (--{kind})")]))
            else:
                parts.append(reader(start, get, since))
    for part in parts:
        found.targets += part.targets
        found.problems += part.problems
        found.documents += part.documents
        found.dropped += part.dropped
        found.older += part.older
    found.targets = unique(found.targets)
    return found


def _check_inputs(url_files: list[Path], feeds: list[str], sitemaps: list[str], warc: Path | None) -> None:
    """Problems a person must fix, found before any request."""
    if not (url_files or feeds or sitemaps):
        raise ConfigError("nothing to fetch: give URL files, --feed URL or --sitemap URL")
    for path in url_files:
        if path.is_dir():
            raise ConfigError(f"{path}: a folder, not a URL file (one URL a line)")
        if not path.is_file():
            raise ConfigError(f"{path}: URL file not found")
    if warc is not None:
        if not warc.parent.is_dir():
            raise ConfigError(f"{warc}: the folder for the WARC file does not exist")
        if not warc.name.endswith((".warc", ".warc.gz")):
            raise ConfigError(f"{warc}: a WARC file name ends in .warc or .warc.gz")


def fetch(url_files: Iterable[str | Path] = (), feeds: Iterable[str] = (), sitemaps: Iterable[str] = (),
          raw: str | Path = "data/raw", settings: Settings | None = None, since: date | None = None,
          refresh: bool = False, warc: str | Path | None = None, report: Reporter | None = None,
          progress_bar: bool = True) -> FetchSummary:
    """Fetch every page the inputs name into the raw store under `raw`; return what happened."""
    settings = settings or load_settings()
    url_files, feeds, sitemaps = [Path(f) for f in url_files], list(feeds), list(sitemaps)
    warc = Path(warc) if warc is not None else None
    _check_inputs(url_files, feeds, sitemaps, warc)
    summary = FetchSummary(raw=Path(raw))
    started = time.monotonic()
    fetcher = PoliteFetcher(settings.fetch)
    with RawStore(raw) as store:
        for number, problem in store.broken:
            if report:
                report(f"warning: {store.root}/provnews-manifest.jsonl line {number}: {problem}; ignored")
        try:
            found = _discover(url_files, feeds, sitemaps, fetcher, since)
            _record_discovery(found, store, summary, refresh, report)
            todo = _plan(found.targets, store, summary, refresh)
            progress = Progress(len(todo), report, progress_bar)
            try:
                _fetch_all(todo, fetcher, store, settings.fetch.concurrency, summary, progress)
            finally:
                progress.close()
            if warc is not None:
                rows = [store.latest[t.url] for t in found.targets if t.url in store.latest]
                if warc.exists() and report:
                    report(f"note: {warc} exists; it is replaced by the WARC of this fetch's pages")
                summary.warc_records = write_warc(warc, rows, store.root, report)
        finally:
            fetcher.close()
    summary.seconds = time.monotonic() - started
    return summary


def _record_discovery(found: Discovery, store: RawStore, summary: FetchSummary, refresh: bool,
                      report: Reporter | None) -> None:
    summary.dropped, summary.older = found.dropped, found.older
    for kind, document in found.documents:  # feeds and sitemaps read: a row, so an old failure ends
        store.append(replace(_row(document, kind, None), size=len(document.body or b"")))
    for problem in found.problems:
        previous = store.latest.get(problem.url)
        if problem.kind == "page" and previous is not None and previous.settled and not refresh:
            continue  # a bad line already recorded
        store.append(_problem_row(problem))
        if problem.kind != "page":
            summary.discovery_failed += 1
        else:  # a line of a URL file that is no URL: not one of the pages asked for
            summary.bad_lines += 1
        if report:
            report(f"failed {problem.url}: {problem.reason}")


def _plan(targets: list[Target], store: RawStore, summary: FetchSummary, refresh: bool) -> list[Target]:
    summary.asked = len(targets)
    todo = []
    for target in targets:
        previous = store.latest.get(target.url)
        if previous is not None and previous.kind == "page" and previous.settled and not refresh:
            summary.had += 1
        else:
            todo.append(target)
    return _interleaved(todo)


def _fetch_one(target: Target, fetcher: PoliteFetcher, store: RawStore) -> ManifestRow:
    previous = store.latest.get(target.url)
    try:
        fetched = fetcher.get(target.url, html_only=True, headers=_conditional(previous),
                              headers_for=previous.final_url if previous is not None else None)
    except Exception as exc:  # noqa: BLE001 - one URL that trips a library must not end the batch
        fetched = Fetched(target.url, target.url, error=f"internal error ({type(exc).__name__}: {exc})",
                          transient=True)
    if fetched.not_modified and (previous is None or not previous.stored):
        fetched = replace(fetched, error="HTTP 304 (not modified) to a request that had nothing to compare")
    sha = None
    if fetched.body is not None and fetched.error is None:
        sha = store.put_body(fetched.body)
    row = _row(fetched, "page", target.found_in, sha, previous)
    store.append(row)
    return row


def _fetch_all(todo: list[Target], fetcher: PoliteFetcher, store: RawStore, threads: int,
               summary: FetchSummary, progress: Progress) -> None:
    """A bounded window of tasks in flight, so a million URLs are not a million futures."""
    pending = deque(todo)
    running: dict[Future, Target] = {}
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="fetch") as pool:
        try:
            while pending or running:
                while pending and len(running) < threads * 2:
                    target = pending.popleft()
                    running[pool.submit(_fetch_one, target, fetcher, store)] = target
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    running.pop(future)
                    _count(future.result(), summary, progress)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _count(row: ManifestRow, summary: FetchSummary, progress: Progress) -> None:
    if row.error is None:
        if row.status == 304:
            summary.not_modified += 1
            progress.note("not modified")
        else:
            summary.fetched += 1
            progress.note("fetched")
        return
    if row.error == "robots.txt disallows":
        summary.robots += 1
        progress.note("robots")
        return
    summary.failed[_reason_group(row.error)] += 1
    progress.note("failed")
    progress.say(f"failed {row.url}: {row.error}")


def _reason_group(error: str) -> str:
    """'HTTP 500 (after 3 retries)' and 'redirect loop (a -> b -> a)' count under their head."""
    return error.split(" (")[0].split(": the server asks")[0]
