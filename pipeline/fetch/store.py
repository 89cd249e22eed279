"""The raw store: every fetched page body kept once under its SHA-256, and a manifest that
says what happened to every URL.

Layout under the raw folder (`data/raw/` by default)::

    store/provnews-manifest.jsonl   one JSON object a line, appended (see ManifestRow)
    store/ab/abcdef….html.gz        a body, gzip'd, named by the SHA-256 of its bytes

The manifest is a log: a URL's state is its last line. A body is written (temporary file,
flushed, renamed) before its manifest line, and a line goes down in one write and is flushed,
so a fetch killed at any moment leaves at most a body without a line (fetched again, same
name) or an unfinished last line (cut off when the store is next opened for writing).
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import threading
import zlib
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from pipeline.errors import ConfigError, WriteError
from pipeline.fetch.content import decode_html
from pipeline.fsutil import Busy, atomic_write, exclusive_lock, os_reason
from pipeline.records import ErrorRecord, RawRecord

STORE_DIR = "store"
MANIFEST_NAME = "provnews-manifest.jsonl"
BODY_SUFFIX = ".html.gz"


class StoreError(WriteError):
    """The raw store cannot be written (disk full, permissions): the fetch stops, what was
    written before stays whole."""


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class ManifestRow:
    """What one request for one URL gave. `error` is None for a stored page (or a 304 that
    kept the stored one); `transient` failures (timeouts, 5xx, 429 …) are tried again by the
    next fetch, the others are final until `--refresh`."""

    url: str
    kind: str = "page"  # page, feed or sitemap
    final_url: str | None = None
    status: int | None = None
    content_type: str | None = None
    size: int | None = None
    sha256: str | None = None
    fetched_at: str = ""
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    transient: bool = False
    found_in: str | None = None

    @property
    def stored(self) -> bool:
        return self.error is None and self.sha256 is not None

    @property
    def settled(self) -> bool:
        """Nothing to gain from asking again (unless the user says --refresh)."""
        return self.stored or (self.error is not None and not self.transient)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> ManifestRow:
        data = json.loads(line)
        if not isinstance(data, dict) or not isinstance(data.get("url"), str):
            raise ValueError("not a manifest row (no 'url')")
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def is_raw_store(path: Path) -> bool:
    return (path / MANIFEST_NAME).is_file()


def body_path(store: Path, sha256: str) -> Path:
    return store / sha256[:2] / f"{sha256}{BODY_SUFFIX}"


def read_manifest(store: Path) -> Iterator[tuple[int, ManifestRow | str]]:
    """(line number, row) for each complete line; a broken line gives its problem instead.
    An unfinished last line (a fetch is writing it, or was killed) is not a row yet."""
    try:
        handle = open(store / MANIFEST_NAME, "rb")
    except FileNotFoundError:
        return
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.endswith(b"\n"):
                return
            if not raw.strip():
                continue
            try:
                yield number, ManifestRow.from_json(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, TypeError) as exc:
                yield number, f"broken manifest line ({exc})"


def latest_rows(store: Path) -> tuple[dict[str, ManifestRow], list[tuple[int, str]]]:
    """Each URL's last row, in the order URLs first appeared; and the broken lines."""
    latest: dict[str, ManifestRow] = {}
    broken = []
    for number, row in read_manifest(store):
        if isinstance(row, str):
            broken.append((number, row))
        else:
            latest[row.url] = row
    return latest, broken


