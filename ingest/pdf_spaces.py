"""Spaces a PDF wrote as lines of their own (:mod:`ingest.pdf_reader`): some writers set
each space as a separate glyph run, which MuPDF gives as whitespace-only lines beside
the words; they are put back into the text line they belong to (``rawdict`` layout)."""
from __future__ import annotations

import bisect
import math

from ingest.pdf_columns import same_baseline

def merge_detached_spaces(layout: dict) -> dict:
    """Put detached spaces back (``layout`` from ``rawdict``): each whitespace-only line
    is dropped and its spaces inserted, by x position, into the text line of the same
    block sharing its baseline. The text line keeps MuPDF's character order (sorting
    everything by x would scramble ligatures: ``classifciation``).

    Linear in the block's size, not in the product of its blank and text lines: the
    lines sharing a baseline are found in a height index (:class:`_Baselines`), and each
    text line's spaces are placed in one pass over its characters (:func:`_insert_spaces`)
    — when every space scanned every line and every character, a block of 4,000 word
    and space lines took 7.5 s, and 100,000 would have taken an hour."""
    for block in layout["blocks"]:
        if block["type"] != 0:
            continue
        text_lines: list[dict] = []
        blank_lines: list[dict] = []
        for line in block["lines"]:
            (text_lines if _line_text(line).strip() else blank_lines).append(line)
        if blank_lines and text_lines:
            baselines = _Baselines(text_lines)
            pending: dict[int, list[dict]] = {}  # text line (index) -> spaces inside it
            for line in blank_lines:
                row = _Row(baselines.sharing(line["bbox"]), text_lines)
                for span in line["spans"]:
                    for char in span["chars"]:
                        x = (char["bbox"][0] + char["bbox"][2]) / 2
                        inside = row.inside(x)
                        if inside is not None:
                            pending.setdefault(inside, []).append(char)
                            continue
                        before = row.before(x + 1)
                        if before is not None:  # between two pieces: ends the left one
                            text_lines[before]["spans"][-1]["chars"].append(char)
            for index, spaces in pending.items():
                _insert_spaces(text_lines[index], spaces)
        block["lines"] = [{"bbox": line["bbox"], "spans": [_span_text(span) for span in line["spans"]]}
                          for line in text_lines]
    return layout


