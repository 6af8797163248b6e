"""Page furniture removal learned from the document itself.

Two detectors, both statistical, none knowing this book's strings:

* **Band lines** (copyright and ``Printed by`` footers, logos): the first
  :data:`TOP_BAND` and last :data:`BOTTOM_BAND` lines of every page are clustered by fuzzy
  similarity; a band line whose cluster is seen on at least :data:`MIN_PAGE_SHARE` of the
  pages is furniture (only in the band: in a short document, content such as a contents
  page line can resemble a frequent header). Lines that are only a number in a band are
  page numbers.
* **Running headers** (module headers): a page's first line that repeats on nearby pages.
* **Watermark shards** glued to the end of body lines (``... NOT Com 틈 8 SSleeeee1@``):
  *anchor* tokens are tokens seen on many pages that almost only ever occur in the last
  few positions of a line. A line's tail made of anchors (or near-copies of them) and short
  junk tokens is cut off, provided it holds at least one anchor
  (:mod:`extract.watermark_shards`).

Nothing is dropped silently: every removal is kept per page in :class:`Removal` records
(the build writes them to an audit file).

Exam documents keep their furniture instead: :func:`extract.exam_furniture.mark_furniture`
learns band lines the same way (on a stricter share of pages, and only lines that read
the same on every page but for the page number, are not question, option or answer
lines, and are rarely seen outside the bands) and page numbers that follow the page, and
adds ``Mark.FURNITURE`` to those lines.
"""
from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from extract.stray_tokens import strip_icon_bullets, strip_stray_tokens
from extract.watermark_shards import (
    ANCHOR_PREFIX,
    ANCHOR_SIMILARITY,
    _classify,
    _token_key,
    expand_anchors,
    learn_anchors,
    strip_shards,
)
from ingest.document import Document, Line

TOP_BAND = 3
BOTTOM_BAND = 4
#: A band cluster is furniture when it appears on at least this share of pages (Marker's rule).
MIN_PAGE_SHARE = 0.20
#: Fuzzy ratio (0-100) above which two band lines are the same furniture line.
BAND_SIMILARITY = 75
#: Band lines shorter than this are not clustered (numbers and shards are handled apart).
MIN_BAND_LINE_CHARS = 12
#: Short band lines (logos such as ``aws``) are matched exactly, and are furniture from
#: this share of pages on (a logo on every slide, but not on divider pages).
SHORT_BAND_PAGE_SHARE = 0.10
#: Characters of a band line compared when clustering (see :func:`_band_key`).
BAND_KEY_CHARS = 64
#: A running header is a short top line that repeats on at least RUNNING_MIN_NEIGHBOURS
#: of the RUNNING_WINDOW pages on either side (module headers, chapter titles).
RUNNING_WINDOW = 2
RUNNING_MIN_NEIGHBOURS = 2
RUNNING_MAX_CHARS = 80

RUNNING_HEADER = "running-header"
BAND_LINE = "repeated-band-line"
ICON_BULLET = "icon-bullet"

_NUMBER_LINE = re.compile(r"^\W{0,2}\d{1,4}\W{0,2}$")
_DIGITS = re.compile(r"\d")
_HAS_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Removal:
    """One piece of furniture taken off a page, for the audit output."""

    page: int
    source_line: int
    text: str
    reason: str


@dataclass
class CleanPage:
    """A page's body lines after furniture removal, and what was removed from it."""

    number: int
    lines: list[Line]
    removed: list[Removal] = field(default_factory=list)


