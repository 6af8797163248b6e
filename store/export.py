"""``qbank export DIR --to FORMAT --out PATH``: a corpus in other shapes.

Formats are a table (:data:`FORMATS`): a name, a one-line description, a writer
``write(corpus, out, report) -> [paths written]``, and whether it is a quiz format. A
writer gets the corpus as read (records, not tables) after the filters
(:class:`Filters`: ``--lang``, ``--source``, ``--module``, ``--exclude-flag``), and
counts in ``report`` each question it cannot hold, with the reason; the CLI prints the
account in one line. Quiz formats (their writers in ``store/exports/``: Moodle XML, GIFT,
Canvas QTI, Anki, Aiken) never see a question without an answer, or whose answer is not
among its options: they are left out first, and counted.

``csv`` and ``parquet`` write three flat tables for analysts into the folder PATH:

- ``questions``: one row per question: ``id, source, format, pages, module,
  module_title, topic, number, lang, kind, stem, answer, explanation, flags, n_options,
  n_answers, n_images, translations, also_in, tags, domains``. ``domains`` is one
  ``EXAM:TASK`` per exam (``MLS-C01:3.5|MLA-C01:2.3``; ``EXAM:DOMAIN`` where the task is
  null).
- ``options``: one row per option: ``question_id, position, label, text, is_correct,
  matches``. ``is_correct`` says whether the label is in the answer; a matching
  question's options are all answered, so there it is empty and ``matches`` names the
  target the answer gives the option.
- ``knowledge``: one row per unit: ``id, source, format, pages, module, module_title,
  topic, kind, title, lang, text, tags``.

Lists are joined into one cell with ``|`` (``answer`` ``A|C``, ``flags``, ``pages``
``43|44``, ``translations`` ``en``, ``also_in``): the same columns in both formats, and a
cell a spreadsheet shows. ``module`` and ``number`` are nullable integers (empty in CSV,
null in Parquet). CSV is UTF-8 without a byte-order mark, the corpus's own encoding. The tables keep
questions without an answer (they are for analysis); the filters apply to them too, and
the language, source and module filters to knowledge units.

Each file is written to a temp file beside its target and renamed into place, and only
when every file of the export has been written: an export that fails (a full disk)
leaves the files of a previous export as they were, and no half file.
"""
from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from store.corpus import Corpus
from store.exports.aiken import write_aiken
from store.exports.anki import write_anki
from store.exports.common import ExportError, Report, quiz_problem, write_files
from store.exports.gift import write_gift
from store.exports.moodle import write_moodle
from store.exports.qti import write_qti

JOIN = "|"

QUESTION_COLUMNS = {"id": "string", "source": "string", "format": "string", "pages": "string",
                    "module": "Int64", "module_title": "string", "topic": "string", "number": "Int64",
                    "lang": "string", "kind": "string", "stem": "string", "answer": "string",
                    "explanation": "string", "flags": "string", "n_options": "int64",
                    "n_answers": "int64", "n_images": "int64", "translations": "string",
                    "also_in": "string", "tags": "string", "domains": "string"}
OPTION_COLUMNS = {"question_id": "string", "position": "int64", "label": "string", "text": "string",
                  "is_correct": "boolean", "matches": "string"}
KNOWLEDGE_COLUMNS = {"id": "string", "source": "string", "format": "string", "pages": "string",
                     "module": "Int64", "module_title": "string", "topic": "string", "kind": "string",
                     "title": "string", "lang": "string", "text": "string", "tags": "string"}


def _joined(values: Any) -> str:
    return JOIN.join(str(v) for v in values) if isinstance(values, list) else ""


def _int(value: Any) -> Any:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _source(record: dict[str, Any]) -> dict[str, Any]:
    source = record.get("source") if isinstance(record.get("source"), dict) else {}
    return {"source": source.get("path"), "format": source.get("format"), "pages": _joined(source.get("pages"))}


