"""A progress bar for `provnews run` on a terminal (tqdm): records done / total when the input
tells it without being read, records per second, errors. Off when stderr is not a terminal
(logs, pipes, tests): then lines go to the reporter as before.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pipeline.partitions import Partition
from pipeline.records import ErrorRecord


class Progress:
    def __init__(self, partitions: Iterable[Partition], enabled: bool | None,
                 report: Callable[[str], None] | None, failed: Callable[[], int] = lambda: 0,
                 known: Callable[[], int] = lambda: 0):
        self.report = report
        self.failed = failed  # inputs that failed so far
        self.known = known  # records already in the tables so far: done, though they yield no item
        self._known_counted = 0
        self.bar = None
        self.partitions: Iterable[Partition] = partitions
        if enabled is None:
            enabled = sys.stderr.isatty()
        if enabled:
            from tqdm import tqdm

            planned = list(partitions)  # small descriptions, not texts: the total is known up front
            counts = [p.records for p in planned]
            total = None if any(c is None for c in counts) else sum(counts)
            self.partitions = planned
            self.bar = tqdm(total=total, unit=" articles", desc="provnews", file=sys.stderr, dynamic_ncols=True)
            self.bar.set_postfix(errors=0)

    def counted(self, items: Iterator[Any]) -> Iterator[Any]:
        """The items, counted on the bar as they come: an input record each (an error too)."""
        for item in items:
            if self.bar is not None:
                if isinstance(item, ErrorRecord) or (isinstance(item, tuple) and isinstance(item[1], ErrorRecord)):
                    self.bar.set_postfix(errors=self.failed(), refresh=False)
                self.bar.update(1 + self._newly_known())
            yield item
        if self.bar is not None:
            self.bar.update(self._newly_known())

    def _newly_known(self) -> int:
        known = self.known()
        new, self._known_counted = known - self._known_counted, known
        return new

    def say(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line, file=sys.stderr)
        elif self.report is not None:
            self.report(line)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self.bar is not None:
            self.bar.close()
