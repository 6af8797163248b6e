"""Lines of a PDF text-layer page (:mod:`ingest.pdf_reader`): blocks in reading order
(:mod:`ingest.pdf_columns`), wrapped lines joined into paragraphs, cells side by side
joined by tabs, pictures read in place, each line with its marks (:mod:`ingest.pdf_marks`)."""
from __future__ import annotations

import re
import statistics
from typing import Any

from ingest.document import Line, Mark, Picture, page_ref
from ingest.media import PdfMedia
from ingest.pdf_columns import reading_order, rows, same_baseline
from ingest.pdf_marks import MARK_SETS, TABLE_BIT, Highlights, joined_marks, span_marks
from ingest.pictures import TOO_LARGE, PictureReader

#: Horizontal gaps between pieces of one baseline, in font sizes: wider than CELL_GAP
#: separates table cells (tab), wider than WORD_GAP separates words (space).
CELL_GAP, WORD_GAP = 1.5, 0.3
#: Between two spans of one line (a change of font), a gap this wide (in font sizes) is a
#: space the PDF did not write: CJK text sets Latin words 0.25 em apart without one.
SPAN_GAP = 0.2
#: A visual line starting like this begins a new paragraph even inside one block.
LIST_ITEM = re.compile(r"^\s*(?:[-•*▪◦·]\s|\(?[A-Za-z0-9]{1,3}[.)]\s|Question\s*#|문제\s*\d)")
LIST_LABEL = re.compile(r"^\s*(?:[-•*▪◦·]\s*)?\(?[A-Za-z0-9]{1,3}[.):]?\s*$|^\s*[-•*▪◦·]\s*$")
#: A line starting with a one-character label (``A.``, ``(b)``, ``3)``, ``A、``, ``а)``,
#: ``ア.``, ``③``, ``[ ]``, ``☐``): an option, where highlight can mark the answer; only
#: such lines pay for reading the page's drawings.
OPTION_START = re.compile(r"^\s*(?:[-•*▪◦·]\s*)?\*?[(（]?(?:[A-Za-z0-9\u0410-\u044f\u30a2-\u30f3][.):](?:\s|$)"
                          r"|[A-Za-z\u0410-\u044f\u30a2-\u30f3][、．）：]|[①-⑩❶-❿☐☑□■]|\[(?:[ xX✓✔]?|CORRECT|correct)\])")
OPTION_LABEL = re.compile(r"^\s*(?:[-•*▪◦·]\s*)?\(?[A-Za-z0-9][.):]\s*$")
_SPACES = re.compile(r" {2,}")
_IMAGE, _IMAGE_TEXT = frozenset({Mark.IMAGE}), frozenset({Mark.IMAGE_TEXT})


def text_page_lines(page: Any, layout: dict, sizes: list[float], counter: int,
                     pictures: PictureReader, media: PdfMedia | None = None) -> tuple[list[Line], int]:
    """Lines of a text-layer page: paragraphs (wrapped lines joined), one row per
    baseline for side-by-side blocks (table cells), pictures OCR'd in place (and their
    regions noted for ``media``, rendered later only if a question shows them); a
    two-column page column by column."""
    highlights = Highlights(page)
    body_size = statistics.median(sizes) if sizes else 0.0
    # the text column's right edge, taking margins as symmetric: lines wrap there
    left = min((block["bbox"][0] for block in layout["blocks"] if block["type"] == 0), default=0.0)
    column_right = layout["width"] - left
    lines: list[Line] = []
    picture_number = 0
    for blocks, right in reading_order(layout["blocks"], layout["width"], column_right):
        for row in rows(blocks):
            if row[0]["type"] == 1:  # a picture
                picture_number += 1
                ref = f"{page_ref(page.number + 1)} image {picture_number}"
                counter += 1
                lines.append(Line(f"[image: {ref}]", counter, _IMAGE))
                if "too_large" in row[0]:  # see _layout: its bytes were never extracted
                    picture = pictures.too_large(ref, *row[0]["too_large"], page.number + 1)
                else:
                    picture = pictures.picture(ref, row[0]["image"])
                    if media is not None and picture.note != TOO_LARGE:
                        media.add_region(ref, page.number, row[0]["bbox"])
                lines.extend(Line(t, counter, _IMAGE_TEXT)
                             for t in picture.text.splitlines() if t.strip())
                continue
            first = _paragraphs(row[0], body_size, highlights, right)
            labelled = len(first) == 1 and bool(OPTION_LABEL.match(first[0][0]))
            paragraphs = [first] + [_paragraphs(block, body_size, highlights, right, labelled)
                                    for block in row[1:]]
            if len(row) > 1 and all(len(p) == 1 for p in paragraphs):
                cells = [p[0] for p in paragraphs]
                label = ""
                if LIST_LABEL.match(cells[0][0]):  # Word's list label, then the item at a tab stop
                    label, cells = cells[0][0] + " ", cells[1:]
                bits = cells[0][1]
                for _, cell_bits in cells[1:]:
                    bits = joined_marks(bits, cell_bits)
                counter += 1
                lines.append(Line(label + "\t".join(text for text, _ in cells), counter,
                                  MARK_SETS[bits | (TABLE_BIT if len(cells) > 1 else 0)]))
                continue
            for block_paragraphs in paragraphs:
                for text, bits in block_paragraphs:
                    counter += 1
                    lines.append(Line(text, counter, MARK_SETS[bits]))
    return lines, counter