@dataclass
class FurnitureModel:
    """What the detector learned from one document."""

    band_patterns: list[str]
    anchors: frozenset[str]
    short_band_lines: frozenset[str] = frozenset()
    running_header_lines: frozenset[int] = frozenset()
    _anchor_cache: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)
    _kind_cache: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._band_set = frozenset(self.band_patterns)

    def kind_of(self, token: str) -> str:
        """word / junk / anchor / strong (a long anchor), memoized per token."""
        kind = self._kind_cache.get(token)
        if kind is None:
            kind = self._kind_cache[token] = _classify(token, self)
        return kind

    def is_band_furniture(self, text: str) -> bool:
        return self.band_pattern(text) is not None

    def band_pattern(self, text: str) -> str | None:
        """The learned band line ``text`` is a copy of (its key), or None."""
        if len(text) < MIN_BAND_LINE_CHARS:
            key = text.lower()
            return key if key in self.short_band_lines else None
        if not self.band_patterns:
            return None
        key = _band_key(text)
        if key in self._band_set:
            return key
        match = process.extractOne(key, self.band_patterns, scorer=fuzz.ratio,
                                   score_cutoff=BAND_SIMILARITY)
        return match[0] if match is not None else None

    def is_anchor(self, token: str) -> bool:
        """An anchor, or a near-copy of a long one (OCR garbles the shard's end:
        ``SSleeeee1@``, ``Ssleeeeer``, ``ssleed;``)."""
        key = _token_key(token)
        cached = self._anchor_cache.get(key)
        if cached is None:
            cached = self._anchor_cache[key] = self._looks_like_anchor(key)
        return cached

    def _looks_like_anchor(self, key: str) -> bool:
        if key in self.anchors:
            return True
        if len(key) < ANCHOR_PREFIX:
            return False
        if any(len(a) > ANCHOR_PREFIX and key[:ANCHOR_PREFIX] == a[:ANCHOR_PREFIX]
               for a in self.anchors):
            return True
        return process.extractOne(key, self.anchors, scorer=fuzz.ratio,
                                  score_cutoff=ANCHOR_SIMILARITY) is not None


def _band_key(text: str) -> str:
    """Compare band lines by their lower-cased head, digits folded (years, page numbers).

    The head is enough to recognise a furniture line, and 64 characters keep rapidfuzz on
    its single-word bit-parallel path (long body lines made clustering 15x slower).
    """
    return _DIGITS.sub("0", text[:BAND_KEY_CHARS].lower())


def _band_lines(lines: list[Line]) -> list[Line]:
    if len(lines) <= TOP_BAND + BOTTOM_BAND:
        return list(lines)
    return lines[:TOP_BAND] + lines[-BOTTOM_BAND:]


def learn_band_patterns(pages: list[list[Line]], min_share: float = MIN_PAGE_SHARE) -> list[str]:
    """Cluster band lines (single linkage); return the keys of the clusters seen on at
    least ``min_share`` of the pages (and on 3)."""
    return [key for cluster in learn_band_clusters(pages, min_share) for key in cluster]


