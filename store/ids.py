"""Stable record ids.

*Knowledge units* are named by where they sit: ``<file stem>/p<page>`` or ``/s<section>``.

*Questions* are named by what they ask, so that a quiz app keeps its users' progress when
the files change (the rule CORPUS.md states):

* A question's id is ``q-`` and 16 hex digits of the SHA-256 of its normalised stem and
  its normalised option texts in sorted order (:func:`content_id`). Re-saving a file,
  renaming or moving it, adding questions before it, reordering its options, or finding it
  in another source (see :mod:`store.dedup`) leaves the id as it was.
* A build into a folder that holds a corpus first inherits ids: every question that is the
  same question as one of the old corpus (the matcher of :mod:`store.dedup`: a typo
  fixed, the OCR read better, a word changed) keeps the old id (:func:`inherit_ids`), one
  to one, strongest matches first.
* Positional ids (:func:`question_id`: file stem, module, number or page) are what the
  extractors give a record and what its audit rows name until the build renames them.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import PurePath
from typing import Any

from store.dedup import candidate_pairs, match, normalize, views

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


def content_id(record: dict[str, Any]) -> str:
    """``q-`` + 16 hex digits of the SHA-256 of the normalised stem and sorted options."""
    options = sorted(normalize(o["text"]) for o in record.get("options") or [])
    key = "\x1f".join([normalize(record.get("stem"))] + options)
    return "q-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def inherit_ids(records: list[dict[str, Any]], previous: list[dict[str, Any]]) -> dict[int, str]:
    """index in ``records`` -> id of the same question in ``previous`` (an old corpus),
    one to one, strongest matches first, ties in a fixed order."""
    if not records or not previous:
        return {}
    all_views = [views(r) for r in records + previous]
    n = len(records)
    found = []
    for i, j in candidate_pairs([index >= n for index in range(len(all_views))], all_views):
        new, old = (i, j) if i < n else (j, i)
        best = match(all_views[new], all_views[old])
        if best is not None:
            found.append((-best[0], previous[old - n]["id"], new, old))
    found.sort()
    taken_new: set[int] = set()
    taken_old: set[int] = set()
    inherited: dict[int, str] = {}
    for _, old_id, new, old in found:
        if new in taken_new or old in taken_old:
            continue
        taken_new.add(new)
        taken_old.add(old)
        inherited[new] = old_id
    return inherited
