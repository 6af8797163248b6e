"""``qbank`` command line: ``build`` a corpus, ``clean`` text; ``diff``, ``stats``,
``export`` and ``report`` read corpora back (qbank/cli_corpus.py; exit codes and
one-line errors shared in qbank/cli_support.py).

Exit codes (CORPUS.md): 0 every input read; 1 some inputs failed (the rest is written,
each failure named on stderr and in the manifest; when every input failed an existing
corpus is kept unless ``--allow-empty``), or ``clean`` could not write its output; 2 usage
error, or ``--out`` / ``--audit`` cannot be written (said before any input is read), or
``--executor dask`` cannot start (the corpus folder is unchanged); 3
nothing to build (no input file found: the corpus folder is left as it is unless
``--allow-empty``); 75 another build is writing the same ``--out`` (try again later); 130
interrupted (Ctrl-C; the corpus folder is unchanged).

``diff`` exits 0 when the corpora are the same, 1 when they differ, 2 on a usage error or
a folder that is not a readable corpus. ``stats``, ``export`` and ``report`` exit 0, or 2
on a usage error, an unreadable corpus or an output that cannot be written.

Every error is one line on stderr, never a traceback.
"""
from __future__ import annotations

import argparse
import gc
import logging
import re
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from ingest.limits import DEFAULT_LIMITS, MB
from qbank import __version__
from qbank.cli_corpus import CORPUS_COMMANDS, add_corpus_commands
from qbank.executors import EXECUTORS, ExecutorError
from qbank.cli_support import (EXIT_BUSY, EXIT_INTERRUPTED, EXIT_NOTHING, EXIT_OK, EXIT_SOME_FAILED,
                               EXIT_USAGE, StdoutClosed, _error, _positive,
                               _stdout_errors)


