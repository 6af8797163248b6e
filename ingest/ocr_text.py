"""Reader for page-delimited OCR text dumps.

The shape (see INPUTS.md §1)::

    ====================
    PAGE 43 of 520 (Chunk 3)
    ====================
    <page lines>

Everything before the first page marker is a preamble (title, page total) and is kept
as the document title only.

A malformed marker costs its page number, never the file (issue 12: one ``PAGE 0 of
520`` — page numbers start at 1 in the corpus — lost a whole 1 MB dump, as did 77 of
1,014 fuzzed dumps). The page numbers the dump means are the longest increasing run of
plausible markers (1 ≤ N ≤ the page count most markers give); any other marker (``PAGE
0``, ``PAGE 12 of 3``, a number repeated or going back) takes the next free number
between its neighbours, or, when there is none, its lines stay in the page before it.
Each is a ``page_header_invalid`` :class:`Issue` naming its line and what it became.

Both the sniffer and the parser are linear in the text: the marker pattern never lets
whitespace run across lines (``^\\s*PAGE`` did, and a few hundred thousand blank lines
made the sniffer quadratic), and numbers of more than nine digits are malformed markers
rather than ``int()`` calls on a million digits.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter

from ingest.document import Document, Issue, Line, Page
from ingest.limits import DEFAULT_LIMITS, Limits

_SPACE = r"[^\S\n]"  # whitespace within a line
PAGE_MARKER = re.compile(rf"^{_SPACE}*PAGE{_SPACE}+(\d+){_SPACE}+of{_SPACE}+(\d+)\b.*$")
PAGE_MARKER_ANYWHERE = re.compile(PAGE_MARKER.pattern, re.M)
RULE_LINE = re.compile(r"^\s*[=\-_]{10,}\s*$")
#: Minimum number of page markers for a text to count as a page-delimited dump.
MIN_MARKERS = 2
#: Page numbers and counts longer than this are malformed markers.
MAX_NUMBER_DIGITS = 9
#: Malformed markers reported one by one; the rest are counted in one last issue.
MAX_HEADER_ISSUES = 20
#: A preamble line longer than this is cut before it becomes the title.
MAX_TITLE_CHARS = 300


def looks_like_ocr_dump(text: str) -> bool:
    """True when the text carries at least two ``PAGE N of M`` markers near its start."""
    head = text[:200_000]
    found = 0
    for _ in PAGE_MARKER_ANYWHERE.finditer(head):
        found += 1
        if found >= MIN_MARKERS:
            return True
    return False


def parse_ocr_dump(text: str, path: str, sha256: str, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Split an OCR dump into pages; keep each line's 1-based line number in the file."""
    issues: list[Issue] = []
    if len(text) > limits.max_text_chars:
        cut = text.rfind("\n", 0, limits.max_text_chars) + 1 or limits.max_text_chars
        issues.append(Issue("ocr-text", "text_capped",
                            f"read the first {cut} of {len(text)} characters "
                            f"(limit {limits.max_text_chars}; raise --max-input-mb to read it all)"))
        text = text[:cut]
    markers: list[tuple[int, str, str, str]] = []  # (line number, N, M, marker line)
    sections: list[list[Line]] = []  # the lines after each marker
    title: str | None = None
    for lineno, raw in enumerate(text.splitlines(), start=1):
        marker = PAGE_MARKER.match(raw)
        if marker:
            markers.append((lineno, marker.group(1), marker.group(2), raw.strip()))
            sections.append([])
            continue
        if RULE_LINE.match(raw):
            continue
        stripped = raw.strip()
        if not stripped:
            continue
        if not sections:
            if title is None:
                title = stripped[:MAX_TITLE_CHARS]
            continue
        sections[-1].append(Line(stripped, lineno))
    declared, numbers = _page_numbers(markers)
    pages: list[Page] = []
    orphans: list[Line] = []  # lines of a marker with no page before it to join
    reported = 0
    for (lineno, n, m, raw), number, lines in zip(markers, numbers, sections):
        reason = _malformed(n, m, number, declared, pages[-1].number if pages else 0)
        if reason:
            if number is not None:
                became = f"read as page {number}"
            elif pages:
                became = f"its lines kept in page {pages[-1].number}"
            else:
                became = "its lines kept in the page after it"
            if reported < MAX_HEADER_ISSUES:
                issues.append(Issue("ocr-text", "page_header_invalid",
                                    f"line {lineno}: {_clip(raw)!r}: {reason}; {became}",
                                    number if number is not None else (pages[-1].number if pages else None)))
            reported += 1
        if number is None:
            if pages:
                pages[-1].lines.extend(lines)
            else:
                orphans.extend(lines)
            continue
        pages.append(Page(number=number, lines=orphans + lines))
        orphans = []
    if reported > MAX_HEADER_ISSUES:
        issues.append(Issue("ocr-text", "page_header_invalid",
                            f"{reported - MAX_HEADER_ISSUES} more malformed page markers"))
    return Document(path=path, sha256=sha256, format="ocr-text", pages=pages,
                    declared_pages=declared, title=title, issues=issues)


