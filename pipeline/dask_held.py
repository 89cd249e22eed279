"""The inputs a run's tables hold, on every Dask worker of the run: a worker plugin, so that a
worker that joins or restarts mid-run (after a crash: Dask reruns its tasks) is given them too,
where scattered data would be lost with the last worker holding it. Imported only by the Dask
engine (it imports `distributed`)."""
from __future__ import annotations

from distributed import WorkerPlugin

from pipeline.batch import Cleaned, clean_partition
from pipeline.dedupe.hashed import SortedHashes
from pipeline.partitions import Partition
from pipeline.settings import Settings

# On a worker: each run's held inputs, by its plugin's name (runs may share a cluster).
HELD_BY_RUN: dict[str, SortedHashes] = {}


class HeldInputs(WorkerPlugin):
    def __init__(self, name: str, held: SortedHashes):
        self.name, self.held = name, held

    def setup(self, worker) -> None:
        HELD_BY_RUN[self.name] = self.held

    def teardown(self, worker) -> None:
        HELD_BY_RUN.pop(self.name, None)


def clean_held_partition(partition: Partition, settings: Settings, run: str | None) -> Cleaned:
    """`clean_partition` on a worker, the inputs the run's tables hold left uncleaned."""
    return clean_partition(partition, settings, held=HELD_BY_RUN.get(run) if run else None)
