"""Inputs → raw records: local .html/.htm, .txt, .jsonl (optionally gzipped) files and folders.

Every problem becomes an ErrorRecord naming the file (and line) so the batch goes on.
"""
from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from pipeline.records import ErrorRecord, RawRecord

HTML_SUFFIXES = (".html", ".htm")
TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")
SUPPORTED = HTML_SUFFIXES + TEXT_SUFFIXES + JSONL_SUFFIXES
JSONL_KEYS = {"id", "url", "html", "text", "title", "date", "site"}


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for suffix in sorted(SUPPORTED, key=len, reverse=True):
        if name.endswith(suffix):
            return suffix
    return path.suffix.lower()


def expand_inputs(inputs: Iterable[str | Path]) -> Iterator[Path | ErrorRecord]:
    """Files as given, folders walked in name order (hidden files skipped)."""
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield child
        elif path.is_file():
            yield path
        else:
            yield ErrorRecord(str(path), "read", "no such file or folder")


def _read_text(path: Path, data: bytes) -> str:
    if not data.strip():
        raise ValueError("empty file")
    if b"\x00" in data[:8192]:
        raise ValueError("binary file, not text (NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (invalid byte at offset {exc.start})") from None


def _jsonl_records(path: Path, data: bytes) -> Iterator[RawRecord | ErrorRecord]:
    text = _read_text(path, data)
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"{path}:{number}"
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ErrorRecord(where, "read", f"broken JSON line ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            yield ErrorRecord(where, "read", f"a JSONL record must be an object, got {type(obj).__name__}")
            continue
        body_html, body_text = obj.get("html"), obj.get("text")
        if not (isinstance(body_html, str) and body_html.strip()) and not (
            isinstance(body_text, str) and body_text.strip()
        ):
            yield ErrorRecord(where, "read", "record has neither 'html' nor 'text'")
            continue
        fields = {key: obj.get(key) for key in ("id", "url", "title", "date")}
        clean = {k: (str(v) if v not in (None, "") else None) for k, v in fields.items()}
        yield RawRecord(
            source=where,
            html=body_html if isinstance(body_html, str) and body_html.strip() else None,
            text=body_text if isinstance(body_text, str) and body_text.strip() else None,
            **clean,
        )


def read_file(path: Path) -> Iterator[RawRecord | ErrorRecord]:
    """Raw records of one file; a file that cannot be read yields one ErrorRecord."""
    suffix = _suffix(path)
    if suffix not in SUPPORTED:
        yield ErrorRecord(
            str(path), "read", f"unknown extension {suffix or '(none)'!r}; supported: {', '.join(SUPPORTED)}"
        )
        return
    try:
        data = path.read_bytes()
        if suffix == ".jsonl.gz":
            data = gzip.decompress(data)
    except (OSError, EOFError) as exc:
        yield ErrorRecord(str(path), "read", f"cannot read file ({exc.strerror or exc})")
        return
    try:
        if suffix in JSONL_SUFFIXES:
            yield from _jsonl_records(path, data)
        elif suffix in HTML_SUFFIXES:
            yield RawRecord(source=str(path), html=_read_text(path, data))
        else:
            yield RawRecord(source=str(path), text=_read_text(path, data))
    except ValueError as exc:
        yield ErrorRecord(str(path), "read", str(exc))


def iter_records(inputs: Iterable[str | Path]) -> Iterator[RawRecord | ErrorRecord]:
    for item in expand_inputs(inputs):
        if isinstance(item, ErrorRecord):
            yield item
        else:
            yield from read_file(item)
