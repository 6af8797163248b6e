"""Answer keys: answers given apart from the questions, found before question starts
are chosen (so key entries such as ``1. B`` never start questions)."""
from __future__ import annotations

from dataclasses import dataclass, field

from extract.exam_grammar import Grammar
from extract.exam_items import OCR_MARKS, Item


@dataclass
class AnswerKey:
    """Answers (and their explanations) given apart from the questions, usually at the
    end: positions by question number, and where each entry was (item index)."""

    answers: dict[int, list[int]] = field(default_factory=dict)
    explanations: dict[int, list[str]] = field(default_factory=dict)
    items: set[int] = field(default_factory=set)


def find_answer_key(items: list[Item], g: Grammar) -> AnswerKey:
    """Answer-key entries anywhere in the document: ``1. B  2. A,C`` lines; entries with
    explanations under a key heading (until a question header with a word: ``Question 5``);
    grids of a number row over an answer row (the same count of tokens). Found before
    question starts are chosen, so key entries (``1. B``) never start questions."""
    key = AnswerKey()
    in_key = False
    explained: int | None = None
    key_table: tuple[int, int, int] | None = None  # (table, number column, answer column)
    for index, item in enumerate(items):
        text = item.text
        if in_key and any(s.strong for s in g.starts_of(index, item.raw)):
            in_key, explained = False, None
            continue
        if item.line.cell is not None:
            table, row = item.line.cell
            if key_table is not None and key_table[0] == table:
                cells = item.line.text.split("\t")
                number = cells[key_table[1]].strip() if key_table[1] < len(cells) else ""
                answer = cells[key_table[2]].strip() if key_table[2] < len(cells) else ""
                if number.isdigit() and (positions := g.key_token(answer)):
                    key.answers[int(number)] = positions
                key.items.add(index)
                continue
            columns = _key_table_columns(item.line.text.split("\t"), g) if row == 1 else None
            if columns is not None:
                key_table = (table, *columns)
                key.items.add(index)
                continue
        value = item.answer
        if value is not None and len(pairs := g.answer_key_pair.findall(value)) >= 2:
            for number, token in pairs:  # Answers: 1-B, 2-C, 3-A
                if positions := g.key_token(token):
                    key.answers[int(number)] = positions
            key.items.add(index)
            continue
        if g.answer_key_line.match(text) and (in_key or not item.option):
            for number, token in g.answer_key_pair.findall(text):
                if positions := g.key_token(token):
                    key.answers[int(number)] = positions
            key.items.add(index)
            continue
        if g.key_grid_numbers.match(text) and index + 1 < len(items):
            answers = items[index + 1].text.split()
            numbers = text.split()
            consecutive = all(int(b) == int(a) + 1 for a, b in zip(numbers, numbers[1:]))
            if consecutive and len(answers) == len(numbers) and g.key_grid_answers.match(items[index + 1].text):
                for number, token in zip(numbers, answers):
                    if positions := g.key_token(token):
                        key.answers[int(number)] = positions
                key.items.update({index, index + 1})
                continue
        if index - 1 in key.items and g.key_grid_answers.match(text):
            continue
        if g.answer_key_heading.match(text):
            in_key = True
            key.items.add(index)
            continue
        if in_key:
            if item.line.marks & OCR_MARKS:
                text = _ocr_answer_letters(text, g)
            entry = g.answer_key_explained.match(text)
            plain = None if entry else g.answer_key_entry.match(text)
            if entry:
                explained = int(entry.group(1))
                key.answers[explained] = g.key_token(entry.group(2))
                key.explanations[explained] = [entry.group(3).strip()] if entry.group(3).strip() else []
            elif plain and (positions := g.key_token(plain.group(2))):
                explained = int(plain.group(1))
                key.answers[explained] = positions
                key.explanations[explained] = []
            elif (pairs := _pairs_any(text, g)):
                for number, positions in pairs:
                    key.answers[number] = positions
                explained = None
            elif explained is not None and text:
                key.explanations[explained].append(text)
            key.items.add(index)
    return key


def _pairs_any(text: str, g: Grammar) -> list[tuple[int, list[int]]]:
    """Several ``number value`` entries on one line under a key heading, every value a
    label (``81. А 82. БВ 83. Б``, ``1) d 2) a``); [] when any value is not."""
    found = g.answer_key_pairs_any.findall(text)
    if len(found) < 2:
        return []
    pairs = [(int(number), g.key_token(token)) for number, token in found]
    return pairs if all(positions for _, positions in pairs) else []


def _key_table_columns(cells: list[str], g: Grammar) -> tuple[int, int] | None:
    """(number column, answer column) of an answer-key table's header row (``No. |
    Answer``, ``Question | Correct answer`` without question text), or None."""
    heads = g.table_headers
    cells = [c.strip() for c in cells]
    numbers = [i for i, c in enumerate(cells) if heads["number"].match(c)]
    questions = [i for i, c in enumerate(cells) if heads["question"].match(c)]
    answer = next((i for i, c in enumerate(cells) if heads["correct"].match(c)), None)
    if answer is None or (numbers and questions) or any(heads["option"].match(c) for c in cells):
        return None  # a table of questions (number and text, or options), not a key
    number = (numbers or questions or [None])[0]
    return None if number is None or number == answer else (number, answer)


def _ocr_answer_letters(text: str, g: Grammar) -> str:
    """``3) 8, (. - why`` read by OCR → ``3) B, C - why``: answer tokens that can only be
    one letter's look-alike are replaced by it; a period after the token (``B.`` in the
    key, or a speck OCR read as one) is not part of the letter."""
    match = g.ocr_key_entry.match(text)
    if not match:
        return text
    tokens = [t.strip() for t in match.group(2).split(",")]
    tokens = [g.ocr_letter_of.get(t.rstrip("."), t) for t in tokens]
    return f"{match.group(1)}{', '.join(tokens)}{match.group(3)}"
