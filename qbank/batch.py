"""Reading a build's sources on any executor, handed back in input order.

:func:`read_sources` gives the :class:`~qbank.pipeline.SourceResult` of every file, in
the order of ``files``, whatever runs the tasks (:mod:`qbank.executors`) and in whatever
order they finish; the build then merges, names and writes them as it always did, so the
corpus is the same bytes for ``--jobs 1``, ``--jobs 8`` and a Dask cluster.

* **A few sources out at once.** At most ``executor.ahead`` sources per worker are being
  read; finished ones wait for their turn. The driver holds records (what the
  corpus needs anyway), never documents: those live in the workers, one a worker at a
  time, so a 10,000-file folder costs the driver its records.
* **The cache stays in the driver** (:mod:`qbank.cache`): lookups before dispatch, only
  misses are sent; results are stored as they come back, with their pictures.
* **Pictures travel with the records.** A worker stores a source's pictures in memory
  (:class:`store.media.MemoryFolder`) and returns them with its result; the driver puts
  them into the corpus (:func:`store.media.put_files`), as for a cached source.
* **The OCR page budget** (``--max-ocr-pages``) is the build's: each source gets what the
  sources before it in input order left, as in a serial build. A source is dispatched
  with what is left by the sources handed back so far (the sources still in flight
  before it can only lower that); when its turn comes the exact allowance is known, and
  its result stands if it was read with that, or if its OCR was not capped and its
  scanned pages fit the allowance (it would have read the same; the cache's own rule,
  :func:`qbank.cache.ocr_fits_budget`). Otherwise it is read again with the allowance,
  alone in its turn. A failed source read with more than its allowance is read again
  too (the pages might have been what failed it), unless it ran out of time.
* **Large scans are split.** Workers read a scan's pages one after another (a pool per
  worker would oversubscribe the cores), so a 200-page scan would keep one worker busy
  while the others idle. A worker that finds more than :data:`SPLIT_OVER` pages to OCR
  hands them back instead (:class:`PagesToOcr`); the driver sends them out
  :data:`PAGES_PER_TASK` a task (:func:`ocr_pages_task`), and when all are back the source
  is read again with them (its text pages again, a fraction of the OCR). Its time budget
  is then the sum of its tasks' times. In this process (``--jobs 1``) nothing is split:
  the OCR pool of :mod:`ingest.ocr_pool` spreads the pages as before.
* **Progress**: the sources bar moves as results are handed back; pages as results and
  OCR tasks come back (page by page when tasks run in this process).
"""
from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from extract.lang import warm_up
from ingest.document import Picture
from ingest.limits import Limits
from ingest.registry import IngestError, read_regular_file
from qbank.budget import SourceTimeout, time_budget
from qbank.cache import SourceCache, ocr_fits_budget
from qbank.executors import Executor, TaskLost
from qbank.extractors import Options
from store.media import MediaSink, MemoryFolder, put_files

#: Sources being read at once, per worker, is the executor's ``ahead`` (a local pool: one
#: running, one queued behind it). Finished ones wait for their turn without limit
#: (records, which the build keeps anyway): with a window over the oldest source not
#: handed back instead (8 sources), a scan at the head kept every other worker idle until
#: it was done (12 scans: 83 % of 2 cores used).
#: A worker hands back a scan with more pages than this to OCR ...
SPLIT_OVER = 2
#: ... and they go out this many a task (a second or two of Tesseract each; a task reads
#: the file again, a fraction of that). Small tasks keep the cores even at the end of a
#: build: bench_parallel.py's folder, whose 3 scans come last, read 0.3 s sooner on 2
#: workers with 2 than with scans kept whole (8 and 4).
PAGES_PER_TASK = 2


# -- tasks: what workers run -----------------------------------------------------------------

@dataclass(frozen=True)
class ReadTask:
    """Read one source (by its absolute path), as ``name``."""

    path: str
    name: str
    options: Options
    media: bool
    #: hand the scanned pages back when there are more than this to OCR (None: never)
    split_over: int | None = None
    #: the source's OCR'd pages (0-based index -> page), read from bytes of ``sha256``
    pictures: dict[int, Picture] | None = None
    sha256: str | None = None


