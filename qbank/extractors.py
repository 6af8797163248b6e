"""Which extraction a document gets, by its format: one row per format.

An extractor is a pure function of one :class:`~ingest.Document`, so any executor can map
it over sources.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from extract.furniture import Removal, remove_furniture
from extract.guide_questions import extract_guide_questions
from extract.knowledge import extract_knowledge
from extract.lang import detect_lang
from extract.structure import analyse_structure
from ingest.document import Document
from store.records import knowledge_record, question_record


@dataclass
class Extraction:
    """Records of one source, plus what was removed from it (for the audit)."""

    questions: list[dict[str, Any]] = field(default_factory=list)
    knowledge: list[dict[str, Any]] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)


def extract_course_book(document: Document) -> Extraction:
    """Page-delimited OCR of a course book: furniture, structure, knowledge checks, slides."""
    pages = remove_furniture(document)
    structure = analyse_structure(pages)
    questions = [question_record(document, q, detect_lang(q.stem) or "ko")
                 for q in extract_guide_questions(pages, structure)]
    knowledge = [knowledge_record(document, unit) for unit in extract_knowledge(pages, structure)]
    removed = [r for page in pages for r in page.removed]
    return Extraction(questions, knowledge, removed)


EXTRACTORS: dict[str, Callable[[Document], Extraction]] = {
    "ocr-text": extract_course_book,
}