def _question_row(q: dict[str, Any]) -> dict[str, Any]:
    return {"id": q["id"], **_source(q), "module": _int(q.get("module")),
            "module_title": q.get("module_title"), "topic": q.get("topic"), "number": _int(q.get("number")),
            "lang": q.get("lang"), "kind": q.get("kind"), "stem": q.get("stem"),
            "answer": _joined(q.get("answer")), "explanation": q.get("explanation"),
            "flags": _joined(q.get("flags")), "n_options": len(q.get("options") or []),
            "n_answers": len(q.get("answer") or []), "n_images": len(q.get("images") or []),
            "translations": _joined(sorted(q.get("translations") or {})), "also_in": _joined(q.get("also_in")),
            "tags": _joined(q.get("tags")), "domains": _joined(_domains(q.get("domains")))}


def _domains(domains: Any) -> list[str] | None:
    if not isinstance(domains, list):
        return None
    return [f"{d.get('exam')}:{d.get('task') or d.get('domain')}" for d in domains if isinstance(d, dict)]


def _option_rows(q: dict[str, Any]) -> list[dict[str, Any]]:
    answer = [a for a in q.get("answer") or [] if isinstance(a, str)]
    matching = q.get("kind") == "matching"
    targets = dict(a.split("=", 1) for a in answer if "=" in a) if matching else {}
    return [{"question_id": q["id"], "position": n, "label": o.get("label"), "text": o.get("text"),
             "is_correct": None if matching else o.get("label") in answer,
             "matches": targets.get(o.get("label")) if matching else None}
            for n, o in enumerate(q.get("options") or [], start=1) if isinstance(o, dict)]


def _knowledge_row(k: dict[str, Any]) -> dict[str, Any]:
    return {"id": k["id"], **_source(k), "module": _int(k.get("module")),
            "module_title": k.get("module_title"), "topic": k.get("topic"), "kind": k.get("kind"),
            "title": k.get("title"), "lang": k.get("lang"), "text": k.get("text"), "tags": _joined(k.get("tags"))}


def _frame(rows: list[dict[str, Any]], columns: dict[str, str]) -> Any:
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(columns))
    for name, dtype in columns.items():
        if dtype == "string":  # a topic may be a letter or a number: text either way
            frame[name] = frame[name].map(lambda v: None if v is None else str(v), na_action="ignore")
    return frame.astype(columns)


def flat_tables(corpus: Corpus) -> dict[str, Any]:
    """``{"questions": DataFrame, "options": DataFrame, "knowledge": DataFrame}``, typed
    (empty tables keep their columns and types)."""
    return {"questions": _frame([_question_row(q) for q in corpus.questions], QUESTION_COLUMNS),
            "options": _frame([row for q in corpus.questions for row in _option_rows(q)], OPTION_COLUMNS),
            "knowledge": _frame([_knowledge_row(k) for k in corpus.knowledge], KNOWLEDGE_COLUMNS)}


# -- writing -----------------------------------------------------------------------------

