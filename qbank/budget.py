"""Time budgets and interrupts of a build.

Each source has a time budget (``Limits.timeout_per_source``): ``signal.setitimer`` arms
``SIGALRM`` in the main thread and its handler raises :class:`SourceTimeout` wherever the
source's code is, which :func:`process_source` turns into the source's one-line error. In
process, on purpose: a worker process per source would re-import kiwipiepy and reload its
model (≈3 s, ≈0.5 GB) for every source, and hand every Document across a pipe. The
handler first stops the worker processes started since the source began (the OCR pool of
a scanned PDF; ``ProcessPoolExecutor.__exit__`` alone would wait for the pages already
queued). The exception is a BaseException, past readers' ``except Exception``; a library's
bare ``except:`` may still swallow it (langdetect's profile loader does), so the alarm
repeats and a source that ran on past its budget is reported stopped all the same.
Ctrl-C works alike for the whole build (``KeyboardInterrupt``, raised again after the
source if swallowed; the temp folder is removed, the corpus folder left as it was).

Sources read by workers (:mod:`qbank.executors`) keep their budget there: a local pool's
worker runs each task in its main thread, where the alarm works as above; a Dask worker
runs tasks in a thread of its own, where no signal arrives, so there a watcher thread
raises the timeout in the task's thread (:func:`_thread_budget`).
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any


class SourceTimeout(BaseException):
    """A source ran past ``--timeout-per-source``. A BaseException, like
    KeyboardInterrupt: readers' ``except Exception`` (one bad page must not sink a
    document) must not swallow it."""

    def __init__(self, seconds: float):
        super().__init__(seconds)
        self.seconds = seconds


def _child_pids() -> set[int]:
    import multiprocessing

    return {child.pid for child in multiprocessing.active_children()}


def _stop_children(before: set[int]) -> None:
    """Terminate the worker processes started since ``before`` (an OCR pool)."""
    import multiprocessing

    started = [child for child in multiprocessing.active_children() if child.pid not in before]
    for child in started:
        try:
            child.terminate()
        except OSError:
            pass
    deadline = time.monotonic() + 2.0
    for child in started:
        child.join(max(0.0, deadline - time.monotonic()))


@contextlib.contextmanager
def _quiet_broken_pool() -> Iterator[None]:
    """Silence one known CPython race while workers are stopped: the pool's manager
    thread sets an exception on futures ``Executor.map`` already cancelled and dies with
    InvalidStateError (gh-107219, fixed in later Pythons) — a traceback on stderr for
    nothing lost."""
    from concurrent.futures import InvalidStateError

    previous = threading.excepthook

    def hook(args: Any) -> None:
        if issubclass(args.exc_type, InvalidStateError) and "ExecutorManager" in type(args.thread).__name__:
            return
        previous(args)

    threading.excepthook = hook
    try:
        yield
    finally:
        threading.excepthook = previous


def in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")


#: seconds between repeats of an expired budget's SIGALRM (while the source has not stopped)
_TIMEOUT_RETRY = 2.0


@contextlib.contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Raise :class:`SourceTimeout` in this thread after ``seconds`` (no-op for 0): by
    ``SIGALRM`` in the main thread, by :func:`_thread_budget` in any other."""
    if not seconds or seconds <= 0:
        yield
        return
    if not in_main_thread():
        with _thread_budget(seconds):
            yield
        return
    before = _child_pids()
    owner = os.getpid()
    expired = False

    def expire(signum: int, frame: Any) -> None:
        nonlocal expired
        if os.getpid() != owner:  # a forked worker inherited the handler
            return
        expired = True
        _stop_children(before)
        raise SourceTimeout(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    started = time.monotonic()
    # then again every RETRY seconds: a library's bare ``except:`` may swallow the first
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds, _TIMEOUT_RETRY)
    try:
        with _quiet_broken_pool():
            yield
        if expired:  # swallowed, and the source ran on: it is still over its budget
            raise SourceTimeout(seconds)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # someone else's timer was running: give it back what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 0.001))


@contextlib.contextmanager
def _thread_budget(seconds: float) -> Iterator[None]:
    """:func:`time_budget` for a thread other than the main one (a Dask worker runs its
    tasks in one, where no signal arrives): a watcher thread raises the timeout in it with
    ``PyThreadState_SetAsyncExc``, again every :data:`_TIMEOUT_RETRY` seconds while it runs
    on, as the alarm does. The exception lands at the thread's next Python instruction, so
    a C call (a Tesseract page, a second or two) finishes first. The watcher only raises
    under ``lock`` while the block runs, and leaving the block clears one still pending,
    so none lands after it."""
    target = threading.get_ident()
    raise_async = ctypes.pythonapi.PyThreadState_SetAsyncExc
    # the exception is raised as a class, without arguments: one that knows its seconds
    timeout = type("SourceTimeout", (SourceTimeout,), {"__init__": lambda self: SourceTimeout.__init__(self, seconds)})
    lock = threading.Lock()
    done = threading.Event()
    expired = False

    def watch() -> None:
        nonlocal expired
        wait = seconds
        while not done.wait(wait):
            with lock:
                if done.is_set():
                    return
                expired = True
                raise_async(ctypes.c_ulong(target), ctypes.py_object(timeout))
            wait = _TIMEOUT_RETRY

    watcher = threading.Thread(target=watch, name="qbank-time-budget", daemon=True)
    watcher.start()
    try:
        yield
        if expired:  # swallowed, and the source ran on: it is still over its budget
            raise SourceTimeout(seconds)
    finally:
        while True:  # a timeout landing while the watcher is stopped: stop it again
            try:
                with lock:
                    done.set()
                    raise_async(ctypes.c_ulong(target), None)  # clears one pending
                break
            except SourceTimeout:
                continue


class Interrupts:
    """Ctrl-C during a build: stop the OCR workers started by it and raise
    KeyboardInterrupt in the main thread, except while the corpus is being switched in
    (milliseconds), when it waits until the switch is done."""

    def __init__(self) -> None:
        self.deferred = False
        self.pending = False
        self._owner = os.getpid()
        self._before: set[int] = set()
        self._previous: Any = None

    def __enter__(self) -> "Interrupts":
        if in_main_thread():
            self._before = _child_pids()
            self._previous = signal.signal(signal.SIGINT, self._handle)
        self._quiet = _quiet_broken_pool()
        self._quiet.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._quiet.__exit__(None, None, None)
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)

    def _handle(self, signum: int, frame: Any) -> None:
        if os.getpid() != self._owner:  # a forked OCR worker: the build stops it
            return
        self.pending = True
        if self.deferred:
            return
        _stop_children(self._before)
        raise KeyboardInterrupt

    def check(self) -> None:
        """Raise the Ctrl-C a library swallowed (langdetect's profile loader turns any
        exception, KeyboardInterrupt too, into its own, which its caller catches)."""
        if self.pending and not self.deferred:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def defer(self) -> Iterator[None]:
        self.deferred = True
        try:
            yield
        finally:
            self.deferred = False