#: ``qbank clean`` works on this many lines at a time (or this many bytes, whichever
#: comes first): bounded memory on any input; ordinary inputs are one chunk, so the
#: watermark vocabulary is learned from all of them as before.
CLEAN_CHUNK_LINES = 20_000
CLEAN_CHUNK_BYTES = 8 * 1024 * 1024


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qbank",
        description="Turn study material (OCR text dumps of course books, Word exam dumps, "
                    "PDFs with or without a text layer, Markdown/text articles) into a "
                    "question bank corpus: questions.jsonl, knowledge.jsonl, manifest.json.",
    )
    parser.add_argument("--version", action="version", version=f"qbank {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = sub.add_parser(
        "build", help="build a corpus from files and folders",
        description="Read every INPUT (a file, or a folder walked recursively), extract "
                    "questions and knowledge units, and write DIR/questions.jsonl, "
                    "DIR/knowledge.jsonl, DIR/manifest.json and DIR/audit/. Formats are "
                    "detected by content, not by file name. A file that cannot be read is "
                    "named on stderr and in the manifest; the others still build.")
    build.add_argument("inputs", nargs="+", metavar="INPUT", help="files or folders to read")
    build.add_argument("--out", required=True, type=Path, metavar="DIR",
                       help="output folder (created if missing); the corpus in it is replaced as a whole "
                            "or not at all, and a build in which every input failed keeps it")
    build.add_argument("--keep-duplicates", action="store_true",
                       help="write every occurrence of a question as its own record (by default the "
                            "same question found in several sources is one record, the others "
                            "listed in its also_in)")
    build.add_argument("--allow-empty", action="store_true",
                       help="replace the corpus in DIR even when every input failed or no input was found")
    build.add_argument("--no-enrich", action="store_true",
                       help="skip tags, exam domains and related knowledge units (qbank/enrich.py: "
                            "spaCy's load and the matching, about 15%% of a guide build)")
    build.add_argument("--no-audit", action="store_true",
                       help="do not write DIR/audit/furniture.jsonl (what furniture removal took off each page)")
    build.add_argument("--no-media", action="store_true",
                       help="do not keep the pictures questions show in DIR/media/ (records keep "
                            "their references and OCR text)")
    build.add_argument("--no-ocr-correction", action="store_true",
                       help="keep OCR'd text as read (skips the Korean OCR corrector and its "
                            "~3 s model load); furniture is still removed")
    build.add_argument("--lang", default="kor+eng", metavar="LANGS",
                       help="Tesseract languages for scanned PDF pages and pictures in Word files, "
                            "joined with + (default: kor+eng; each needs its tesseract-ocr-LANG package)")
    build.add_argument("--no-ocr", action="store_true",
                       help="run no Tesseract OCR: pictures are only referenced and scanned pages "
                            "give no text (text layers and typed text are still read)")
    build.add_argument("--jobs", "-j", type=int, default=None, metavar="N",
                       help="worker processes reading sources (and the pages of large scans) in "
                            "parallel (default: one per core; 1: one source after another in this "
                            "process); each runs Tesseract single-threaded. The corpus is the same "
                            "bytes for any N")
    build.add_argument("--executor", choices=EXECUTORS, default="local",
                       help="where the workers run: 'local' processes (default), or a 'dask' "
                            "cluster (pip install 'qbank[cluster]'): a local one of --jobs workers, "
                            "or the one at --address")
    build.add_argument("--address", metavar="HOST:PORT",
                       help="the Dask scheduler to read sources on (implies --executor dask; its "
                            "workers must run this qbank and see the inputs at the same paths)")
    build.add_argument("--quiet", "-q", action="store_true",
                       help="no progress bar and no summary; errors are still printed")
    limits = build.add_argument_group(
        "limits", "what one source may cost; a source over a limit fails alone with a one-line "
                  "error (or is read in part, flagged) and the others still build")
    d = DEFAULT_LIMITS
    limits.add_argument("--max-input-mb", type=_positive(float, 0.001, "a number of MB"), metavar="MB",
                        help=f"largest input file read (default {d.max_input_bytes // MB})")
    limits.add_argument("--max-inflated-mb", type=_positive(float, 0.001, "a number of MB"), metavar="MB",
                        help="largest size one member of a Word (zip) file may inflate to "
                             f"(default {d.max_member_bytes // MB})")
    limits.add_argument("--max-picture-mpx", type=_positive(float, 0.001, "a number of megapixels"),
                        metavar="MPX", help="largest picture decoded or OCR'd, in megapixels "
                                            f"(default {d.max_picture_pixels / 1e6:g}); larger ones are flagged")
    limits.add_argument("--max-pdf-pages", type=_positive(int, 1, "a whole number"), metavar="N",
                        help=f"pages of one PDF read (default {d.max_pdf_pages})")
    limits.add_argument("--max-ocr-pages", type=_positive(int, 0, "a whole number"), metavar="N",
                        help=f"scanned pages OCR'd in the whole build, all sources together "
                             f"(default {d.max_ocr_pages})")
    limits.add_argument("--timeout-per-source", type=_positive(float, 0, "a number of seconds"),
                        metavar="SECONDS", help="a source still being read after this long is stopped and "
                                                f"reported (default {d.timeout_per_source:g}; 0: no limit)")

    cache = build.add_argument_group(
        "cache", "a file built before is taken from the cache, unread, when its bytes, its path, "
                 "the qbank version and code, the rules and the options that change extraction "
                 "are the same; the corpus written is the same bytes either way")
    cache.add_argument("--cache-dir", type=Path, metavar="DIR",
                       help="where the per-source cache lives (default $XDG_CACHE_HOME/qbank "
                            "or ~/.cache/qbank)")
    cache.add_argument("--no-cache", action="store_true",
                       help="read every input, and neither use nor fill the cache")
    cache.add_argument("--cache-max-mb", type=_positive(float, 0, "a number of MB"), metavar="MB",
                       default=512, help="size of the cache after the build; least recently used "
                                         "entries go first (default 512)")

    inspect = sub.add_parser(
        "inspect", help="show how a file reads: lines, marks, labels and the rules that matched",
        description="Print every line of FILE as the reader sees it (page:line, marks, Word "
                    "list label, table cell) with the question-start, option, answer and "
                    "answer-key rules that matched it, after a header saying which numbering "
                    "rule explains the file and how many questions and answers came out.")
    inspect.add_argument("file", type=Path, metavar="FILE")
    inspect.add_argument("--lang", default="kor+eng", metavar="LANGS",
                         help="Tesseract languages for pictures and scanned pages")
    inspect.add_argument("--no-ocr", action="store_true", help="do not OCR pictures or scanned pages")

    clean = sub.add_parser(
        "clean", help="clean text from stdin to stdout, line by line",
        description="Read text on stdin and write it cleaned on stdout, one output line per "
                    "input line: Unicode NFC and whitespace normalization, removal of "
                    "watermark shards learned from the input itself and of stray OCR "
                    "debris, then Korean OCR correction (kiwipiepy as language model).")
    clean.add_argument("--no-ocr-correction", action="store_true",
                       help="only normalize and remove watermark shards")
    clean.add_argument("--audit", type=Path, metavar="FILE",
                       help="write what was removed, per line, to FILE (JSON lines)")

    add_corpus_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "build":
            return _build(args)
        if args.command == "inspect":
            return _inspect(args)
        if args.command in CORPUS_COMMANDS:
            return CORPUS_COMMANDS[args.command](args)
        return _clean(args)
    except KeyboardInterrupt:
        _error("interrupted")
        return EXIT_INTERRUPTED
    except StdoutClosed as exc:
        _error(str(exc))
        return EXIT_SOME_FAILED