def _folder(out: Path) -> Path:
    if out.exists() and not out.is_dir():
        raise ExportError(f"--out {out}: exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"--out {out}: cannot create: {exc.strerror or exc}") from None
    return out


def write_csv(corpus: Corpus, out: Path, report: Report) -> list[Path]:
    tables = flat_tables(corpus)
    return write_files(_folder(out), {
        f"{name}.csv": (lambda path, frame=frame: frame.to_csv(path, index=False, encoding="utf-8",
                                                                lineterminator="\n"))
        for name, frame in tables.items()})


def write_parquet(corpus: Corpus, out: Path, report: Report) -> list[Path]:
    tables = flat_tables(corpus)
    return write_files(_folder(out), {
        f"{name}.parquet": (lambda path, frame=frame: frame.to_parquet(path, engine="pyarrow", index=False))
        for name, frame in tables.items()})


@dataclass(frozen=True)
class ExportFormat:
    name: str
    description: str
    #: ``write(corpus, out, report) -> [paths written]``; ``report`` takes what the
    #: writer leaves out (a question the format cannot hold) and why
    write: Callable[[Corpus, Path, Report], list[Path]]
    #: a quiz format: questions without an answer (or whose answer is not among their
    #: options) are left out before the writer sees them
    quiz: bool = True


#: ``--to`` name -> format; add a writer here and the CLI offers it
FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("csv", "folder with questions.csv, options.csv, knowledge.csv (UTF-8)", write_csv, quiz=False),
    ExportFormat("parquet", "folder with questions.parquet, options.parquet, knowledge.parquet", write_parquet,
                 quiz=False),
    ExportFormat("moodle", "Moodle XML file (multichoice, matching; categories by source and module)",
                 write_moodle),
    ExportFormat("gift", "GIFT text file for Moodle (categories by source and module)", write_gift),
    ExportFormat("qti", "QTI 1.2 zip for Canvas, one quiz per source (text2qti)", write_qti),
    ExportFormat("anki", "Anki .apkg, one deck per source and module, notes named by question id", write_anki),
    ExportFormat("aiken", "Aiken text file (single-answer questions only)", write_aiken),
)}


# -- which questions -------------------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """What ``--lang``, ``--source``, ``--module`` and ``--exclude-flag`` keep; each
    option may be given more than once (any of its values matches), the options
    together all have to match."""
    langs: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    modules: tuple[str, ...] = ()
    exclude_flags: tuple[str, ...] = ()

    def problem(self, record: dict[str, Any]) -> str | None:
        """Why the filters leave ``record`` out (a question or a knowledge unit), or None."""
        if self.langs:
            langs = {record.get("lang")} | set(record.get("translations") or {})
            if not langs & set(self.langs):
                return f"not in --lang {'/'.join(self.langs)}"
        if self.sources:
            source = record.get("source") if isinstance(record.get("source"), dict) else {}
            path = source.get("path") if isinstance(source.get("path"), str) else ""
            if not any(_source_matches(path, pattern) for pattern in self.sources):
                return f"not from --source {'/'.join(self.sources)}"
        if self.modules and str(record.get("module")) not in self.modules:
            return f"not in --module {'/'.join(self.modules)}"
        flags = set(record.get("flags") or [])
        for flag in self.exclude_flags:
            if flag in flags:
                return f"flagged {flag}"
        return None


def _source_matches(path: str, pattern: str) -> bool:
    """A glob (with ``* ? [``) matches the whole path or its file name; other text
    matches as a part of the path."""
    if any(ch in pattern for ch in "*?["):
        return fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(path.rsplit("/", 1)[-1], pattern)
    return pattern in path


def select(corpus: Corpus, filters: Filters, quiz: bool, report: Report) -> Corpus:
    """The corpus with only the records the filters keep (a quiz format also drops
    questions that cannot be quiz questions); each question left out is counted in
    ``report`` with its reason. Knowledge units go through the same language, source
    and module filters, uncounted."""
    questions = []
    for q in corpus.questions:
        problem = filters.problem(q) or (quiz_problem(q) if quiz else None)
        if problem:
            report.leave_out(problem)
        else:
            questions.append(q)
    knowledge = [k for k in corpus.knowledge if replace(filters, exclude_flags=()).problem(k) is None]
    return Corpus(corpus.path, questions, knowledge)


def export(corpus: Corpus, fmt: str, out: Path, filters: Filters | None = None) -> tuple[list[Path], Report]:
    """Write the questions of ``corpus`` the filters keep as ``fmt`` to ``out``: the paths
    written, and the account of what was left out."""
    report = Report()
    chosen = FORMATS[fmt]
    selected = select(corpus, filters or Filters(), chosen.quiz, report)
    return chosen.write(selected, Path(out), report), report
