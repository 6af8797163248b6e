"""PDF layout: two-column pages in reading order, page furniture learned from repetition
(marked, not removed), partial emphasis in the text layer.

Synthetic PDFs are built here with PyMuPDF; the real exam PDFs of ../shared/data/exams are
read by path only (tests skip when they are absent) and checked for structure, never for
their text."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pymupdf
import pytest

from extract.exam_furniture import mark_furniture
from ingest import read_document
from ingest.document import Document, Line, Mark, Page
from ingest.pdf_columns import two_columns
from ingest.pdf_reader import read_pdf

REPO = Path(__file__).resolve().parent.parent
EXAMS = REPO.parent / "shared" / "data" / "exams"
TWO_COLUMN = EXAMS / "ko_comcbt_architect_2015_filled_circle_answers.pdf"
CERTLEADER = EXAMS / "en_aws_aif_c01_certleader_dump.pdf"
SLIDES = EXAMS / "en_azure_ai900_slides_numbered_options.pdf"
OFFICIAL = EXAMS / "en_aws_saa_c03_official_sample.pdf"

#: Circled option numerals, plain (①–④) and filled (❶–❹, the answer), by option number.
CIRCLED = {c: i % 4 + 1 for i, c in enumerate("①②③④❶❷❸❹")}
STEM = re.compile(r"^(\d{1,3})\.\s")
#: What starts a question, an option or an answer line in the exam PDFs.
CONTENT_START = re.compile(r"^\s*(?:new\s+question|question|correct\s+answer|answer\b"
                           r"|[A-Za-z][.):]\s|\d{1,3}[.)]\s|[①-④❶-❹])", re.IGNORECASE)


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path.name} not available (../shared/data/exams)")
    return path


def _read(path: Path) -> Document:
    return read_document(path, ocr_lang=None)


def _write(page: pymupdf.Page, x: float, y: float, text: str, font: str = "helv",
           size: float = 10, color: tuple = (0, 0, 0)) -> None:
    writer = pymupdf.TextWriter(page.rect, color=color)
    writer.append((x, y), text, font=pymupdf.Font(font), fontsize=size)
    writer.write_text(page)


def _pdf_lines(pdf: pymupdf.Document) -> list[Line]:
    document = read_pdf(pdf.tobytes(), "synthetic.pdf", "0" * 64, ocr_lang=None)
    return [line for page in document.pages for line in page.lines]


# --- two columns -------------------------------------------------------------------------

def _two_column_pdf() -> pymupdf.Document:
    """A header and a footer across the page, question 1 in the left column and question 2
    in the right one; the columns' line spacings differ, so some lines of both columns
    share a baseline (the old reader joined those into one "table" line)."""
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    _write(page, 40, 40, "Synthetic Exam Paper: Mechanics, Part One, Morning Session, Room 12", size=12)
    writer = pymupdf.TextWriter(page.rect)  # a stem wrapped inside one block
    helv = pymupdf.Font("helv")
    writer.append((40, 90), "1. Which gear turns the widget lever of the pump", font=helv, fontsize=10)
    writer.append((40, 106), "when the pulley is at rest?", font=helv, fontsize=10)
    writer.write_text(page)
    left = ["A) the small gear", "B) the large gear", "C) the rotor gear", "D) no gear at all",
            "3. How long is the axle?"]
    for i, text in enumerate(left, 2):
        _write(page, 40, 90 + 16 * i, text)
    row = 90 + 16 * (len(left) + 2)
    _write(page, 40, row, "A) 4m")
    _write(page, 150, row, "B) 6m")
    _write(page, 40, row + 16, "C) 8m")
    _write(page, 150, row + 16, "D) 12m")
    right = ["2. What does the valve do when the piston", "reaches the top of the shaft?",
             "A) it opens", "B) it closes", "C) it spins", "D) it melts",
             "4. Which part holds the bearing in place?", "A) the clutch", "B) the cam",
             "C) the crank", "D) the nozzle"]
    for i, text in enumerate(right):
        _write(page, 315, 90 + 17 * i, text)
    _write(page, 40, 800, "Synthetic Exam Paper - printed copy - do not distribute - page 1 of 1", size=9)
    return pdf


def test_two_column_page_reads_left_column_then_right():
    lines = [line.text for line in _pdf_lines(_two_column_pdf())]
    stems = [int(m.group(1)) for t in lines if (m := STEM.match(t))]
    assert stems == [1, 3, 2, 4]  # left column top to bottom, then the right one
    assert lines[0].startswith("Synthetic Exam Paper:") and lines[-1].startswith("Synthetic Exam Paper -")
    # no line holds text of both columns (only the left column speaks of gears and axles)
    for text in lines[1:-1]:
        left = bool(re.search(r"gear|axle|pulley|pump|\dm\b", text))
        assert left != bool(re.search(r"valve|piston|shaft|bearing|clutch|cam|crank|nozzle|it ", text)), text
    # question 1's stem, its second line, then its first option
    first = lines.index(next(t for t in lines if t.startswith("1. ")))
    assert lines[first + 1].endswith("at rest?") and lines[first + 2] == "A) the small gear"
    # two options on one row of one column stay one line, with both options
    assert "A) 4m\tB) 6m" in lines and "C) 8m\tD) 12m" in lines


def test_two_column_table_still_reads_row_by_row():
    """A two-column table (every row's cells on one baseline) is not a column layout."""
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    for i in range(12):
        _write(page, 40, 80 + 18 * i, f"Term number {i} of the glossary list")
        _write(page, 320, 80 + 18 * i, f"Meaning of the term number {i} here")
    lines = [line.text for line in _pdf_lines(pdf)]
    assert lines[0] == "Term number 0 of the glossary list\tMeaning of the term number 0 here"
    assert len(lines) == 12 and all("\t" in t for t in lines)


def test_single_column_page_with_side_by_side_labels_is_not_split():
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    y = 80
    for q in range(1, 5):
        _write(page, 40, y, f"{q}. A long question stem that runs across the whole page width, "
                            f"well past the middle of it, number {q}?")
        y += 18
        for letter in "ABCD":
            _write(page, 40, y, f"{letter}.")
            _write(page, 70, y, f"option {letter} of question {q}")
            y += 16
    layout = pdf[0].get_text("dict", sort=True)
    assert two_columns(layout["blocks"], layout["width"]) is None
    lines = [line.text for line in _pdf_lines(pdf)]
    assert lines[1] == "A. option A of question 1"


def test_real_two_column_exam_questions_in_order():
    document = _read(_need(TWO_COLUMN))
    lines = [line.text for page in document.pages for line in page.lines]
    stems = [(i, int(m.group(1))) for i, t in enumerate(lines) if (m := STEM.match(t))]
    numbers = [n for _, n in stems]
    assert len(numbers) > 50 and numbers == list(range(1, len(numbers) + 1))
    # each question's options follow its own stem, ① to ④, before the next stem
    for (start, number), (end, _) in zip(stems, stems[1:] + [(len(lines), None)]):
        options = [CIRCLED[c] for t in lines[start + 1:end] for c in t if c in CIRCLED]
        assert options[:4] == [1, 2, 3, 4], number
        first = next(t for t in lines[start + 1:end] if t[:1] in CIRCLED)
        assert CIRCLED[first[0]] == 1, number


def _pieces(text: str, raw: dict[str, str]) -> list[str] | None:
    """``text`` (whitespace removed) as a concatenation of raw lines (keys of ``raw``,
    whitespace removed): their sides, or None when it is not one."""
    if not text:
        return []
    for piece in sorted((r for r in raw if r and text.startswith(r)), key=len, reverse=True):
        rest = _pieces(text[len(piece):], raw)
        if rest is not None:
            return [raw[piece]] + rest
    return None


def test_real_two_column_exam_no_line_mixes_the_columns():
    path = _need(TWO_COLUMN)
    document = _read(path)
    with pymupdf.open(path) as pdf:
        for page, read in zip(pdf, document.pages):
            layout = page.get_text("dict", sort=True)
            middle = layout["width"] / 2
            raw: dict[str, str] = {}  # each MuPDF line's text -> the side it lies on
            for block in layout["blocks"]:
                for line in block.get("lines", []):
                    text = "".join("".join(s["text"] for s in line["spans"]).split())
                    x0, _, x1, _ = line["bbox"]
                    side = "left" if x1 < middle else "right" if x0 > middle else "across"
                    raw[text] = side if raw.get(text, side) == side else "either"
            for line in read.lines:
                if Mark.IMAGE in line.marks:
                    continue
                sides = _pieces("".join(line.text.split()), raw)
                assert sides is not None, (page.number + 1, line.text[:60])  # text kept whole
                assert not {"left", "right"} <= set(sides), (page.number + 1, line.text[:60])


def test_real_single_column_pdfs_are_not_split():
    paths = [p for p in sorted(EXAMS.glob("*.pdf")) if p != TWO_COLUMN] + sorted((REPO / "samples").glob("*.pdf"))
    if not any(p.parent == EXAMS for p in paths):
        pytest.skip("../shared/data/exams not available")
    for path in paths:
        with pymupdf.open(path) as pdf:
            for page in pdf:
                layout = page.get_text("dict", sort=True)
                assert two_columns(layout["blocks"], layout["width"]) is None, (path.name, page.number + 1)


def test_real_two_column_exam_pages_are_split_but_its_answer_table_is_not():
    with pymupdf.open(_need(TWO_COLUMN)) as pdf:
        split = [two_columns(layout["blocks"], layout["width"]) is not None
                 for layout in (page.get_text("dict", sort=True) for page in pdf)]
    assert split[:-1] == [True] * (len(split) - 1) and split[-1] is False


# --- furniture ---------------------------------------------------------------------------

def _exam(pages: list[list[str]]) -> Document:
    return Document("exam.txt", "0" * 64, "text",
                    [Page(n, [Line(t, n * 100 + i) for i, t in enumerate(lines)])
                     for n, lines in enumerate(pages, 1)])


def _furniture(document: Document) -> list[list[str]]:
    return [[line.text for line in page.lines if Mark.FURNITURE in line.marks] for page in document.pages]


STEMS = ("Which sprocket drives the flywheel?", "What holds the gasket in place?",
         "How often must a bearing be greased?", "Why does the clutch slip when cold?",
         "Where is the nozzle filter fitted?", "When should the crank be replaced?",
         "What turns the rotor of a pump?", "Which valve opens first at start-up?",
         "How is the piston ring measured?", "What makes a pulley belt squeal?",
         "Which lever locks the axle?", "What does the cam follower touch?")


def test_mark_furniture_keeps_lines_and_marks_repeated_bands():
    pages = []
    for n in range(1, 11):
        body = [f"Question {n}", STEMS[n],
                "A. The left one", "B. The right one", "C. Both of them", "D. None of the above",
                "Correct Answer: " + "ABCD"[n % 4]]
        if n % 2:  # the common option also sits mid-page on other pages
            body = body[:2] + ["A. None of the above"] + body[2:]
        pages.append(["Acme Training Exam Series 2024, mechanics edition"] + body
                     + [f"Copyright 2024 Acme Inc. page {n} of 10", str(n + 2)])
    document = _exam(pages)
    marked = mark_furniture(document)
    # lines kept, texts unchanged
    assert [[l.text for l in p.lines] for p in marked.pages] == [[l.text for l in p.lines] for p in document.pages]
    for n, found in enumerate(_furniture(marked), 1):
        assert found == ["Acme Training Exam Series 2024, mechanics edition",
                         f"Copyright 2024 Acme Inc. page {n} of 10", str(n + 2)]


def test_mark_furniture_finds_page_numbers_in_any_dress():
    for dress in ("{}", "- {} -", "Page {}", "Seite {} von 12", "{} | P a g e"):
        pages = [[STEMS[n - 1], "A. yes", "B. no", dress.format(n + 4)] for n in range(1, 13)]
        assert _furniture(mark_furniture(_exam(pages))) == [[dress.format(n + 4)] for n in range(1, 13)], dress


def test_mark_furniture_leaves_varying_and_content_lines_alone():
    # every page ends with its answer and starts with its question: both repeat in the
    # bands once digits are folded, neither is furniture
    pages = [[f"Question {n}: which cam drives the piston of engine {n}?", "A. the first",
              "B. the second", f"Correct Answer: {n % 4 + 1}"] for n in range(1, 13)]
    assert _furniture(mark_furniture(_exam(pages))) == [[]] * 12
    # ... nor is an option that ends many pages but also sits mid-page on others
    pages = [[STEMS[n], "A. All of the above", "B. Only the gear"] if n % 3 else
             [STEMS[n], "A. Only the gear", "B. All of the above", "C. Only the cam"] for n in range(12)]
    assert _furniture(mark_furniture(_exam(pages))) == [[]] * 12
    # ... nor an unlabelled option that ends every question, its key below it: only the
    # footer under them is at the page's edge
    pages = [[STEMS[n], STEMS[n - 1], STEMS[n - 2], STEMS[n - 3], "The gear", "None of these",
              "Key: " + "ABCD"[n % 4], "Acme quiz book, 2024 edition"] for n in range(12)]
    assert _furniture(mark_furniture(_exam(pages))) == [["Acme quiz book, 2024 edition"]] * 12
    # a number at a page's edge that does not follow the page is not a page number
    pages = [[str(7 * n % 5 + 1), STEMS[n - 1], "A. yes", "B. no"] for n in range(1, 13)]
    assert _furniture(mark_furniture(_exam(pages))) == [[]] * 12


def test_real_exam_headers_and_footers_are_furniture_on_every_page():
    for path, per_page in ((CERTLEADER, 2), (TWO_COLUMN, 2), (SLIDES, 2)):
        document = mark_furniture(_read(_need(path)))
        for page in document.pages:
            found = [line for line in page.lines if Mark.FURNITURE in line.marks]
            assert len(found) == per_page, (path.name, page.number)
            text = [line for line in page.lines if Mark.IMAGE not in line.marks]
            # a footer among the last lines (the last page may end with a producer's note)
            assert any(Mark.FURNITURE in line.marks for line in text[-2:]), (path.name, page.number)
            if path != SLIDES:  # the slides repeat their address at the bottom, twice
                assert Mark.FURNITURE in text[0].marks, (path.name, page.number)
        # the same furniture on every page (digits aside), never a question's own text
        keys = Counter(re.sub(r"\d", "0", line.text) for page in document.pages for line in page.lines
                       if Mark.FURNITURE in line.marks)
        assert len(keys) <= per_page, path.name
        assert not any(CONTENT_START.match(k) for k in keys), path.name


def test_real_footer_with_page_number_is_furniture():
    document = mark_furniture(_read(_need(OFFICIAL)))
    for page in document.pages:
        last = [line for line in page.lines if Mark.IMAGE not in line.marks][-1]
        assert Mark.FURNITURE in last.marks and str(page.number) in last.text
        assert not any(Mark.FURNITURE in line.marks and CONTENT_START.match(line.text) for line in page.lines)


def test_real_exams_without_furniture_mark_nothing_that_is_content():
    for path in sorted(EXAMS.glob("*.pdf")) or [_need(TWO_COLUMN)]:
        document = mark_furniture(_read(path))
        marked = [line.text for page in document.pages for line in page.lines if Mark.FURNITURE in line.marks]
        assert not any(CONTENT_START.match(t) for t in marked), path.name
        # furniture is a small share of any document
        assert len(marked) <= 3 * len(document.pages), path.name


# --- partial emphasis, Mark members ------------------------------------------------------

def test_partial_emphasis_marks():
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    writer = pymupdf.TextWriter(page.rect)
    writer.append((72, 100), "Explanation: ", font=pymupdf.Font("hebo"), fontsize=11)
    writer.append(writer.last_point, "the gear turns the lever.", font=pymupdf.Font("helv"), fontsize=11)
    writer.append((72, 140), "All of this line is bold.", font=pymupdf.Font("hebo"), fontsize=11)
    writer.append((72, 180), "C. ", font=pymupdf.Font("hebo"), fontsize=11)  # a bold label only
    writer.append(writer.last_point, "the plain option text", font=pymupdf.Font("helv"), fontsize=11)
    writer.write_text(page)
    _write(page, 72, 220, "Red words ", color=(1, 0, 0), size=11)
    _write(page, 126, 220, "then black words", size=11)
    # D.'s text is highlighted only in part: a filled rectangle behind its first words
    page.draw_rect(pymupdf.Rect(70, 250, 150, 264), color=None, fill=(1, 1, 0), overlay=False)
    _write(page, 72, 261, "D. ", size=11)
    _write(page, 88, 261, "yellow words ", size=11)
    _write(page, 150, 261, "and plain words", size=11)
    page.draw_rect(pymupdf.Rect(70, 290, 250, 304), color=None, fill=(1, 1, 0), overlay=False)
    _write(page, 72, 301, "E. all of this option is highlighted", size=11)
    marks = {line.text: line.marks for line in _pdf_lines(pdf)}
    assert marks["Explanation: the gear turns the lever."] == {Mark.PART_BOLD}
    assert marks["All of this line is bold."] == {Mark.BOLD}
    assert marks["C. the plain option text"] == frozenset()
    assert marks["Red words then black words"] == {Mark.PART_COLOR}
    assert marks["D. yellow words and plain words"] == {Mark.PART_HIGHLIGHT}
    assert marks["E. all of this option is highlighted"] == {Mark.HIGHLIGHT}


def test_wrapped_line_half_bold_is_part_bold():
    pdf = pymupdf.open()
    page = pdf.new_page(width=250, height=400)  # the first line fills the column
    writer = pymupdf.TextWriter(page.rect)
    writer.append((20, 50), "A bold sentence that fills the whole column", font=pymupdf.Font("hebo"), fontsize=10)
    writer.append((20, 63), "continued in plain type.", font=pymupdf.Font("helv"), fontsize=10)
    writer.write_text(page)
    lines = _pdf_lines(pdf)
    assert [(line.text, line.marks) for line in lines] == [
        ("A bold sentence that fills the whole column continued in plain type.", {Mark.PART_BOLD})]


def test_pdf_marks_are_mark_members():
    lines = _pdf_lines(_two_column_pdf())
    samples = [REPO / "samples" / "sample-questions.pdf"]
    lines += [line for path in samples for page in _read(path).pages for line in page.lines]
    assert all(isinstance(mark, Mark) for line in lines for mark in line.marks)
    assert any(line.marks for line in lines)


def test_a_page_of_answer_key_numbers_is_text_not_a_scan(tmp_path):
    """A text-layer page that is mostly numbers (an answer key) is read, not sent to OCR."""
    import pymupdf

    from ingest.pdf_reader import read_pdf

    pdf = pymupdf.open()
    page = pdf.new_page()
    page.insert_text((50, 80), "1) What is two plus two?", fontsize=11)
    page.insert_text((50, 100), "A) 3", fontsize=11)
    page.insert_text((50, 120), "B) 4", fontsize=11)
    key = pdf.new_page()
    key.insert_text((50, 80), "117-D, 118-A, 119-B, 120-C, 121-D, 122-A, 123-B, 124-C", fontsize=11)
    document = read_pdf(pdf.tobytes(), "k.pdf", "0" * 64, ocr_lang=None)
    assert [p.number for p in document.pages] == [1, 2]
    assert "117-D" in document.pages[1].lines[0].text
