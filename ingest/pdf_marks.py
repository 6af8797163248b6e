"""Emphasis marks of a PDF text-layer line (:mod:`ingest.pdf_reader`): bold, colour,
Word's highlight (filled rectangles behind the text), heading size and table cells, kept
as bits while a paragraph is assembled (:data:`LINE_MARKS`) and looked up as a set of
:class:`~ingest.document.Mark` at the end (:data:`MARK_SETS`)."""
from __future__ import annotations

import bisect
import functools
from typing import Any

from ingest.document import Mark

#: Type this much larger than the page's body text is a heading.
HEADING_SIZE_RATIO = 1.2
BOLD_FLAG = 16  # PyMuPDF span flag bit
#: A span is highlighted when filled rectangles lie behind this share of its width, and
#: partly highlighted from the second share on.
HIGHLIGHT_SHARE, PART_HIGHLIGHT_SHARE = 0.8, 0.2
PLAIN_COLORS = {0}
#: The marks a text-layer line can carry, one bit each, and their 256 combinations built
#: once: a line's marks are kept as bits while its paragraph is assembled and looked up
#: as a set at the end. Each ``PART_`` bit sits four above its whole-line mark.
LINE_MARKS = (Mark.BOLD, Mark.COLOR, Mark.HIGHLIGHT, Mark.HEADING,
              Mark.PART_BOLD, Mark.PART_COLOR, Mark.PART_HIGHLIGHT, Mark.TABLE)
MARK_SETS = [frozenset(mark for bit, mark in enumerate(LINE_MARKS) if bits >> bit & 1)
              for bits in range(1 << len(LINE_MARKS))]
_BOLD, _COLOR, _HIGHLIGHT, _HEADING = 1, 2, 4, 8
_EMPHASIS_BITS = _BOLD | _COLOR | _HIGHLIGHT
_PART_BITS = _EMPHASIS_BITS << 4
TABLE_BIT = 128
#: Filled rectangles under 40 pt high are highlight candidates; a page with more of them
#: than this is a pattern or a chart, not highlighted text, and its fills are ignored
#: (each option span is compared with the fills of its own 40-pt band, see Highlights).
MAX_HIGHLIGHT_RECTS = 2_000
HIGHLIGHT_MAX_HEIGHT = 40


def span_marks(spans: list[dict], body_size: float, highlights: Highlights | None) -> int:
    """A line's formatting as bits: bold / colour / highlight when every visible span has
    it, their ``PART_`` bit when some do and others do not (the caller leaves out a
    leading list label: ``C.``, drawn by Word's numbering in the list's own format)."""
    rects = highlights.rects if highlights is not None else None
    if len(spans) == 1:  # most lines: no loops (hot path)
        span = spans[0]
        bits = ((_BOLD if span["flags"] & BOLD_FLAG or _bold_font(span["font"]) else 0)
                | (_COLOR if span["color"] not in PLAIN_COLORS else 0))
        if rects:
            bits |= _highlight_bits(span["bbox"], rects)
        size = span["size"]
    else:
        every, some = _EMPHASIS_BITS, 0
        size = 0.0
        for s in spans:
            span_bits = ((_BOLD if s["flags"] & BOLD_FLAG or _bold_font(s["font"]) else 0)
                         | (_COLOR if s["color"] not in PLAIN_COLORS else 0))
            if rects:
                span_bits |= _highlight_bits(s["bbox"], rects)
            every &= span_bits
            some |= span_bits
            if s["size"] > size:
                size = s["size"]
        bits = every | ((some & ~every) << 4 | some) & _PART_BITS
    if body_size and size >= HEADING_SIZE_RATIO * body_size:
        bits |= _HEADING
    return bits


def joined_marks(a: int, b: int) -> int:
    """The marks of two pieces joined into one line: what both have wholly stays whole
    (heading, table, emphasis); emphasis only one of them has, or has in part, is partial."""
    if a == b:
        return a
    both, either = a & b, a | b
    return (both & ~_PART_BITS) | (either & _PART_BITS) | (either & ~both & _EMPHASIS_BITS) << 4


@functools.lru_cache(maxsize=None)
def _bold_font(name: str) -> bool:
    """Bold by name (``Arial-BoldMT``), for fonts whose flags do not say so."""
    return "bold" in name.lower()


class Highlights:
    """Filled rectangles behind text (Word's highlight), read only when a list item asks:
    highlight marks answers among options, and reading a page's drawings cost as much as
    reading its text.

    ``rects`` is a :class:`_FilledRects`: each span is compared only with the fills of
    its own 40-pt band (a page of 100,000 fills and as many options was quadratic); a
    page with more than :data:`MAX_HIGHLIGHT_RECTS` fills is a pattern, not highlight."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self._rects: _FilledRects | None = None

    @property
    def rects(self) -> _FilledRects:
        if self._rects is None:
            # get_cdrawings: get_drawings' data as plain tuples, without building Rect objects
            rects = [d["rect"] for d in self.page.get_cdrawings()
                     if d.get("fill") not in (None, (1.0, 1.0, 1.0))
                     and d["rect"][3] - d["rect"][1] < HIGHLIGHT_MAX_HEIGHT]
            self._rects = _FilledRects(rects if len(rects) <= MAX_HIGHLIGHT_RECTS else [])
        return self._rects


class _FilledRects:
    """Highlight candidates (each under :data:`HIGHLIGHT_MAX_HEIGHT` high), found by the
    height they cover: those holding a height ``cy`` start less than 40 pt above it, so
    one bisection over their sorted tops finds them. Few rectangles (most pages) are
    simply scanned."""

    SCAN = 32

    def __init__(self, rects: list) -> None:
        self.rects = rects
        if len(rects) > self.SCAN:
            self.order = sorted(range(len(rects)), key=lambda i: rects[i][1])
            self.tops = [rects[i][1] for i in self.order]

    def __bool__(self) -> bool:
        return bool(self.rects)

    def __len__(self) -> int:
        return len(self.rects)

    def across(self, cy: float) -> list:
        """The rectangles whose vertical extent holds ``cy``, in the page's order (so
        coverage sums add up exactly as before)."""
        rects = self.rects
        if len(rects) <= self.SCAN:
            return [r for r in rects if r[1] <= cy <= r[3]]
        low = bisect.bisect_left(self.tops, cy - HIGHLIGHT_MAX_HEIGHT)
        high = bisect.bisect_right(self.tops, cy)
        return [rects[i] for i in sorted(self.order[low:high]) if rects[i][3] >= cy]


def _highlight_bits(bbox: tuple, rects: _FilledRects) -> int:
    """Highlight when at least 80 % of the span's width is under filled rectangles at its
    mid-height (Word's highlight becomes such rectangles, often one per run), part
    highlight from 20 % (MuPDF merges runs of one font into a span, so some highlighted
    words and some plain ones make one span)."""
    x0, y0, x1, y1 = bbox
    cy = (y0 + y1) / 2
    covered = sum(max(0.0, min(x1, rx1) - max(x0, rx0)) for rx0, ry0, rx1, ry1 in rects.across(cy))
    if covered >= HIGHLIGHT_SHARE * (x1 - x0):
        return _HIGHLIGHT
    return _HIGHLIGHT << 4 if covered >= PART_HIGHLIGHT_SHARE * (x1 - x0) else 0
