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
from extract.exam_questions import extract_exam_questions
from store.records import knowledge_record, question_record


@dataclass
class Extraction:
    """Records of one source, plus what was removed and corrected (for the audit)."""

    questions: list[dict[str, Any]] = field(default_factory=list)
    knowledge: list[dict[str, Any]] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    corrections: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Options:
    """What the user asked of the extraction."""

    ocr_correction: bool = True
    #: Tesseract languages for pictures and scanned pages; None: no OCR at all
    ocr_lang: str | None = "kor+eng"


def extract_course_book(document: Document, options: Options = Options()) -> Extraction:
    """Page-delimited OCR of a course book: furniture, structure, knowledge checks, slides.

    Structure and answers are read from the OCR text as it is (labels and markers must not
    move); the OCR corrector then rewrites the records' text fields.
    """
    pages = remove_furniture(document)
    structure = analyse_structure(pages)
    questions = [question_record(document, q, detect_lang(q.stem) or "ko")
                 for q in extract_guide_questions(pages, structure)]
    knowledge = [knowledge_record(document, unit) for unit in extract_knowledge(pages, structure)]
    removed = [r for page in pages for r in page.removed]
    corrections = correct_records(questions + knowledge) if options.ocr_correction else []
    return Extraction(questions, knowledge, removed, corrections)


def _text_slots(record: dict[str, Any]) -> list[tuple[str, dict[str, Any] | list, Any]]:
    """(field path, container, key) of every prose field of a record."""
    slots: list[tuple[str, Any, Any]] = []
    for key in ("stem", "explanation", "title", "text", "module_title"):
        if isinstance(record.get(key), str):
            slots.append((key, record, key))
    for name in ("options", "rationales"):
        for index, item in enumerate(record.get(name) or []):
            slots.append((f"{name}/{index}/text", item, "text"))
    return slots


def correct_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run the Korean OCR corrector over every prose field, in one batch; return the edits."""
    from extract.ocr_correct import get_corrector

    slots = [(record, path, container, key) for record in records
             for path, container, key in _text_slots(record)]
    results = get_corrector().correct_many([container[key] for _, _, container, key in slots])
    audit = []
    for (record, path, container, key), (text, edits) in zip(slots, results):
        if edits:
            container[key] = text
            audit.append({"id": record["id"], "field": path,
                          "edits": [edit.as_dict() for edit in edits]})
    return audit


def extract_exam_dump(document: Document, options: Options = Options()) -> Extraction:
    """A Word (or text) exam dump: ``Question #N`` blocks. Typed text: no OCR correction."""
    return Extraction([question_record(document, q, q.lang) for q in extract_exam_questions(document)])


EXTRACTORS: dict[str, Callable[[Document, Options], Extraction]] = {
    "ocr-text": extract_course_book,
    "docx": extract_exam_dump,
}
