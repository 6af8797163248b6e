"""Course-book structure: modules, topics and page kinds.

Modules come from two noisy sources that only together are reliable:

* the table of contents (module numbers and titles; its page numbers are too garbled to
  trust), and
* each page's running header (``모든 3 모델딩 캠식 선택``): a fuzzy title and a digit
  that OCR sometimes gets wrong.

:func:`align_modules` finds the best *non-decreasing* sequence of modules over the pages
(a Viterbi pass): a page's header votes for the modules whose title it resembles (and,
with a bonus, for the one its digit names), and moving to a later module costs a little.
So one wrong digit, or a missing header, cannot move a page out of its module.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from extract.furniture import BAND_LINE, RUNNING_HEADER, CleanPage
from extract.readings import choose_words, merge_readings
from extract.rules import compiled, load_rules

RULES = "guide_structure"
#: Added to a module's score when the header's digit names it.
DIGIT_BONUS = 0.3
#: Cost of moving on by one module between two pages.
SWITCH_COST = 0.6
#: Pages searched for a table of contents.
TOC_SEARCH_PAGES = 15
#: Lines at the top of a page searched for a module header or a topic divider.
HEADER_LINES = 2
TITLE_MAX_CHARS = 120

_NUMBER_TOKEN = re.compile(r"^\W*\d+\W*$")
_LETTER = re.compile(r"[^\W\d_]")
#: the page kind of an end-of-module question page (question and answer prints alike)
KNOWLEDGE_CHECK = "knowledge-check"
END_OF_MODULE_KINDS = frozenset({"knowledge-check-intro", "summary", "questions", "lab"})


@dataclass(frozen=True)
class TocEntry:
    module: int
    title: str


@dataclass
class PageStructure:
    """Where a page sits in the book and what kind of page it is."""

    number: int
    module: int | None
    module_title: str | None
    topic: str | None
    kind: str
    title: str | None


def find_toc(pages: list[CleanPage]) -> CleanPage | None:
    """The first early page whose top lines carry a table-of-contents marker."""
    markers = [re.compile(p, re.IGNORECASE) for p in load_rules(RULES)["toc_markers"]]
    for page in pages[:TOC_SEARCH_PAGES]:
        for line in page.lines[:4]:
            if any(m.search(line.text) for m in markers):
                return page
    return None


def parse_toc(page: CleanPage) -> list[TocEntry]:
    """Module entries of a contents page, numbers strictly increasing."""
    text = " ".join(line.text for line in page.lines)
    marks = list(compiled(RULES, "module_marker").finditer(text))
    entries: list[TocEntry] = []
    for mark, following in zip(marks, marks[1:] + [None]):
        number = int(mark.group("num"))
        if entries and number <= entries[-1].module:
            continue
        raw = text[mark.end(): following.start() if following else len(text)]
        title = _clean_title(raw)
        if title:
            entries.append(TocEntry(number, title))
    return entries


def _clean_title(raw: str) -> str:
    """Title words up to the first page number; tokens without letters dropped."""
    words: list[str] = []
    for token in raw.split():
        if _NUMBER_TOKEN.match(token):
            if words:
                break
            continue
        if _LETTER.search(token):
            words.append(token)
    return " ".join(words)


def split_header(text: str) -> tuple[int | None, str]:
    """(digit, title part) of a module header such as ``모퉁 6.ML 모델 훈련``."""
    match = compiled(RULES, "header_prefix").match(text)
    number = match.group("num") if match else None
    rest = text[match.end():] if match else text
    return (int(number) if number and number.isdigit() else None), rest.strip()


def header_candidates(page: CleanPage) -> list[str]:
    """Running headers removed from the page, else top lines that look like module headers.

    In a short document one module's header can sit on a fifth of the pages and be taken
    as a repeated band line; such removals count too when they look like a module header.
    """
    header_like = compiled(RULES, "header_like")
    found = [r.text for r in page.removed
             if r.reason == RUNNING_HEADER or (r.reason == BAND_LINE and header_like.match(r.text))]
    if found:
        return found
    marker = compiled(RULES, "module_marker")
    return [line.text for line in page.lines[:HEADER_LINES] if marker.match(line.text)]


def header_scores(headers: list[str], toc: list[TocEntry]) -> list[float]:
    """How strongly a page's headers vote for each TOC entry (0 when there is no header)."""
    scores = [0.0] * len(toc)
    for header in headers:
        digit, title = split_header(header)
        for index, entry in enumerate(toc):
            score = fuzz.ratio(title, entry.title) / 100
            if digit == entry.module:
                score += DIGIT_BONUS
            scores[index] = max(scores[index], score)
    return scores


