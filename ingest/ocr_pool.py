"""OCR of scanned PDF pages in parallel, one Tesseract thread per worker process.

Each worker opens the PDF once (its bytes are handed over when the worker starts) and
then renders, OCRs and drops one page at a time, so a 500-page scan never has more page
images in memory than there are workers. Results come back in page order. With one job
everything runs in this process: no pool start-up, and the bench can compare it with the
Tesseract command line alone.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from ingest.document import Picture, page_ref
from ingest.tesseract import PSM_PAGE, OcrUnavailable, ocr_image

#: Resolution scanned pages are rendered at for Tesseract (its documented sweet spot).
OCR_DPI = 300

_worker_pdf: Any = None


def default_jobs() -> int:
    """One worker per core the process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def render_page(pdf: Any, index: int, dpi: int = OCR_DPI) -> Any:
    """Page ``index`` as a greyscale PIL image at ``dpi``."""
    import pymupdf
    from PIL import Image

    pixmap = pdf[index].get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
    return Image.frombytes("L", (pixmap.width, pixmap.height), pixmap.samples)


def _open(data: bytes) -> Any:
    import pymupdf

    return pymupdf.open(stream=data, filetype="pdf")


def _init_worker(data: bytes) -> None:
    global _worker_pdf
    os.environ["OMP_THREAD_LIMIT"] = "1"
    _worker_pdf = _open(data)


def _ocr_page(pdf: Any, index: int, lang: str) -> Picture:
    ref = page_ref(index + 1)
    try:
        result = ocr_image(render_page(pdf, index), lang, PSM_PAGE)
    except OcrUnavailable:
        return Picture(ref, note="ocr_unavailable")
    except Exception as exc:  # one bad page must not sink the document
        return Picture(ref, note=f"unreadable_{type(exc).__name__}")
    return Picture(ref, result.text, result.confidence)


def _worker_task(index: int, lang: str) -> Picture:
    return _ocr_page(_worker_pdf, index, lang)


def ocr_pages(data: bytes, indexes: list[int], lang: str, jobs: int | None = None,
              progress: Callable[[int], Any] | None = None) -> list[Picture]:
    """OCR pages ``indexes`` (0-based) of the PDF in ``data``: each page as a
    :class:`Picture` (reference ``page N``), in the same order."""
    jobs = min(jobs or default_jobs(), len(indexes))
    results: list[Picture] = []
    if jobs <= 1:
        pdf = _open(data)
        try:
            for index in indexes:
                results.append(_ocr_page(pdf, index, lang))
                if progress:
                    progress(1)
        finally:
            pdf.close()
        return results
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(data,)) as pool:
        for result in pool.map(_worker_task, indexes, [lang] * len(indexes), chunksize=1):
            results.append(result)
            if progress:
                progress(1)
    return results
