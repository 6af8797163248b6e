"""Reading a corpus folder back: the one reader of ``diff``, ``stats`` and ``export``.

A corpus folder is what ``qbank build`` writes (CORPUS.md). Reading it back is strict
about what the tools built on it rely on, and nothing else: both JSONL files must be
there (an empty corpus has them too, empty), every line must be a JSON object with a
string ``id``, and ids must be unique within a file (``diff`` matches records by id; two
records under one id would make "which one changed" a guess). Records are not validated
against the JSON Schemas: a corpus written by an older or newer qbank still reads, and
fields these tools do not know are carried along. Every problem is one
:class:`CorpusUnreadable` naming the file and line, for a one-line error.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

QUESTIONS_FILE = "questions.jsonl"
KNOWLEDGE_FILE = "knowledge.jsonl"


class CorpusUnreadable(Exception):
    """The folder is not a readable corpus (one line, naming the file)."""


@dataclass
class Corpus:
    """A corpus as read: records in file order (the build's deterministic order)."""
    path: Path
    questions: list[dict[str, Any]] = field(default_factory=list)
    knowledge: list[dict[str, Any]] = field(default_factory=list)


def parse_records(lines: Any, where: str) -> list[dict[str, Any]]:
    """JSON-lines records from ``lines`` (text lines); ``where`` names them in errors.
    Blank lines are skipped; a line that is not a JSON object with a string id, or a
    repeated id, is an error."""
    records: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise CorpusUnreadable(f"{where} line {number}: not JSON ({exc.msg})") from None
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            raise CorpusUnreadable(f"{where} line {number}: not a record with a string id")
        if record["id"] in seen:
            raise CorpusUnreadable(f"{where} line {number}: id {record['id']!r} appears twice")
        seen.add(record["id"])
        records.append(record)
    return records


def read_records(path: Path) -> list[dict[str, Any]]:
    """The records of one JSONL file of a corpus."""
    try:
        with open(path, encoding="utf-8") as handle:
            return parse_records(handle, str(path))
    except FileNotFoundError:
        raise CorpusUnreadable(f"{path.parent}: not a qbank corpus (no {path.name})") from None
    except IsADirectoryError:
        raise CorpusUnreadable(f"{path}: is a folder, not a file") from None
    except UnicodeDecodeError:
        raise CorpusUnreadable(f"{path}: not UTF-8") from None
    except OSError as exc:
        raise CorpusUnreadable(f"{path}: cannot read: {exc.strerror or exc}") from None


def read_corpus(folder: Path | str) -> Corpus:
    """The corpus in ``folder``; :class:`CorpusUnreadable` when it is not one."""
    folder = Path(folder)
    if not folder.exists():
        raise CorpusUnreadable(f"{folder}: no such folder")
    if not folder.is_dir():
        raise CorpusUnreadable(f"{folder}: not a folder")
    return Corpus(folder, read_records(folder / QUESTIONS_FILE), read_records(folder / KNOWLEDGE_FILE))
