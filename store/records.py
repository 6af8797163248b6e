"""Build corpus records (plain dicts, contract key order) from extracted objects.

Text fields are NFC-normalized here, once, so every record leaving the store is NFC.
"""
from __future__ import annotations

import unicodedata
from typing import Any

from extract.exam_questions import ExamQuestion
from extract.guide_questions import GuideQuestion
from extract.knowledge import KnowledgeUnit
from ingest.document import Document
from store.ids import knowledge_id, question_id


def _nfc(text: str | None) -> str | None:
    return None if text is None else unicodedata.normalize("NFC", text)


def source_ref(document: Document, pages: list[int]) -> dict[str, Any]:
    return {"path": document.path, "sha256": document.sha256, "format": document.format,
            "pages": list(pages)}


def question_record(document: Document, q: GuideQuestion | ExamQuestion,
                    lang: str | None) -> dict[str, Any]:
    """A question record from a course-book knowledge check or an exam-dump question
    (both carry the same fields; a dump's module, title and topic are None)."""
    record: dict[str, Any] = {
        "id": question_id(document.path, q.module, q.number, q.pages),
        "source": source_ref(document, q.pages),
        "module": q.module,
        "module_title": _nfc(q.module_title),
        "topic": q.topic,
        "number": q.number,
        "lang": lang,
        "kind": q.kind,
        "stem": _nfc(q.stem),
        "options": [{"label": label, "text": _nfc(text)} for label, text in q.options],
        "answer": list(q.answer),
        "explanation": _nfc(q.explanation),
    }
    if q.kind == "matching":
        record["match_targets"] = [_nfc(t) for t in q.match_targets]
    if q.rationales:
        record["rationales"] = [{"label": label, "text": _nfc(text)} for label, text in q.rationales]
    if q.answer_signals:
        record["answer_signals"] = {k: list(v) for k, v in sorted(q.answer_signals.items())}
    record["translations"] = {
        language: {"stem": _nfc(t["stem"]),
                   "options": [{"label": o["label"], "text": _nfc(o["text"])} for o in t["options"]]}
        for language, t in sorted(q.translations.items())}
    if q.images:
        record["images"] = [picture_record(document, ref) for ref in q.images]
    record["flags"] = sorted(set(q.flags))
    return record


def picture_record(document: Document, ref: str) -> dict[str, Any]:
    """A picture a question shows: where it is in the source and what OCR read off it."""
    picture = document.pictures.get(ref)
    return {"ref": ref, "text": _nfc(picture.text) if picture else "",
            "ocr_confidence": picture.confidence if picture else None,
            "note": picture.note if picture else "unresolved"}


def knowledge_record(document: Document, unit: KnowledgeUnit) -> dict[str, Any]:
    return {
        "id": knowledge_id(document.path, unit.page, unit.section),
        "source": source_ref(document, [unit.page] if unit.page is not None else []),
        "module": unit.module,
        "module_title": _nfc(unit.module_title),
        "topic": unit.topic,
        "kind": unit.kind,
        "title": _nfc(unit.title),
        "text": _nfc(unit.text),
        "lang": unit.lang,
    }