class RawStore:
    """The store opened for writing by one fetch (a lock keeps a second one out)."""

    def __init__(self, raw_dir: str | Path):
        self.root = Path(raw_dir) / STORE_DIR
        self._lock = threading.Lock()
        self._held = ExitStack()
        self._fd: int | None = None
        self.latest: dict[str, ManifestRow] = {}
        self.broken: list[tuple[int, str]] = []

    def __enter__(self) -> RawStore:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self._held.enter_context(exclusive_lock(self.root / ".lock"))
        except Busy:
            raise ConfigError(f"{self.root}: another provnews fetch is writing this store; wait for it") from None
        except OSError as exc:
            raise ConfigError(f"{self.root}: cannot write the raw store ({os_reason(exc)})") from None
        self._remove_leftovers()
        self._fd = os.open(self.root / MANIFEST_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self.latest, self.broken = latest_rows(self.root)
        return self

    def __exit__(self, *exc_info) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self._held.close()

    def _remove_leftovers(self) -> None:
        """Temporary bodies and an unfinished last manifest line of a killed fetch."""
        for tmp in self.root.glob("*/.*.tmp"):
            tmp.unlink(missing_ok=True)
        manifest = self.root / MANIFEST_NAME
        if not manifest.exists():
            return
        with open(manifest, "rb+") as handle:
            size = handle.seek(0, os.SEEK_END)
            if size == 0:
                return
            handle.seek(size - 1)
            if handle.read(1) == b"\n":
                return
            keep = size
            while keep > 0:  # back to the end of the last complete line
                step = min(65536, keep)
                handle.seek(keep - step)
                chunk = handle.read(step)
                cut = chunk.rfind(b"\n")
                if cut >= 0:
                    keep = keep - step + cut + 1
                    break
                keep -= step
            handle.truncate(keep)
            handle.flush()
            os.fsync(handle.fileno())

    def put_body(self, body: bytes) -> str:
        """Store a body (once: the same bytes have the same name); return its SHA-256."""
        sha = hashlib.sha256(body).hexdigest()
        path = body_path(self.root, sha)
        if path.exists():
            return sha
        def write(handle: BinaryIO) -> None:
            # mtime=0: the same body gives the same file, whichever run stored it.
            with gzip.GzipFile(fileobj=handle, mode="wb", mtime=0, filename="") as packed:
                packed.write(body)

        try:
            path.parent.mkdir(exist_ok=True)
            atomic_write(path, write)
        except OSError as exc:
            raise StoreError(f"{path}: cannot store a page body ({os_reason(exc)})") from None
        return sha

    def append(self, row: ManifestRow) -> None:
        """One line, in one write, flushed to disk before the next one."""
        data = (row.to_json() + "\n").encode("utf-8")
        with self._lock:
            assert self._fd is not None, "the store is not open"
            view = memoryview(data)
            try:
                while view:
                    written = os.write(self._fd, view)
                    view = view[written:]
                os.fsync(self._fd)
            except OSError as exc:  # a partial line is cut off when the store is next opened
                raise StoreError(f"{self.root / MANIFEST_NAME}: cannot append to the manifest "
                                 f"({os_reason(exc)})") from None
            self.latest[row.url] = row


def read_body(store: Path, sha256: str) -> bytes:
    with gzip.open(body_path(store, sha256), "rb") as handle:
        return handle.read()


def read_store(store: Path) -> Iterator[RawRecord | ErrorRecord]:
    """Raw records of a store, through its manifest: each URL's last state, failures as errors.
    A body stored for several URLs is read for each, the preferred URL first and the others
    after every other page, so the dedupe stage keeps the preferred one and records the others
    as its copies."""
    latest, broken = latest_rows(store)
    manifest = store / MANIFEST_NAME
    for number, problem in broken:
        yield ErrorRecord(f"{manifest}:{number}", "read", problem)
    # One URL per body is read first: the one not redirected if any (then the first in URL order),
    # so the choice does not depend on which thread finished first.
    reader: dict[str, str] = {}
    for row in sorted((r for r in latest.values() if r.stored and r.kind == "page"),
                      key=lambda r: (r.url != r.final_url, r.url)):
        reader.setdefault(row.sha256, row.url)
    copies = []
    for row in latest.values():
        if not row.stored:
            if row.error is not None:
                yield ErrorRecord(row.url, "fetch", row.error)
        elif row.kind == "page" and reader[row.sha256] != row.url:
            copies.append(row)
        elif row.kind == "page":
            yield _page(store, row)
    for row in copies:
        yield _page(store, row)


def stored_body(store: Path, sha256: str) -> tuple[bytes | None, str | None]:
    """The body stored under `sha256`, or None and why not (naming the file): a body lost or
    damaged on disk is one page's problem, never the whole run's."""
    try:
        return read_body(store, sha256), None
    except FileNotFoundError:
        return None, f"stored body {body_path(store, sha256)} is missing"
    except (OSError, EOFError, zlib.error) as exc:
        return None, f"stored body {body_path(store, sha256)} cannot be read ({exc})"


def _page(store: Path, row: ManifestRow) -> RawRecord | ErrorRecord:
    body, problem = stored_body(store, row.sha256)
    if body is None:
        return ErrorRecord(row.url, "read", problem or "stored body unreadable")
    try:
        html = decode_html(body, row.content_type)
    except ValueError as exc:
        return ErrorRecord(row.url, "read", str(exc))
    return RawRecord(source=row.url, url=row.final_url or row.url, html=html, fetched_at=row.fetched_at or None)
