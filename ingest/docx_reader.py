"""Word (.docx) reader: body paragraphs and tables, in order, as lines with formatting.

python-docx parses the package; this module only decides what a reader of the page would
see: the auto-numbered label Word draws before a list item (:mod:`ingest.docx_numbering`),
whether a whole paragraph is bold, highlighted or coloured (answers are sometimes marked
only so), table rows as tab-separated lines, page breaks as page boundaries, and for each
picture a placeholder line followed by the text Tesseract reads off it.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from typing import Any

from lxml import etree

from ingest.docx_numbering import Numbering, StyleTable, paragraph_numpr
from ingest.document import EMPHASIS, PARTIAL, Document, Line, Mark, Page
from ingest.limits import DEFAULT_LIMITS, Limits
from ingest.pictures import PictureReader
from ingest.tesseract import DEFAULT_LANG

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
IMAGE_TAGS = (W + "drawing", W + "pict")
A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
R_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"


class DocxError(ValueError):
    """The bytes are not a readable Word document (message without the file name)."""


def read_docx(data: bytes, name: str, sha256: str, ocr_lang: str | None = DEFAULT_LANG,
              limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read a Word document. Pictures are OCR'd with Tesseract in ``ocr_lang`` (``None``:
    pictures are only referenced); their text follows the picture's line."""
    try:
        import docx  # python-docx
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise DocxError("python-docx is not installed (pip install python-docx)") from exc
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
    except zipfile.BadZipFile:
        raise DocxError("corrupt zip container (not a readable .docx)") from None
    if "word/document.xml" not in names:
        raise DocxError("zip file without a Word document (word/document.xml missing)")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types on malformed XML
        raise DocxError(f"malformed Word document ({type(exc).__name__})") from None
    pictures = PictureReader(ocr_lang)
    pages = _pages(document, pictures)
    if not any(line.text.strip() for page in pages for line in page.lines):
        raise DocxError("Word document has no text")
    title = (document.core_properties.title or None) if document.core_properties else None
    return Document(name, sha256, "docx", pages, None, title, pictures.read)


def _pages(document: Any, pictures: PictureReader) -> list[Page]:
    numbering = Numbering.from_document(document)
    styles = StyleTable(document)
    pages = [Page(1)]
    counter = 0
    tables = 0
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):  # a table: one line per row, cells tab-separated
            tables += 1
            for row_number, row in enumerate(block.rows, start=1):
                counter += 1
                line = _row_line(row, numbering, styles, counter, (tables, row_number))
                if line is not None:
                    pages[-1].lines.append(line)
            continue
        counter += 1
        if _breaks_page_before(block) and pages[-1].lines:
            pages.append(Page(len(pages) + 1))
        pages[-1].lines.extend(_paragraph_lines(block, numbering, styles, counter, pictures))
        if _breaks_page_after(block):
            pages.append(Page(len(pages) + 1))
    return [page for page in pages if page.lines] or [Page(1)]


def _row_line(row: Any, numbering: Numbering, styles: StyleTable, number: int,
              cell: tuple[int, int]) -> Line | None:
    """A table row as one line, cells joined by tabs. Each cell's paragraphs go through
    the numbering like body paragraphs (a ``№`` column numbered by Word: the counter must
    advance in document order); the first cell's list label becomes the row's label.
    Emphasis marks are those every non-empty cell shares."""
    texts: list[str] = []
    label: str | None = None
    marks: list[frozenset[str]] = []
    for index, table_cell in enumerate(_unique_cells(row)):
        parts = []
        for paragraph in table_cell.paragraphs:
            for line in _paragraph_line(paragraph, numbering, styles, number, []):
                if index == 0 and label is None and line.label:
                    label = line.label
                elif line.label:
                    parts.append(f"{line.label} {line.text}".strip())
                    continue
                if line.text:
                    parts.append(line.text)
                    marks.append(line.marks)
        texts.append(" ".join(parts))
    if not any(texts) and label is None:
        return None
    shared = frozenset.intersection(*marks) if marks else frozenset()
    return Line("\t".join(texts), number, shared | {Mark.TABLE}, label=label, cell=cell)


def _unique_cells(row: Any) -> list[Any]:
    """Cells of a row, a merged cell once (python-docx repeats it per grid column)."""
    seen, cells = set(), []
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            cells.append(cell)
    return cells


def _paragraph_lines(paragraph: Any, numbering: Numbering, styles: StyleTable,
                     number: int, pictures: PictureReader) -> list[Line]:
    """The paragraph's lines (one per manual line break), then the text OCR read off its
    pictures (one line each)."""
    images = _images(paragraph)
    lines = _paragraph_line(paragraph, numbering, styles, number, [ref for ref, _ in images])
    for ref, blob in images:
        text = pictures.picture(ref, blob).text
        lines.extend(Line(t, number, frozenset({Mark.IMAGE_TEXT})) for t in text.splitlines() if t.strip())
    return lines


