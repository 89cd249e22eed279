"""Where the batches run: in this process, in worker processes of this machine, or on the
workers of a Dask cluster. Every engine runs the same two functions of `pipeline.batch` (clean a
partition; extract the articles of it that the committer kept) and hands the results back in
input order; this process decides duplicates and commits, as with one process.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import socket
import sys
import uuid
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from pipeline.batch import Cleaned, clean_partition, extract_articles, extract_kept, processor
from pipeline.dedupe.hashed import SortedHashes
from pipeline.errors import ConfigError, WorkerError
from pipeline.partitions import Partition
from pipeline.settings import ENGINES, Settings

SCHEDULER_VARIABLE = "DASK_SCHEDULER_ADDRESS"
PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent ends
MANAGER_JOIN_SECONDS = 10  # a stop waits at most this long for the process pool's manager thread


class Pending(Protocol):
    def result(self) -> Any: ...


class Engine(Protocol):
    workers: int
    ahead: int  # partitions in flight beyond the one being committed: bounds memory

    def hold(self, held: SortedHashes) -> None:
        """The `raw_hash`es of the inputs the tables hold (given once, before `clean`): they are
        not cleaned again."""

    def clean(self, partitions: Iterable[Partition]) -> Iterator[tuple[Any, Cleaned]]:
        """(a handle to where the cleaned partition is, its articles and errors), in order."""

    def extract(self, handle: Any, cleaned: Cleaned, keep: list[int]) -> Pending:
        """The rows (or an error) of the kept articles of a cleaned partition, to come."""

    def close(self) -> None: ...


class _Done:
    def __init__(self, value: Any):
        self.value = value

    def result(self) -> Any:
        return self.value


class InlineEngine:
    """Everything in this process, one partition after the other."""

    workers, ahead = 1, 0

    def __init__(self, settings: Settings, rules_only: bool):
        self.settings, self.rules_only = settings, rules_only
        self.held: SortedHashes | None = None

    def hold(self, held: SortedHashes) -> None:
        self.held = held

    def clean(self, partitions: Iterable[Partition]) -> Iterator[tuple[Any, Cleaned]]:
        for partition in partitions:  # unsigned: the duplicate check signs the articles it does not hold
            yield None, clean_partition(partition, self.settings, sign=False, held=self.held)

    def extract(self, handle: Any, cleaned: Cleaned, keep: list[int]) -> Pending:
        return _Done(extract_articles([cleaned[i] for i in keep], self.settings, self.rules_only))

    def close(self) -> None:
        pass


def _ordered(submit, items: Iterable[Any], ahead: int) -> Iterator[tuple[Any, Any]]:
    """(pending, its result) for each item, in order, with up to `ahead` more in flight."""
    waiting: deque = deque()
    for item in items:
        waiting.append(submit(item))
        if len(waiting) > ahead:
            pending = waiting.popleft()
            yield pending, pending.result()
    while waiting:
        pending = waiting.popleft()
        yield pending, pending.result()


class _PoolResult:
    """A worker's future: a worker that died (killed, out of memory) is one clear error, where a
    multiprocessing.Pool would wait for its result for ever."""

    def __init__(self, future: Future):
        self._future = future

    def result(self) -> Any:
        try:
            return self._future.result()
        except BrokenProcessPool:
            raise WorkerError("a worker process died (killed, or out of memory?); the batches committed "
                              "before are intact: run again to go on") from None


def _warm(settings: Settings, rules_only: bool) -> None:
    processor(settings, rules_only)


_HELD: list[SortedHashes | None] = [None]  # in a worker process: the inputs the tables hold


def _start_worker(settings: Settings, rules_only: bool, parent: int, held: SortedHashes | None = None) -> None:
    _exit_with_parent(parent)
    _HELD[0] = held  # sent once a worker, not with every partition
    _warm(settings, rules_only)


def _clean_in_worker(partition: Partition, settings: Settings) -> Cleaned:
    return clean_partition(partition, settings, held=_HELD[0])


def _exit_with_parent(parent: int) -> None:
    """A worker ends when the run that started it ends, however it ends (SIGTERM, SIGKILL): left
    alone it would wait forever to hand in a batch nobody commits (Linux: PR_SET_PDEATHSIG)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the run was gone before the request took effect
        os._exit(1)


