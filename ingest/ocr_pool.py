"""OCR of scanned PDF pages in parallel, one Tesseract thread per worker process.

Each worker opens the PDF once (its bytes are handed over when the worker starts) and
then renders, OCRs and drops one page at a time, so a 500-page scan never has more page
images in memory than there are workers. Results come back in page order. With one job
everything runs in this process: no pool start-up, and the bench can compare it with the
Tesseract command line alone.

Bounded against hostile scans (issue 12):

* **page size.** A page is rendered at 300 dpi unless that would exceed
  ``Limits.max_picture_pixels``: a 200 x 200-inch page at 300 dpi is 3.6 gigapixels. It
  is rendered at the resolution that fits (:func:`ocr_dpi`), and not at all below
  :data:`MIN_OCR_DPI`, where body text is too small for Tesseract to read.
* **blank pages.** A rendered page that is one colour but for a few specks is not handed
  to Tesseract (:func:`is_blank`): 5,000 blank scanned pages must not cost 5,000 OCR runs.
* **interrupts.** A timeout (``SIGALRM`` raised in the main thread), ``KeyboardInterrupt``
  or any error while pages are OCR'd terminates the workers before it passes on
  (:func:`terminate`): the executor's own exit waits for every queued page, and its
  workers would outlive the source they were reading. Such signals wait while the pool
  forks its workers (:func:`signals_deferred`), so that no worker is ever started
  without the pool knowing it.
"""
from __future__ import annotations

import contextlib
import math
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from ingest.document import Picture, page_ref
from ingest.limits import DEFAULT_LIMITS
from ingest.pdf_lib import load_pymupdf
from ingest.pictures import TOO_LARGE, guard_decoder
from ingest.tesseract import PSM_PAGE, OcrUnavailable, ocr_image

#: Resolution scanned pages are rendered at for Tesseract (its documented sweet spot).
OCR_DPI = 300
#: Below this resolution (forced by a huge page and the pixel limit) 10-point text is under
#: 10 pixels high: the page is not OCR'd at all.
MIN_OCR_DPI = 72
#: A rendered page is blank when all but this many pixels lie within BLANK_TOLERANCE grey
#: levels of its most common one. A lone page number at 300 dpi has a few hundred dark
#: pixels, so only specks are tolerated: a page with any text is still read.
BLANK_MAX_INK = 16
BLANK_TOLERANCE = 24
#: The note of a scanned page skipped because it rendered blank.
BLANK = "blank"

_worker_pdf: Any = None
_worker_max_pixels: int = DEFAULT_LIMITS.max_picture_pixels


def default_jobs() -> int:
    """One worker per core the process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def ocr_dpi(width: float, height: float, max_pixels: int, dpi: int = OCR_DPI) -> int:
    """The resolution a ``width`` x ``height``-point page is rendered at: ``dpi``, or less
    so that the rendering has at most ``max_pixels`` pixels (counted as MuPDF rounds
    them, with a pixel to spare each way)."""
    if _pixels(width, height, dpi) <= max_pixels:
        return dpi
    inches = max(width, 1.0) * max(height, 1.0) / (72.0 * 72.0)
    fitted = max(1, math.floor(math.sqrt(max_pixels / inches)))
    while fitted > 1 and _pixels(width, height, fitted) > max_pixels:
        fitted -= 1
    return fitted


def _pixels(width: float, height: float, dpi: int) -> int:
    return (math.ceil(max(width, 0.0) * dpi / 72) + 1) * (math.ceil(max(height, 0.0) * dpi / 72) + 1)


def render_page(pdf: Any, index: int, dpi: int = OCR_DPI, max_pixels: int | None = None) -> Any:
    """Page ``index`` as a greyscale PIL image at ``dpi`` (lowered to stay within
    ``max_pixels`` when given)."""
    pymupdf = load_pymupdf()
    from PIL import Image

    page = pdf[index]
    if max_pixels is not None:
        dpi = ocr_dpi(page.rect.width, page.rect.height, max_pixels, dpi)
    pixmap = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
    return Image.frombytes("L", (pixmap.width, pixmap.height), pixmap.samples)


def is_blank(image: Any) -> bool:
    """One grey level (give or take :data:`BLANK_TOLERANCE`) everywhere but at most
    :data:`BLANK_MAX_INK` pixels: a blank page, however it was scanned. One histogram
    pass in C, a few milliseconds for a 300-dpi page, against a second or more of OCR."""
    histogram = image.histogram()[:256]
    peak = max(range(256), key=histogram.__getitem__)
    near = sum(histogram[max(0, peak - BLANK_TOLERANCE): peak + BLANK_TOLERANCE + 1])
    return sum(histogram) - near <= BLANK_MAX_INK


def _open(data: bytes) -> Any:
    pymupdf = load_pymupdf()

    return pymupdf.open(stream=data, filetype="pdf")


#: ``prctl`` option: the signal a process gets when its parent dies (Linux)
_PR_SET_PDEATHSIG = 1


def worker_signals(parent: int) -> None:
    """In a worker forked by process ``parent``: Ctrl-C is the parent's to handle (it
    terminates the workers); the handlers the parent deferred while forking are not the
    worker's; and the worker dies with its parent. A ``kill -9`` of a build left its
    workers waiting for tasks forever, holding the output folder's lock (an inherited
    descriptor) and their models: on Linux the kernel now kills them too
    (``PR_SET_PDEATHSIG``), and a parent already gone before that was set means exit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    if os.getppid() != parent:
        os._exit(1)


