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
  junk tokens is cut off, provided it holds at least one anchor.

Nothing is dropped silently: every removal is kept per page in :class:`Removal` records
(the build writes them to an audit file).

Exam documents keep their furniture instead: :func:`mark_furniture` learns band lines the
same way (on a stricter share of pages, and only lines that read the same on every page
but for the page number, are not question, option or answer lines, and are rarely seen
outside the bands) and page numbers that follow the page, and adds ``Mark.FURNITURE``
to those lines.
"""
from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from extract.stray_tokens import strip_icon_bullets, strip_stray_tokens
from ingest.document import Document, Line, Mark, Page

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
#: A token is a watermark anchor when this share of its occurrences sits in a line's tail ...
ANCHOR_TAIL_SHARE = 0.9
#: ... it appears on at least this share of pages ...
ANCHOR_MIN_PAGE_SHARE = 0.03
#: ... and its tail is the last TAIL_TOKENS tokens of a line (the shard
#: ``NOT Com 틈 8 SSleeeee1@`` is five tokens long).
TAIL_TOKENS = 6
#: A token that is this similar to an anchor counts as one (OCR varies the shard).
ANCHOR_SIMILARITY = 70
#: ... or shares its first ANCHOR_PREFIX characters with a longer anchor.
ANCHOR_PREFIX = 5
#: A token where the shard cut stops on this share of its tail occurrences (and on enough
#: pages) is part of the watermark too: ``NOT com`` before ``틈 8 SSleeeee1@``.
STOPPER_SHARE = 0.5
MAX_ANCHOR_ROUNDS = 3
#: Latin/digit tokens this short, single Hangul syllables, and tokens without any letter
#: may sit between shard tokens (two-syllable Korean tokens are words and stop the cut).
JUNK_TOKEN_MAX_LEN = 2
#: A running header is a short top line that repeats on at least RUNNING_MIN_NEIGHBOURS
#: of the RUNNING_WINDOW pages on either side (module headers, chapter titles).
RUNNING_WINDOW = 2
RUNNING_MIN_NEIGHBOURS = 2
RUNNING_MAX_CHARS = 80

#: Exam documents (:func:`mark_furniture`): a band line is furniture from this share of
#: pages on (and at least 3) ...
EXAM_PAGE_SHARE = 0.30
#: ... when this share of its occurrences reads the same once the page number is folded
#: (``Correct Answer: 3`` repeats in the band, but its digit changes from page to page) ...
SAME_TEXT_SHARE = 0.6
#: ... and at most this share of its occurrences lies outside the bands (a common option
#: such as ``None of the above`` ends some pages, but sits mid-page on others).
MAX_OUTSIDE_SHARE = 0.2

RUNNING_HEADER = "running-header"
BAND_LINE = "repeated-band-line"
ICON_BULLET = "icon-bullet"

_NUMBER_LINE = re.compile(r"^\W{0,2}\d{1,4}\W{0,2}$")
_DIGITS = re.compile(r"\d")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_NUMBER = re.compile(r"\d{1,4}")
#: Lines that start like a question, an option or an answer are never page furniture,
#: however often they repeat (``Question 12`` tops every page of a one-per-page export).
_CONTENT_START = re.compile(
    r"^\s*(?:(?:new\s+)?question\b|q\s*\d|(?:correct\s+)?answers?\b|explanation\b"
    r"|\(?[a-z0-9]{1,2}[.):](?:\s|$)|[\u2460-\u2473\u2776-\u277f]|第\s*\d+\s*[题題]|문제\s*\d|정답)",
    re.IGNORECASE)


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


def _token_key(token: str) -> str:
    """Lower case without sentence punctuation: ``axle.`` at a line end is the word
    ``axle``, which also occurs mid-line, so a sentence end never looks like a shard."""
    return token.lower().rstrip(".,;:!?。") or token.lower()


def _is_junk_token(token: str) -> bool:
    if not _HAS_LETTER.search(token):
        return True
    if _HANGUL.search(token):
        return len(token) == 1
    return len(token) <= JUNK_TOKEN_MAX_LEN


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


def learn_anchors(pages: list[list[Line]]) -> frozenset[str]:
    """Tokens that live at line ends on many pages: the watermark's vocabulary.

    Only long lines vote (at least twice :data:`TAIL_TOKENS` tokens): in a short line every
    token is "at the end", which would make running headers look like watermarks.
    """
    in_tail: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    page_count: Counter[str] = Counter()
    for lines in pages:
        seen: set[str] = set()
        for line in lines:
            tokens = [_token_key(t) for t in line.text.split()]
            if len(tokens) < 2 * TAIL_TOKENS:
                continue
            cut = len(tokens) - TAIL_TOKENS
            for position, token in enumerate(tokens):
                anywhere[token] += 1
                if position >= cut:
                    in_tail[token] += 1
                    seen.add(token)
        page_count.update(seen)
    min_pages = max(3, ANCHOR_MIN_PAGE_SHARE * len(pages))
    return frozenset(
        token for token, pages_seen in page_count.items()
        if pages_seen >= min_pages
        and in_tail[token] / anywhere[token] >= ANCHOR_TAIL_SHARE
        and _HAS_LETTER.search(token)
    )


def _tail_cut(text: str, model: FurnitureModel) -> list[str]:
    """Tokens left before a line-final shard run, or [] when the line has no such run."""
    tokens = text.split()
    cut = len(tokens)
    anchored = False
    while cut > 0:
        kind = model.kind_of(tokens[cut - 1])
        if kind == _WORD:
            break
        anchored = anchored or kind != _JUNK
        cut -= 1
    return tokens[:cut] if anchored else []


def expand_anchors(pages: list[list[Line]], anchors: frozenset[str]) -> frozenset[str]:
    """Add the tokens the shard cut keeps stopping at.

    Watermark pieces also land mid-line (two-column reading), which dilutes their tail
    share; but a token that blocks the cut on many pages, and does so on most of its tail
    occurrences, belongs to the shard.
    """
    min_pages = max(3, ANCHOR_MIN_PAGE_SHARE * len(pages))
    for _ in range(MAX_ANCHOR_ROUNDS):
        model = FurnitureModel([], anchors)
        stops: Counter[str] = Counter()
        stop_pages: Counter[str] = Counter()
        in_tail: Counter[str] = Counter()
        for lines in pages:
            seen: set[str] = set()
            for line in lines:
                tokens = line.text.split()
                for token in tokens[-TAIL_TOKENS:]:
                    in_tail[_token_key(token)] += 1
                tokens_left = _tail_cut(line.text, model)
                if tokens_left:
                    stopper = _token_key(tokens_left[-1])
                    stops[stopper] += 1
                    if len(tokens) - len(tokens_left) >= TAIL_TOKENS:
                        in_tail[stopper] += 1  # a long cut stops before the tail window
                    seen.add(stopper)
            stop_pages.update(seen)
        new = {token for token, n in stop_pages.items()
               if n >= min_pages and stops[token] / in_tail[token] >= STOPPER_SHARE
               and _HAS_LETTER.search(token)}
        if new <= anchors:
            break
        anchors = anchors | new
    return anchors


def strip_shards(text: str, model: FurnitureModel) -> tuple[str, list[str]]:
    """Cut watermark shards out of a line; return (clean line, removed pieces).

    A shard is a run of anchor and junk tokens holding at least one anchor. At the end of
    a line any such run goes; inside a line (two-column reading puts shards there) only a
    run holding a *strong* anchor (a long one, like ``SSleeeee1@``) goes, because short
    anchors such as ``do``/``no`` are also ordinary words.
    """
    tokens = text.split()
    kinds = [model.kind_of(token) for token in tokens]
    keep = [True] * len(tokens)
    pieces: list[str] = []
    start = 0
    while start < len(tokens):
        if kinds[start] == _WORD:
            start += 1
            continue
        end = start
        while end < len(tokens) and kinds[end] != _WORD:
            end += 1
        run = kinds[start:end]
        if _STRONG in run or (end == len(tokens) and _ANCHOR in run):
            keep[start:end] = [False] * (end - start)
            pieces.append(" ".join(tokens[start:end]))
        start = end
    if not pieces:
        return text, []
    return " ".join(t for t, k in zip(tokens, keep) if k), pieces


_WORD, _JUNK, _ANCHOR, _STRONG = "word", "junk", "anchor", "strong"


def _classify(token: str, model: FurnitureModel) -> str:
    if model.is_anchor(token):
        return _STRONG if len(token) >= ANCHOR_PREFIX else _ANCHOR
    return _JUNK if _is_junk_token(token) else _WORD


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


def mark_furniture(document: Document, min_share: float = EXAM_PAGE_SHARE) -> Document:
    """The document with its page furniture marked ``Mark.FURNITURE`` (lines kept, text
    unchanged): for exam documents, whose extractors skip such lines instead of losing
    them. Nothing that starts like a question, an option or an answer is furniture.

    * Band lines, as the band detector learns them (a line among a page's first
      :data:`TOP_BAND` or last :data:`BOTTOM_BAND` repeating, digits folded, on
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