class ProcessEngine:
    """Worker processes of this machine, each with its own pipeline (forked from this process
    when the system can, so they start with the pipeline it loaded). This process only hands
    out partitions, keeps or drops duplicates and commits: it does not compete with them."""

    def __init__(self, settings: Settings, rules_only: bool, workers: int):
        self.settings, self.rules_only, self.workers = settings, rules_only, workers
        self.ahead = 2 * workers
        self._pool: ProcessPoolExecutor | None = None
        self._held: SortedHashes | None = None

    def hold(self, held: SortedHashes) -> None:
        if self._pool is not None:
            raise RuntimeError("hold() comes before the first partition: the workers are given it as they start")
        self._held = held

    @property
    def pool(self) -> ProcessPoolExecutor:
        """Started at the first partition, so that each worker is given the inputs the tables
        hold once, when it starts."""
        if self._pool is None:
            fork = "fork" in multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if fork else "spawn")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_start_worker,
                                             initargs=(self.settings, self.rules_only, os.getpid(), self._held))
        return self._pool

    def _submit(self, function, *args) -> _PoolResult:
        try:
            return _PoolResult(self.pool.submit(function, *args))
        except BrokenProcessPool as exc:  # known broken already: the same error, when its result is asked
            failed: Future = Future()
            failed.set_exception(exc)
            return _PoolResult(failed)

    def clean(self, partitions: Iterable[Partition]) -> Iterator[tuple[Any, Cleaned]]:
        def submit(partition: Partition) -> _PoolResult:
            return self._submit(_clean_in_worker, partition, self.settings)
        for _, cleaned in _ordered(submit, partitions, self.ahead):
            yield None, cleaned

    def extract(self, handle: Any, cleaned: Cleaned, keep: list[int]) -> Pending:
        articles = [cleaned[i] for i in keep]
        return self._submit(extract_articles, articles, self.settings, self.rules_only)

    def close(self) -> None:
        # Stop at once (an error or Ctrl-C: nothing more will be committed). The executor has no
        # public way to end running tasks, so its processes are terminated by hand.
        if self._pool is None:
            return  # no partition was handed out: no worker was started
        pool = self._pool
        processes = list((getattr(pool, "_processes", None) or {}).values())
        # taken before `shutdown`, which drops the executor's references to them
        manager = getattr(pool, "_executor_manager_thread", None)
        calls = getattr(pool, "_call_queue", None)
        pool.shutdown(wait=False, cancel_futures=True)
        if calls is not None:  # tasks queued for workers about to end need not be flushed to them:
            calls.cancel_join_thread()  # the manager thread would wait on a pipe nobody reads
        for process in processes:
            process.terminate()
        for process in processes:
            process.join()
        # The executor's manager thread closes its wake-up pipe as it ends; if that happens while
        # the interpreter's exit hook wakes it (Python 3.11 takes no lock there), the exit prints
        # an "OSError: Bad file descriptor" traceback after the run's last line. Seen once in CI
        # on a SIGTERM stop; waiting here for the thread, whose workers are gone, closes the race.
        # (Until 2026-12-01 the thread was looked up after `shutdown`, which had already let go
        # of it, so nothing was waited for and the race showed again in CI.)
        if manager is not None:
            manager.join(MANAGER_JOIN_SECONDS)


