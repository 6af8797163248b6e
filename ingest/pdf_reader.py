"""PDF reader (PyMuPDF): text-layer pages as lines with formatting, scanned pages by OCR.

Per page, automatically: a page whose text layer holds enough letters is read from it
(blocks in reading order, a two-column page's left column before its right one,
wrapped lines joined back into paragraphs, table cells on one baseline joined by tabs,
bold / coloured / highlighted lines marked as in DOCX, wholly or in part, large type
marked ``heading``, embedded pictures OCR'd in place). A page without usable text
(no text layer, or text that is mostly not letters: a scan with a junk OCR layer) is
rendered at 300 dpi and read by Tesseract (:mod:`ingest.ocr_pool` runs those pages in
parallel and never holds more than one page image per worker).

Hostile files (issue 12) cost bounded time and memory and are read with what can be
read, each cut an :class:`~ingest.document.Issue`: pages past the page limit are not
read, a page whose extraction raises is kept empty, a page with nothing on it is never
rendered, a picture over the pixel limit is never decoded (not even by MuPDF's own
extraction), a page of absurdly many spans skips layout analysis, and the layout steps
that compared everything with everything (detached spaces, highlight rectangles, the
two-column table test) index what they compare.

This module reads the file and decides what each page is; the text-layer page's parts
live beside it: :mod:`ingest.pdf_lines` (paragraphs, cells, pictures in place),
:mod:`ingest.pdf_columns` (reading order, two columns, rows), :mod:`ingest.pdf_marks`
(bold, colour, highlight, heading), :mod:`ingest.pdf_spaces` (spaces written as lines of
their own), :mod:`ingest.pdf_lib` (PyMuPDF itself).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ingest.document import Document, Issue, Line, Mark, Page, Picture, page_ref
from ingest.ocr_pool import MIN_OCR_DPI, OCR_DPI, ocr_dpi, ocr_pages
from ingest.limits import DEFAULT_LIMITS, Limits
from ingest.media import PdfMedia
from ingest.pdf_lines import plain_lines, text_page_lines
from ingest.pdf_lib import load_pymupdf
from ingest.pdf_spaces import merge_detached_spaces
from ingest.pictures import TOO_LARGE, PictureReader
from ingest.tesseract import DEFAULT_LANG, OcrUnavailable, check_languages

#: A page needs OCR unless its text layer has this many letters ...
MIN_PAGE_LETTERS = 20
#: ... making up at least this share of its non-space characters.
MIN_LETTER_SHARE = 0.5
#: The share of letters is judged on the page's first characters (enough to tell).
SAMPLE_CHARS = 400
#: A page with only a few letters of text is a scan when pictures cover this share of it.
SCAN_COVER_SHARE = 0.5
_LETTERS = re.compile(r"[^\W\d_]+")
#: Layout analysis is for pages people typeset: the busiest page of the sample and
#: development files has under 300 spans, a dense 8-point dictionary page a few thousand.
#: A page with more spans and pictures than this (200,000 one-point spans, issue 12) is
#: read as plain lines in MuPDF's order (:func:`~ingest.pdf_lines.plain_lines`), in time linear in its size.
MAX_PAGE_PIECES = 20_000


_OCR = frozenset({Mark.OCR})


class PdfError(ValueError):
    """The bytes are not a readable PDF (message without the file name)."""


def read_pdf(data: bytes, name: str, sha256: str, ocr_lang: str | None = DEFAULT_LANG,
             jobs: int | None = None, progress: Callable[[int], Any] | None = None,
             limits: Limits = DEFAULT_LIMITS, ocr: Callable[..., list[Picture]] | None = None) -> Document:
    """Read a PDF; scanned pages are OCR'd with ``jobs`` processes (``None``: one per core),
    by ``ocr`` when given (:func:`ingest.ocr_pool.ocr_pages`'s arguments and result).

    ``progress(n)`` is called as pages are done. Raises :class:`PdfError` for encrypted,
    corrupt and empty files, and for a scan when Tesseract is missing (saying what to
    install); a partly scanned file without Tesseract still gives its text pages.

    What ``limits`` cut, and every page that could not be read, is an :class:`Issue` on
    the document, never a lost source: pages past ``max_pdf_pages`` are not read
    (``pages_capped``: 5,000 blank pages must build in seconds), scanned pages past
    ``max_ocr_pages`` are not OCR'd (``ocr_pages_capped``), a page whose text extraction
    raises becomes an empty page (``page_unreadable``), a page of absurdly many spans is
    read as plain lines (``page_too_complex``), pictures over ``max_picture_pixels`` are
    referenced, never decoded (``picture_too_large``).
    """
    pymupdf = load_pymupdf()

    try:
        pdf = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:  # PyMuPDF raises several types for broken files
        raise PdfError(f"corrupt or unreadable PDF ({type(exc).__name__})") from None
    issues: list[Issue] = []
    with pdf:
        if pdf.needs_pass:
            raise PdfError("password-protected (encrypted) PDF: remove the password and save again")
        total = pdf.page_count
        if total == 0:
            raise PdfError("PDF has no pages")
        readable = min(total, max(limits.max_pdf_pages, 0))
        if readable < total:
            issues.append(Issue("pdf", "pages_capped",
                                f"read the first {readable} of {total} pages "
                                f"(limit --max-pdf-pages {limits.max_pdf_pages})"))
        pictures = PictureReader(ocr_lang, limits=limits)
        media = PdfMedia(data, limits)
        check_images = _may_hold_oversized_images(data, limits.max_picture_pixels)
        pages: list[Page | None] = []
        scanned: list[int] = []
        counter = 0
        for index in range(readable):
            try:
                kind, lines, counter = _read_page(pdf, index, counter, pictures, issues, check_images, media)
            except Exception as exc:  # one bad page must not sink the document
                kind, lines = "text", []
                issues.append(Issue("pdf", "page_unreadable",
                                    f"page {index + 1} cannot be read ({type(exc).__name__}); "
                                    "kept empty", index + 1))
            if kind == "scan":
                pages.append(None)
                scanned.append(index)
                continue
            pages.append(Page(index + 1, lines))
            if progress:
                progress(1)
        title = (pdf.metadata or {}).get("title") or None
        if scanned and ocr_lang is not None:
            scanned = _within_pixel_limit(pdf, scanned, pictures, limits, issues)
    unavailable: str | None = None  # why scanned pages could not be OCR'd
    if scanned:
        results, unavailable = _ocr_scanned(data, scanned, ocr_lang, jobs, progress, limits, issues, ocr)
        for index, picture in zip(scanned, results):
            pictures.read[picture.ref] = picture
            if picture.note != TOO_LARGE:
                media.add_page(picture.ref, index)
            lines = []
            for text in picture.text.splitlines():
                if text.strip():
                    counter += 1
                    lines.append(Line(text.strip(), counter, _OCR))
            pages[index] = Page(index + 1, lines)
    for index, page in enumerate(pages):  # scanned pages left out of OCR (too large)
        if page is None:
            pages[index] = Page(index + 1, [])
    final = [page for page in pages if page is not None]
    if not any(page.lines for page in final):
        if unavailable:
            raise PdfError(f"scanned PDF (no text layer) cannot be read: {unavailable}")
        unreadable = sum(1 for issue in issues if issue.flag == "page_unreadable")
        raise PdfError("PDF has no readable text" + (" (OCR switched off)" if ocr_lang is None else "")
                       + (f" ({unreadable} pages could not be read)" if unreadable else ""))
    issues.extend(pictures.issues)
    issues.sort(key=lambda issue: issue.page or 0)
    return Document(name, sha256, "pdf", final, total, title, pictures.read, issues=issues, media=media)


def _read_page(pdf: Any, index: int, counter: int, pictures: PictureReader,
               issues: list[Issue], check_images: bool = True,
               media: PdfMedia | None = None) -> tuple[str, list[Line], int]:
    """One page: ``("text", lines, counter)`` for a text-layer (or blank) page,
    ``("scan", [], counter)`` for a page to OCR."""
    page = pdf[index]
    number = index + 1
    oversized = _oversized_images(page, pictures.limits.max_picture_pixels) if check_images else []
    if page.get_images():  # a scan? its text first: a scan's picture is never needed as bytes
        probe = _layout(page, oversized, images=False)
        if not _LETTERS.search(_survey(probe).sample):
            drawn = bool(probe["blocks"]) or bool(page.get_image_info())
            return _untyped_page(page, number, oversized, pictures, counter, drawn)
    layout = _layout(page, oversized)
    survey = _survey(layout)
    too_complex = survey.pieces > MAX_PAGE_PIECES
    if survey.detached_spaces and not too_complex:
        layout = merge_detached_spaces(_layout(page, oversized, raw=True))
        survey = _survey(layout)
    if not _has_usable_text(survey, layout):
        return _untyped_page(page, number, oversized, pictures, counter, bool(layout["blocks"]))
    if too_complex:
        issues.append(Issue("pdf", "page_too_complex",
                            f"page {number} has {survey.pieces} text spans and pictures (more than "
                            f"{MAX_PAGE_PIECES}): read as plain lines, without layout or marks", number))
        lines, counter = plain_lines(layout, number, counter, pictures)
        return "text", lines, counter
    lines, counter = text_page_lines(page, layout, survey.sizes, counter, pictures, media)
    return "text", lines, counter


def _untyped_page(page: Any, number: int, oversized: list[tuple[int, int]], pictures: PictureReader,
                  counter: int, drawn: bool) -> tuple[str, list[Line], int]:
    """A page without usable text: ``"scan"`` (to OCR), or an empty text page when nothing
    is ``drawn`` on it (no text block, no picture) or its picture is too large to render."""
    if not drawn and _blank(page):
        return "text", [], counter  # nothing on the page at all: nothing to OCR
    if oversized:  # rendering it would decode the picture
        width, height = max(oversized, key=lambda size: size[0] * size[1])
        pictures.too_large(page_ref(number), width, height, number)
        return "text", [], counter
    return "scan", [], counter


def _oversized_images(page: Any, max_pixels: int) -> list[tuple[int, int]]:
    """(width, height) of the page's pictures over ``max_pixels``, read from their PDF
    dictionaries (no pixel decoded). ``get_text("dict")`` re-encodes every picture it
    meets as PNG, decoding it first: a 16,000 x 16,000 one cost 1.1 s and 650 MB before
    any check could run, so such pages are read without pictures (:func:`_layout`)."""
    return [(item[2], item[3]) for item in page.get_images() if item[2] * item[3] > max_pixels]


#: ``/Width`` or ``/Height`` (letters possibly written as ``#57``-style escapes) ending
#: the name, then its value: digits, and `` 0 R`` when it is a reference.
_SIZE_KEY = re.compile(rb"/((?:W|#57)(?:i|#69)(?:d|#64)(?:t|#74)(?:h|#68)|(?:H|#48)(?:e|#65)(?:i|#69)"
                       rb"(?:g|#67)(?:h|#68)(?:t|#74))(?![^\s/<>\[\]()%{}])\s*(\d*)(\s+\d+\s+R)?")


def _may_hold_oversized_images(data: bytes, max_pixels: int) -> bool:
    """Can a picture of this PDF exceed ``max_pixels``? Answered once per file from
    its bytes, so that files without large pictures (nearly all) skip the per-page
    check (``get_images`` on every page cost 2 % of the text-layer reading). A
    picture's dictionary is always in the file as written — PDF never puts stream
    dictionaries in compressed object streams, and encryption leaves names and numbers
    alone — so the largest ``/Width`` times the largest ``/Height`` bounds every
    picture. Anything the scan cannot bound (a reference, an escaped name, no number)
    answers yes: the pages are then checked one by one."""
    widest = tallest = 0
    for match in _SIZE_KEY.finditer(data):
        key, digits, reference = match.groups()
        if reference or not digits or b"#" in key:
            return True
        value = int(digits[:12])
        if key[0] == 0x57:  # W
            widest = max(widest, value)
        else:
            tallest = max(tallest, value)
    return widest * tallest > max_pixels


def _layout(page: Any, oversized: list[tuple[int, int]], raw: bool = False, images: bool = True) -> dict:
    """The page's ``dict`` (or ``rawdict``) layout, sorted as MuPDF sorts it. A page with
    an oversized picture is extracted without pictures (see :func:`_oversized_images`)
    and its pictures put back as blocks without bytes where MuPDF draws them, each
    noted too large: which drawn picture is which resource cannot be told without
    decoding them, so a small logo beside the bomb goes unread too (the issue says so).

    ``images=False``: its text blocks alone, in the same order. :func:`_read_page` looks
    at a page with pictures that way first: the full layout re-encodes every picture as
    PNG, 69 ms for a scanned page's (0.2 ms without), paid again by each read of a scan
    split over workers (:mod:`qbank.batch`), and a scan's picture is rendered for OCR
    anyway."""
    pymupdf = load_pymupdf()

    option = "rawdict" if raw else "dict"
    if images and not oversized:
        return page.get_text(option, sort=True)
    flags = pymupdf.TEXTFLAGS_DICT & ~pymupdf.TEXT_PRESERVE_IMAGES
    if not images:
        return page.get_text(option, flags=flags, sort=True)
    layout = page.get_text(option, flags=flags)
    width, height = max(oversized, key=lambda size: size[0] * size[1])
    for kind, bbox in page.get_bboxlog():
        if kind == "fill-image":
            layout["blocks"].append({"type": 1, "bbox": tuple(bbox), "image": None,
                                     "too_large": (width, height)})
    layout["blocks"].sort(key=lambda block: (block["bbox"][3], block["bbox"][0]))
    return layout


def _blank(page: Any) -> bool:
    """Nothing on the page: no text, no picture (the caller checked), no drawing, no
    annotation. Such a page is not rendered and OCR'd (5,000 blank pages, issue 12)."""
    return not page.get_cdrawings() and page.first_annot is None


def _within_pixel_limit(pdf: Any, indexes: list[int], pictures: PictureReader, limits: Limits,
                        issues: list[Issue]) -> list[int]:
    """The scanned pages that can be rendered for OCR within ``max_picture_pixels``.
    A 200 x 200-inch page is 3.6 gigapixels at 300 dpi: it is rendered at the resolution
    that fits (``ocr_dpi_reduced``), or not at all when that leaves text too small to read
    (``picture_too_large``)."""
    kept = []
    for index in indexes:
        rect = pdf[index].rect
        dpi = ocr_dpi(rect.width, rect.height, limits.max_picture_pixels)
        number = index + 1
        size = f"page {number} is {rect.width / 72:.0f} x {rect.height / 72:.0f} in"
        if dpi < MIN_OCR_DPI:
            pictures.read[page_ref(number)] = Picture(page_ref(number), note=TOO_LARGE)
            issues.append(Issue("pdf", "picture_too_large",
                                f"{size}: even at {MIN_OCR_DPI} dpi more than "
                                f"{limits.max_picture_pixels / 1e6:g} megapixels; not OCR'd "
                                "(raise --max-picture-mpx to read it)", number))
            continue
        if dpi < OCR_DPI:
            issues.append(Issue("pdf", "ocr_dpi_reduced",
                                f"{size}: rendered for OCR at {dpi} dpi, not {OCR_DPI}, to stay within "
                                f"{limits.max_picture_pixels / 1e6:g} megapixels", number))
        kept.append(index)
    return kept


def _ocr_scanned(data: bytes, indexes: list[int], lang: str | None, jobs: int | None,
                 progress: Callable[[int], Any] | None, limits: Limits = DEFAULT_LIMITS,
                 issues: list[Issue] | None = None, ocr: Callable[..., list[Picture]] | None = None
                 ) -> tuple[list[Picture], str | None]:
    """Scanned pages as OCR'd :class:`Picture` s, and why OCR could not run (if it could
    not). Pages past ``limits.max_ocr_pages`` (the build's OCR budget left for this
    source) are noted ``ocr_capped`` and not rendered."""
    if lang is None:
        return [Picture(page_ref(i + 1), note="ocr_off") for i in indexes], None
    try:
        check_languages(lang)  # once, here: the message says what to install
    except OcrUnavailable as exc:
        return [Picture(page_ref(i + 1), note="ocr_unavailable") for i in indexes], str(exc)
    budget = max(limits.max_ocr_pages, 0)
    chosen, capped = indexes[:budget], indexes[budget:]
    if capped and issues is not None:
        issues.append(Issue("pdf", "ocr_pages_capped",
                            f"OCR'd {len(chosen)} of {len(indexes)} scanned pages; pages "
                            f"{_page_ranges(capped)} not read (OCR budget --max-ocr-pages: "
                            f"{budget} pages left for this source)", capped[0] + 1))
    results = (ocr or ocr_pages)(data, chosen, lang, jobs, progress, max_pixels=limits.max_picture_pixels) if chosen else []
    return results + [Picture(page_ref(i + 1), note="ocr_capped") for i in capped], None


def _page_ranges(indexes: list[int]) -> str:
    """``2-4, 7`` for 0-based indexes [1, 2, 3, 6]: a one-line list however many pages."""
    ranges: list[list[int]] = []
    for number in (i + 1 for i in indexes):
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1][1] = number
        else:
            ranges.append([number, number])
    text = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in ranges[:5])
    return text + (f" and {len(ranges) - 5} more ranges" if len(ranges) > 5 else "")


