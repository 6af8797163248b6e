"""The bytes of the pictures a document shows, fetched on demand for the corpus's ``media/``.

Readers do not copy or render pictures while reading: they leave on
``Document.media`` a :class:`MediaSource` that knows where each picture is, and the
build asks it, after extraction, only for the pictures questions reference
(:func:`store.media.attach_media`), one at a time, writing each to the corpus folder
before asking for the next. So memory holds one picture at a time on top of what the
reader already held:

* **Word** (:class:`DocxMedia`): the picture's own bytes, a package part python-docx had
  already inflated (PNG, JPEG, GIF, WebP as they are; BMP and TIFF converted to PNG).
* **PDF** (:class:`PdfMedia`): a PNG rendered by MuPDF on demand from the PDF's bytes
  (already in memory for the reader): the region a picture covers on a text page, or the
  whole page for a scanned page. Only the page number and bounding box are kept per
  picture, never its pixels: a 500-page scan costs one page render at a time.

Bounded by the same limits as reading (:mod:`ingest.limits`): a picture over
``max_picture_pixels`` is never decoded (its header says its size), and renders are made
at :data:`MEDIA_DPI` or less, so that they stay within the limit. A picture that cannot
be had (too large, unreadable, a format browsers do not show and Pillow cannot convert)
gets no file: the record keeps its reference and OCR text, without ``media``.

Deterministic: the same input bytes (and the same PyMuPDF / Pillow) give the same files.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Protocol

from ingest.limits import DEFAULT_LIMITS, Limits
from ingest.pdf_lib import load_pymupdf

#: Resolution of PDF renders (picture regions and scanned pages): enough to read a
#: screenshot or a scanned page on a screen, half the pixels of the 300-dpi OCR render.
MEDIA_DPI = 150
#: Picture formats kept as they are (every browser shows them), by Pillow's format name,
#: with the extension their file gets.
WEB_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
#: Formats converted to PNG (Word keeps screenshots as BMP or TIFF now and then).
CONVERTED_FORMATS = {"BMP", "TIFF", "DIB"}


@dataclass(frozen=True)
class MediaFile:
    """A picture as a file: its bytes and the extension they are (``png``, ``jpg``, ...)."""

    data: bytes
    ext: str


class MediaSource(Protocol):
    """What ``Document.media`` is: the bytes of a picture by its reference, on demand."""

    def get(self, ref: str) -> MediaFile | None: ...

    def close(self) -> None: ...


class DocxMedia:
    """Pictures of a Word package by part name (``word/media/image1.png``)."""

    def __init__(self, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self._blobs: dict[str, bytes] = {}

    def add(self, ref: str, blob: bytes | None) -> None:
        if blob is not None:
            self._blobs.setdefault(ref, blob)

    def get(self, ref: str) -> MediaFile | None:
        blob = self._blobs.get(ref)
        return None if blob is None else picture_file(blob, self.limits.max_picture_pixels)

    def close(self) -> None:
        self._blobs.clear()


def picture_file(blob: bytes, max_pixels: int) -> MediaFile | None:
    """``blob`` as a file a browser shows: as it is when it is PNG, JPEG, GIF or WebP,
    converted to PNG when it is BMP or TIFF; None when it is none of these, cannot be
    read, or has more than ``max_pixels`` pixels (judged from its header, before any
    pixel is decoded)."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(blob)) as image:  # reads the header only
            width, height = image.size
            if width * height > max_pixels or width < 1 or height < 1:
                return None
            fmt = image.format or ""
            if fmt in WEB_FORMATS:
                image.verify()  # a truncated or corrupt file shows as a broken picture
                return MediaFile(blob, WEB_FORMATS[fmt])
            if fmt not in CONVERTED_FORMATS:
                return None
            image.load()
            if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
                image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
            out = io.BytesIO()
            image.save(out, "PNG", optimize=False)
            return MediaFile(out.getvalue(), "png")
    except Exception:  # not a picture Pillow reads, or over its decompression-bomb guard
        return None


class PdfMedia:
    """Pictures of a PDF, rendered on demand: a picture's region on its page
    (:meth:`add_region`), or a whole scanned page (:meth:`add_page`)."""

    def __init__(self, data: bytes, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self._data = data
        self._places: dict[str, tuple[int, tuple[float, float, float, float] | None]] = {}
        self._pdf: Any = None

    def add_region(self, ref: str, index: int, bbox: tuple[float, float, float, float]) -> None:
        """Picture ``ref`` covers ``bbox`` (points) on page ``index`` (0-based)."""
        x0, y0, x1, y1 = (float(v) for v in bbox)
        if x1 > x0 and y1 > y0:
            self._places.setdefault(ref, (index, (x0, y0, x1, y1)))

    def add_page(self, ref: str, index: int) -> None:
        """Picture ``ref`` is the whole page ``index`` (a scanned page)."""
        self._places[ref] = (index, None)

    def get(self, ref: str) -> MediaFile | None:
        place = self._places.get(ref)
        if place is None:
            return None
        index, bbox = place
        try:
            pymupdf = load_pymupdf()

            from ingest.ocr_pool import ocr_dpi

            if self._pdf is None:
                self._pdf = pymupdf.open(stream=self._data, filetype="pdf")
            page = self._pdf[index]
            clip = page.rect if bbox is None else pymupdf.Rect(bbox) & page.rect
            if clip.is_empty:
                return None
            dpi = ocr_dpi(clip.width, clip.height, self.limits.max_picture_pixels, MEDIA_DPI)
            # a scanned page in grey, as OCR saw it; a picture in its colours
            colorspace = pymupdf.csGRAY if bbox is None else pymupdf.csRGB
            pixmap = page.get_pixmap(dpi=dpi, clip=clip, colorspace=colorspace, alpha=False)
            if pixmap.width * pixmap.height > self.limits.max_picture_pixels:
                return None
            return MediaFile(pixmap.tobytes("png"), "png")
        except Exception:  # a page MuPDF cannot render: the record keeps its OCR text
            return None

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None
