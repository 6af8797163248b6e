"""The build: expand inputs, read and extract each source on its own, write the corpus.

A failing source is reported (one line naming the file) and skipped; the others still
build. Nothing reaches the output folder until every record has been validated, and each
file is replaced atomically.
"""
from __future__ import annotations

import hashlib
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.registry import IngestError, read_document
from qbank import CONTRACT_VERSION, __version__
from qbank.extractors import EXTRACTORS, Extraction, Options
from store.ids import disambiguate
from store.schema import RecordInvalid, validate
from store.writer import dumps_line, record_sort_key, write_atomic, write_json

QUESTIONS_FILE = "questions.jsonl"
KNOWLEDGE_FILE = "knowledge.jsonl"
MANIFEST_FILE = "manifest.json"
AUDIT_FILE = "audit/furniture.jsonl"
CORRECTIONS_FILE = "audit/ocr_corrections.jsonl"


@dataclass
class SourceResult:
    path: str
    sha256: str | None = None
    format: str | None = None
    pages: int = 0
    extraction: Extraction = field(default_factory=Extraction)
    error: str | None = None
    seconds: float = 0.0


@dataclass
class BuildReport:
    sources: list[SourceResult]
    questions: int
    knowledge: int
    flags: Counter
    seconds: float
    out: Path

    @property
    def failed(self) -> list[SourceResult]:
        return [s for s in self.sources if s.error]


def display_path(path: Path) -> str:
    """The path as the user gave it, made relative when it was absolute (no absolute
    paths may leak into the corpus)."""
    text = str(path)
    if path.is_absolute():
        try:
            text = os.path.relpath(path)
        except ValueError:
            text = path.name
    return text.replace(os.sep, "/")


def expand_inputs(inputs: list[str]) -> tuple[list[Path], list[SourceResult]]:
    """Files as given, folders walked (sorted, hidden entries skipped); missing paths fail."""
    files: list[Path] = []
    missing: list[SourceResult] = []
    for given in inputs:
        path = Path(given)
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                files.extend(Path(root) / n for n in sorted(names) if not n.startswith("."))
        elif path.exists():
            files.append(path)
        else:
            missing.append(SourceResult(display_path(path), error=f"{given}: no such file or folder"))
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, missing


def process_source(path: Path, options: Options = Options(),
                   progress: Callable[[int], Any] | None = None) -> SourceResult:
    """Read and extract one file; every failure becomes a one-line error naming it.
    ``progress(n)`` hears of pages read (scanned PDFs take a while)."""
    name = display_path(path)
    started = time.perf_counter()
    result = SourceResult(name)
    try:
        document = read_document(path, name, options.ocr_lang, options.jobs, progress, options.limits)
        result.sha256, result.format, result.pages = document.sha256, document.format, len(document.pages)
        extractor = EXTRACTORS.get(document.format)
        if extractor is None:
            raise IngestError(f"{name}: no extractor for format {document.format!r}")
        extraction = extractor(document, options)
        extraction.issues = [issue.as_dict() for issue in document.issues]
        for record in extraction.questions:
            validate("question", record)
        for record in extraction.knowledge:
            validate("knowledge", record)
        result.extraction = extraction
    except IngestError as exc:
        result.error = str(exc)
    except RecordInvalid as exc:
        result.error = f"{name}: invalid output, source skipped: {exc}"
    except Exception as exc:  # a bug must not sink the batch; name the file and the bug
        result.error = f"{name}: internal error: {type(exc).__name__}: {exc}"
    result.seconds = time.perf_counter() - started
    return result


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build(inputs: list[str], out: Path, audit: bool = True, progress: bool | None = None,
          options: Options = Options()) -> BuildReport:
    started = time.perf_counter()
    files, results = expand_inputs(inputs)
    from tqdm import tqdm

    show = sys.stderr.isatty() if progress is None else progress
    with tqdm(desc="pages", unit="page", disable=not show, leave=False, position=1) as pages:
        for path in tqdm(files, desc="sources", unit="file", disable=not show, leave=False, position=0):
            results.append(process_source(path, options, pages.update))
    ok = [r for r in results if not r.error]
    questions = sorted((q for r in ok for q in r.extraction.questions), key=record_sort_key)
    knowledge = sorted((k for r in ok for k in r.extraction.knowledge), key=record_sort_key)
    for records in (questions, knowledge):
        for record, new_id in zip(records, disambiguate([r["id"] for r in records])):
            record["id"] = new_id
    question_text = "".join(dumps_line(r) for r in questions)
    knowledge_text = "".join(dumps_line(r) for r in knowledge)
    write_atomic(out / QUESTIONS_FILE, question_text)
    write_atomic(out / KNOWLEDGE_FILE, knowledge_text)
    if audit:
        write_atomic(out / AUDIT_FILE, "".join(
            dumps_line({"source": r.path, "page": x.page, "line": x.source_line,
                        "reason": x.reason, "text": x.text})
            for r in ok for x in r.extraction.removed))
        write_atomic(out / CORRECTIONS_FILE, "".join(
            dumps_line(dict(source=r.path, **c)) for r in ok for c in r.extraction.corrections))
    flags = Counter(flag for q in questions for flag in q["flags"])
    write_json(out / MANIFEST_FILE, manifest(inputs, results, question_text, knowledge_text,
                                             len(questions), len(knowledge), flags))
    return BuildReport(results, len(questions), len(knowledge), flags,
                       time.perf_counter() - started, out)


def manifest(inputs: list[str], results: list[SourceResult], question_text: str,
             knowledge_text: str, n_questions: int, n_knowledge: int, flags: Counter) -> dict[str, Any]:
    """What was built from what. Deterministic: no times, no absolute paths."""
    sources = []
    for r in sorted(results, key=lambda r: r.path):
        entry: dict[str, Any] = {"path": r.path, "sha256": r.sha256, "format": r.format,
                                 "pages": r.pages, "status": "error" if r.error else "ok"}
        if r.error:
            entry["error"] = r.error
        else:
            source_flags = Counter(f for q in r.extraction.questions for f in q["flags"])
            entry["counts"] = {"questions": len(r.extraction.questions),
                               "knowledge": len(r.extraction.knowledge),
                               "furniture_removed": len(r.extraction.removed),
                               "ocr_corrected_fields": len(r.extraction.corrections)}
            entry["flags"] = dict(sorted(source_flags.items()))
            if r.extraction.warnings:
                entry["warnings"] = list(r.extraction.warnings)
            if r.extraction.issues:
                entry["issues"] = list(r.extraction.issues)
            if r.extraction.ocr:
                entry["ocr"] = r.extraction.ocr
        sources.append(entry)
    return {
        "tool": "qbank", "version": __version__, "contract": CONTRACT_VERSION,
        "inputs": [display_path(Path(i)) for i in inputs],
        "sources": sources,
        "errors": [r.error for r in results if r.error],
        "totals": {"sources": len(results), "failed": sum(1 for r in results if r.error),
                   "questions": n_questions, "knowledge": n_knowledge,
                   "flags": dict(sorted(flags.items()))},
        "outputs": {QUESTIONS_FILE: {"records": n_questions, "sha256": _sha256(question_text)},
                    KNOWLEDGE_FILE: {"records": n_knowledge, "sha256": _sha256(knowledge_text)}},
    }
