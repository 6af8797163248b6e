"""Matching knowledge checks: items in one column, targets in the other.

The first two lines are the column headers; then rows alternate item, target. On the
answer page the targets are re-ordered to sit beside their items, and the text after the
table explains.
"""
from __future__ import annotations

import re

from rapidfuzz import fuzz

from extract.guide_pages import (
    RULES,
    QuestionLayout,
    QuestionPage,
    is_option_like,
    strip_column_headers,
)
from extract.rules import compiled

#: Items of a matching question are labelled A-Z (the corpus allows one capital letter).
#: A matching table has no eight-option limit: one of nine rows raised IndexError on
#: LABELS and dropped its whole source (issue 12). Rows past Z are dropped and flagged
#: ``matching_rows_capped``.
MATCHING_LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def read_matching(layout: QuestionLayout, apage: QuestionPage | None
                  ) -> tuple[list[tuple[str, str]], list[str], list[str], str | None, list[str]]:
    """Items, targets, ``LABEL=target`` answers and explanation of a matching question.

    The first two lines are the column headers; then rows alternate item, target. On the
    answer page the targets are re-ordered to sit beside their items, and the text after
    the table explains. Target names are snapped to the service names that explanation
    spells (OCR garbles the short names in the table).
    """
    flags: list[str] = []
    rows = layout.option_lines
    headers = 2 if len(rows) % 2 == 0 and len(rows) >= 6 else 0
    rows = rows[headers:]
    pairs = len(rows) // 2
    if pairs > len(MATCHING_LABELS):
        pairs = len(MATCHING_LABELS)
        flags.append("matching_rows_capped")
    items = [(MATCHING_LABELS[i], rows[2 * i]) for i in range(pairs)]
    targets = [rows[2 * i + 1] for i in range(pairs)]
    answer: list[str] = []
    explanation = None
    canonical = list(targets)
    if apage is not None:
        lines = [strip_column_headers(line.text) for line in apage.page.lines[1:]]
        lines = [line for line in lines if is_option_like(line)]
        table_end = headers + 2 * len(items)
        explanation = " ".join(lines[table_end:]).strip() or None
        vocabulary = sorted(set(compiled(RULES, "service_name").findall(explanation or "")))
        canonical = _snap(targets, vocabulary)
        answer_targets = lines[headers:table_end][1::2]
        assignment = _assign(answer_targets, targets, canonical)
        answer = [f"{label}={canonical[j]}" for (label, _item), j in zip(items, assignment)
                  if j is not None]
    if not items:
        flags.append("options_missing")
    if len(answer) != len(items):
        flags.append("matching_answer_incomplete")
    if len(set(answer)) != len(answer) or len({a.split("=", 1)[1] for a in answer}) != len(answer):
        flags.append("matching_answer_uncertain")
    return items, canonical, answer, explanation, flags


#: Up to this many rows, the best one-to-one pairing is found by trying every permutation.
EXACT_ASSIGNMENT_MAX = 7


def _assign(rows: list[str], targets: list[str], canonical: list[str]) -> list[int | None]:
    """Pair each answer-page row with a distinct target, maximizing total similarity.

    Rows are a permutation of the targets, each garbled its own way; a greedy pairing
    lets one bad guess steal another row's target, the best total pairing does not.
    """
    def key(text: str) -> str:
        return re.sub(r"[\W_]+", "", text.lower())

    score = [[max(fuzz.ratio(key(row), key(raw)), fuzz.ratio(key(row), key(snapped)))
              for raw, snapped in zip(targets, canonical)] for row in rows]
    if not rows or len(rows) != len(targets):
        return [max(range(len(targets)), key=lambda j: s[j]) if targets else None for s in score]
    if len(rows) <= EXACT_ASSIGNMENT_MAX:
        from itertools import permutations

        best = max(permutations(range(len(targets))),
                   key=lambda perm: sum(score[i][j] for i, j in enumerate(perm)))
        return list(best)
    chosen: list[int | None] = [None] * len(rows)
    for _value, i, j in sorted(((score[i][j], i, j) for i in range(len(rows))
                                for j in range(len(targets))), reverse=True):
        if chosen[i] is None and j not in chosen:
            chosen[i] = j
    return chosen


def _snap(targets: list[str], vocabulary: list[str]) -> list[str]:
    """Replace each garbled target by the vocabulary term it resembles most (one-to-one)."""
    if not vocabulary:
        return list(targets)
    pairs = sorted(((fuzz.ratio(t.lower(), v.lower()), i, v) for i, t in enumerate(targets)
                    for v in vocabulary), reverse=True)
    snapped: dict[int, str] = {}
    used: set[str] = set()
    for score, index, term in pairs:
        if score < 40 or index in snapped or term in used:
            continue
        snapped[index] = term
        used.add(term)
    return [snapped.get(i, t) for i, t in enumerate(targets)]
