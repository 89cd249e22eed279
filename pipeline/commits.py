"""The output folder: provnews's own, committed batch by batch, never half-written.

Layout (what `DIR` holds once provnews has used it):

    DIR/articles -> .provnews/current/articles      one link per table, what readers open
    DIR/.provnews/format                            marker: this folder is provnews's own
    DIR/.provnews/lock                              one writer at a time
    DIR/.provnews/current -> snapshots/00000007     the committed state: one symbolic link
    DIR/.provnews/snapshots/00000007/manifest.json  every part of every table, with sizes
    DIR/.provnews/snapshots/00000007/<table>/part-00000001.parquet ...
    DIR/.provnews/snapshots/00000007/_minhash/part-00000001.parquet   state: no reader link

A table whose name starts with `_` is provnews's own state (the duplicate index's signatures):
committed in the same snapshot as the tables, so the two never disagree, but not linked for readers.

A commit builds the next snapshot beside the current one (hard links to the committed parts
plus the batch's new parts, invisible to readers), then replaces the `current` link in one
atomic rename. Whatever tool reads `DIR/<table>` (pandas, DuckDB, Polars, pyarrow) sees the
state before that rename or after it, in every table at once: never part of a batch, and
after a crash never more than the last commit. Only files the manifest or a snapshot's
number proves provnews made are ever removed.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from pipeline import __version__
from pipeline.errors import OutputError, WriteError
from pipeline.fsutil import Busy, atomic_write, exclusive_lock, fsync_path, os_reason

META = ".provnews"
FORMAT_LINE = "provnews tables, format 1\n"
MANIFEST = "manifest.json"
PartWriter = Callable[[str, Path], None]  # (table, path) -> writes that table's part there


@dataclass(frozen=True)
class Snapshot:
    """A committed state: its folder and, per table, part name -> size in bytes."""

    folder: Path
    sequence: int
    parts: dict[str, dict[str, int]]

    def part_paths(self, table: str) -> list[Path]:
        return [self.folder / table / name for name in sorted(self.parts.get(table, {}))]


def current_part(out: Path, table: str, name: str) -> Path:
    """A committed part by name, through the `current` link: valid whatever commits came since
    it was listed (each commit links the parts before it under their names)."""
    return out / META / "current" / table / name


def _visible(folder: Path) -> list[str]:
    """Entries a user put or sees (hidden ones such as .gitkeep are not provnews's business)."""
    return sorted(name for name in os.listdir(folder) if not name.startswith("."))


def is_own(out: Path) -> bool:
    try:
        return (out / META / "format").read_text("utf-8") == FORMAT_LINE
    except (OSError, UnicodeDecodeError):
        return False


def _not_writable(folder: Path) -> str | None:
    """Why nothing can be written in `folder` (the nearest existing one), or None."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if os.access(folder, os.W_OK):
        return None
    return "Read-only file system" if os.statvfs(folder).f_flag & os.ST_RDONLY else "Permission denied"


def check_usable(out: Path, tables: tuple[str, ...]) -> None:
    """Refuse, before any work, a --out that is a file, someone else's folder, read-only, or
    altered by hand."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: --out must be a folder, and this is a file")
    reason = _not_writable(out / META if (out / META).is_dir() else out)
    if reason:
        raise OutputError(f"{out}: cannot write the tables here ({reason})")
    if not out.exists():
        return
    if is_own(out):
        link = out / META / "current"
        if link.is_dir() and not link.is_symlink():  # a commit could only fail on it, after the lock
            raise OutputError(f"{out}: {link} is a folder, not the link provnews commits with: the tables "
                              "folder was copied with its links followed (cp -L, rsync -L, Python's "
                              "shutil.copytree); copy it again with `cp -a` (or shutil.copytree(..., "
                              "symlinks=True)), or give --out a new folder")
        if link.is_symlink():  # else a first use was interrupted: it starts again
            verify(out, tables)
        return
    try:
        foreign = _visible(out)
    except OSError as exc:
        raise OutputError(f"{out}: cannot read the --out folder ({os_reason(exc)})") from None
    if foreign:
        shown = ", ".join(repr(name) for name in foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise OutputError(f"{out}: not a provnews tables folder and not empty (holds {shown}); provnews never "
                          "writes among files it did not make: give --out a new or empty folder")


def _sequence(name: str) -> int | None:
    return int(name) if name.isdigit() else None


def current(out: Path) -> Snapshot:
    """The committed state, resolved once: read every table from it for a consistent view."""
    meta = out / META
    try:
        target = os.readlink(meta / "current")
        sequence = _sequence(Path(target).name)
        manifest = json.loads((meta / target / MANIFEST).read_text("utf-8"))
        parts = {table: {str(k): int(v) for k, v in entries.items()} for table, entries in manifest["tables"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise OutputError(f"{out}: the provnews manifest cannot be read ({exc}); the folder was changed by hand: "
                          "write the tables again into a new --out") from None
    if sequence is None:
        raise OutputError(f"{out}: {meta / 'current'} points to {target!r}, not a provnews snapshot")
    return Snapshot(meta / target, sequence, parts)


def committed(out: Path) -> Snapshot | None:
    """The current snapshot, or None where provnews has not committed anything yet."""
    if not is_own(out) or not (out / META / "current").is_symlink():
        return None
    return current(out)


def verify(out: Path, tables: tuple[str, ...]) -> Snapshot:
    """Every part the manifest lists is there with its size, and nothing else is among them."""
    snapshot = current(out)
    for table in tables:
        folder = snapshot.folder / table
        listed = snapshot.parts.get(table, {})
        present = _visible(folder) if folder.is_dir() else []
        shown = out / table if table in readable(tables) else folder  # the path a user can open
        for name in present:
            if name not in listed:
                raise OutputError(f"{shown / name}: a file provnews did not write is among the committed "
                                  "parts (readers of the folder would see its rows); move it out of the folder")
        for name, size in listed.items():
            path = shown / name
            if name not in present:
                raise OutputError(f"{path}: a committed part is missing (removed by hand?); the table is "
                                  "incomplete: restore the file or write the tables again into a new --out")
            if (folder / name).stat().st_size != size:
                raise OutputError(f"{path}: changed since provnews wrote it ({size} bytes then); restore it or "
                                  "write the tables again into a new --out")
    return snapshot


def _write_manifest(folder: Path, sequence: int, parts: dict[str, dict[str, int]]) -> None:
    manifest = {"format": 1, "sequence": sequence, "provnews_version": __version__,
                "committed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "tables": parts}
    with open(folder / MANIFEST, "w", encoding="utf-8") as handle:
        json.dump(manifest, handle, indent=1, sort_keys=True)
        handle.flush()
        os.fsync(handle.fileno())


def _switch(meta: Path, sequence: int) -> None:
    """The commit point: one rename replaces the `current` link."""
    staged = meta / "current.new"
    if staged.is_symlink():
        staged.unlink()
    os.symlink(f"snapshots/{sequence:08d}", staged)
    os.replace(staged, meta / "current")


def _flush_switch(meta: Path) -> None:
    """Make the switch durable. Should this fail, the commit is still made and visible; after a
    power loss the previous snapshot would be current, whole as well."""
    try:
        fsync_path(meta)
    except OSError:
        pass


def readable(tables: tuple[str, ...]) -> tuple[str, ...]:
    """The tables readers see (state tables, named `_...`, have no link)."""
    return tuple(table for table in tables if not table.startswith("_"))


def _link_tables(out: Path, tables: tuple[str, ...]) -> None:
    """`DIR/<table>` -> `.provnews/current/<table>`: the paths readers use never change."""
    for table in readable(tables):
        link, target = out / table, f"{META}/current/{table}"
        if link.is_symlink() and os.readlink(link) == target:
            continue
        if link.exists() or link.is_symlink():
            raise OutputError(f"{link}: not the link provnews made (to {target}); move it out of the folder")
        os.symlink(target, link, target_is_directory=True)


def _initialise(out: Path, tables: tuple[str, ...]) -> None:
    """First use of an empty folder: the marker first, so a crash here leaves a folder still ours."""
    meta = out / META
    if not is_own(out):
        atomic_write(meta / "format", lambda handle: handle.write(FORMAT_LINE.encode("utf-8")))
    if not (meta / "current").is_symlink():
        first = meta / "snapshots" / f"{0:08d}"
        for table in tables:
            (first / table).mkdir(parents=True, exist_ok=True)
        _write_manifest(first, 0, {table: {} for table in tables})
        _switch(meta, 0)
        _flush_switch(meta)


def _remove_snapshot(folder: Path, tables: tuple[str, ...]) -> None:
    """Remove provnews's own files only; whatever else is there stays (and so does its folder)."""
    for table in tables:
        sub = folder / table
        if sub.is_dir():
            for path in sub.iterdir():
                if path.name.startswith("part-") and path.name.endswith((".parquet", ".parquet.tmp")):
                    path.unlink(missing_ok=True)
            _rmdir_if_empty(sub)
    (folder / MANIFEST).unlink(missing_ok=True)
    _rmdir_if_empty(folder)


def _rmdir_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def recover(out: Path, tables: tuple[str, ...]) -> list[Path]:
    """Remove what a crash left: snapshots after the current one (never committed), the
    half-made commit link, and snapshots older than the previous one (no reader needs them)."""
    meta = out / META
    if (meta / "current.new").is_symlink():
        (meta / "current.new").unlink()
    committed = current(out).sequence
    removed = []
    for folder in sorted((meta / "snapshots").iterdir()):
        sequence = _sequence(folder.name)
        if sequence is not None and (sequence > committed or sequence < committed - 1):
            _remove_snapshot(folder, tables)
            removed.append(folder)
    return removed


@contextmanager
def writing(out: Path, tables: tuple[str, ...]) -> Iterator[Snapshot]:
    """Own the folder for one run: one writer, leftovers of a crash removed, the state checked."""
    check_usable(out, tables)
    with ExitStack() as stack:
        try:
            (out / META).mkdir(parents=True, exist_ok=True)
            stack.enter_context(exclusive_lock(out / META / "lock"))
        except Busy:
            raise OutputError(f"{out}: another provnews run is writing these tables; wait for it to finish") from None
        except OSError as exc:
            raise OutputError(f"{out}: cannot write the tables here ({os_reason(exc)})") from None
        try:
            _initialise(out, tables)
            recover(out, tables)
            for table in tables:
                (current(out).folder / table).mkdir(exist_ok=True)  # a table added by a newer version
            _link_tables(out, tables)
        except OSError as exc:
            raise OutputError(f"{out}: cannot write the tables here ({os_reason(exc)})") from None
        yield verify(out, tables)


def commit(out: Path, tables: tuple[str, ...], write_part: PartWriter) -> Snapshot:
    """Stage the next snapshot (committed parts linked, new parts written), then switch to it.

    Call inside `writing(out, ...)`. A failure before the switch (disk full, I/O error) removes
    the staged snapshot and raises WriteError: the tables keep every batch committed before.
    """
    previous = current(out)  # verified once by `writing`; the lock keeps others out since
    sequence = previous.sequence + 1
    staged = out / META / "snapshots" / f"{sequence:08d}"
    name = f"part-{sequence:08d}.parquet"
    parts: dict[str, dict[str, int]] = {}
    try:
        if staged.exists():
            _remove_snapshot(staged, tables)
        for table in tables:
            (staged / table).mkdir(parents=True)
            for part in previous.parts.get(table, {}):
                os.link(previous.folder / table / part, staged / table / part)
            write_part(table, staged / table / name)
            parts[table] = {**previous.parts.get(table, {}), name: (staged / table / name).stat().st_size}
            fsync_path(staged / table)
        _write_manifest(staged, sequence, parts)
        fsync_path(staged)
        _switch(out / META, sequence)  # nothing after this in the `try`: a failure here means not committed
    except OSError as exc:
        _remove_snapshot(staged, tables)
        raise WriteError(f"{out}: writing a batch failed ({os_reason(exc)}); the tables keep the "
                         f"{previous.sequence} batches committed before it: fix the cause and run again "
                         "to continue") from None
    _flush_switch(out / META)
    try:  # the previous snapshot stays for readers that resolved it a moment ago
        for old in (out / META / "snapshots").iterdir():
            number = _sequence(old.name)
            if number is not None and number < sequence - 1:
                _remove_snapshot(old, tables)
    except OSError:
        pass  # removed at the next start (`recover`)
    return current(out)