@dataclass
class ReadDone:
    result: Any  # SourceResult
    #: its pictures: ``media/<sha256>.<ext>`` -> bytes
    media: dict[str, bytes]


class _HandBack(BaseException):
    """Raised by the OCR stand-in of a worker that hands a large scan's pages back: past
    the readers' ``except Exception`` and :func:`process_source`'s, like a timeout."""

    def __init__(self, indexes: list[int], sha256: str) -> None:
        super().__init__(len(indexes))
        self.indexes, self.sha256 = indexes, sha256


@dataclass
class PagesToOcr:
    """A read task's answer for a large scan: OCR these pages (of the bytes of
    ``sha256``) elsewhere, then read it again with them."""

    indexes: list[int]
    sha256: str
    seconds: float


@dataclass(frozen=True)
class OcrTask:
    """OCR pages ``indexes`` (0-based) of the scan at ``path``, whose bytes are ``sha256``."""

    path: str
    name: str
    indexes: list[int]
    lang: str
    sha256: str
    limits: Limits


@dataclass
class OcrDone:
    indexes: list[int]
    pictures: list[Picture]
    error: str | None
    seconds: float


def prepare_worker() -> None:
    """Once per worker process, before its first task: langdetect's profiles, outside
    any source's time budget (:func:`extract.lang.warm_up`). Tesseract runs one thread a
    worker. The Korean corrector (kiwipiepy) and Tesseract's engines load when a source
    first needs them and stay for the life of the worker.

    What the worker holds then (modules, the profiles) lives as long as it does, and is
    frozen out of the garbage collector: each full collection walked all of it again
    (5 of them cost a 203-file serial build 0.38 s; a dead worker's cycles are the
    operating system's to free)."""
    import gc

    os.environ["OMP_THREAD_LIMIT"] = "1"
    warm_up()
    gc.freeze()


def _changed(name: str) -> IngestError:
    return IngestError(f"{name}: changed while it was being read; build again")


def read_source(task: ReadTask, progress: Callable[[int], Any] | None = None) -> ReadDone | PagesToOcr:
    """Run :func:`qbank.pipeline.process_source` on one source (looked up on the module
    at each call: the tests stand in for it there)."""
    from qbank import pipeline
    from ingest import ocr_pool

    def hand_back(data: bytes, indexes: list[int], lang: str, jobs: int | None = None,
                  progress: Callable[[int], Any] | None = None, max_pixels: int = 0) -> list[Picture]:
        if len(indexes) > (task.split_over or 0):
            raise _HandBack(indexes, hashlib.sha256(data).hexdigest())
        return ocr_pool.ocr_pages(data, indexes, lang, jobs, progress, max_pixels)

    def given(data: bytes, indexes: list[int], *args: Any, **kwargs: Any) -> list[Picture]:
        pictures = task.pictures or {}
        if hashlib.sha256(data).hexdigest() != task.sha256 or any(i not in pictures for i in indexes):
            raise _changed(task.name)
        return [pictures[i] for i in indexes]

    folder = MemoryFolder()
    started = time.perf_counter()
    try:
        ocr = given if task.pictures is not None else hand_back if task.split_over is not None else None
        result = pipeline.process_source(Path(task.path), task.options, progress,
                                         MediaSink(folder) if task.media else None, ocr=ocr, name=task.name)
    except _HandBack as back:
        return PagesToOcr(back.indexes, back.sha256, time.perf_counter() - started)
    return ReadDone(result, folder.files)


def ocr_pages_task(task: OcrTask) -> OcrDone:
    """OCR pages ``task.indexes`` of a scan, within the source's time budget."""
    from qbank import pipeline
    from ingest import ocr_pool

    started = time.perf_counter()
    pictures: list[Picture] = []
    error = None
    try:
        with time_budget(task.limits.timeout_per_source):
            data = read_regular_file(Path(task.path), task.name, task.limits)
            if hashlib.sha256(data).hexdigest() != task.sha256:
                raise _changed(task.name)
            pictures = ocr_pool.ocr_pages(data, task.indexes, task.lang, 1, None, task.limits.max_picture_pixels)
    except (SourceTimeout, Exception) as exc:
        error = pipeline.source_error(task.name, exc)
    return OcrDone(task.indexes, pictures, error, time.perf_counter() - started)


