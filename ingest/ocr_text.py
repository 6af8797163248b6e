"""Reader for page-delimited OCR text dumps.

The shape (see INPUTS.md §1)::

    ====================
    PAGE 43 of 520 (Chunk 3)
    ====================
    <page lines>

Everything before the first page marker is a preamble (title, page total) and is kept
as the document title only.
"""
from __future__ import annotations

import re

from ingest.document import Document, Line, Page

PAGE_MARKER = re.compile(r"^\s*PAGE\s+(\d+)\s+of\s+(\d+)\b.*$")
PAGE_MARKER_ANYWHERE = re.compile(PAGE_MARKER.pattern, re.M)
RULE_LINE = re.compile(r"^\s*[=\-_]{10,}\s*$")
#: Minimum number of page markers for a text to count as a page-delimited dump.
MIN_MARKERS = 2


def looks_like_ocr_dump(text: str) -> bool:
    """True when the text carries at least two ``PAGE N of M`` markers near its start."""
    head = text[:200_000]
    return len(PAGE_MARKER_ANYWHERE.findall(head)) >= MIN_MARKERS


def parse_ocr_dump(text: str, path: str, sha256: str) -> Document:
    """Split an OCR dump into pages; keep each line's 1-based line number in the file."""
    pages: list[Page] = []
    declared: int | None = None
    title: str | None = None
    current: Page | None = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        marker = PAGE_MARKER.match(raw)
        if marker:
            current = Page(number=int(marker.group(1)))
            declared = int(marker.group(2))
            pages.append(current)
            continue
        if RULE_LINE.match(raw):
            continue
        stripped = raw.strip()
        if not stripped:
            continue
        if current is None:
            if title is None:
                title = stripped
            continue
        current.lines.append(Line(stripped, lineno))
    return Document(path=path, sha256=sha256, format="ocr-text", pages=pages,
                    declared_pages=declared, title=title)