@dataclass(slots=True)
class _Survey:
    """What one pass over a page's spans tells: a sample of its text (is it usable?),
    the sizes of its visible spans (the body size), whether MuPDF filed spaces as
    lines of their own (LibreOffice's Korean text), and how many spans and pictures
    the page holds (too many for layout analysis?)."""

    sample: str
    sizes: list[float]
    detached_spaces: bool
    pieces: int


def _survey(layout: dict) -> _Survey:
    """One pass over the page's spans: every later step reads it instead of walking them again."""
    parts: list[str] = []
    length = 0
    sizes: list[float] = []
    detached = False
    pieces = 0
    for block in layout["blocks"]:
        if block["type"] != 0:
            pieces += 1
            continue
        for line in block["lines"]:
            blank = True
            line_spans = line["spans"]
            pieces += len(line_spans)
            for span in line_spans:
                text = span["text"]
                if text.strip():
                    blank = False
                    sizes.append(span["size"])
                if length < SAMPLE_CHARS:
                    parts.append(text)
                    length += len(text)
            detached = detached or (blank and bool(line_spans))
    return _Survey("".join(parts)[:SAMPLE_CHARS], sizes, detached, pieces)


def _has_usable_text(survey: _Survey, layout: dict) -> bool:
    """Text-layer pages are read as they are, unless the layer is empty, mostly neither
    letters nor digits (a junk OCR layer), or a few letters on a page a picture covers (a
    scan with a stamp or page number in text)."""
    words = survey.sample.split()
    visible = sum(map(len, words))
    # words made only of letters give a lower bound that settles most pages; the exact
    # count (letters inside "SageMaker," or "1단계") costs a Unicode regex pass
    letters = sum([len(word) for word in words if word.isalpha()])
    if letters < MIN_PAGE_LETTERS or letters < MIN_LETTER_SHARE * visible:
        letters = sum(map(len, _LETTERS.findall(survey.sample)))
    if letters == 0:
        return False
    if letters / max(visible, 1) < MIN_LETTER_SHARE:
        # an answer-key page is mostly numbers (``答案：117-D, 118-A, …``): digits count as
        # text for the share; a junk OCR layer is mostly symbols
        digits = sum(map(str.isdigit, survey.sample))
        if (letters + digits) / max(visible, 1) < MIN_LETTER_SHARE:
            return False
    if letters >= MIN_PAGE_LETTERS:
        return True
    page = _rect((0, 0, layout["width"], layout["height"]))
    covered = sum(abs(_rect(b["bbox"]) & page) for b in layout["blocks"] if b["type"] == 1)
    return covered < SCAN_COVER_SHARE * abs(page)


def _rect(bbox: tuple) -> Any:
    pymupdf = load_pymupdf()

    return pymupdf.Rect(bbox)
