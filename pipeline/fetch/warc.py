"""WARC in and out (warcio). In: HTML response records of a crawl become raw records with the
record's target URI and date; request, metadata and non-HTML records are skipped; a corrupt
record (or one cut short of its Content-Length) is one error and reading goes on at the next
record. Out: what a fetch stored, as
response records, so a fetch can be archived and replayed with `provnews run OUT.warc.gz`."""
from __future__ import annotations

import io
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline import __version__
from pipeline.errors import ConfigError, WriteError
from pipeline.fetch.content import decode_html, is_html
from pipeline.fsutil import atomic_write, os_reason
from pipeline.fetch.store import ManifestRow, stored_body
from pipeline.records import ErrorRecord, RawRecord

MAX_RECORD_BYTES = 50_000_000  # an HTML payload larger than this is no article
GZIP_MAGIC = b"\x1f\x8b\x08"
WARC_MAGIC = b"WARC/1."
# warcio raises all of these on malformed input (AttributeError: a response record without a URI)
_RECORD_ERRORS = (ArchiveLoadFailed, EOFError, OSError, ValueError, zlib.error, IndexError, KeyError, TypeError,
                  AttributeError)


def _payload_record(record, where: str) -> RawRecord | ErrorRecord | None:
    """A raw record for an HTML response (or resource), None for anything else."""
    if record.rec_type not in ("response", "resource"):
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI")
    if record.rec_type == "response":
        if record.http_headers is None:
            return None
        status = (record.http_headers.get_statuscode() or "").strip()
        if status != "200":
            return None
        content_type = record.http_headers.get_header("Content-Type")
    else:
        content_type = record.rec_headers.get_header("Content-Type")
    stream = record.content_stream()
    head = stream.read(512)
    if not is_html(content_type, head):
        return None
    rest = stream.read(MAX_RECORD_BYTES + 1 - len(head))
    if len(head) + len(rest) > MAX_RECORD_BYTES:
        return ErrorRecord(where, "read", f"record of {uri} larger than {MAX_RECORD_BYTES // 1_000_000} MB")
    try:
        html = decode_html(head + rest, content_type)
    except ValueError as exc:
        return ErrorRecord(where, "read", f"record of {uri}: {exc}")
    return RawRecord(source=where, url=uri, html=html,  # file@offset: each copy in each archive its own
                     fetched_at=record.rec_headers.get_header("WARC-Date"))


class TruncatedRecord(ValueError):
    """A record whose content ends before its Content-Length (a cut file, a wrong length)."""


def _check_complete(record) -> None:
    """warcio hands back a record cut short by the end of the file without a word: read what is
    left of it and compare with its Content-Length, so a cut article never passes as whole."""
    stream = record.raw_stream
    while stream.read(1 << 16):
        pass
    missing = getattr(stream, "limit", 0)
    if missing > 0:
        declared = getattr(stream, "_orig_limit", None)
        raise TruncatedRecord(f"truncated: {declared - missing} of the {declared} bytes its Content-Length "
                              "declares" if declared is not None else f"truncated: {missing} bytes missing")


def _leftover(handle: BinaryIO, end: int) -> int:
    """Bytes after the last record warcio read whole, blank ones aside: warcio stops without a
    word at a gzip member cut off by the end of the file."""
    handle.seek(end)
    rest = handle.read(1 << 16)
    return 0 if not rest.strip() else os.fstat(handle.fileno()).st_size - end


def _printable(exc: BaseException) -> str:
    """The first line of an error, without the binary bytes warcio quotes from a broken record."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if not all(32 <= ord(c) < 127 for c in text):
        text = text.split(", first line:")[0] + " (binary data where a header should be)"
    return text if len(text) <= 120 else text[:120] + "…"


def _next_start(handle: BinaryIO, after: int, packed: bool) -> int | None:
    """Offset of the next record (next gzip member, or next `WARC/1.` line) after `after`."""
    magic = GZIP_MAGIC if packed else b"\n" + WARC_MAGIC
    handle.seek(after)
    position, tail = after, b""
    while True:
        chunk = handle.read(1 << 20)
        if not chunk:
            return None
        data = tail + chunk
        found = data.find(magic)
        if found >= 0:
            start = position - len(tail) + found
            return start + 1 if not packed else start
        tail = data[-(len(magic) - 1):]
        position += len(chunk)


def read_warc(path: Path) -> Iterator[RawRecord | ErrorRecord]:
    """Raw records of a WARC or WARC.gz file."""
    try:
        handle = open(path, "rb")
    except OSError as exc:
        yield ErrorRecord(str(path), "read", f"cannot read file ({os_reason(exc)})")
        return
    with handle:
        packed = handle.read(2) == GZIP_MAGIC[:2]
        start: int | None = 0
        while start is not None:
            handle.seek(start)
            records = ArchiveIterator(handle)
            offset = previous = start
            try:
                for record in records:
                    offset = records.offset
                    if records.err_count:  # warcio found bytes after the previous record
                        records.err_count = 0
                        yield ErrorRecord(f"{path}@{previous}", "read", "corrupt WARC record (its Content-Length "
                                          "does not match its content)")
                    item = _payload_record(record, f"{path}@{offset}")
                    _check_complete(record)  # before the item goes anywhere
                    if item is not None:
                        yield item
                    previous = offset
                leftover = _leftover(handle, records.offset)
                if leftover:
                    yield ErrorRecord(f"{path}@{records.offset}", "read", f"corrupt WARC record (the file ends "
                                      f"inside a record: {leftover} bytes after the last whole one)")
                return
            except _RECORD_ERRORS as exc:
                offset = max(offset, records.offset)
                yield ErrorRecord(f"{path}@{offset}", "read", f"corrupt WARC record ({_printable(exc)})")
                start = _next_start(handle, offset + 1, packed)


def write_warc(path: Path, rows: Iterable[ManifestRow], store: Path,
               report: Callable[[str], None] | None = None) -> int:
    """Response records of stored pages into `path` (written whole, then renamed into place);
    returns how many. A stored body that cannot be read is left out and reported by name."""
    path = Path(path)
    if not path.parent.is_dir():
        raise ConfigError(f"{path}: the folder for the WARC file does not exist")
    count = 0

    def write(handle: BinaryIO) -> None:
        nonlocal count
        writer = WARCWriter(handle, gzip=path.name.endswith(".gz"))
        info = writer.create_warcinfo_record(path.name, {"software": f"provnews/{__version__}",
                                                         "format": "WARC File Format 1.1"})
        writer.write_record(info)
        for row in rows:
            if not row.stored or row.kind != "page":
                continue
            body, problem = stored_body(store, row.sha256)
            if body is None:
                if report:
                    report(f"left out of {path.name}: {row.url}: {problem}")
                continue
            headers = [("Content-Type", row.content_type or "text/html"), ("Content-Length", str(len(body)))]
            headers += [(name, value) for name, value in (("ETag", row.etag), ("Last-Modified", row.last_modified))
                        if value]
            record = writer.create_warc_record(
                row.final_url or row.url, "response", payload=io.BytesIO(body), length=len(body),
                http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1"),
                warc_headers_dict={"WARC-Date": row.fetched_at} if row.fetched_at else None,
            )
            writer.write_record(record)
            count += 1

    try:
        atomic_write(path, write)
    except OSError as exc:
        raise WriteError(f"{path}: cannot write the WARC file ({os_reason(exc)})") from None
    return count