def learn_band_clusters(pages: list[list[Line]], min_share: float = MIN_PAGE_SHARE) -> list[list[str]]:
    """The frequent clusters of band lines (their keys, cluster by cluster, in key order).

    Single linkage matters: each OCR chunk of a book garbles the header its own way
    (``AWS Trarrung and Certflicauon``, ``AWS Tamrung and Certllicalion``), and a rare
    variant is often closer to another variant than to the most common spelling.
    """
    pages_of_key: dict[str, set[int]] = {}
    for index, lines in enumerate(pages):
        for line in _band_lines(lines):
            if len(line.text) >= MIN_BAND_LINE_CHARS:
                pages_of_key.setdefault(_band_key(line.text), set()).add(index)
    keys = sorted(pages_of_key)
    if not keys:
        return []
    parent = list(range(len(keys)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    similar = process.cdist(keys, keys, scorer=fuzz.ratio, score_cutoff=BAND_SIMILARITY,
                            dtype="uint8")
    for i, j in zip(*similar.nonzero()):
        if i < j:
            parent[root(int(i))] = root(int(j))
    clusters: dict[int, set[int]] = {}
    for i, key in enumerate(keys):
        clusters.setdefault(root(i), set()).update(pages_of_key[key])
    needed = max(3, min_share * len(pages))
    frequent: dict[int, list[str]] = {}
    for i, key in enumerate(keys):
        if len(clusters[root(i)]) >= needed:
            frequent.setdefault(root(i), []).append(key)
    return list(frequent.values())


def learn_short_band_lines(pages: list[list[Line]],
                           min_share: float = SHORT_BAND_PAGE_SHARE) -> frozenset[str]:
    """Short lines (logos) that sit in a page band on many pages, compared exactly."""
    seen: Counter[str] = Counter()
    for lines in pages:
        seen.update({line.text.lower() for line in _band_lines(lines)
                     if len(line.text) < MIN_BAND_LINE_CHARS and _HAS_LETTER.search(line.text)})
    needed = max(3, min_share * len(pages))
    return frozenset(key for key, count in seen.items() if count >= needed)


def find_running_headers(pages: list[list[Line]]) -> set[int]:
    """Source-line numbers of running headers: a page's first line that reappears (fuzzily)
    as the first line of nearby pages. Module headers are running headers; the structure
    stage reads them from the audit, so removing them from the body loses nothing."""
    firsts = [lines[0] if lines and len(lines[0].text) <= RUNNING_MAX_CHARS else None
              for lines in pages]
    keys = [_band_key(line.text) if line else None for line in firsts]
    found: set[int] = set()
    for index, line in enumerate(firsts):
        if line is None:
            continue
        lo, hi = max(0, index - RUNNING_WINDOW), min(len(pages), index + RUNNING_WINDOW + 1)
        neighbours = sum(
            1 for other in range(lo, hi)
            if other != index and keys[other] is not None
            and fuzz.ratio(keys[index], keys[other]) >= BAND_SIMILARITY
        )
        if neighbours >= RUNNING_MIN_NEIGHBOURS:
            found.add(line.source_line)
    return found


def learn_furniture(document: Document) -> FurnitureModel:
    pages = [page.lines for page in document.pages]
    bands = learn_band_patterns(pages)
    short = learn_short_band_lines(pages)
    band_model = FurnitureModel(bands, frozenset(), short)
    body = [[line for line in lines if not band_model.is_band_furniture(line.text)]
            for lines in pages]
    running = find_running_headers(body)
    body = [[line for line in lines if line.source_line not in running] for lines in body]
    anchors = expand_anchors(body, learn_anchors(body))
    return FurnitureModel(band_patterns=bands, anchors=anchors, short_band_lines=short,
                          running_header_lines=frozenset(running))


def remove_furniture(document: Document, model: FurnitureModel | None = None) -> list[CleanPage]:
    """Return each page's body with furniture removed and recorded."""
    model = model or learn_furniture(document)
    cleaned: list[CleanPage] = []
    for page in document.pages:
        band_ids = {id(line) for line in _band_lines(page.lines)}
        kept: list[Line] = []
        removed: list[Removal] = []
        for line in page.lines:
            reason = None
            if line.source_line in model.running_header_lines:
                reason = RUNNING_HEADER
            elif id(line) in band_ids and model.is_band_furniture(line.text):
                reason = BAND_LINE
            elif id(line) in band_ids and _NUMBER_LINE.match(line.text):
                reason = "page-number"
            if reason:
                removed.append(Removal(page.number, line.source_line, line.text, reason))
                continue
            body, strays = strip_stray_tokens(line.text)  # the watermark's tail with its anchor
            body, shards = strip_shards(body, model)
            removed.extend(Removal(page.number, line.source_line, piece, "watermark-shard")
                           for piece in shards)
            removed.extend(Removal(page.number, line.source_line, piece, "stray-token")
                           for piece in strays)
            if body:
                kept.append(Line(body, line.source_line) if shards or strays else line)
        cleaned.append(CleanPage(page.number, kept, removed))
    return cleaned


def strip_page_icons(page: CleanPage) -> CleanPage:
    """The page without the slide icons the OCR read into its lines, each recorded as a
    removal (the page is the unit whose list labels are looked at:
    :func:`extract.stray_tokens.strip_icon_bullets`). For teaching pages only: a knowledge
    check's reader needs its labels and icons where the OCR put them."""
    texts, icons = strip_icon_bullets([line.text for line in page.lines])
    if not any(icons):
        return page
    kept: list[Line] = []
    removed = list(page.removed)
    for line, text, gone in zip(page.lines, texts, icons):
        removed.extend(Removal(page.number, line.source_line, piece, ICON_BULLET) for piece in gone)
        if text:
            kept.append(dataclasses.replace(line, text=text) if gone else line)
    return CleanPage(page.number, kept, removed)