def _int(digits: str) -> int | None:
    return int(digits) if len(digits) <= MAX_NUMBER_DIGITS else None


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _malformed(n: str, m: str, number: int | None, declared: int | None, previous: int) -> str | None:
    """Why a marker is malformed (``None`` when it is not), given the number it got."""
    given, count = _int(n), _int(m)
    if given is None:
        return "page number unreadable"
    if given < 1:
        return f"there is no page {given}"
    if count != declared:
        return f"page count {_clip(m, 12)} is not the dump's {declared}"
    if number != given:
        if given == previous:
            return f"page {given} repeated"
        return f"page {given} out of order after page {previous}" if previous else f"page {given} out of order"
    return None


def _page_numbers(markers: list[tuple[int, str, str, str]]) -> tuple[int | None, list[int | None]]:
    """The page count the dump declares (what most markers say) and each marker's page
    number: the markers of the longest increasing run of plausible numbers keep theirs
    (the earliest of equal ones), each other marker gets the next number free between
    its neighbours, or ``None`` when there is none (its lines join the page before)."""
    counts = Counter(m for _, _, text, _ in markers if (m := _int(text)) is not None)
    declared = counts.most_common(1)[0][0] if counts else None
    given = [_int(n) for _, n, _, _ in markers]
    plausible = [i for i, n in enumerate(given)
                 if n is not None and n >= 1 and (declared is None or n <= declared)]
    kept = set(_increasing_run([given[i] for i in plausible], plausible))
    following: list[int | None] = [None] * len(given)  # the next kept number after each marker
    upcoming: int | None = None
    for index in range(len(given) - 1, -1, -1):
        following[index] = upcoming
        if index in kept:
            upcoming = given[index]
    numbers: list[int | None] = []
    last = 0  # the last page number given out
    for index, n in enumerate(given):
        if index in kept:
            numbers.append(n)
            last = n
            continue
        ceiling = following[index] if following[index] is not None else (
            declared + 1 if declared is not None else None)
        if ceiling is None or last + 1 < ceiling:
            last += 1
            numbers.append(last)
        else:
            numbers.append(None)
    return declared, numbers


def _increasing_run(values: list[int], positions: list[int]) -> list[int]:
    """The positions of a longest strictly increasing subsequence of ``values``
    (patience sorting, n log n), preferring the earliest of equal values."""
    tails: list[int] = []  # value ending the best run of each length
    ends: list[int] = []  # index (into values) of that value
    before: list[int] = [-1] * len(values)
    for index, value in enumerate(values):
        at = bisect.bisect_left(tails, value)
        if at < len(tails) and tails[at] == value:
            continue  # an equal value already ends this run, earlier
        before[index] = ends[at - 1] if at else -1
        if at == len(tails):
            tails.append(value)
            ends.append(index)
        else:
            tails[at] = value
            ends[at] = index
    run: list[int] = []
    index = ends[-1] if ends else -1
    while index >= 0:
        run.append(positions[index])
        index = before[index]
    return run[::-1]
