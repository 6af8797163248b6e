"""Where the tasks of a batch build run: one contract, one class per engine.

A build hands its executor tasks (a module-level function and picklable arguments, each
under a key of its own) and takes back, one at a time, the value each task returned, in
whatever order they finish: :mod:`qbank.batch` puts them back in input order. Tasks never
raise (a failing source is a result with an error); an executor that cannot run a task
returns :class:`TaskLost` for it, and the batch goes on.

* :class:`SerialExecutor` runs each task in this process when it is asked for the next
  result: ``--jobs 1``, and the Python API's default (exactly the build of before
  executors: one source after another, a scanned PDF's pages on the OCR pool of
  :mod:`ingest.ocr_pool`).
* :class:`ProcessExecutor` runs them on a pool of forked worker processes on this machine
  (``--jobs N``, the command line's default: one per core). A worker that dies takes the
  pool down with every task in flight; those tasks are run again, one at a time, so that
  the one that killed it is known: it gets :data:`CRASHES` tries alone, then
  :class:`TaskLost`. The others build.
* ``DaskExecutor`` (:mod:`qbank.executor_dask`) runs them on a Dask cluster, local or
  remote (``--executor dask [--address ...]``).

Each worker process is prepared once (``initializer``: langdetect's profiles; the
Korean corrector and Tesseract's engines are kept by their modules for the life of the
process once a source needs them), never once per task.
"""
from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections import Counter, deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

# the pool's modules (≈10 ms) are imported when a pool is made: a build served from its
# cache makes none

#: Times a task may kill its worker while it runs alone before it is given up.
CRASHES = 2

#: Held by a thread of the driver whose work must not be copied half-done into a forked
#: worker (the enrichment's warm-up, :func:`qbank.enrich.warm_up_in_background`: a fork
#: while it imports spaCy would leave the worker an import lock no thread of it holds);
#: :class:`ProcessExecutor` takes it to fork.
FORK_LOCK = threading.Lock()

EXECUTORS = ("local", "dask")


class ExecutorError(Exception):
    """The executor cannot run at all (Dask missing, a scheduler out of reach, workers
    running other qbank code). One line."""


@dataclass(frozen=True)
class TaskLost:
    """The value of a task that could not be run: why, in words."""

    reason: str