# -- the driver ---------------------------------------------------------------------------------

@dataclass
class _Source:
    """One source between its dispatch and its turn to be handed back."""

    index: int
    path: Path
    name: str
    #: the OCR pages it was (last) read with
    budget: int
    key: dict[str, Any] | None = None
    result: Any = None
    #: seconds of its tasks before the last one (a split scan's)
    seconds: float = 0.0
    shown_pages: int = 0
    sha256: str | None = None
    pictures: dict[int, Picture] = field(default_factory=dict)
    #: OCR tasks out (a split scan), and their errors by task number
    ocr_out: int = 0
    ocr_errors: dict[int, str] = field(default_factory=dict)


def read_sources(files: list[Path], options: Options, executor: Executor, cache: SourceCache | None = None,
                 sink: MediaSink | None = None, pages: Callable[[int], Any] | None = None) -> Iterator[Any]:
    """The SourceResult of each of ``files``, in their order (see the module docstring).
    ``pages(n)`` hears of pages read."""
    return _Batch(files, options, executor, cache, sink, pages or (lambda n: None)).run()


class _Batch:
    def __init__(self, files: list[Path], options: Options, executor: Executor, cache: SourceCache | None,
                 sink: MediaSink | None, pages: Callable[[int], Any]) -> None:
        self.files, self.options, self.executor = files, options, executor
        self.cache, self.sink, self.pages = cache, sink, pages
        self.task_options = options if executor.in_process else replace(options, jobs=1)
        self.sources: dict[int, _Source] = {}
        self.out = 0  # sources being read (no result yet)
        self.used = 0  # OCR pages of the sources handed back
        self.warmed = False

    def _room(self) -> bool:
        """May another source go out? In this process only once the one before is handed
        back, as the serial build always did: each with its exact OCR allowance, its
        scan's pages on an OCR pool of ``options.jobs``. Elsewhere while fewer than
        the executor's ``ahead`` a worker are being read (a cluster says how many workers
        it has once it is reached); finished ones wait for their turn, however many."""
        if self.executor.in_process:
            return not self.sources
        return self.out < self.executor.workers * self.executor.ahead

    def run(self) -> Iterator[Any]:
        waiting = iter(enumerate(self.files))
        total = self.options.limits.max_ocr_pages
        turn = 0
        while turn < len(self.files):
            while self._room():
                item = next(waiting, None)
                if item is None:
                    break
                index, path = item
                source = _Source(index, path, _display(path), max(0, total - self.used))
                self.sources[index] = source
                self._read(source)
            source = self.sources[turn]
            if source.result is None:
                self._take(*self.executor.next_done())
                continue
            allowed = max(0, total - self.used)
            if not _fits(source, allowed):  # read again, with exactly what it is allowed
                source = self.sources[turn] = _Source(turn, source.path, source.name, allowed)
                self._read(source)
                continue
            del self.sources[turn]
            turn += 1
            self.used += _ocr_pages_used(source.result)
            yield source.result

    def _options(self, options: Options, budget: int) -> Options:
        if budget == options.limits.max_ocr_pages:
            return options
        return replace(options, limits=replace(options.limits, max_ocr_pages=budget))

    def _read(self, source: _Source) -> None:
        """From the cache, or a task."""
        from qbank.pipeline import SourceResult

        options = self._options(self.options, source.budget)
        self.out += 1
        looked_up = time.perf_counter()
        source.key = self.cache.key(source.path, source.name, options, self.sink is not None) if self.cache else None
        found = self.cache.load(source.key, options) if source.key else None
        if found:
            files = found.pop("media_files")
            self._settle(source, SourceResult(source.name, **found, cached=True,
                                              media=put_files(self.sink, files) if self.sink else [],
                                              seconds=time.perf_counter() - looked_up))
            self.pages(source.result.pages)
            return
        if self.executor.in_process and not self.warmed:
            warm_up()  # outside any source's time budget (see extract.lang.warm_up)
            self.warmed = True
        self._submit_read(source, ReadTask(*self._where(source), self._options(self.task_options, source.budget),
                                           self.sink is not None,
                                           None if self.executor.in_process else SPLIT_OVER))

    def _where(self, source: _Source) -> tuple[str, str]:
        # in this process the path as given, as ever; elsewhere absolute (another cwd)
        return (str(source.path) if self.executor.in_process else os.path.abspath(source.path)), source.name

    def _submit_read(self, source: _Source, task: ReadTask) -> None:
        live = self.pages if self.executor.in_process else None
        self.executor.submit(("read", source.index), read_source, task, live)

    def _take(self, key: tuple, value: Any) -> None:
        kind, index, *number = key
        source = self.sources[index]
        if kind == "ocr":
            self._ocr_done(source, number[0], value)
        elif isinstance(value, TaskLost):
            self._fail(source, value.reason)
        elif isinstance(value, PagesToOcr):
            self._split(source, value)
        else:
            self._done(source, value)

    def _settle(self, source: _Source, result: Any) -> None:
        source.result = result
        self.out -= 1

    def _fail(self, source: _Source, error: str) -> None:
        from qbank.pipeline import SourceResult

        self._settle(source, SourceResult(source.name, error=error if error.startswith(source.name + ":")
                                          else f"{source.name}: {error}", seconds=source.seconds))

    def _done(self, source: _Source, done: ReadDone) -> None:
        from qbank.pipeline import source_error

        result = done.result
        if not self.executor.in_process:
            self.pages(max(0, result.pages - source.shown_pages))
        result.seconds += source.seconds
        limit = self.options.limits.timeout_per_source
        if source.seconds and limit and result.seconds > limit and not result.error:  # a split scan, over
            self._fail(source, source_error(source.name, SourceTimeout(limit)))
            return
        if self.sink is not None:
            put_files(self.sink, done.media)
        if self.cache and source.key:
            self.cache.store(source.key, result, self._options(self.options, source.budget), done.media)
        self._settle(source, result)

    def _split(self, source: _Source, back: PagesToOcr) -> None:
        source.seconds += back.seconds
        source.sha256 = back.sha256
        options = self.task_options
        for number, start in enumerate(range(0, len(back.indexes), PAGES_PER_TASK)):
            task = OcrTask(*self._where(source), back.indexes[start:start + PAGES_PER_TASK],
                           options.ocr_lang or "", back.sha256, options.limits)
            self.executor.submit(("ocr", source.index, number), ocr_pages_task, task)
            source.ocr_out += 1

    def _ocr_done(self, source: _Source, number: int, done: OcrDone | TaskLost) -> None:
        source.ocr_out -= 1
        if isinstance(done, TaskLost):
            source.ocr_errors[number] = f"{source.name}: OCR of some pages: {done.reason}"
        else:
            source.seconds += done.seconds
            if done.error:
                source.ocr_errors[number] = done.error
            source.pictures.update(zip(done.indexes, done.pictures))
            source.shown_pages += len(done.pictures)
            self.pages(len(done.pictures))
        if source.ocr_out:
            return
        if source.ocr_errors:  # that of the first pages that failed, in whatever order they came
            self._fail(source, source.ocr_errors[min(source.ocr_errors)])
            return
        where = self._where(source)
        self._submit_read(source, ReadTask(*where, self._options(self.task_options, source.budget),
                                           self.sink is not None, None, source.pictures, source.sha256))


def _display(path: Path) -> str:
    from qbank.pipeline import display_path

    return display_path(path)


def _fits(source: _Source, allowed: int) -> bool:
    """Is the result read with ``source.budget`` OCR pages what ``allowed`` would give?"""
    from qbank.pipeline import TIMED_OUT

    result = source.result
    if source.budget == allowed:
        return True
    if result.error:
        return result.error.endswith(TIMED_OUT)
    return ocr_fits_budget(result.extraction.issues, result.extraction.ocr, allowed)


def _ocr_pages_used(result: Any) -> int:
    """Pages Tesseract read for this source (a page noted blank, capped, too large or
    not OCR'd is in ``unread_pages`` and cost nothing of the build's budget)."""
    ocr = None if result.error else result.extraction.ocr
    return len(ocr.get("pages") or []) - len(ocr.get("unread_pages") or []) if ocr else 0
