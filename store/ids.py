"""Stable record ids.

An id names *where* a record sits in its source (file stem, module, question number or
page), never its text: when a maintainer drops in a corrected version of the same file,
its questions keep their ids and a quiz app keeps its users' progress. The file's stem,
not its folder, is used, so moving a folder does not rename everything.
"""
from __future__ import annotations

import re
from pathlib import PurePath

_UNSAFE = re.compile(r"[^\w.-]+", re.UNICODE)


def source_slug(path: str) -> str:
    """``../shared/data/guide/ml-engineering-on-aws-ko.ocr.txt`` -> ``ml-engineering-on-aws-ko.ocr``."""
    name = PurePath(path).name
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return _UNSAFE.sub("-", stem).strip("-") or "source"


def question_id(path: str, module: int | None, number: int | None, pages: list[int]) -> str:
    where = f"m{module}" if module is not None else "m-"
    what = f"q{number}" if number is not None else f"p{pages[0] if pages else 0}"
    return f"{source_slug(path)}/{where}/{what}"


def knowledge_id(path: str, page: int | None, section: int | None = None) -> str:
    """``<stem>/p<page>`` for a page of a book, ``<stem>/s<n>`` for an article's n-th section."""
    return f"{source_slug(path)}/p{page}" if section is None else f"{source_slug(path)}/s{section}"


def disambiguate(ids: list[str]) -> list[str]:
    """Suffix repeats (``~2``, ``~3``) so ids stay unique in a corpus, in record order."""
    seen: dict[str, int] = {}
    out = []
    for identifier in ids:
        count = seen.get(identifier, 0) + 1
        seen[identifier] = count
        out.append(identifier if count == 1 else f"{identifier}~{count}")
    return out
