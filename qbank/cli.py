"""``qbank`` command line: ``build`` a corpus, ``clean`` text.

Exit codes (CORPUS.md): 0 every input read; 1 some inputs failed (the rest is written,
each failure named on stderr and in the manifest); 2 usage error.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from qbank import __version__

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


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
                       help="output folder (created if missing; its corpus files are replaced atomically)")
    build.add_argument("--no-audit", action="store_true",
                       help="do not write DIR/audit/furniture.jsonl (what furniture removal took off each page)")
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
                       help="OCR worker processes for scanned PDF pages (default: one per core); "
                            "each runs Tesseract single-threaded")
    build.add_argument("--quiet", "-q", action="store_true",
                       help="no progress bar and no summary; errors are still printed")

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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "build":
        return _build(args)
    if args.command == "inspect":
        return _inspect(args)
    return _clean(args)


def _inspect(args: argparse.Namespace) -> int:
    from extract.exam_inspect import inspect_lines
    from extract.furniture import mark_furniture
    from ingest.registry import IngestError, read_document

    try:
        document = read_document(args.file, str(args.file), None if args.no_ocr else args.lang)
    except IngestError as exc:
        print(f"qbank: error: {exc}", file=sys.stderr)
        return EXIT_SOME_FAILED
    if document.format == "pdf":
        document = mark_furniture(document)
    for line in inspect_lines(document):
        print(line)
    return EXIT_OK


def _build(args: argparse.Namespace) -> int:
    from qbank.extractors import Options
    from qbank.pipeline import build
    from qbank.summary import render_summary

    if args.out.exists() and not args.out.is_dir():
        print(f"qbank: --out {args.out}: exists and is not a folder", file=sys.stderr)
        return EXIT_USAGE
    if args.jobs is not None and args.jobs < 1:
        print(f"qbank: --jobs {args.jobs}: must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    if not args.no_ocr and not re.fullmatch(r"[A-Za-z_]+(?:\+[A-Za-z_]+)*", args.lang):
        print(f"qbank: --lang {args.lang!r}: Tesseract languages joined by + (kor+eng)", file=sys.stderr)
        return EXIT_USAGE
    try:
        report = build(args.inputs, args.out, audit=not args.no_audit,
                       progress=False if args.quiet else None,
                       options=Options(ocr_correction=not args.no_ocr_correction,
                                       ocr_lang=None if args.no_ocr else args.lang,
                                       jobs=args.jobs))
    except OSError as exc:
        print(f"qbank: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    for failed in report.failed:
        print(f"qbank: error: {failed.error}", file=sys.stderr)
    for source in report.sources:
        for warning in [] if source.error else source.extraction.warnings:
            print(f"qbank: warning: {source.path}: {warning}", file=sys.stderr)
    if not args.quiet:
        print(render_summary(report), file=sys.stderr)
    return EXIT_SOME_FAILED if report.failed else EXIT_OK


def _clean(args: argparse.Namespace) -> int:
    from extract.clean import clean_lines

    data = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    lines = data.split("\n")
    trailing_newline = data.endswith("\n")
    if trailing_newline:
        lines.pop()
    cleaned, removals = clean_lines(lines)
    corrections: list = []
    if not args.no_ocr_correction:
        from extract.ocr_correct import get_corrector

        results = get_corrector().correct_many(cleaned)
        cleaned = [text for text, _ in results]
        corrections = [(number, edit) for number, (_, edits) in enumerate(results, start=1)
                       for edit in edits]
    out = "\n".join(cleaned) + ("\n" if trailing_newline else "")
    sys.stdout.buffer.write(out.encode("utf-8"))
    if args.audit:
        import json

        with args.audit.open("w", encoding="utf-8") as handle:
            for r in removals:
                handle.write(json.dumps({"line": r.source_line, "reason": r.reason, "removed": r.text},
                                        ensure_ascii=False) + "\n")
            for number, edit in corrections:
                handle.write(json.dumps(dict(line=number, **edit.as_dict()), ensure_ascii=False) + "\n")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