def _limits(args: argparse.Namespace) -> Any:
    """The limits of ingest/limits.py with those the options raise or lower."""
    changes: dict[str, Any] = {}
    if args.max_input_mb is not None:
        # a text of N MB has at most N M characters: one option for both
        changes["max_input_bytes"] = changes["max_text_chars"] = int(args.max_input_mb * MB)
    if args.max_inflated_mb is not None:
        changes["max_member_bytes"] = int(args.max_inflated_mb * MB)
    if args.max_picture_mpx is not None:
        changes["max_picture_pixels"] = int(args.max_picture_mpx * 1_000_000)
    if args.max_pdf_pages is not None:
        changes["max_pdf_pages"] = args.max_pdf_pages
    if args.max_ocr_pages is not None:
        changes["max_ocr_pages"] = args.max_ocr_pages
    if args.timeout_per_source is not None:
        changes["timeout_per_source"] = args.timeout_per_source
    return replace(DEFAULT_LIMITS, **changes)


def _cache(args: argparse.Namespace) -> Any:
    """The build cache the options ask for; None for ``--no-cache``, or when there is no
    home folder to put it in (a warning: the build goes on without it)."""
    from qbank.cache import SourceCache, default_cache_dir

    if args.no_cache:
        return None
    try:
        folder = args.cache_dir or default_cache_dir()
    except RuntimeError as exc:  # Path.home() without HOME or a passwd entry
        _error(f"warning: cache: no folder for it ({exc}); building without it (--cache-dir DIR)")
        return None
    return SourceCache(folder, int(args.cache_max_mb * MB))


def _inspect(args: argparse.Namespace) -> int:
    from extract.exam_inspect import inspect_lines
    from extract.exam_furniture import mark_furniture
    from ingest.registry import IngestError, read_document

    try:
        document = read_document(args.file, str(args.file), None if args.no_ocr else args.lang)
    except IngestError as exc:
        print(f"qbank: error: {exc}", file=sys.stderr)
        return EXIT_SOME_FAILED
    if document.format == "pdf":
        document = mark_furniture(document)
    with _stdout_errors():
        for line in inspect_lines(document):
            print(line)
        sys.stdout.flush()
    return EXIT_OK


def _build(args: argparse.Namespace) -> int:
    from qbank.batch import prepare_worker
    from qbank.executors import make_executor
    from qbank.extractors import Options
    from qbank.pipeline import build
    from qbank.summary import render_summary
    from store.writer import OutputBusy, OutputError

    if args.jobs is not None and args.jobs < 1:
        _error(f"--jobs {args.jobs}: must be at least 1")
        return EXIT_USAGE
    if not args.no_ocr and not re.fullmatch(r"[A-Za-z_]+(?:\+[A-Za-z_]+)*", args.lang):
        _error(f"--lang {args.lang!r}: Tesseract languages joined by + (kor+eng)")
        return EXIT_USAGE
    options = Options(ocr_correction=not args.no_ocr_correction,
                      ocr_lang=None if args.no_ocr else args.lang, jobs=args.jobs, limits=_limits(args))
    try:
        executor = make_executor(args.executor, args.jobs, args.address, prepare_worker)
        if executor.name == "dask":  # what its event loop leaves at a Ctrl-C is no error of ours
            logging.getLogger("asyncio").setLevel(logging.CRITICAL)
        report = build(args.inputs, args.out, audit=not args.no_audit,
                       progress=False if args.quiet else None, options=options,
                       allow_empty=args.allow_empty, merge=not args.keep_duplicates,
                       compare=not args.quiet, cache=_cache(args), media=not args.no_media,
                       enrich=not args.no_enrich, executor=executor)
    except OutputBusy as exc:
        _error(str(exc))
        return EXIT_BUSY
    except (OutputError, ExecutorError) as exc:  # said before any input was read / sent
        _error(str(exc))
        return EXIT_USAGE
    except OSError as exc:  # writing the new corpus failed (a full disk): the old one stands
        _error(f"cannot write {args.out}: {exc.strerror or exc}; {args.out} unchanged")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _error(f"interrupted; {args.out} unchanged")
        return EXIT_INTERRUPTED
    if report.cache_warning:
        _error(f"warning: {report.cache_warning}")
    for failed in report.failed:
        _error(f"error: {failed.error}")
    for source in report.sources:
        for warning in [] if source.error else source.extraction.warnings:
            _error(f"warning: {source.path}: {warning}")
    if not args.quiet:
        print(render_summary(report), file=sys.stderr)
    if report.kept == "nothing":
        _error(f"nothing to build: no input file found; {args.out} unchanged "
               "(--allow-empty writes an empty corpus)")
        return EXIT_NOTHING
    if report.kept == "failed":
        _error(f"every input failed; {args.out} keeps its previous corpus "
               "(--allow-empty replaces it with an empty one)")
    return EXIT_SOME_FAILED if report.failed else EXIT_OK


