"""Page furniture of exam documents, marked rather than removed: their extractors skip a
line marked ``Mark.FURNITURE`` instead of losing it. Band lines are learned as
:mod:`extract.furniture` learns them, on a stricter share of pages, and page numbers that
follow the page."""
from __future__ import annotations

import dataclasses
import re
from collections import Counter

from extract.furniture import FurnitureModel, _band_lines, learn_band_clusters, learn_short_band_lines
from ingest.document import Document, Line, Mark, Page

#: Exam documents (:func:`mark_furniture`): a band line is furniture from this share of
#: pages on (and at least 3) ...
EXAM_PAGE_SHARE = 0.30
#: ... when this share of its occurrences reads the same once the page number is folded
#: (``Correct Answer: 3`` repeats in the band, but its digit changes from page to page) ...
SAME_TEXT_SHARE = 0.6
#: ... and at most this share of its occurrences lies outside the bands (a common option
#: such as ``None of the above`` ends some pages, but sits mid-page on others).
MAX_OUTSIDE_SHARE = 0.2

_NUMBER = re.compile(r"\d{1,4}")
#: Lines that start like a question, an option or an answer are never page furniture,
#: however often they repeat (``Question 12`` tops every page of a one-per-page export).
_CONTENT_START = re.compile(
    r"^\s*(?:(?:new\s+)?question\b|q\s*\d|(?:correct\s+)?answers?\b|explanation\b"
    r"|\(?[a-z0-9]{1,2}[.):](?:\s|$)|[\u2460-\u2473\u2776-\u277f]|第\s*\d+\s*[题題]|문제\s*\d|정답)",
    re.IGNORECASE)


def mark_furniture(document: Document, min_share: float = EXAM_PAGE_SHARE) -> Document:
    """The document with its page furniture marked ``Mark.FURNITURE`` (lines kept, text
    unchanged): for exam documents, whose extractors skip such lines instead of losing
    them. Nothing that starts like a question, an option or an answer is furniture.

    * Band lines, as the band detector learns them (a line among a page's first
      :data:`~extract.furniture.TOP_BAND` or last :data:`~extract.furniture.BOTTOM_BAND` repeating, digits folded, on
      ``min_share`` of the pages and on 3), whose copies read the same but for a page
      number (:data:`SAME_TEXT_SHARE`) and are rarely found outside the bands
      (:data:`MAX_OUTSIDE_SHARE`).
    * Page numbers: band lines that read the same but for a number, on as many pages,
      where that number follows the page (``7``, ``- 7 -``, ``Page 7 of 40``).

    Either kind must also sit at the page's edge (only such lines between it and the top
    or the bottom) on as many pages: a common option near the end of many pages has its
    answer line below it.

    Picture placeholder lines (``[image: ...]``, written by the reader) neither count nor
    get marked.
    """
    pages = [[line for line in page.lines if Mark.IMAGE not in line.marks and line.text.strip()]
             for page in document.pages]
    needed = max(3, min_share * len(pages))
    clusters = learn_band_clusters(pages, min_share)
    model = FurnitureModel([key for cluster in clusters for key in cluster], frozenset(),
                           learn_short_band_lines(pages, min_share))
    cluster_of = {key: cluster[0] for cluster in clusters for key in cluster}
    learned = bool(model.band_patterns or model.short_band_lines)
    inside: dict[str, list[tuple[int, Line]]] = {}  # cluster -> (page number, line) in a band
    outside: Counter[str] = Counter()
    numbered: dict[str, list[tuple[int, Line]]] = {}  # band lines with numbers, numbers folded
    for page, lines in zip(document.pages, pages):
        band = {id(line) for line in _band_lines(lines)}
        for line in lines:
            in_band = id(line) in band
            if in_band and _NUMBER.search(line.text):
                numbered.setdefault(_NUMBER.sub("#", line.text.lower()), []).append((page.number, line))
            if not learned:
                continue
            pattern = model.band_pattern(line.text)
            if pattern is None:
                continue
            pattern = cluster_of.get(pattern, pattern)  # short lines are their own cluster
            if in_band:
                inside.setdefault(pattern, []).append((page.number, line))
            else:
                outside[pattern] += 1
    candidates: dict[int, str] = {}  # line id -> the pattern that makes it furniture
    for pattern, found in inside.items():
        if (_on_pages(found) >= needed
                and outside[pattern] <= MAX_OUTSIDE_SHARE * (len(found) + outside[pattern])
                and not any(_CONTENT_START.match(line.text) for _, line in found)
                and _reads_the_same(found)):
            candidates.update((id(line), pattern) for _, line in found)
    for key, found in numbered.items():
        if _on_pages(found) < needed or any(_CONTENT_START.match(line.text) for _, line in found):
            continue
        offset = _page_number_offset(found)
        if offset is None:
            continue
        following = [(number, line) for number, line in found
                     if any(int(digits) - number == offset for digits in _NUMBER.findall(line.text))]
        if _on_pages(following) >= needed:
            candidates.update((id(line), "page number " + key) for _, line in following)
    # furniture sits at the page's edge: on enough pages, only furniture lies between it
    # and the top or the bottom (an option that repeats near the end of many pages has
    # its question's answer line below it)
    at_edge: dict[str, set[int]] = {}
    for page, lines in zip(document.pages, pages):
        for run in (lines, lines[::-1]):
            for line in run:
                if id(line) not in candidates:
                    break
                at_edge.setdefault(candidates[id(line)], set()).add(page.number)
    furniture = {line for line, pattern in candidates.items() if len(at_edge.get(pattern, ())) >= needed}
    if not furniture:
        return document
    marked = [Page(page.number, [dataclasses.replace(line, marks=line.marks | {Mark.FURNITURE})
                                 if id(line) in furniture else line for line in page.lines])
              for page in document.pages]
    return dataclasses.replace(document, pages=marked)


def _on_pages(found: list[tuple[int, Line]]) -> int:
    return len({number for number, _ in found})


def _page_number_offset(found: list[tuple[int, Line]]) -> int | None:
    """The offset between the numbers ``found`` on pages and the page numbers, when one
    offset explains most of them (a printed page number follows the page)."""
    offsets: Counter[int] = Counter()
    for number, line in found:
        offsets.update({int(digits) - number for digits in _NUMBER.findall(line.text)})
    if not offsets:
        return None
    offset, count = offsets.most_common(1)[0]
    return offset if count >= 0.5 * len(found) else None


def _reads_the_same(found: list[tuple[int, Line]]) -> bool:
    """Do most copies of a band line read the same once a page number is folded?"""
    offset = _page_number_offset(found)
    texts: Counter[str] = Counter()
    for number, line in found:
        key = line.text.lower()
        if offset is not None:
            key = _NUMBER.sub(lambda m: "#" if int(m.group()) - number == offset else m.group(), key)
        texts[key] += 1
    return texts.most_common(1)[0][1] >= SAME_TEXT_SHARE * len(found)
