"""Limits on what one input may cost: named, documented settings with sane defaults.

Hostile or unlucky files (zip bombs, billion-laughs XML, 64-megapixel noise pictures,
5,000 blank scanned pages, a FIFO given as input) must fail alone, in bounded time and
memory, with a one-line error naming the file — or be read with what could be read and a
flag saying what was cut. Every limit here has a ``qbank build`` option to raise it.
"""
from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one build lets a source cost. Defaults fit every real file seen so far many
    times over; raise them with the options named in each field's comment."""

    #: bytes of one input file read into memory (``--max-input-mb``)
    max_input_bytes: int = 512 * MB
    #: bytes one member of a zip package (DOCX) may inflate to, checked before inflating
    #: and enforced while streaming (``--max-inflated-mb``)
    max_member_bytes: int = 256 * MB
    #: inflated / compressed size of a zip member above which it is a bomb (XML compresses
    #: 10-30x; bombs 1000x)
    max_member_ratio: int = 200
    #: pixels of one picture decoded or OCR'd (``--max-picture-mpx``); larger pictures are
    #: referenced and flagged, not read
    max_picture_pixels: int = 40_000_000
    #: pages of one PDF read (``--max-pdf-pages``)
    max_pdf_pages: int = 5_000
    #: scanned pages OCR'd per build, all sources together (``--max-ocr-pages``)
    max_ocr_pages: int = 2_000
    #: characters of a text input (OCR dump, Markdown, text) (``--max-input-mb``)
    max_text_chars: int = 256 * MB
    #: seconds one source may take before it is stopped and reported
    #: (``--timeout-per-source``; 0: no limit)
    timeout_per_source: float = 600.0


DEFAULT_LIMITS = Limits()
