"""Knowledge units of a course book: one per page that teaches (slides, summaries, ...).

Question pages become questions instead, and the contents page is navigation. A slide's
first line is its title; the rest is body. Diagram labels read off a slide are often
not words at all (``| 123956 39 45000``); lines that are mostly not letters are dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from extract.furniture import CleanPage
from extract.lang import detect_lang
from extract.structure import KNOWLEDGE_CHECK, PageStructure

#: Page kinds that do not become knowledge units.
NOT_KNOWLEDGE = frozenset({KNOWLEDGE_CHECK, "contents"})
#: A line whose share of letters is below this is diagram debris, not prose.
MIN_LETTER_SHARE = 0.5
_LETTER = re.compile(r"[^\W\d_]")


@dataclass
class KnowledgeUnit:
    module: int | None
    module_title: str | None
    topic: str | None
    page: int | None          # None: the source has no pages (articles)
    kind: str
    title: str | None
    text: str
    lang: str | None
    section: int | None = None  # 1-based section number in an article


def is_prose(line: str) -> bool:
    """Keep a line when at least half of its non-space characters are letters."""
    chars = [c for c in line if not c.isspace()]
    return bool(chars) and len(_LETTER.findall(line)) / len(chars) >= MIN_LETTER_SHARE


def extract_knowledge(pages: list[CleanPage], structure: list[PageStructure]) -> list[KnowledgeUnit]:
    units = []
    for page, info in zip(pages, structure):
        if info.kind in NOT_KNOWLEDGE or not page.lines:
            continue
        title = page.lines[0].text
        body = " ".join(line.text for line in page.lines[1:] if is_prose(line.text))
        text = body or title
        units.append(KnowledgeUnit(info.module, info.module_title, info.topic, page.number,
                                   info.kind, title if body else None, text,
                                   detect_lang(f"{title} {body}")))
    return units