class _Baselines:
    """The text lines of a block indexed by the heights they cover, in buckets one
    median line high: the lines sharing a baseline with a given box are those of its
    buckets that pass :func:`same_baseline`, returned in block order. A line taller than
    :data:`TALL_BUCKETS` buckets is checked against every query instead (a few at most).

    A bucket of more than :data:`CROWD` lines (thousands of pieces on one baseline, never
    a real row) is searched in x order instead: only the :data:`NEAR` lines starting
    nearest left of the box's right end can hold or end before its spaces."""

    TALL_BUCKETS = 64
    CROWD = 256
    NEAR = 16

    def __init__(self, lines: list[dict]) -> None:
        self.boxes = [line["bbox"] for line in lines]
        heights = sorted(abs(b[3] - b[1]) for b in self.boxes)
        self.step = max(heights[len(heights) // 2], 1.0)
        self.buckets: dict[int, list[int]] = {}
        self.tall: list[int] = []
        for index, (_, y0, _, y1) in enumerate(self.boxes):
            first, last = self._span(y0, y1)
            if last - first > self.TALL_BUCKETS:
                self.tall.append(index)
                continue
            for key in range(first, last + 1):
                self.buckets.setdefault(key, []).append(index)
        self.by_x: dict[int, tuple[list[float], list[int]]] = {}  # crowded buckets, by x0

    def _span(self, y0: float, y1: float) -> tuple[int, int]:
        return math.floor(min(y0, y1) / self.step), math.floor(max(y0, y1) / self.step)

    def _near(self, key: int, right: float) -> list[int]:
        if key not in self.by_x:
            members = sorted(self.buckets[key], key=lambda i: self.boxes[i][0])
            self.by_x[key] = ([self.boxes[i][0] for i in members], members)
        starts, members = self.by_x[key]
        at = bisect.bisect_right(starts, right)
        return members[max(0, at - self.NEAR): at]

    def sharing(self, bbox: tuple) -> list[int]:
        first, last = self._span(bbox[1], bbox[3])
        if last - first > self.TALL_BUCKETS:  # a tall query: scan everything
            candidates: set[int] | range = range(len(self.boxes))
        else:
            candidates = set(self.tall)
            for key in range(first, last + 1):
                members = self.buckets.get(key, ())
                candidates.update(members if len(members) <= self.CROWD else self._near(key, bbox[2]))
        return [i for i in sorted(candidates) if same_baseline(self.boxes[i], bbox)]


class _Row:
    """Text lines sharing a detached space's baseline, and the one a space at ``x``
    belongs to. A few lines (every real row) are scanned in block order, as MuPDF
    wrote them; a long row is searched in x order."""

    SCAN = 16

    def __init__(self, indexes: list[int], lines: list[dict]) -> None:
        self.lines = [(i, lines[i]["bbox"]) for i in indexes]
        if len(self.lines) > self.SCAN:
            by_start = sorted(self.lines, key=lambda item: item[1][0])
            self.starts = [bbox[0] for _, bbox in by_start]
            self.by_start = by_start
            by_end = sorted(self.lines, key=lambda item: (item[1][2], -item[0]))
            self.ends = [bbox[2] for _, bbox in by_end]
            self.by_end = by_end

    def inside(self, x: float) -> int | None:
        """The line whose extent holds ``x`` (the first, in block order, when several do)."""
        if len(self.lines) <= self.SCAN:
            return next((i for i, bbox in self.lines if bbox[0] < x < bbox[2]), None)
        at = bisect.bisect_left(self.starts, x) - 1  # the last line starting left of x
        if at >= 0 and x < self.by_start[at][1][2]:
            return self.by_start[at][0]
        return None

    def before(self, x: float) -> int | None:
        """The line ending furthest right, at or before ``x``."""
        if len(self.lines) <= self.SCAN:
            best = max((item for item in self.lines if item[1][2] <= x),
                       key=lambda item: item[1][2], default=None)
            return best[0] if best is not None else None
        at = bisect.bisect_right(self.ends, x) - 1
        return self.by_end[at][0] if at >= 0 else None


def _line_text(line: dict) -> str:
    return "".join(c["c"] for span in line["spans"] for c in span.get("chars", []))


def _insert_spaces(line: dict, spaces: list[dict]) -> None:
    """Insert each space before the first character of ``line`` (in MuPDF's order)
    that starts right of it, or at the line's end: one pass over the characters, the
    positions found by bisection over the running maximum of their left edges (the
    first character starting at or right of x is the first where that maximum reaches x).
    Spaces at one position go in left to right."""
    starts: list[float] = []
    reach = -math.inf
    for span in line["spans"]:
        for char in span["chars"]:
            reach = max(reach, char["bbox"][0])
            starts.append(reach)
    at: dict[int, list[dict]] = {}
    for space in spaces:
        at.setdefault(bisect.bisect_left(starts, space["bbox"][0]), []).append(space)
    for group in at.values():
        group.sort(key=lambda space: space["bbox"][0])
    position = 0
    for span in line["spans"]:
        chars = span["chars"]
        merged: list[dict] = []
        for char in chars:
            if position in at:
                merged.extend(at[position])
            merged.append(char)
            position += 1
        span["chars"] = merged
    if position in at:  # right of every character: the line's end
        line["spans"][-1]["chars"].extend(at[position])


def _span_text(span: dict) -> dict:
    """A rawdict span as a dict span (``text`` instead of ``chars``)."""
    return {**{k: v for k, v in span.items() if k != "chars"},
            "text": "".join(c["c"] for c in span["chars"])}
