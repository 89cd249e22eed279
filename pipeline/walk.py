"""Input folders → the files in them, following symbolic links, each real folder read once.

`Path.rglob` (Python < 3.13) does not enter linked folders and drops broken links without a
word; a user who links an archive into an input folder expects it read. Every file or folder
that cannot be read is reported, so a run never ends with 0 articles and no reason.
"""
from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from pipeline.commits import META
from pipeline.records import ErrorRecord
from pipeline.fsutil import os_reason


def _hidden(name: str) -> bool:
    return name.startswith(".")


def holds_tables(folder: Path) -> bool:
    """A folder of provnews tables (an `--out`): output of a run, never input of one."""
    return (folder / META).is_dir()


def _file_problem(path: Path) -> str | None:
    """Why this entry is not a readable file, or None when it is one."""
    try:
        mode = path.stat().st_mode  # follows links
    except FileNotFoundError:
        return f"broken symbolic link (to {os.readlink(path)!r}, which does not exist)"
    except OSError as exc:
        return f"cannot read ({os_reason(exc)})"
    if not stat.S_ISREG(mode):
        return "not a regular file (a pipe, socket or device)"
    return None


def walk_folder(folder: Path, read_whole: Callable[[Path], bool] = lambda _: False) -> Iterator[Path | ErrorRecord]:
    """Files under `folder` in name order (hidden ones skipped), then the problems met. A folder
    for which `read_whole` holds (a raw store) is one item, its own files not walked."""
    files: list[Path] = []
    problems: list[ErrorRecord] = []
    seen: set[tuple[int, int]] = set()

    def unreadable(exc: OSError) -> None:
        problems.append(ErrorRecord(str(exc.filename), "read", f"cannot read folder ({os_reason(exc)})"))

    for root, dirs, names in os.walk(folder, followlinks=True, onerror=unreadable):
        info = os.stat(root)
        if (info.st_dev, info.st_ino) in seen:  # a link back to a folder already read: no loop
            dirs.clear()
            continue
        seen.add((info.st_dev, info.st_ino))
        if read_whole(Path(root)):
            files.append(Path(root))
            dirs.clear()
            continue
        if holds_tables(Path(root)):  # "--out in/tables": the run's own tables, not articles
            if Path(root) == Path(folder):
                problems.append(ErrorRecord(str(folder), "read", "a folder of provnews tables (an --out), "
                                            "not input: give the articles' files or folder"))
            dirs.clear()
            continue
        dirs[:] = sorted(d for d in dirs if not _hidden(d))
        for name in names:
            if _hidden(name):
                continue
            path = Path(root, name)
            problem = _file_problem(path)
            if problem:
                problems.append(ErrorRecord(str(path), "read", problem))
            else:
                files.append(path)
    if not files and not problems:  # (a tables folder met inside is left out silently)
        problems.append(ErrorRecord(str(folder), "read", "the folder holds no input files"))
    yield from sorted(files)
    yield from problems
