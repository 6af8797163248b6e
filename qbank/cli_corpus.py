"""The commands that read a corpus back: ``diff``, ``stats``, ``export``, ``report``
(store/diff.py, store/stats.py, store/export.py, qbank/report.py). ``diff`` exits 0 when
the corpora are the same, 1 when they differ, 2 on a usage error or a folder that is not a
readable corpus; the others exit 0, or 2 on a usage error, an unreadable corpus or an
output that cannot be written."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ingest.limits import MB
from qbank.cli_support import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, _error, _positive, _stdout_errors


def add_corpus_commands(sub: Any) -> None:
    """Their sub-parsers, on the ``qbank`` parser's subparsers."""
    diff = sub.add_parser(
        "diff", help="what changed between two corpora (answer changes first)",
        description="Compare the corpus folders OLD and NEW, records matched by id: questions "
                    "added, removed and changed (answer changes first, then stem, options, "
                    "explanation, flags, other fields; old → new shortened), knowledge units "
                    "added, removed and changed. Exit 0 when identical, 1 when different, 2 when "
                    "a folder cannot be read.")
    diff.add_argument("old", type=Path, metavar="OLD", help="the corpus before")
    diff.add_argument("new", type=Path, metavar="NEW", help="the corpus after")
    diff.add_argument("--json", action="store_true",
                      help="print one JSON object (values whole) instead of the table")

    stats = sub.add_parser(
        "stats", help="count a corpus's questions by source, module, kind, language, flag",
        description="Count the questions of the corpus in DIR: total, answer coverage, "
                    "duplicates (questions with an also_in list), and by source, module, kind, "
                    "language and flag. One long table, columns dimension, value, questions, "
                    "share, in every format.")
    stats.add_argument("dir", type=Path, metavar="DIR", help="a corpus folder")
    stats.add_argument("--format", default="table", choices=["table", "csv", "json"],
                       help="table: aligned for reading (default); csv, json: for tools")

    from store.export import FORMATS

    export = sub.add_parser(
        "export", help="write a corpus for quiz apps (Moodle, GIFT, Canvas QTI, Anki, Aiken) or as tables",
        description="Write the questions of the corpus in DIR in another format; the output is "
                    "written to a temp file and renamed into place. Quiz formats leave out "
                    "questions without an answer; what is left out, and why, is said in one line "
                    "on stderr. " + " ".join(f"{f.name}: {f.description}." for f in FORMATS.values()))
    export.add_argument("dir", type=Path, metavar="DIR", help="a corpus folder")
    export.add_argument("--to", required=True, choices=list(FORMATS), help="the format")
    export.add_argument("--out", required=True, type=Path, metavar="PATH",
                        help="where to write: for csv and parquet a folder (created if missing), "
                             "for the others a file (moodle: .xml, gift/aiken: .txt, qti: .zip, anki: .apkg)")
    chosen = export.add_argument_group("which questions", "each option may be repeated (any of its values)")
    chosen.add_argument("--lang", action="append", default=[], metavar="LANG",
                        help="questions in LANG or with a translation into LANG (ko, en)")
    chosen.add_argument("--source", action="append", default=[], metavar="TEXT",
                        help="questions whose source path contains TEXT, or matches it as a glob (*.docx)")
    chosen.add_argument("--module", action="append", default=[], metavar="N", help="questions of module N")
    chosen.add_argument("--exclude-flag", action="append", default=[], metavar="FLAG",
                        help="leave out questions flagged FLAG (image_dependent, community_disagrees, ...)")
    report = sub.add_parser(
        "report", help="write a review page (one HTML file) of a corpus's flagged questions",
        description="Write one self-contained HTML file (no network needed, readable on a phone) "
                    "reviewing the corpus in DIR: the build's summary from its manifest, then every "
                    "flagged question (--all: every question) with its flags explained, its answer "
                    "signals side by side, where it was found, its pictures from DIR/media and its "
                    "duplicates; filter by flag and source, search by text.")
    report.add_argument("dir", type=Path, metavar="DIR", help="a corpus folder")
    report.add_argument("--out", required=True, type=Path, metavar="FILE",
                        help="the HTML file to write (replaced atomically)")
    report.add_argument("--all", action="store_true", help="list every question, not only flagged ones")
    report.add_argument("--max-inline-mb", type=_positive(float, 0, "a number of MB"), default=None,
                        metavar="MB", help="pictures inlined into the page, in MB all together "
                                           "(default 100); past it a picture shows as its OCR text")


def _diff(args: argparse.Namespace) -> int:
    import json

    from store.corpus import CorpusUnreadable
    from store.diff import diff_folders, render

    try:
        result = diff_folders(args.old, args.new)
    except CorpusUnreadable as exc:
        _error(str(exc))
        return EXIT_USAGE
    with _stdout_errors():
        if args.json:
            print(json.dumps({"old": str(args.old), "new": str(args.new), **result.as_dict()},
                             ensure_ascii=False, indent=1))
        else:
            print(render(result, str(args.old), str(args.new)))
        sys.stdout.flush()
    return EXIT_OK if result.identical else EXIT_SOME_FAILED


def _stats(args: argparse.Namespace) -> int:
    from store.corpus import CorpusUnreadable, read_corpus
    from store.stats import render_stats

    try:
        corpus = read_corpus(args.dir)
    except CorpusUnreadable as exc:
        _error(str(exc))
        return EXIT_USAGE
    with _stdout_errors():
        print(render_stats(corpus, args.format))
        sys.stdout.flush()
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from store.corpus import CorpusUnreadable, read_corpus
    from store.export import ExportError, Filters, export

    filters = Filters(tuple(args.lang), tuple(args.source), tuple(args.module), tuple(args.exclude_flag))
    try:
        written, report = export(read_corpus(args.dir), args.to, args.out, filters)
    except (CorpusUnreadable, ExportError) as exc:
        _error(str(exc))
        return EXIT_USAGE
    if report.line():
        print(f"qbank export: {report.line()}", file=sys.stderr)
    print(f"qbank export -> {', '.join(str(p) for p in written)}", file=sys.stderr)
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from qbank.report import DEFAULT_INLINE_BYTES, write_report
    from store.corpus import CorpusUnreadable

    limit = DEFAULT_INLINE_BYTES if args.max_inline_mb is None else int(args.max_inline_mb * MB)
    try:
        shown = write_report(args.dir, args.out, all_questions=args.all, max_inline_bytes=limit)
    except CorpusUnreadable as exc:
        _error(str(exc))
        return EXIT_USAGE
    except OSError as exc:
        _error(f"cannot write {args.out}: {exc.strerror or exc}")
        return EXIT_USAGE
    print(f"qbank report -> {args.out} ({shown} questions)", file=sys.stderr)
    return EXIT_OK


CORPUS_COMMANDS = {"diff": _diff, "stats": _stats, "export": _export, "report": _report}