def _init_worker(data: bytes, max_pixels: int, parent: int) -> None:
    global _worker_pdf, _worker_max_pixels
    worker_signals(parent)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    guard_decoder(max_pixels)
    _worker_max_pixels = max_pixels
    _worker_pdf = _open(data)


def _ocr_page(pdf: Any, index: int, lang: str, max_pixels: int) -> Picture:
    ref = page_ref(index + 1)
    try:
        rect = pdf[index].rect
        if ocr_dpi(rect.width, rect.height, max_pixels) < MIN_OCR_DPI:
            return Picture(ref, note=TOO_LARGE)
        image = render_page(pdf, index, max_pixels=max_pixels)
        if is_blank(image):
            return Picture(ref, note=BLANK)
        result = ocr_image(image, lang, PSM_PAGE)
    except OcrUnavailable:
        return Picture(ref, note="ocr_unavailable")
    except Exception as exc:  # one bad page must not sink the document
        return Picture(ref, note=f"unreadable_{type(exc).__name__}")
    return Picture(ref, result.text, result.confidence)


def _worker_task(index: int, lang: str) -> Picture:
    return _ocr_page(_worker_pdf, index, lang, _worker_max_pixels)


def ocr_pages(data: bytes, indexes: list[int], lang: str, jobs: int | None = None,
              progress: Callable[[int], Any] | None = None,
              max_pixels: int = DEFAULT_LIMITS.max_picture_pixels) -> list[Picture]:
    """OCR pages ``indexes`` (0-based) of the PDF in ``data``: each page as a
    :class:`Picture` (reference ``page N``), in the same order. Pages are rendered
    within ``max_pixels``; blank ones are noted ``blank`` and not OCR'd."""
    jobs = min(jobs or default_jobs(), len(indexes))
    results: list[Picture] = []
    if jobs <= 1:
        pdf = _open(data)
        try:
            for index in indexes:
                results.append(_ocr_page(pdf, index, lang, max_pixels))
                if progress:
                    progress(1)
        finally:
            pdf.close()
        return results
    pool: ProcessPoolExecutor | None = None
    try:
        with signals_deferred(), heap_frozen():  # workers forked and registered before a timeout strikes
            pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                                       initargs=(data, max_pixels, os.getpid()))
            # submitted one by one, not by map: map's iterator cancels what is left when
            # it is dropped, and Python 3.11's pool thread then crashes failing them
            pages = [pool.submit(_worker_task, index, lang) for index in indexes]
        for page in pages:
            results.append(page.result())
            if progress:
                progress(1)
    except BaseException:
        if pool is not None:
            terminate(pool)
        raise
    pool.shutdown()
    return results


#: Signals that raise in the main thread (a timeout, Ctrl-C, a termination request turned
#: into an exception); deferred while the pool forks its workers.
_DEFERRED = (signal.SIGALRM, signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def heap_frozen() -> Iterator[None]:
    """Fork inside this block: the objects of this process are out of the garbage
    collector's reach while it runs (``gc.freeze``), so the workers it forks start with
    them frozen for their whole life (they never unfreeze): a worker's full collections
    then walk only what it made itself, and never write to the pages it shares with this
    process (copy-on-write). This process collects them again after the block."""
    import gc

    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Run the block with :data:`_DEFERRED` signals noted, not handled; each that came
    is raised again when the block ends, to the handler it was meant for.

    A timeout that struck while the pool forked its workers (it forks them all at its
    first task) left a worker started but not registered with the pool, which
    :func:`terminate` cannot see: an orphan, holding the build's output pipe. Blocking the
    signals was not enough: a signal another thread received (tqdm's monitor, the pool's
    own threads) still runs its Python handler in this one, at any point of the fork.
    So the Python handlers themselves wait."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    previous: dict[int, Any] = {}
    for number in _DEFERRED:
        handler = signal.getsignal(number)
        if handler is not None:  # None: set outside Python, cannot be put back
            previous[number] = signal.signal(number, lambda signum, frame: arrived.append(signum))
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for number in dict.fromkeys(arrived):
            signal.raise_signal(number)


def terminate(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` now: workers terminated (killed if they have not exited within a
    second), queued pages failed, the pool's thread and workers reaped, so none outlives
    the source. Python 3.11's executor has no public way to do this (3.14 adds
    ``terminate_workers``), hence its ``_processes``. Exit is told by each worker's
    sentinel, not by ``join``: the pool's thread reaps the workers too, and whichever
    thread reaps second sees a worker still "alive"."""
    from multiprocessing.connection import wait

    processes = list((getattr(pool, "_processes", None) or {}).values())
    thread = getattr(pool, "_executor_manager_thread", None)  # shutdown forgets it
    for process in processes:
        if process.exitcode is None:
            process.terminate()
    # not cancel_futures: the pool's own thread fails the queued pages itself (Python
    # 3.11's thread crashes on futures cancelled under it)
    pool.shutdown(wait=False)
    running = [process for process in processes if process.exitcode is None]
    if running:
        exited = set(wait([process.sentinel for process in running], 1.0))
        for process in running:
            if process.sentinel not in exited:
                process.kill()
        wait([process.sentinel for process in running], 1.0)
    if thread is not None:
        thread.join(2.0)
    for process in processes:
        process.join(0.1)
