"""Tables with one question per row, read by their header row.

``№ | Question | Correct | Other | Other`` (every answer cell an option, the correct one
the answer: a teacher's test bank) or ``No | Question | A | B | C | D | Answer`` (the
answer a label, or an option's text). Header words in many languages are data
(``table_headers`` in ``data/exam_dump.json``).
"""
from __future__ import annotations

import re
from typing import Any

from extract.answers import answer_flags, match_option_text
from extract.exam_grammar import Grammar, letter
from extract.exam_items import Item
from extract.exam_model import ExamQuestion
from extract.lang import detect_lang


def table_questions(items: list[Item], g: Grammar) -> tuple[list[ExamQuestion], set[int]]:
    """Questions of tables whose header row names a question column and answer columns:
    ``№ | Question | Correct | Other | Other`` (every answer cell an option, the correct
    one the answer) or ``No | Question | A | B | C | D | Answer`` (the answer a label)."""
    questions: list[ExamQuestion] = []
    used: set[int] = set()
    header: dict[str, Any] | None = None
    table = None
    for index, item in enumerate(items):
        cell = item.line.cell
        if cell is None:
            header = None
            continue
        if cell[0] != table:
            table, header = cell[0], _table_header(item.text.split("\t"), g)
            if header is not None:
                used.add(index)
            continue
        if header is None:
            continue
        used.add(index)
        question = _table_row(item, header, g, len(questions) + 1)
        if question is not None:
            questions.append(question)
    return questions, used


def _table_header(cells: list[str], g: Grammar) -> dict[str, Any] | None:
    heads = g.table_headers
    roles: dict[str, Any] = {"number": None, "question": None, "correct": None, "options": [],
                             "distractors": []}
    for i, cell in enumerate(c.strip() for c in cells):
        if heads["number"].match(cell) and roles["number"] is None:
            roles["number"] = i
        elif heads["question"].match(cell) and roles["question"] is None:
            roles["question"] = i
        elif heads["option"].match(cell):
            roles["options"].append(i)
        elif heads["correct"].match(cell) and roles["correct"] is None:
            roles["correct"] = i
        elif heads["distractor"].match(cell):
            roles["distractors"].append(i)
    if roles["question"] is None or len(roles["options"]) + len(roles["distractors"]) + (roles["correct"] is not None) < 2:
        return None
    return roles


def _table_row(item: Item, roles: dict[str, Any], g: Grammar, position: int) -> ExamQuestion | None:
    cells = [c.strip() for c in item.line.text.split("\t")]

    def cell(i: int | None) -> str:
        return cells[i] if i is not None and i < len(cells) else ""

    stem = cell(roles["question"])
    if not stem:
        return None
    signals: dict[str, list[str]] = {}
    given_text = None
    if len(roles["options"]) >= 2:  # A | B | C | D | Answer
        texts = [cell(i) for i in roles["options"]]
        if roles["correct"] is not None:
            positions, rest = g.parse_answer(cell(roles["correct"]))
            if positions and not rest:
                signals["given"] = [letter(p) for p in positions]
            elif cell(roles["correct"]):
                given_text = cell(roles["correct"])
    else:  # Correct | Other | Other: every answer an option, in column order
        columns = sorted(([roles["correct"]] if roles["correct"] is not None else []) + roles["distractors"])
        texts = [cell(i) for i in columns]
        if roles["correct"] is not None:
            signals["table_column"] = [letter(columns.index(roles["correct"]))]
    options = [(letter(i), t) for i, t in enumerate(texts) if t]
    if given_text is not None and (matched := match_option_text(given_text, options, g.answer_text_min_ratio)):
        signals["given"] = matched
    number = position
    label = item.line.label or cell(roles["number"])
    if label and (m := re.match(r"^\D*(\d{1,5})", label)):
        number = int(m.group(1))
    answer = signals.get("given") or signals.get("table_column") or []
    flags = answer_flags(answer, [l for l, _ in options], None, signals)
    lang = detect_lang(stem + " " + " ".join(t for _, t in options)) or "en"
    return ExamQuestion(number, lang, stem, options, answer, None, [item.page], signals, {}, sorted(flags))