def _open_audit(path: Path) -> Any:
    """``--audit FILE`` opened for writing, before stdin is read; None after a one-line error."""
    if path.is_dir():
        _error(f"--audit {path}: is a folder, not a file")
        return None
    try:
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        _error(f"--audit {path}: cannot write: {exc.strerror or exc}")
        return None


def _line_chunks(stream: Any) -> Iterator[tuple[list[str], bool]]:
    """stdin as (lines, last line ended with a newline) in chunks of at most
    :data:`CLEAN_CHUNK_LINES` lines or :data:`CLEAN_CHUNK_BYTES` bytes. Lines are split on
    ``\n`` only and decoded one by one (undecodable bytes become U+FFFD), as a whole
    read and split would do."""
    lines: list[str] = []
    size = 0
    newline = True
    for raw in stream:
        newline = raw.endswith(b"\n")
        lines.append((raw[:-1] if newline else raw).decode("utf-8", errors="replace"))
        size += len(raw)
        if len(lines) >= CLEAN_CHUNK_LINES or size >= CLEAN_CHUNK_BYTES:
            yield lines, newline
            lines, size = [], 0
    if lines:
        yield lines, newline


def _clean(args: argparse.Namespace) -> int:
    import json

    from extract.clean import clean_lines

    audit = None
    if args.audit:
        audit = _open_audit(args.audit)
        if audit is None:
            return EXIT_USAGE
    corrector = None
    offset = 0  # lines of the chunks before this one
    pending_newline = False  # the previous chunk's last line still owes its newline
    try:
        with _stdout_errors():
            for lines, newline in _line_chunks(sys.stdin.buffer):
                cleaned, removals = clean_lines(lines)
                corrections: list = []
                if not args.no_ocr_correction and any(cleaned):
                    if corrector is None:  # kiwipiepy loads only for some text to correct
                        from extract.latin_correct import get_latin_corrector
                        from extract.ocr_correct import get_corrector

                        corrector = (get_corrector(), get_latin_corrector())
                    for step in corrector:  # Korean, then Latin script: as in a build
                        results = step.correct_many(cleaned)
                        cleaned = [text for text, _ in results]
                        corrections += [(offset + number, edit)
                                        for number, (_, edits) in enumerate(results, start=1)
                                        for edit in edits]
                text = ("\n" if pending_newline else "") + "\n".join(cleaned)
                sys.stdout.buffer.write(text.encode("utf-8"))
                pending_newline = True
                if audit is not None:
                    for r in removals:
                        audit.write(json.dumps({"line": offset + r.source_line, "reason": r.reason,
                                                "removed": r.text}, ensure_ascii=False) + "\n")
                    for number, edit in corrections:
                        audit.write(json.dumps(dict(line=number, **edit.as_dict()), ensure_ascii=False) + "\n")
                offset += len(lines)
                last_newline = newline
            if pending_newline and last_newline:
                sys.stdout.buffer.write(b"\n")
            sys.stdout.buffer.flush()
    finally:
        if audit is not None:
            audit.close()
    return EXIT_OK


def run() -> None:
    """The ``qbank`` command: :func:`main`, then exit with its code. What the command
    leaves in memory (records, models, caches) is first frozen out of the garbage
    collector: the interpreter's last collections walked it for 0.42 s after a 203-file
    ``--jobs 1`` build, 0.07 s frozen. Files are written and closed by then, and exit
    handlers still run; only :func:`main` called from Python keeps collecting."""
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
