"""The batch build on a Dask cluster (``qbank build ... --executor dask [--address ...]``).

Why Dask (``distributed``) rather than Ray: it is pure Python (dask and distributed ≈25 MB
installed, ``import distributed`` ≈0.3 s, where Ray is a ≈80 MB wheel of its own
binaries), a local cluster is a few processes on loopback that start in seconds, and it
has every piece the build needs: worker plugins (a worker prepared once, whatever it
runs), a scheduler that runs a task again elsewhere when its worker dies
(``distributed.scheduler.allowed-failures``, 3 by default: then ``KilledWorker``, which
the build reports as the source's error), and futures that bring back values, not files.

Each source is one task (a large scan's pages more, :mod:`qbank.batch`), its records and
pictures its value; the driver merges them and writes the corpus exactly as a local
build does. Workers read inputs by their absolute path, so on a real cluster the inputs
must be where the workers see them at that path (a shared or mounted file system); the
corpus, the cache and the media never leave the driver's machine.

Without ``address`` a local cluster of ``workers`` processes (one thread each, on
127.0.0.1, no dashboard) is started for the build (at its first task: a build served
from its cache starts none) and stopped after it.
"""
from __future__ import annotations

import itertools
import logging
import uuid
from collections.abc import Callable, Hashable
from typing import Any

from distributed import Client, LocalCluster, WorkerPlugin, as_completed

from ingest.ocr_pool import default_jobs, signals_deferred
from qbank.executors import Executor, ExecutorError, TaskLost

#: seconds to reach a scheduler given by ``--address``
CONNECT_TIMEOUT = 20
#: tasks a local cluster's scheduler sends a worker per thread, the rest waiting in the
#: scheduler for the first worker free (Dask's default, 1.1, sends 2 to a 1-thread
#: worker): a task sent ahead waits behind whatever its worker runs, and a source's
#: cost is not known before it is read (bench_parallel.py: an OCR task queued behind a
#: 2.5 s scan while the other worker went idle, 0.4 s at the end of the build)
WORKER_SATURATION = 1.0
#: Dask settings of a local cluster (a remote one keeps its own): the saturation above,
#: and none of the periodic work that serves a dashboard or a long-lived cluster, which
#: ran beside the tasks in every process: a profiler sampling each task's stack every
#: 10 ms, the event loops' 20 ms watchdog tick, the nannies' 100 ms memory polls, and
#: work stealing (the scheduler holds the queue: nothing waits on a worker to steal).
#: With them bench_parallel.py's Dask build took 3 % longer (median of 6 pairs).
LOCAL_CLUSTER_CONFIG = {"distributed.scheduler.worker-saturation": WORKER_SATURATION,
                        "distributed.worker.profile.enabled": False,
                        "distributed.admin.tick.interval": "500ms",
                        "distributed.worker.memory.monitor-interval": "1s",
                        "distributed.scheduler.work-stealing": False}


class _WorkerSetup(WorkerPlugin):
    """A Dask worker plugin: prepares each worker once, when it joins (or is restarted
    after dying), before it runs a task."""

    name = "qbank-worker-setup"

    def __init__(self, initializer: Callable[[], Any] | None) -> None:
        self.initializer = initializer

    def setup(self, worker: Any) -> None:
        if self.initializer is not None:
            self.initializer()

    def teardown(self, worker: Any) -> None:
        """The worker is closing, its process exits next: what it holds is frozen out of
        the garbage collector (see :func:`qbank.cli.run`). A local cluster's stop took
        0.55 s after bench_parallel.py's build, most of it two interpreters' last
        collections."""
        import gc

        gc.freeze()


def _code() -> str:
    from qbank.cache_key import code_fingerprint

    return code_fingerprint()