def align_modules(evidence: list[list[float]], n_states: int) -> list[int | None]:
    """Best non-decreasing state path (Viterbi). State ``None`` is front matter.

    ``evidence[p][s]`` is page p's vote for state s; staying costs nothing, moving on
    by k states costs ``k * SWITCH_COST``.
    """
    if not evidence or n_states == 0:
        return [None] * len(evidence)
    # state 0 = front matter, 1..n = entries
    size = n_states + 1
    best = [0.0] + [float("-inf")] * n_states
    back: list[list[int]] = []
    for votes in evidence:
        step: list[int] = []
        new = [0.0] * size
        # running maximum of best[s] + s*SWITCH_COST gives O(n) per page
        top_value, top_state = float("-inf"), 0
        for state in range(size):
            candidate = best[state] + state * SWITCH_COST
            if candidate > top_value:
                top_value, top_state = candidate, state
            new[state] = top_value - state * SWITCH_COST + (votes[state - 1] if state else 0.0)
            step.append(top_state)
        back.append(step)
        best = new
    state = max(range(size), key=lambda s: (best[s], -s))
    path: list[int] = []
    for step in reversed(back):
        path.append(state)
        state = step[state]
    path.reverse()
    return [s - 1 if s else None for s in path]


def page_kind(page: CleanPage) -> tuple[str, str | None]:
    """(kind, title line) from the page's first body line, by the rule table."""
    title = page.lines[0].text if page.lines else None
    if title is None:
        return load_rules(RULES)["default_kind"], None
    for row in load_rules(RULES)["page_kinds"]:
        if re.search(row["pattern"], title, re.IGNORECASE):
            return row["kind"], title[:TITLE_MAX_CHARS]
    return load_rules(RULES)["default_kind"], title[:TITLE_MAX_CHARS]


def topic_divider(page: CleanPage) -> str | None:
    """The topic letter when a top line is a divider (one ``주제 X:`` near its start).

    Agenda lines list several topics and are not dividers.
    """
    marker = compiled(RULES, "topic_marker")
    limit = load_rules(RULES)["topic_marker_max_offset"]
    for line in page.lines[:HEADER_LINES]:
        marks = list(marker.finditer(line.text + " "))
        if len(marks) == 1 and marks[0].start() <= limit:
            return marks[0].group("letter").upper()
    return None


def analyse_structure(pages: list[CleanPage]) -> list[PageStructure]:
    """Module, topic and kind of every page."""
    toc_page = find_toc(pages)
    toc = parse_toc(toc_page) if toc_page else []
    if not toc:
        toc = _toc_from_headers(pages)
    evidence = [
        header_scores([] if page is toc_page else header_candidates(page), toc)
        for page in pages
    ]
    modules = [None if i is None else i for i in align_modules(evidence, len(toc))]
    toc = reread_titles(toc, pages, modules, toc_page)
    result: list[PageStructure] = []
    current_module: int | None = None
    topic: str | None = None
    for page, index in zip(pages, modules):
        entry = toc[index] if index is not None else None
        module = entry.module if entry else None
        if module != current_module:
            current_module, topic = module, None
        kind, title = page_kind(page)
        if page is toc_page:
            kind = "contents"
        letter = topic_divider(page) if module is not None else None
        if letter and (topic is None or letter > topic):
            topic, kind = letter, "topic"
        elif kind in END_OF_MODULE_KINDS:
            topic = None
        result.append(PageStructure(page.number, module, entry.title if entry else None,
                                    topic, kind, title))
    return result


#: Distinct running-header readings of a title merged into it (most frequent first).
TITLE_READINGS = 3


def reread_titles(toc: list[TocEntry], pages: list[CleanPage], modules: list[int | None],
                  toc_page: CleanPage | None) -> list[TocEntry]:
    """Each module title merged word by word with its running headers' readings.

    The contents page and the running header print the same title in two fonts, and the
    OCR garbles them differently (contents ``ML8 데이터 처리``, header ``ML용 더이터
    처리``): where they align word for word, :func:`extract.readings.merge_readings`
    keeps the likelier word. A majority would not do: a header is garbled the same way
    on every page that prints it.
    """
    readings: dict[int, dict[str, int]] = {}
    for page, index in zip(pages, modules):
        if index is None or page is toc_page:
            continue
        for header in header_candidates(page):
            _digit, title = split_header(header)
            if title:
                counts = readings.setdefault(index, {})
                counts[title] = counts.get(title, 0) + 1
    entries = []
    for index, entry in enumerate(toc):
        title = entry.title
        counts = readings.get(index, {})
        for other in sorted(counts, key=lambda t: (-counts[t], t))[:TITLE_READINGS]:
            words, others = title.split(), other.split()
            if len(words) == len(others):  # a title is short: word for word where it can
                title, _choices = choose_words(words, list(enumerate(others)))
            else:
                title, _choices = merge_readings(title, other)
        entries.append(TocEntry(entry.module, title))
    return entries


def _toc_from_headers(pages: list[CleanPage]) -> list[TocEntry]:
    """Without a contents page: one entry per header digit, titled by its commonest header."""
    titles: dict[int, dict[str, int]] = {}
    for page in pages:
        for header in header_candidates(page):
            digit, title = split_header(header)
            if digit is not None and title:
                titles.setdefault(digit, {}).setdefault(title, 0)
                titles[digit][title] += 1
    return [TocEntry(d, max(sorted(t), key=t.get)) for d, t in sorted(titles.items())]
