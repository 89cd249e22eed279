"""Inputs → partitions: small descriptions of work (files, or a byte range of a large JSONL
file) that a worker reads for itself, so that the process handing out the work never holds
the texts. In input order; reading every partition in turn gives exactly `iter_records`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.fsutil import os_reason
from pipeline.records import ErrorRecord, RawRecord
from pipeline.sources import _suffix, expand_inputs, read_file, read_jsonl_range

GROUPED_FILES = 100  # small files (a page, a text) read by one task
_CONTENT = re.compile(rb"\S")
_FILLED_LINE = re.compile(rb"(?m)^[ \t\r\f\v]*\S")


@dataclass(frozen=True)
class Partition:
    """Whole files (`paths`), or bytes [start, end) of one JSONL file starting at line
    `first_line`; or an input that could not be read (`error`)."""

    paths: tuple[Path, ...] = ()
    start: int = 0
    end: int | None = None  # None: the whole files
    first_line: int = 1
    records: int | None = None  # how many records it holds, when known without reading it
    error: ErrorRecord | None = None


def read_partition(partition: Partition) -> Iterator[RawRecord | ErrorRecord]:
    if partition.error is not None:
        yield partition.error
    elif partition.end is not None:
        yield from read_jsonl_range(partition.paths[0], partition.start, partition.end, partition.first_line)
    else:
        for path in partition.paths:
            yield from read_file(path)


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size if path.is_file() else None
    except OSError:
        return None


def _records_in(path: Path) -> int | None:
    """Records in a small file, when a count needs no parsing (not a WARC or gzip'd file)."""
    suffix = _suffix(path)
    if suffix == ".jsonl":
        try:
            return len(_FILLED_LINE.findall(path.read_bytes())) or 1
        except OSError:
            return 1
    return None if suffix in (".warc", ".warc.gz", ".jsonl.gz") else 1


def _jsonl_ranges(path: Path, size: int, target: int) -> Iterator[Partition]:
    """A large JSONL file in ranges of about `target` bytes, each ending at a line end. A read
    error before any range: OSError (the file is then read whole, and reported); after some:
    the rest of the file is one error (its first ranges are not read twice)."""
    with open(path, "rb") as handle:
        if not any(_CONTENT.search(block) for block in iter(lambda: handle.read(1 << 20), b"")):
            yield Partition((path,), records=0)  # blank lines only: read whole, it says "empty file"
            return
        start, line = 0, 1
        while start < size:
            try:
                handle.seek(start)
                chunk = handle.read(target)
            except OSError as exc:
                if start == 0:
                    raise
                yield Partition(error=ErrorRecord(f"{path}:{line}", "read", f"cannot read the rest of the file "
                                                  f"({os_reason(exc)})"), records=1)
                return
            if not chunk:
                break
            if not chunk.endswith(b"\n"):
                chunk += handle.readline()
            end = start + len(chunk)
            yield Partition((path,), start, end, line, records=len(_FILLED_LINE.findall(chunk)))
            line += chunk.count(b"\n")
            start = end


def plan_partitions(inputs: Iterable[str | Path], target: int) -> Iterator[Partition]:
    """Partitions of about `target` bytes: consecutive small files together, a large JSONL file
    in line ranges, a WARC file, a gzip'd JSONL file or a raw store whole."""
    group: list[Path] = []
    group_bytes = group_records = 0

    def flush() -> Iterator[Partition]:
        nonlocal group, group_bytes, group_records
        if group:
            yield Partition(tuple(group), records=group_records)
        group, group_bytes, group_records = [], 0, 0

    for item in expand_inputs(inputs):
        if isinstance(item, ErrorRecord):
            yield from flush()
            yield Partition(error=item, records=1)
            continue
        size = _size(item)
        if size is None:  # a raw store (a folder) or something read_file reports
            yield from flush()
            yield Partition((item,))
            continue
        if _suffix(item) == ".jsonl" and size > target:
            yield from flush()
            try:
                yield from _jsonl_ranges(item, size, target)
            except OSError:
                yield Partition((item,))  # read_file reports it
            continue
        if group and (group_bytes + size > target or len(group) >= GROUPED_FILES):
            yield from flush()
        group.append(item)
        group_bytes += size
        if group_records is not None:
            group_records = None if (count := _records_in(item)) is None else group_records + count
    yield from flush()
