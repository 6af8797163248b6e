"""Items: a question file's lines as the question grammar reads them.

The reader's lines are flattened (page furniture skipped, several options on one line
split, a stem's inline GIFT options split off, two-cell table rows read as ``label:
text``, OCR look-alike option labels read as the letter they stand for) and each item
carries its option reading and answer-line value, computed once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from extract.exam_grammar import Grammar, OptionMark, letter
from extract.normalize import fix_mojibake
from ingest.document import Document, Line, Mark

#: Reader marks of text that OCR read (scanned pages, pictures): look-alikes apply there.
OCR_MARKS = frozenset({Mark.OCR, Mark.IMAGE_TEXT})
_BARE_LABEL = re.compile(r"^[(（]?([A-Ha-h1-9①-⑩❶-❿])[.)）:]?$")


@dataclass(frozen=True)
class Item:
    """One line as the segmenter sees it: ``text`` stripped (a Word list label is in
    ``line.label``, never in ``text``), ``raw`` as the reader gave it (a leading tab
    matters), ``page`` where it is."""

    page: int
    line: Line
    text: str
    raw: str
    #: the option reading of the line and the value of an answer line, read once
    option: OptionMark | None = None
    answer: str | None = None


def make_item(page: int, line: Line, text: str, raw: str, g: Grammar) -> Item:
    return Item(page, line, text, raw, _read_option(line, text, g), g.answer_value(text))


def flatten(document: Document, g: Grammar) -> list[Item]:
    """Lines of every page in order, as :class:`Item` s; furniture is left out."""
    items: list[Item] = []
    for page in document.pages:
        for line in page.lines:
            if Mark.FURNITURE in line.marks:
                continue
            raw = fix_mojibake(line.text)
            if line.cell is not None and not line.label:
                raw = _two_cell_row(raw)
            text = raw.strip()
            if not text and not line.label:
                continue
            if items and line.marks & OCR_MARKS:
                text = raw = _ocr_option_label(text, items[-1], g)
            pieces = None if line.label else g.split_options(text) or _inline_gift(text, g)
            if pieces:
                items.extend(make_item(page.number, replace(line, text=p), p, p, g) for p in pieces)
            else:
                keep = line.cell is not None or text == line.text  # a row keeps its empty cells
                items.append(make_item(page.number, line if keep else replace(line, text=text), text, raw, g))
    return items


def _inline_gift(text: str, g: Grammar) -> list[str] | None:
    """``Stem? {~a =b}`` as the stem and its GIFT options."""
    match = g.gift_inline.match(text) if "{" in text else None
    return [match.group(1), match.group(2)] if match else None


def _ocr_option_label(text: str, previous: Item, g: Grammar) -> str:
    """On an OCR'd line right after an option, a label that is not the next letter but
    looks like it (``8)`` after ``A)``) is that letter: the text is given the label it
    stands for."""
    before = previous.option
    if before is None or before.position < 0 or before.style not in ("upper", "paren_upper"):
        return text
    expected = letter(before.position + 1)
    mark = g.option_of(text)
    if mark is not None and mark.style == before.style and mark.position == before.position + 1:
        return text
    found = g.ocr_marker.match(text)
    if found and found.group(1) in g.ocr_label_lookalikes.get(expected, ()):
        return f"{expected}) {found.group(2).strip()}"
    return text


def _two_cell_row(text: str) -> str:
    """A two-cell table row read as the line it stands for: ``A | option`` → ``A. option``,
    ``Answer | B`` → ``Answer: B``, ``Question 3 | stem`` → ``Question 3: stem``."""
    cells = text.split("\t")
    if len(cells) != 2 or not cells[0].strip() or not cells[1].strip():
        return text
    head, body = cells[0].strip(), cells[1].strip()
    if _BARE_LABEL.match(head):
        return f"{head.rstrip('.):）')}. {body}"
    if len(head) <= 30 and not head.endswith((".", "?", "!")):
        return f"{head.rstrip(':：')}: {body}"
    return text


def _read_option(line: Line, text: str, g: Grammar) -> OptionMark | None:
    """A Word list label (``A.``, ``3)``, a bullet) or a typed label. Word lists are
    styles of their own (``list:<id>:<level>``)."""
    label = line.label
    if label:
        style = f"list:{line.list_id}:{line.level or 0}"
        body, marked = g.strip_correct_mark(text)
        found = None if label == "•" else g.option_of(f"{label} x")
        return OptionMark(style, found.position if found is not None else -1, body, marked)
    return g.option_of(text)


def is_gift(item: Item, g: Grammar) -> bool:
    return bool(g.gift_open.match(item.text)) or item.text[:1] in ("~", "=")