class DaskEngine:
    """The workers of a Dask cluster (`dask.distributed`): a scheduler at `address`, or a
    LocalCluster of one single-threaded worker process per core. A worker reads its own
    partitions (files and byte ranges, so the scheduler never holds the texts), keeps the cleaned
    partition where it is, and extracts the articles the committer keeps from it there; results
    come straight from the workers (`direct_to_workers`)."""

    def __init__(self, settings: Settings, rules_only: bool, address: str | None, workers: int | None = None):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ConfigError("--engine dask needs Dask: pip install 'provnews[dask]'") from None
        self.settings, self.rules_only = settings, rules_only
        self.cluster = self.client = self.held_plugin = None
        try:
            if address:
                _check_reachable(address)
                self.client = Client(address, direct_to_workers=True, timeout="30s")
        except (OSError, TimeoutError, ValueError) as exc:
            self.close()
            raise ConfigError(f"Dask scheduler {address!r} cannot be reached ({exc}); start one with "
                              "`dask scheduler` or leave --scheduler out for a cluster on this machine") from None
        try:
            if not address:
                import dask

                # The workers' statistical profiler samples the task thread every 10 ms, for a
                # dashboard nobody looks at here; and Dask's MALLOC_TRIM_THRESHOLD_ turns off
                # glibc's adaptive mmap threshold, so the model's arrays are mapped and zeroed
                # afresh each time (measured: 9% slower). The thread limits stay.
                environ = {k: v for k, v in dask.config.get("distributed.nanny.pre-spawn-environ").items()
                           if k != "MALLOC_TRIM_THRESHOLD_"}
                # Workers forked from this process once it has loaded the pipeline, as the local
                # engine's: a spawned worker imports spaCy and loads the model afresh (5-8 s of
                # start-up for two workers on two cores, against under a second forked).
                fork = "fork" in multiprocessing.get_all_start_methods()
                if fork:
                    processor(settings, rules_only)
                with dask.config.set({"distributed.worker.profile.enabled": False,
                                      "distributed.nanny.pre-spawn-environ": environ,
                                      "distributed.worker.multiprocessing-method": "fork" if fork else "spawn"}):
                    self.cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                                processes=True, dashboard_address=None)
                self.client = Client(self.cluster, direct_to_workers=True)
        except (OSError, TimeoutError, ValueError, RuntimeError) as exc:
            self.close()
            raise ConfigError(f"a Dask cluster could not be started on this machine ({exc}); start one with "
                              "`dask scheduler` and `dask worker`, and give its address with --scheduler") from None
        self.workers = max(1, sum(self.client.nthreads().values()))
        self.ahead = 2 * self.workers
        try:  # every worker loads the pipeline now, all at once: a missing model is a usage error here
            self.client.run(_warm, settings, rules_only)
        except BaseException:
            self.close()
            raise

    def hold(self, held: SortedHashes) -> None:
        if len(held):  # on every worker once, and on any that joins or restarts: a worker plugin
            from pipeline.dask_held import HeldInputs

            self.held_plugin = f"provnews-held-{uuid.uuid4().hex}"
            self.client.register_plugin(HeldInputs(self.held_plugin, held), name=self.held_plugin)

    def clean(self, partitions: Iterable[Partition]) -> Iterator[tuple[Any, Cleaned]]:
        def submit(partition: Partition):
            from pipeline.dask_held import clean_held_partition

            return self.client.submit(clean_held_partition, partition, self.settings, self.held_plugin, pure=False)
        yield from _ordered(submit, partitions, self.ahead)

    def extract(self, handle: Any, cleaned: Cleaned, keep: list[int]) -> Pending:
        # The cleaned partition stays on its worker: the task runs there, with the indices only.
        return self.client.submit(extract_kept, handle, keep, self.settings, self.rules_only, pure=False)

    def close(self) -> None:
        if self.client is not None:
            if self.held_plugin is not None:  # a shared cluster forgets this run's hashes
                try:
                    self.client.unregister_worker_plugin(self.held_plugin)
                except Exception:  # the cluster is gone or going: nothing of this run to keep
                    pass
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _check_reachable(address: str) -> None:
    """A TCP scheduler that refuses connections is said at once (Dask would retry for 30 s)."""
    if address.startswith("tcp://"):
        host, _, port = address[len("tcp://"):].rpartition(":")
        with socket.create_connection((host.strip("[]"), int(port)), timeout=5):
            pass


def make_engine(name: str, settings: Settings, rules_only: bool, scheduler: str | None = None) -> Engine:
    """`local`: this process (n_process 1) or that many worker processes (0: one per core);
    `dask`: the Dask scheduler at `scheduler` (or $DASK_SCHEDULER_ADDRESS), else a LocalCluster."""
    if name == "dask":
        workers = settings.nlp.n_process if settings.nlp.n_process > 1 else None  # a LocalCluster's size
        return DaskEngine(settings, rules_only, scheduler or os.environ.get(SCHEDULER_VARIABLE) or None, workers)
    if name != "local":
        raise ConfigError(f"engine {name!r} is not one of: {', '.join(ENGINES)}")
    workers = settings.nlp.n_process or os.cpu_count() or 1
    return InlineEngine(settings, rules_only) if workers == 1 else ProcessEngine(settings, rules_only, workers)
