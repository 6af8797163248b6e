"""The build: expand inputs, read and extract each source on its own, write the corpus.

A failing source is reported (one line naming the file) and skipped; the others still
build. Sources are read by an executor (:mod:`qbank.executors`: here one after another,
or by parallel workers) and handed back in input order (:mod:`qbank.batch`). The output
folder is checked and locked before any input is read; nothing reaches it until every
record has been validated, and then the whole corpus folder is replaced in one step
(:class:`store.writer.CorpusFolder`). A build in which every input failed, or
that found no input, leaves an existing corpus alone (unless ``allow_empty``).

Each source has a time budget, and Ctrl-C stops the build cleanly: see
:mod:`qbank.budget`.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.registry import IngestError, file_kind, read_document
from qbank import CONTRACT_VERSION, __version__
from extract.ocr_correct import release_corrector
from qbank.extractors import EXTRACTORS, Extraction, Options
from qbank.budget import SourceTimeout, Interrupts, time_budget
from qbank.batch import read_sources
from qbank.cache import SourceCache
from qbank.executors import Executor, SerialExecutor
from store.dedup import merge_duplicates
from store.ids import content_id, disambiguate, inherit_ids
from store.media import MEDIA_DIR, MediaSink, attach_media, media_paths
from store.schema import RecordInvalid, validate
from store.writer import CorpusFolder, dumps_json, dumps_line, record_sort_key

QUESTIONS_FILE = "questions.jsonl"
KNOWLEDGE_FILE = "knowledge.jsonl"
MANIFEST_FILE = "manifest.json"
AUDIT_FILE = "audit/furniture.jsonl"
CORRECTIONS_FILE = "audit/ocr_corrections.jsonl"
READING_ORDER_FILE = "audit/reading_order.jsonl"


@dataclass
class SourceResult:
    path: str
    sha256: str | None = None
    format: str | None = None
    pages: int = 0
    extraction: Extraction = field(default_factory=Extraction)
    error: str | None = None
    seconds: float = 0.0
    #: taken from the build cache (:mod:`qbank.cache`), not read in this build
    cached: bool = False
    #: media files (``media/<sha256>.<ext>``) its question records name, once each
    media: list[str] = field(default_factory=list)


@dataclass
class BuildReport:
    sources: list[SourceResult]
    questions: int
    knowledge: int
    flags: Counter
    seconds: float
    out: Path
    #: False when the corpus folder was left as it was (see ``kept``)
    written: bool = True
    #: why it was left alone: "failed" (every input failed and a corpus was there),
    #: "nothing" (no input found)
    kept: str | None = None
    #: what the build changed in the corpus it replaced (a :class:`store.diff.CorpusDiff`);
    #: None when there was none, it could not be read, or it was not compared
    changes: Any = None
    #: what went wrong with the build cache (one line; the build went on without it)
    cache_warning: str | None = None

    @property
    def failed(self) -> list[SourceResult]:
        return [s for s in self.sources if s.error]


def display_path(path: Path) -> str:
    """The path as the user gave it, made relative when it was absolute (no absolute
    paths may leak into the corpus). Bytes of a file name that are not UTF-8 are spelled
    out (``bad-\\xff.txt``, Python's backslashreplace): the corpus stays UTF-8 and the
    same file gets the same name, and ids, in every build."""
    text = str(path)
    if path.is_absolute():
        try:
            text = os.path.relpath(path)
        except ValueError:
            text = path.name
    try:
        text = os.fsencode(text).decode("utf-8", "backslashreplace")
    except UnicodeError:  # a lone surrogate that no file system byte explains
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text.replace(os.sep, "/")


def _stat_error(name: str, exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        return f"{name}: no such file or folder"
    return f"{name}: cannot read: {exc.strerror or exc}"


def expand_inputs(inputs: list[str], skip: Path | None = None) -> tuple[list[Path], list[SourceResult]]:
    """Files as given, folders walked (sorted, hidden entries skipped); missing paths fail.

    Only regular files are taken: a FIFO, device or socket (``os.stat``, symlinks
    followed) is an error naming it, decided before anything opens it. Symlinked folders
    inside a folder are not entered (no loops, no walking out of the tree); a folder
    given as input may be a symlink. ``skip`` (the output folder) is not walked."""
    files: list[Path] = []
    failed: list[SourceResult] = []
    skip_key = os.path.realpath(skip) if skip is not None else None

    def take(path: Path, st: os.stat_result) -> None:
        if stat.S_ISREG(st.st_mode):
            files.append(path)
        else:
            name = display_path(path)
            failed.append(SourceResult(name, error=f"{name}: not a regular file ({file_kind(st.st_mode)})"))

    def folder_error(exc: OSError) -> None:
        name = display_path(Path(exc.filename or "?"))
        failed.append(SourceResult(name, error=f"{name}: cannot read folder: {exc.strerror or exc}"))

    for given in inputs:
        path = Path(given)
        try:
            st = os.stat(path)
        except OSError as exc:
            name = display_path(path)
            failed.append(SourceResult(name, error=_stat_error(name, exc)))
            continue
        if not stat.S_ISDIR(st.st_mode):
            take(path, st)
            continue
        for root, dirs, names in os.walk(path, onerror=folder_error):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                             and os.path.realpath(os.path.join(root, d)) != skip_key)
            for n in sorted(names):
                if n.startswith("."):
                    continue
                entry = Path(root) / n
                try:
                    take(entry, os.stat(entry))
                except OSError as exc:
                    failed.append(SourceResult(display_path(entry), error=_stat_error(display_path(entry), exc)))
    seen: set[str] = set()
    unique = []
    for f in files:
        key = os.path.realpath(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, failed


def process_source(path: Path, options: Options = Options(),
                   progress: Callable[[int], Any] | None = None,
                   media: MediaSink | None = None, ocr: Callable[..., Any] | None = None,
                   name: str | None = None) -> SourceResult:
    """Read and extract one file; every failure becomes a one-line error naming it.
    ``progress(n)`` hears of pages read (scanned PDFs take a while). A source past
    ``options.limits.timeout_per_source`` seconds is stopped and reported. With
    ``media``, the pictures its questions show are stored there and named from their
    records (:func:`store.media.attach_media`), within the source's time budget.
    ``ocr`` OCRs its scanned pages instead of :func:`ingest.ocr_pool.ocr_pages`; ``name``
    is its display path (a worker elsewhere is given it with the absolute path)."""
    name = name or display_path(path)
    started = time.perf_counter()
    result = SourceResult(name)
    budget = options.limits.timeout_per_source
    try:
        with time_budget(budget):
            document = read_document(path, name, options.ocr_lang, options.jobs, progress, options.limits,
                                     ocr=ocr)
            result.sha256, result.format, result.pages = document.sha256, document.format, len(document.pages)
            extractor = EXTRACTORS.get(document.format)
            if extractor is None:
                raise IngestError(f"{name}: no extractor for format {document.format!r}")
            extraction = extractor(document, options)
            extraction.issues = [issue.as_dict() for issue in document.issues]
            if media is not None:
                result.media = attach_media(document, extraction.questions, media)
            elif document.media is not None:
                document.media.close()
            for record in extraction.questions:
                validate("question", record)
            for record in extraction.knowledge:
                validate("knowledge", record)
            result.extraction = extraction
    except (SourceTimeout, Exception) as exc:  # a bug must not sink the batch either
        result.error = source_error(name, exc)
    result.seconds = time.perf_counter() - started
    return result


#: how the error of a source stopped by its time budget ends
TIMED_OUT = "(--timeout-per-source)"


def source_error(name: str, exc: BaseException) -> str:
    """The one-line error of source ``name`` that raised ``exc``."""
    if isinstance(exc, SourceTimeout):
        return f"{name}: stopped after {exc.seconds:g} s {TIMED_OUT}"
    if isinstance(exc, IngestError):
        return str(exc)
    if isinstance(exc, RecordInvalid):
        return f"{name}: invalid output, source skipped: {exc}"
    return f"{name}: internal error: {type(exc).__name__}: {exc}"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build(inputs: list[str], out: Path, audit: bool = True, progress: bool | None = None,
          options: Options = Options(), allow_empty: bool = False, merge: bool = True,
          compare: bool = True, cache: SourceCache | None = None, media: bool = True,
          enrich: bool = True, executor: Executor | None = None) -> BuildReport:
    """Build the corpus of ``inputs`` into the folder ``out``.

    Raises :class:`store.writer.OutputError` (``OutputBusy`` when another build holds
    ``out``) before reading anything when ``out`` cannot be written; ``OSError`` when
    writing fails later (``out`` is then unchanged). The OCR page budget
    (``limits.max_ocr_pages``) is for the whole build: each source gets what the sources
    before it in input order left, whatever order they are read in. ``merge``: one
    record per question across sources (else every occurrence is its own record; ids are
    named by content all the same). With
    ``compare``, a corpus already in ``out`` is compared with the new one before it is
    replaced (``BuildReport.changes``, see :func:`_changes`). ``media``: keep the pictures
    questions show in ``out/media/`` (:mod:`store.media`).

    With a ``cache`` (:class:`qbank.cache.SourceCache`; None: none, the default for
    callers in Python, the command line passes one), a source whose key is there is
    taken from it unread, and langdetect is warmed up only once a source has to be
    read; the corpus written is the same bytes either way.

    With ``enrich`` (the default), the final records (merged, renamed) get ``tags``,
    ``domains`` and ``related`` (:mod:`qbank.enrich`) before they are written.

    ``executor`` (:mod:`qbank.executors`) reads the sources: None reads them here, one
    after another (the command line's ``--jobs 1``); a pool of processes or a Dask
    cluster reads them in parallel (:func:`qbank.batch.read_sources`). The corpus is the
    same bytes with any."""
    started = time.perf_counter()
    out = Path(out)
    with Interrupts() as interrupts, CorpusFolder(out) as folder:
        files, results = expand_inputs(inputs, skip=folder.path)
        sink = MediaSink(folder) if media else None
        from tqdm import tqdm

        show = sys.stderr.isatty() if progress is None else progress
        with (executor or SerialExecutor()).for_sources(len(files)) as runner, \
                tqdm(total=len(files), desc="sources", unit="file", disable=not show, leave=False,
                     position=0) as sources, \
                tqdm(desc="pages", unit="page", disable=not show, leave=False, position=1) as pages:
            for result in read_sources(files, options, runner, cache, sink, pages.update):
                interrupts.check()
                results.append(result)
                sources.update(1)
                if enrich and not runner.in_process and not result.cached:
                    from qbank.enrich import warm_up_in_background

                    warm_up_in_background()  # its workers forked, the driver only waits
        release_corrector()  # every source is read: the Korean model is not needed again
        ok = [r for r in results if not r.error]
        ocr_pages = frozenset((r.path, page) for r in ok if r.extraction.ocr
                              for page in r.extraction.ocr.get("pages") or [])
        questions, renamed = identify_questions([q for r in ok for q in r.extraction.questions],
                                                _previous_questions(folder.path), ocr_pages, merge)
        knowledge = sorted((dict(k) for r in ok for k in r.extraction.knowledge), key=record_sort_key)
        flags = Counter(flag for q in questions for flag in q["flags"])

        def report(**kept: Any) -> BuildReport:
            return BuildReport(results, len(questions), len(knowledge), flags,
                               time.perf_counter() - started, out,
                               cache_warning=cache.warning if cache else None, **kept)

        if not allow_empty:
            if not results:
                return report(written=False, kept="nothing")
            if not ok and folder.has_corpus:
                return report(written=False, kept="failed")
        for records in (questions, knowledge):
            for record, new_id in zip(records, disambiguate([r["id"] for r in records])):
                record["id"] = new_id
        if enrich:
            from qbank.enrich import enrich_cached

            enrich_cached(questions, knowledge, cache)

        def final(row: dict[str, Any], path: str) -> dict[str, Any]:
            """An audit row naming a question by its extraction id, named by its final id."""
            record = renamed.get((path, row.get("id")))
            return dict(row, id=record["id"]) if record is not None else row
        # the pictures of merged-away occurrences and of failed sources are not kept
        media_files = sink.prune(media_paths(questions)) if sink is not None else {}
        question_text = "".join(dumps_line(r) for r in questions)
        knowledge_text = "".join(dumps_line(r) for r in knowledge)
        folder.write(QUESTIONS_FILE, question_text)
        folder.write(KNOWLEDGE_FILE, knowledge_text)
        if audit:
            folder.write(AUDIT_FILE, "".join(
                dumps_line({"source": r.path, "page": x.page, "line": x.source_line,
                            "reason": x.reason, "text": x.text})
                for r in ok for x in r.extraction.removed))
            folder.write(CORRECTIONS_FILE, "".join(
                dumps_line(dict(source=r.path, **final(c, r.path)))
                for r in ok for c in r.extraction.corrections))
            folder.write(READING_ORDER_FILE, "".join(
                dumps_line(dict(source=r.path, **final(c, r.path)))
                for r in ok for c in r.extraction.reading_order))
        folder.write(MANIFEST_FILE, dumps_json(manifest(inputs, results, question_text, knowledge_text,
                                                        len(questions), len(knowledge), flags, media_files)))
        changes = _changes(folder, question_text, knowledge_text) if compare else None
        interrupts.check()
        with interrupts.defer():
            folder.commit()
        if cache:
            cache.evict()
        return report(changes=changes)


def _changes(folder: CorpusFolder, question_text: str, knowledge_text: str) -> Any:
    """What the new corpus changes in the one ``folder`` holds, read while it is still
    there (under the build's lock, before the switch). Never fails the build: a missing,
    damaged or hand-edited old corpus just gives no comparison (None)."""
    if not folder.has_corpus:
        return None
    from store.diff import diff_against_texts

    try:
        return diff_against_texts(folder.path, question_text, knowledge_text)
    except Exception:  # CorpusUnreadable, an OSError, a record of an unknown shape
        return None


def identify_questions(questions: list[dict[str, Any]], previous: list[dict[str, Any]],
                       ocr_pages: frozenset[tuple[str, int]] = frozenset(), merge: bool = True
                       ) -> tuple[list[dict[str, Any]], dict[tuple[str, str], dict[str, Any]]]:
    """One record per question across sources (:func:`store.dedup.merge_duplicates`; the
    pages in ``ocr_pages`` were scanned), each named by its id in the previous corpus or
    by its content (:mod:`store.ids`), sorted. Also returns (source path, extraction id)
    -> the record that stands for it now. Merged records are not validated again: they
    are validated records with ``also_in`` and answer signals built here from validated
    fields (tests/test_dedup.py checks them against the schema); validating them cost an
    unchanged rebuild of a folder of 200 dumps a third of its time."""
    questions = sorted(questions, key=record_sort_key)
    if merge:
        merged, where = merge_duplicates(questions, ocr_pages)
    else:
        merged, where = questions, {(q["source"]["path"], q["id"]): i for i, q in enumerate(questions)}
    merged = [dict(q) for q in merged]  # ids change below; the extraction's records stay
    inherited = inherit_ids(merged, previous)
    for index, record in enumerate(merged):
        record["id"] = inherited.get(index) or content_id(record)
    renamed = {key: merged[index] for key, index in where.items()}
    return sorted(merged, key=record_sort_key), renamed


def _previous_questions(out: Path) -> list[dict[str, Any]]:
    """The questions of the corpus ``out`` holds now ([] when none or unreadable: ids are
    then named by content alone)."""
    try:
        text = (out / QUESTIONS_FILE).read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line]
    except (OSError, ValueError):
        return []


def manifest(inputs: list[str], results: list[SourceResult], question_text: str,
             knowledge_text: str, n_questions: int, n_knowledge: int, flags: Counter,
             media_files: dict[str, int] | None = None) -> dict[str, Any]:
    """What was built from what. Deterministic: no times, no absolute paths.
    ``media_files``: the files of media/ (path -> bytes)."""
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
        "media": {"folder": f"{MEDIA_DIR}/", "files": len(media_files or {}),
                  "bytes": sum((media_files or {}).values())},
    }
