"""Inputs → raw records: local .html/.htm, .txt, .jsonl (optionally gzipped), WARC files,
folders of them, and raw stores written by `provnews fetch` (read through their manifest).

Every problem becomes an ErrorRecord naming the file (and line) so the batch goes on.
"""
from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from charset_normalizer import from_bytes

from pipeline.fetch.store import MANIFEST_NAME, is_raw_store, read_store
from pipeline.records import ErrorRecord, RawRecord
from pipeline.walk import walk_folder
from pipeline.fsutil import os_reason

HTML_SUFFIXES = (".html", ".htm")
TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
WARC_SUFFIXES = (".warc", ".warc.gz")
SUPPORTED = HTML_SUFFIXES + TEXT_SUFFIXES + JSONL_SUFFIXES + WARC_SUFFIXES
JSONL_KEYS = {"id", "url", "html", "text", "title", "date", "site"}


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in sorted(SUPPORTED, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def expand_inputs(inputs: Iterable[str | Path]) -> Iterator[Path | ErrorRecord]:
    """Files, folders walked in name order (hidden files skipped, links followed). A raw store
    found in a folder is yielded as one item (its folder) and its bodies are not walked. Paths
    are made absolute: the `source` of a row names its file the same way whatever folder a run
    starts in, so a failure or a copy met again is recognised, not written twice."""
    for item in inputs:
        path = Path(os.path.abspath(item))
        if path.is_dir() and not is_raw_store(path):
            yield from walk_folder(path, read_whole=is_raw_store)
        elif path.is_file() or is_raw_store(path):
            yield path
        else:
            yield ErrorRecord(str(path), "read", "no such file or folder")


BOMS = {b"\xef\xbb\xbf": "utf-8-sig", b"\xff\xfe": "utf-16", b"\xfe\xff": "utf-16"}


def _read_text(data: bytes, html: bool = False) -> str:
    """Decode a whole file; HTML in a legacy charset is detected, other text must be UTF-8/16."""
    if not data.strip():
        raise ValueError("empty file")
    for bom, encoding in BOMS.items():
        if data.startswith(bom):
            try:
                return _valid(data.decode(encoding))
            except UnicodeDecodeError:
                raise ValueError(f"not valid {encoding} text despite its byte-order mark") from None
    if b"\x00" in data[:8192]:
        raise ValueError("binary file, not text (NUL bytes)")
    try:
        return _valid(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        if html:
            guess = from_bytes(data).best()
            if guess is not None:
                return _valid(str(guess))
        raise ValueError(f"not UTF-8 text (invalid byte at offset {exc.start})") from None


def decode_html_bytes(data: bytes) -> str:
    """An HTML page's bytes as text (UTF-8/16 or a detected legacy charset); ValueError if none."""
    return _read_text(data, html=True)


def _valid(text: str) -> str:
    """Reject text no Unicode encoder accepts (lone surrogates from JSON escapes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"invalid Unicode (lone surrogate at character {exc.start})") from None
    return text


JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "true/false", int: "a number",
              float: "a number", type(None): "null"}


def _field(obj: dict, key: str) -> str | None:
    """A JSONL field as text: a string (blank means absent), or for `id` also an integer; a value of
    another type raises ValueError naming the field, rather than becoming its Python repr."""
    value = obj.get(key)
    if key == "id" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        allowed = "a string or an integer" if key == "id" else "a string"
        got = JSON_TYPES.get(type(value), type(value).__name__) + (f" ({value!r})" if isinstance(value, float) else "")
        raise ValueError(f"field {key!r} must be {allowed}, got {got}")
    return _valid(value)


def _record(obj: object, where: str) -> RawRecord | ErrorRecord:
    if not isinstance(obj, dict):
        return ErrorRecord(where, "read", f"a JSONL record must be an object, got {JSON_TYPES.get(type(obj), 'a value')}")
    try:
        fields = {key: _field(obj, key) for key in ("id", "url", "title", "date", "html", "text")}
    except ValueError as exc:
        return ErrorRecord(where, "read", str(exc))
    if fields["html"] is None and fields["text"] is None:
        return ErrorRecord(where, "read", "record has neither 'html' nor 'text'")
    return RawRecord(source=where, **fields)


def _jsonl_records(path: Path, stream: Iterable[bytes], first_line: int = 1,
                   whole: bool = True) -> Iterator[RawRecord | ErrorRecord]:
    """Line by line, so an archive of any size streams; one bad line is one error. `first_line`
    numbers a stretch of the file read alone (`read_jsonl_range`)."""
    seen_any = False
    for number, raw in enumerate(stream, start=first_line):
        where = f"{path}:{number}"
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        seen_any = True
        if b"\x00" in raw:  # a binary file named .jsonl: one error, not one per byte run between newlines
            yield ErrorRecord(where, "read", "binary data, not JSON lines (NUL bytes); the rest of the file "
                              "is not read" if whole else "binary data, not JSON lines (NUL bytes); the rest of "
                              "this part of the file is not read")
            return
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield ErrorRecord(where, "read", f"not UTF-8 (invalid byte at offset {exc.start})")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ErrorRecord(where, "read", f"broken JSON line ({exc.msg} at column {exc.colno})")
            continue
        except RecursionError:
            yield ErrorRecord(where, "read", "unreadable JSON line (nested too deeply)")
            continue
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            yield ErrorRecord(where, "read", f"unreadable JSON line ({str(exc).split(';')[0]})")
            continue
        yield _record(obj, where)
    if whole and not seen_any:
        yield ErrorRecord(str(path), "read", "empty file")


def read_jsonl_range(path: Path, start: int, end: int, first_line: int) -> Iterator[RawRecord | ErrorRecord]:
    """The records of bytes [start, end) of a JSONL file, cut at line ends (see
    `pipeline.partitions`): a worker reads its own part of a large file."""
    def lines(handle: IO[bytes]) -> Iterator[bytes]:
        handle.seek(start)
        position = start
        while position < end and (line := handle.readline()):
            position += len(line)
            yield line

    try:
        with open(path, "rb") as handle:
            yield from _jsonl_records(path, lines(handle), first_line, whole=False)
    except OSError as exc:
        yield ErrorRecord(str(path), "read", f"cannot read file ({os_reason(exc)})")


def read_file(path: Path) -> Iterator[RawRecord | ErrorRecord]:
    """Raw records of one file; a file that cannot be read yields one ErrorRecord."""
    if path.is_dir() or path.name == MANIFEST_NAME:  # a raw store
        yield from read_store(path if path.is_dir() else path.parent)
        return
    suffix = _suffix(path)
    if suffix in WARC_SUFFIXES:
        from pipeline.fetch.warc import read_warc

        found = False
        for item in read_warc(path):
            found = True
            yield item
        if not found:  # a file with no page must not pass unnoticed
            yield ErrorRecord(str(path), "read", "no HTML page in the WARC file (empty, or only requests, "
                              "metadata, revisits and non-HTML records)")
        return
    if suffix not in SUPPORTED:
        yield ErrorRecord(
            str(path), "read", f"unknown extension {suffix or '(none)'!r}; supported: {', '.join(SUPPORTED)}"
        )
        return
    try:
        if suffix in JSONL_SUFFIXES:
            opener = gzip.open if suffix == ".jsonl.gz" else open
            with opener(path, "rb") as stream:
                yield from _jsonl_records(path, stream)
            return
        data = path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:
        reason = os_reason(exc)
        yield ErrorRecord(str(path), "read", f"cannot read file ({reason})")
        return
    try:
        if suffix in HTML_SUFFIXES:
            yield RawRecord(source=str(path), html=_read_text(data, html=True))
        else:
            yield RawRecord(source=str(path), text=_read_text(data))
    except ValueError as exc:
        yield ErrorRecord(str(path), "read", str(exc))


def iter_records(inputs: Iterable[str | Path]) -> Iterator[RawRecord | ErrorRecord]:
    for item in expand_inputs(inputs):
        if isinstance(item, ErrorRecord):
            yield item
        else:
            yield from read_file(item)