def plain_lines(layout: dict, number: int, counter: int,
                 pictures: PictureReader) -> tuple[list[Line], int]:
    """A page's lines as MuPDF sorted them, spans joined, nothing else: the linear
    fallback for pages too complex for layout analysis (200,000 tiny spans on a page).
    Its pictures are referenced, not read (OCR of as many pictures would be as costly)."""
    lines: list[Line] = []
    picture_number = 0
    for block in layout["blocks"]:
        if block["type"] == 1:
            picture_number += 1
            ref = f"{page_ref(number)} image {picture_number}"
            pictures.read.setdefault(ref, Picture(ref, note="page_too_complex"))
            counter += 1
            lines.append(Line(f"[image: {ref}]", counter, _IMAGE))
            continue
        if block["type"] != 0:
            continue
        for line in block["lines"]:
            spans = line["spans"]
            text = spans[0]["text"] if len(spans) == 1 else "".join([span["text"] for span in spans])
            text = squeeze(text.replace("\u00a0", " ").strip())
            if text:
                counter += 1
                lines.append(Line(text, counter))
    return lines, counter


def _wrapped(previous: tuple | None, bbox: tuple, text: str, column_right: float) -> bool:
    """Did the typesetter wrap the previous line onto this one? Only if this line's first
    word would not have fitted after it in the text column: short lines (list items,
    slide bullets, one-line-per-row layouts) stay lines of their own."""
    if previous is None or not text:
        return False
    char_width = (bbox[2] - bbox[0]) / len(text)
    if previous[2] + char_width * (len(text) + 1) <= column_right:
        return False  # even the whole line would have fitted (settles most lines)
    first_word = text.split(None, 1)[0]
    return previous[2] + char_width * (len(first_word) + 1) > column_right


def _paragraphs(block: dict, body_size: float, highlights: Highlights, column_right: float,
                labelled: bool = False) -> list[tuple[str, int]]:
    """A text block's lines joined into paragraphs where the text wrapped (a list item
    always starts a new one); lines side by side on one baseline (table cells) are
    joined by tabs. Each paragraph comes with its marks as bits (see :data:`ingest.pdf_marks.LINE_MARKS`)."""
    out: list[list] = []  # [wrapped pieces, marks, is a list item] per paragraph
    previous_bbox, previous_raw = None, ""
    for line in block["lines"]:
        line_spans = line["spans"]
        if len(line_spans) == 1:  # the usual case, without the generic joins
            raw = line_spans[0]["text"]
            spans = line_spans if raw.strip() else []
        else:
            spans = [s for s in line_spans if s["text"].strip()]
            raw = _join_spans(line_spans)
        if not spans:
            continue
        if "\u00a0" in raw:
            raw = raw.replace("\u00a0", " ")
        text = raw.strip()
        beside = (previous_bbox is not None and line["bbox"][0] > previous_bbox[2] - 1
                  and same_baseline(previous_bbox, line["bbox"]))
        wrapped = (not beside and _wrapped(previous_bbox, line["bbox"], text, column_right)
                   and not LIST_ITEM.match(text))
        # an option's own lines (and the rest of a wrapped option) may be highlighted
        list_item = (labelled or OPTION_START.match(text) or (out and OPTION_LABEL.match(out[-1][0][-1]))
                     or ((beside or wrapped) and out[-1][2]))
        marked = spans[1:] if len(spans) > 1 and LIST_LABEL.match(spans[0]["text"]) else spans
        marks = span_marks(marked, body_size, highlights if list_item else None)
        if beside:
            gap = line["bbox"][0] - previous_bbox[2]
            size = spans[0]["size"] or 1.0
            if LIST_LABEL.match(out[-1][0][-1]):  # "A." then its text at a tab stop
                out[-1] = [[*out[-1][0][:-1], out[-1][0][-1] + " " + text], marks, bool(list_item)]
                previous_bbox, previous_raw = line["bbox"], raw
                continue
            if gap > CELL_GAP * size:  # table cells side by side
                out[-1][0][-1] += "\t" + text
                out[-1][1] |= TABLE_BIT
            else:  # one line of text MuPDF split in two
                spaced = gap > WORD_GAP * size or raw[:1].isspace() or previous_raw[-1:].isspace()
                out[-1][0][-1] += (" " if spaced else "") + text
            out[-1][1] = joined_marks(out[-1][1], marks | (out[-1][1] & TABLE_BIT))
        elif wrapped:
            out[-1][0].append(text)
            out[-1][1] = joined_marks(out[-1][1], marks)
        else:
            out.append([[text], marks, bool(list_item)])
        previous_bbox, previous_raw = line["bbox"], raw
    return [(squeeze(" ".join(parts)), marks) for parts, marks, _ in out]


def _join_spans(spans: list[dict]) -> str:
    """The spans of one line as its text. Where two spans meet without a space but with
    a word's gap between them, the gap was a space the PDF left out (CJK text with Latin
    words in another font: ``在`` · ``AWS`` set 0.6 em apart, no space character)."""
    parts = [spans[0]["text"]]
    for before, span in zip(spans, spans[1:]):
        text = span["text"]
        if (text and parts[-1] and not text[0].isspace() and not parts[-1][-1].isspace()
                and span["bbox"][0] - before["bbox"][2] > SPAN_GAP * (span["size"] or 1.0)):
            parts.append(" ")
        parts.append(text)
    return "".join(parts)


def squeeze(text: str) -> str:
    return _SPACES.sub(" ", text) if "  " in text else text