class DaskExecutor(Executor):
    """Tasks on a Dask cluster: a local one of ``workers`` processes, or the scheduler at
    ``address`` (its workers then decide how many run at once)."""

    name = "dask"
    #: a hand-off goes through the scheduler, a round trip each way: with 2 a worker, the
    #: 200 documents of bench_parallel.py took 9.9 s, with 8 9.1 s (16: no better)
    ahead = 8

    def __init__(self, workers: int | None = None, address: str | None = None,
                 initializer: Callable[[], Any] | None = None) -> None:
        self.workers = max(1, workers or default_jobs())
        self.address = address
        self._initializer = initializer
        self._client: Any = None
        self._cluster: Any = None
        self._futures: dict[Any, Hashable] = {}
        self._finished: Any = None
        self._names = itertools.count()
        self._prefix = f"qbank-{uuid.uuid4().hex[:12]}"

    def _start(self) -> None:
        """Start (or reach) the cluster: at the first task, so that a build served from its
        cache starts none."""
        for name in ("distributed", "tornado"):  # its warnings are no part of a build's stderr
            logging.getLogger(name).setLevel(logging.CRITICAL)
        try:
            if self.address:
                self._client = Client(self.address, timeout=CONNECT_TIMEOUT)
            else:
                import dask

                with dask.config.set(LOCAL_CLUSTER_CONFIG):
                    # each worker prepared as it starts, both at once (and again if its
                    # nanny restarts it), not after the cluster is up
                    self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                                 host="127.0.0.1", dashboard_address=None,
                                                 silence_logs=logging.CRITICAL,
                                                 plugins={_WorkerSetup(self._initializer)})
                self._client = Client(self._cluster)
            if self.address:
                self._client.register_plugin(_WorkerSetup(self._initializer), name=_WorkerSetup.name)
            self._check_code()
        except ExecutorError:
            self.close(failed=True)
            raise
        except Exception as exc:  # OSError, TimeoutError, a scheduler that says no
            self.close(failed=True)
            where = f"the Dask scheduler at {self.address}" if self.address else "a local Dask cluster"
            raise ExecutorError(f"cannot start on {where}: {type(exc).__name__}: {exc}") from None
        if self.address:
            self.workers = max(1, len(self._client.scheduler_info()["workers"]))
        self._finished = as_completed(with_results=True, raise_errors=False)

    def _check_code(self) -> None:
        """Every worker must run this qbank (same code hash): other code could extract
        other records, and the corpus would depend on which worker read what."""
        mine = _code()
        for worker, theirs in sorted(self._client.run(_code).items()):
            if theirs != mine:
                raise ExecutorError(f"Dask worker {worker} runs other qbank code: install this "
                                    "qbank on every worker")

    def submit(self, key: Hashable, fn: Callable[..., Any], *args: Any) -> None:
        if self._client is None:
            # a Ctrl-C while Dask imports its config or starts its processes left a
            # half-made cluster that its exit handler fails to close, with tracebacks:
            # it waits until the cluster is up, then stops it whole
            with signals_deferred():
                self._start()
        future = self._client.submit(fn, *args, key=f"{self._prefix}-{next(self._names)}", pure=False)
        self._futures[future] = key
        self._finished.add(future)

    def next_done(self) -> tuple[Hashable, Any]:
        # values fetched by as_completed itself: a Ctrl-C while waiting here leaves no
        # fetch of ours pending in the client's event loop (its AllExit would be logged)
        future, value = next(self._finished)
        key = self._futures.pop(future)
        if isinstance(value, BaseException):  # KilledWorker: its workers died, allowed-failures times
            value = TaskLost(_lost(value))
        future.release()
        return key, value

    def close(self, failed: bool = False) -> None:
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        if client is not None:
            if self._futures:
                client.cancel(list(self._futures))
                self._futures.clear()
            client.close()
        if cluster is not None:
            cluster.close()


def _lost(exc: BaseException) -> str:
    if type(exc).__name__ == "KilledWorker":
        return "its Dask workers died while reading it, as many times as the scheduler allows"
    return f"internal error on a Dask worker: {type(exc).__name__}: {exc}"