def _paragraph_line(paragraph: Any, numbering: Numbering, styles: StyleTable,
                    number: int, images: list[str]) -> list[Line]:
    """A paragraph as lines: one per visual line when manual line breaks split it
    (``Câu 1`` / stem / ``A. …`` / ``Đáp án: B`` in one paragraph), each with the marks
    of its own runs (a highlight on one of four options in one paragraph marks that
    option). The list label and list belong to the first line."""
    runs = _text_runs(paragraph._p)
    if not any(run_text.strip() for _, run_text in runs) and not images:
        return []
    # each run's text split at line breaks: segments of (text, runs with visible text)
    segments: list[tuple[list[str], list[Any]]] = [([], [])]
    for run, run_text in runs:
        for k, piece in enumerate(run_text.split("\n")):
            if k:
                segments.append(([], []))
            segments[-1][0].append(piece)
            if piece.strip():
                segments[-1][1].append(run)
    label = list_id = level = None
    first_marks: set[str] = set()
    numpr = paragraph_numpr(paragraph, styles)
    if numpr is not None and any(run_text.strip() for _, run_text in runs):
        label = numbering.label(*numpr)
        if label is not None:
            list_id, level = numbering.list_of(numpr[0]), numpr[1]
            first_marks.add(Mark.NUMBERED)
    style_bold = styles.bold(paragraph)
    lines: list[Line] = []
    for pieces, visible in segments:
        text = "".join(pieces).replace("\u00a0", " ").strip()
        if not text:
            continue
        marks = set(first_marks) if not lines else set()
        marks |= _run_marks(visible, style_bold)
        first = not lines
        lines.append(Line(text, number, frozenset(marks), label=label if first else None,
                          list_id=list_id if first else None, level=level if first else None))
    if images:
        refs = " ".join(f"[image: {name}]" for name in images)
        if lines:
            last = lines[-1]
            lines[-1] = replace(last, text=f"{last.text} {refs}", marks=last.marks | {Mark.IMAGE})
        else:
            lines.append(Line(refs, number, frozenset({Mark.IMAGE})))
    return lines


def _run_marks(visible: list[Any], style_bold: bool) -> set[str]:
    """Whole-line marks when every visible run (``w:r`` element) has the emphasis,
    ``PART_`` marks when some do. Read straight off each run's ``w:rPr`` (python-docx's
    ``Run.bold`` builds a font proxy per call, the reader's main cost here)."""
    marks: set[str] = set()
    if not visible:
        return marks
    counts = [0, 0, 0]
    for r in visible:
        r_pr = r.rPr
        if r_pr is None:
            counts[0] += style_bold
            continue
        b = r_pr.b
        counts[0] += style_bold if b is None else bool(b.val)
        counts[1] += _highlighted(r_pr)
        counts[2] += _colored(r_pr)
    for mark, hits in zip(EMPHASIS, counts):
        if hits == len(visible):
            marks.add(mark)
        elif hits:
            marks.add(PARTIAL[mark])
    return marks


def _highlighted(r_pr: Any) -> bool:
    """A highlight colour or a cell-like shading behind the run (both mark answers)."""
    if r_pr.highlight is not None:
        return True
    shading = r_pr.find(W + "shd")
    fill = shading.get(W + "fill") if shading is not None else None
    return fill is not None and fill.lower() not in ("auto", "ffffff")


#: Compiled once: python-docx compiles its XPath on every ``paragraph.text`` call.
_RUNS = etree.XPath("w:r | w:hyperlink/w:r", namespaces={"w": W[1:-1]})
_RUN_PIECES = etree.XPath("w:br | w:cr | w:noBreakHyphen | w:ptab | w:t | w:tab",
                          namespaces={"w": W[1:-1]})


#: Font colours that are ordinary text, not emphasis.
PLAIN_COLORS = {None, "000000", "auto"}


def _colored(r_pr: Any) -> bool:
    """Text in a colour other than black/automatic (dumps mark answers in red or blue)."""
    color = r_pr.color
    value = color.get(W + "val") if color is not None else None
    return (value.lower() if value else None) not in _PLAIN


_PLAIN = {c and c.lower() for c in PLAIN_COLORS}


def _text_runs(p: Any) -> list[tuple[Any, str]]:
    """Every ``w:r`` of a paragraph (those inside hyperlinks too) with its text, each
    computed once. The text is python-docx's own (``str`` of each run child: ``w:tab`` is
    a tab, ``w:br`` a line break), but ``paragraph.text`` and ``run.text`` each compile
    and walk XPath anew, which made the reader over twice raw iteration."""
    return [(run, "".join(str(piece) for piece in _RUN_PIECES(run))) for run in _RUNS(p)]


def _images(paragraph: Any) -> list[tuple[str, bytes | None]]:
    """(package name, bytes) of each picture in a paragraph (``word/media/image1.png``), so
    a record can point at the image its question depends on and OCR can read it."""
    found = []
    for element in paragraph._p.iter(*IMAGE_TAGS):
        blips = [b.get(R_EMBED) for b in element.iter(A_BLIP)] or [None]
        for rel_id in blips:
            part = paragraph.part.related_parts.get(rel_id) if rel_id else None
            if part is None:
                found.append(("unresolved", None))
            else:
                found.append((str(part.partname).lstrip("/"), part.blob))
    return found


def _breaks_page_before(paragraph: Any) -> bool:
    p_pr = paragraph._p.pPr
    return p_pr is not None and p_pr.pageBreakBefore is True


def _breaks_page_after(paragraph: Any) -> bool:
    return any(br.get(W + "type") == "page" for br in paragraph._p.iter(W + "br"))
