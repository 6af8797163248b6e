"""Which extraction a document gets, by its format: one row per format.

An extractor is a pure function of one :class:`~ingest.Document`, so any executor can map
it over sources.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from extract.exam_furniture import mark_furniture
from extract.furniture import Removal, remove_furniture, strip_page_icons
from extract.guide_questions import extract_guide_questions
from extract.knowledge import extract_knowledge
from extract.lang import detect_lang
from extract.structure import KNOWLEDGE_CHECK, analyse_structure
from ingest.document import Document, page_ref
from ingest.limits import DEFAULT_LIMITS, Limits
from extract.articles import extract_sections
from extract.exam_inspect import diagnose
from extract.exam_questions import is_question_header, read_exam
from store.records import knowledge_record, picture_record, question_record


@dataclass
class Extraction:
    """Records of one source, plus what was removed and corrected (for the audit)."""

    questions: list[dict[str, Any]] = field(default_factory=list)
    knowledge: list[dict[str, Any]] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    corrections: list[dict[str, Any]] = field(default_factory=list)
    #: how two-column questions were put back in reading order and readings merged
    reading_order: list[dict[str, Any]] = field(default_factory=list)
    #: pages read by OCR (scanned PDF pages): numbers, mean confidence, low ones
    ocr: dict[str, Any] | None = None
    #: doubts about the source as a whole, one line each ("no questions found, but saw …")
    warnings: list[str] = field(default_factory=list)
    #: what the reader worked around (``Issue.as_dict()``), for the manifest
    issues: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Options:
    """What the user asked of the extraction."""

    ocr_correction: bool = True
    #: Tesseract languages for pictures and scanned pages; None: no OCR at all
    ocr_lang: str | None = "kor+eng"
    #: OCR worker processes for scanned pages (None: one per core)
    jobs: int | None = None
    #: what one source may cost (:mod:`ingest.limits`)
    limits: Limits = DEFAULT_LIMITS


def extract_course_book(document: Document, options: Options = Options()) -> Extraction:
    """Page-delimited OCR of a course book: furniture, structure, knowledge checks, slides.

    Structure and answers are read from the OCR text as it is (labels and markers must not
    move); the OCR corrector then rewrites the records' text fields.
    """
    pages = remove_furniture(document)
    structure = analyse_structure(pages)
    checks = extract_guide_questions(pages, structure)
    questions = [question_record(document, q, detect_lang(q.stem) or "ko") for q in checks]
    reading_order = [{"id": record["id"], "pages": record["source"]["pages"], **q.reading_audit}
                     for q, record in zip(checks, questions) if q.reading_audit]
    pages = [page if info.kind == KNOWLEDGE_CHECK else strip_page_icons(page)
             for page, info in zip(pages, structure)]
    knowledge = [knowledge_record(document, unit) for unit in extract_knowledge(pages, structure)]
    removed = [r for page in pages for r in page.removed]
    corrections = correct_records(questions + knowledge) if options.ocr_correction else []
    return Extraction(questions, knowledge, removed, corrections, reading_order)


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
    """Run the Korean OCR corrector, then the Latin one (AWS/ML names and English words read
    with look-alikes, :mod:`extract.latin_correct`), over every prose field, each in one
    batch; return the edits (a Latin edit's position is in the Korean-corrected text)."""
    from extract.latin_correct import get_latin_corrector
    from extract.ocr_correct import get_corrector

    slots = [(record, path, container, key) for record in records
             for path, container, key in _text_slots(record)]
    results = get_corrector().correct_many([container[key] for _, _, container, key in slots])
    latin = get_latin_corrector().correct_many([text for text, _ in results])
    audit = []
    for (record, path, container, key), (_, edits), (text, more) in zip(slots, results, latin):
        if edits or more:
            container[key] = text
            audit.append({"id": record["id"], "field": path,
                          "edits": [edit.as_dict() for edit in edits + more]})
    return audit


def extract_exam_dump(document: Document, options: Options = Options(), prose: bool = False) -> Extraction:
    """A question file of any layout (:mod:`extract.exam_questions`). Typed text: no OCR
    correction. A file that gives no questions (or no answers) but looks like a question
    file says so: never a silent zero (``prose``: an article or notes, whose numbered
    lists are no sign of questions; only answer lines with options are)."""
    questions, layout = read_exam(document)
    extraction = Extraction([question_record(document, q, q.lang) for q in questions])
    warning = diagnose(len(questions), sum(1 for q in questions if q.answer), layout.items, prose)
    if warning:
        extraction.warnings.append(warning)
    return extraction


def extract_pdf(document: Document, options: Options = Options()) -> Extraction:
    """A PDF is an exam dump (``Question #N`` blocks, or numbered questions with lettered
    options: official sample-question files) when such questions are found; otherwise it
    is read like a course book (modules, knowledge checks, pages as knowledge units).
    The Korean OCR corrector only runs when pages were OCR'd: a text layer is typed text."""
    ocr_pages = scanned_pages(document)
    extraction = extract_exam_dump(mark_furniture(document), options)
    if _reads_as_course_book(document, extraction):
        correct = options.ocr_correction and bool(ocr_pages)
        warnings = extraction.warnings
        extraction = extract_course_book(document, replace(options, ocr_correction=correct))
        if not extraction.questions:
            extraction.warnings = warnings
    extraction.ocr = ocr_summary(document, ocr_pages)
    if extraction.ocr:
        low = set(extraction.ocr["low_confidence_pages"])
        for record in extraction.questions:
            if low & set(record["source"]["pages"]):
                record["flags"] = sorted(set(record["flags"]) | {"ocr_low_confidence"})
    show_scanned_pages(document, extraction.questions, ocr_pages)
    return extraction


def show_scanned_pages(document: Document, questions: list[dict[str, Any]], pages: list[int]) -> None:
    """A question read off a scanned page shows that page: the page is the picture its
    text came from (and the only place an exhibit on it survives), so each such page is
    one of its ``images`` (``page 3``, with the page's OCR text and confidence), after the
    pictures it already had. No flag: its text is not in doubt for that."""
    scanned = set(pages)
    for record in questions:
        on_scans = [n for n in record["source"]["pages"] if n in scanned]
        if not on_scans:
            continue
        if "images" not in record:  # in contract order: before the flags
            flags = record.pop("flags")
            record["images"], record["flags"] = [], flags
        have = {image["ref"] for image in record["images"]}
        record["images"].extend(picture_record(document, page_ref(n)) for n in on_scans if page_ref(n) not in have)


def _reads_as_course_book(document: Document, exam: Extraction) -> bool:
    """A PDF is a course book when its module structure gives more answered knowledge
    checks than the question-file reading gives answered questions (a guide's knowledge
    checks also look like numbered questions), or when no question came out at all."""
    if not exam.questions:
        return True
    pages = remove_furniture(document)
    checks = extract_guide_questions(pages, analyse_structure(pages))
    answered = sum(1 for q in exam.questions if q["answer"])
    return sum(1 for q in checks if q.answer) > answered


def scanned_pages(document: Document) -> list[int]:
    """Numbers of the pages whose text came from OCR of the whole page."""
    return [page.number for page in document.pages if page_ref(page.number) in document.pictures]


def ocr_summary(document: Document, pages: list[int]) -> dict[str, Any] | None:
    """For the manifest: which pages were OCR'd, how sure Tesseract was, which are doubtful."""
    if not pages:
        return None
    results = [document.pictures[page_ref(n)] for n in pages]
    confidences = [r.confidence for r in results if r.confidence is not None]
    return {"pages": pages,
            "mean_confidence": round(sum(confidences) / len(confidences), 1) if confidences else None,
            "low_confidence_pages": [n for n, r in zip(pages, results) if r.low_confidence],
            "unread_pages": [n for n, r in zip(pages, results) if r.note]}


def extract_text_document(document: Document, options: Options = Options()) -> Extraction:
    """Markdown or plain text: knowledge units by section; pasted ``Question #N`` blocks
    (study notes that quote exam questions) become questions, and only the text before
    the first of them is sectioned into knowledge."""
    lines = [line for page in document.pages for line in page.lines]
    exam = extract_exam_dump(document, options, prose=True)
    if exam.questions:
        first = next((i for i, line in enumerate(lines) if is_question_header(line.text)), len(lines))
        lines = lines[:first]
    knowledge = [knowledge_record(document, unit) for unit in extract_sections(document, lines)]
    return Extraction(exam.questions, knowledge, warnings=exam.warnings)


EXTRACTORS: dict[str, Callable[[Document, Options], Extraction]] = {
    "ocr-text": extract_course_book,
    "docx": extract_exam_dump,
    "pdf": extract_pdf,
    "markdown": extract_text_document,
    "text": extract_text_document,
}