class Executor(ABC):
    """Runs tasks; hands back their values as they finish. A context manager: entering
    starts the engine, leaving stops it, at once (its workers terminated) when leaving on
    an exception (Ctrl-C)."""

    #: the engine's name, as ``--executor`` spells it
    name = "serial"
    #: processes that run tasks at once (the build keeps about this many busy)
    workers = 1
    #: sources a build keeps out per worker: one running and one queued behind it, so a
    #: worker never waits for the next while a result travels back
    ahead = 2
    #: tasks run in this process: they can report progress as they go, and an OCR pool
    #: of their own spreads a scanned PDF's pages
    in_process = False

    def __enter__(self) -> "Executor":
        return self

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        self.close(failed=exc_type is not None)

    def for_sources(self, count: int) -> "Executor":
        """The executor to read ``count`` sources with: this one, or a cheaper one that
        does as well (one source needs no pool of processes)."""
        return self

    @abstractmethod
    def submit(self, key: Hashable, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` under ``key`` (unique among the tasks not returned yet)."""

    @abstractmethod
    def next_done(self) -> tuple[Hashable, Any]:
        """(key, value) of a finished task, waiting for one if need be; the value is
        :class:`TaskLost` when the task could not be run."""

    def close(self, failed: bool = False) -> None:
        """Stop the engine (``failed``: now, without waiting for tasks)."""


class SerialExecutor(Executor):
    """Each task in this process, when its result is asked for, in submission order."""

    name = "serial"
    in_process = True

    def __init__(self) -> None:
        self._queue: deque[tuple[Hashable, Callable[..., Any], tuple]] = deque()

    def submit(self, key: Hashable, fn: Callable[..., Any], *args: Any) -> None:
        self._queue.append((key, fn, args))

    def next_done(self) -> tuple[Hashable, Any]:
        key, fn, args = self._queue.popleft()
        return key, fn(*args)


def _start_worker(initializer: Callable[[], Any] | None, parent: int) -> None:
    from ingest.ocr_pool import worker_signals

    worker_signals(parent)
    if initializer is not None:
        initializer()


class ProcessExecutor(Executor):
    """A pool of ``workers`` forked processes on this machine.

    Forked, not spawned: a worker starts in milliseconds with the modules this process
    has imported (a spawned one imports qbank again, ≈1 s), and the tests' stand-ins for
    slow or broken readers reach it. Signals are deferred while it forks
    (:func:`ingest.ocr_pool.signals_deferred`) and the workers ignore Ctrl-C: the build
    stops them (:func:`ingest.ocr_pool.terminate`, also on a worker's death).

    **A worker that dies** (killed, out of memory, a crash in a C library) breaks the
    whole pool: Python fails every task in flight alike, so which one killed it is not
    known. Those tasks become suspects, run again one at a time in a new pool while the
    tasks submitted meanwhile wait; a suspect that finishes clears itself, one that kills
    its worker alone :data:`CRASHES` times is :class:`TaskLost`. A worker killed from
    outside thus costs a short serial stretch, a file that crashes its reader costs that
    file alone."""

    name = "local"

    def __init__(self, workers: int | None = None, initializer: Callable[[], Any] | None = None) -> None:
        from ingest.ocr_pool import default_jobs

        self.workers = max(1, workers or default_jobs())
        self._initializer = initializer
        self._pool: Any = None  # a ProcessPoolExecutor, made for the first task
        self._forked = False
        self._tasks: dict[Hashable, tuple[Callable[..., Any], tuple]] = {}
        self._running: dict[Any, Hashable] = {}  # future -> key
        self._waiting: deque[Hashable] = deque()
        self._suspects: deque[Hashable] = deque()
        self._crashes: Counter = Counter()
        self._done: deque[tuple[Hashable, Any]] = deque()
        #: pools replaced after a worker died
        self.restarts = 0

    def for_sources(self, count: int) -> Executor:
        if count <= 1:  # its scan's pages still spread, over the OCR pool of ingest.ocr_pool
            return SerialExecutor()
        if self._pool is None:  # no more workers than sources (all are forked at once)
            self.workers = min(self.workers, count)
        return self

    def submit(self, key: Hashable, fn: Callable[..., Any], *args: Any) -> None:
        self._tasks[key] = (fn, args)
        if self._suspects:
            self._waiting.append(key)
        else:
            self._start(key)

    def _start(self, key: Hashable) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from ingest.ocr_pool import heap_frozen, signals_deferred

        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, multiprocessing.get_context("fork"),
                                             initializer=_start_worker, initargs=(self._initializer, os.getpid()))
            self._forked = False
        fn, args = self._tasks[key]
        if self._forked:
            future = self._pool.submit(fn, *args)
        else:  # the first task forks every worker: see ocr_pool.signals_deferred, FORK_LOCK
            with FORK_LOCK, signals_deferred(), heap_frozen():
                future = self._pool.submit(fn, *args)
            self._forked = True
        self._running[future] = key

    def next_done(self) -> tuple[Hashable, Any]:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        while not self._done:
            if not self._running:
                raise RuntimeError("next_done: no task submitted")
            finished, _ = wait(self._running, return_when=FIRST_COMPLETED)
            broken = False
            for future in finished:
                key = self._running.pop(future)
                try:
                    value = future.result()
                except BrokenProcessPool:
                    self._running[future] = key  # with the others in flight, below
                    broken = True
                    continue
                except Exception as exc:  # the task's arguments or value did not pickle
                    value = TaskLost(f"internal error: {type(exc).__name__}: {exc}")
                self._finish(key, value)
            if broken:
                self._recover()
        return self._done.popleft()

    def _finish(self, key: Hashable, value: Any) -> None:
        if self._settle(key, value):
            self._next()  # the suspect that ran alone is cleared

    def _settle(self, key: Hashable, value: Any) -> bool:
        """Hand ``value`` back; True when ``key`` was the suspect running alone."""
        del self._tasks[key]
        self._done.append((key, value))
        if self._suspects and self._suspects[0] == key:
            self._suspects.popleft()
            return True
        return False

    def _next(self) -> None:
        """Nothing is running: start the next suspect alone or, none left, every task
        that waited."""
        if self._suspects:
            self._start(self._suspects[0])
        else:
            while self._waiting:
                self._start(self._waiting.popleft())

    def _recover(self) -> None:
        """A worker died: a new pool; the tasks in flight are suspects, and a suspect
        that was running alone is charged with it."""
        from ingest.ocr_pool import terminate

        running, self._running = self._running, {}
        terminate(self._pool)
        self._pool = None
        self.restarts += 1
        lost = []
        for future, key in running.items():  # some may have finished before the death
            if future.done() and not future.exception():
                self._settle(key, future.result())
            else:
                lost.append(key)
        if lost and self._suspects:  # it ran alone: it is the cause
            key = self._suspects[0]
            self._crashes[key] += 1
            if self._crashes[key] >= CRASHES:
                self._settle(key, TaskLost(f"its worker process died {CRASHES} times reading it alone "
                                           "(a crash in a reader, or out of memory)"))
        else:
            self._suspects.extend(lost)
        self._next()

    def close(self, failed: bool = False) -> None:
        from ingest.ocr_pool import terminate

        pool, self._pool = self._pool, None
        if pool is None:
            return
        if failed or self._running:
            terminate(pool)
        else:
            pool.shutdown()


def make_executor(name: str = "local", jobs: int | None = None, address: str | None = None,
                  initializer: Callable[[], Any] | None = None) -> Executor:
    """The executor ``qbank build`` asks for: ``local`` with ``jobs`` processes (one per
    core when None; 1: :class:`SerialExecutor`, no pool at all), or ``dask`` (a local
    cluster of ``jobs`` workers, or the scheduler at ``address``)."""
    if name == "dask" or address:
        try:
            from qbank.executor_dask import DaskExecutor
        except ImportError:
            raise ExecutorError("--executor dask needs Dask: pip install 'qbank[cluster]'") from None
        return DaskExecutor(jobs, address, initializer)
    if name != "local":
        raise ExecutorError(f"unknown executor {name!r} (one of: {', '.join(EXECUTORS)})")
    from ingest.ocr_pool import default_jobs

    workers = jobs or default_jobs()
    return SerialExecutor() if workers <= 1 else ProcessExecutor(workers, initializer)
