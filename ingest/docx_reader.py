"""Word (.docx) reader: body paragraphs and tables, in order, as lines with formatting.

python-docx parses the package; this module only decides what a reader of the page would
see: the auto-numbered label Word draws before a list item (:mod:`ingest.docx_numbering`),
whether a whole paragraph is bold, highlighted or coloured (answers are sometimes marked
only so), table rows as tab-separated lines, page breaks as page boundaries, and for each
picture a placeholder line followed by the text Tesseract reads off it.

Hostile and unlucky files (issue 12) fail alone with a one-line :class:`DocxError`, in
bounded time and memory, or are read with what could be read and an
:class:`~ingest.document.Issue` saying what was worked around:

* the zip package is checked before python-docx opens it (:mod:`ingest.docx_package`:
  member sizes and ratios, compression methods, DTDs refused, broken optional parts);
* table cells are walked by this module, not python-docx's ``row.cells`` (a vertically
  merged column recursed once per row above — ``RecursionError`` past 1,000 rows and
  cubic time — and a ``w:gridSpan`` of 10^8 built a tuple of 10^8 cells); tables nested in
  cells are read with an explicit stack;
* numbering and styles are parsed defensively (:mod:`ingest.docx_numbering`).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Iterator

from lxml import etree

from ingest.docx_numbering import IssueLog, Numbering, StyleTable, decimal_number, on_off, paragraph_numpr
from ingest.docx_package import DocxError, _one_line, checked_package
from ingest.document import EMPHASIS, PARTIAL, Document, Line, Mark, Page
from ingest.limits import DEFAULT_LIMITS, Limits
from ingest.media import DocxMedia
from ingest.pictures import PictureReader
from ingest.tesseract import DEFAULT_LANG

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_VAL = W + "val"
IMAGE_TAGS = (W + "drawing", W + "pict")
A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
R_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"


def read_docx(data: bytes, name: str, sha256: str, ocr_lang: str | None = DEFAULT_LANG,
              limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read a Word document. Pictures are OCR'd with Tesseract in ``ocr_lang`` (``None``:
    pictures are only referenced); their text follows the picture's line."""
    try:
        import docx  # python-docx
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise DocxError("python-docx is not installed (pip install python-docx)") from exc
    issues = IssueLog()
    package = checked_package(data, limits, issues)
    try:
        document = docx.Document(package)
    except Exception as exc:  # python-docx raises several types on malformed XML
        raise DocxError(_malformed(exc)) from None
    pictures = PictureReader(ocr_lang, limits=limits)
    media = DocxMedia(limits)
    pages = _pages(document, pictures, issues, media)
    if not any(line.text.strip() for page in pages for line in page.lines):
        raise DocxError("Word document has no text")
    title = (document.core_properties.title or None) if document.core_properties else None
    return Document(name, sha256, "docx", pages, None, title, pictures.read,
                    issues=issues.items + pictures.issues, media=media)


def _malformed(exc: Exception) -> str:
    """python-docx's failure as one line: the exception type, and for XML the parser's
    reason (``Excessive depth in document: 256``, for a table nested 1,000 deep)."""
    message = f"malformed Word document ({type(exc).__name__}"
    if isinstance(exc, etree.XMLSyntaxError):
        message += f": {_one_line(str(exc))}"
    return message + ")"


# --- the body --------------------------------------------------------------------------

def _pages(document: Any, pictures: PictureReader, issues: IssueLog,
           media: DocxMedia | None = None) -> list[Page]:
    numbering = Numbering.from_document(document, issues)
    styles = StyleTable(document, issues)
    pages = [Page(1)]
    counter = 0
    tables = 0
    for block in document.iter_inner_content():
        if hasattr(block, "rows"):  # a table: one line per row, cells tab-separated
            tables += 1
            above: dict[int, tuple[Any, list[Line], int]] = {}
            for row_number, tr in enumerate(block._tbl.iterchildren(W + "tr"), start=1):
                counter += 1

                def read_cell(tc: Any, number: int = counter) -> list[Line]:
                    return _cell_lines(tc, numbering, styles, number, issues)

                cells, above = _row_cells(tr, above, read_cell, issues)
                line = _row_line(cells, counter, (tables, row_number))
                if line is not None:
                    pages[-1].lines.append(line)
            continue
        counter += 1
        if _breaks_page_before(block) and pages[-1].lines:
            pages.append(Page(len(pages) + 1))
        pages[-1].lines.extend(_paragraph_lines(block, numbering, styles, counter, pictures, media))
        if _breaks_page_after(block):
            pages.append(Page(len(pages) + 1))
    return [page for page in pages if page.lines] or [Page(1)]


def _row_cells(tr: Any, above: dict[int, tuple[Any, list[Line], int]],
               read_cell: Callable[[Any], list[Line]], issues: IssueLog
               ) -> tuple[list[list[Line]], dict[int, tuple[Any, list[Line], int]]]:
    """The lines of each distinct cell of a row, in order, and the row's cells by grid
    offset for the next row.

    What python-docx's ``row.cells`` yields, computed in one pass: a cell continuing a
    vertical merge (``w:vMerge`` without ``restart``) shows the cell that starts the merge
    at the same grid offset in the row above, and a cell spanning columns counts once. It
    is done here because ``row.cells`` resolved a merge by recursing through every row
    above with an XPath per step — a 3,000-row table with a merged first column raised
    ``RecursionError`` (and took cubic time before that) — iterated ``range(gridSpan)``
    (``w:gridSpan="100000000"`` never finished), and raised ``ValueError`` for a merge
    continuing from no row. Here the merge start's lines are read once and reused, a merge
    with nothing above reads as the cell it is, and an unreadable span counts as 1
    (``table_invalid``)."""
    offset = _grid_number(tr.find(W + "trPr"), "gridBefore", 0, issues)
    below: dict[int, tuple[Any, list[Line], int]] = {}
    cells: list[list[Line]] = []
    seen: set[int] = set()
    for tc in tr.iterchildren(W + "tc"):
        tc_pr = tc.find(W + "tcPr")
        span = _grid_number(tc_pr, "gridSpan", 1, issues)
        merge = tc_pr.find(W + "vMerge") if tc_pr is not None else None
        if merge is not None and merge.get(W_VAL, "continue") == "continue" and offset in above:
            root, lines, root_span = above[offset]
        else:
            root, root_span = tc, span
            lines = read_cell(tc) if span >= 1 else []  # python-docx yields a cell span times
        below[offset] = (root, lines, root_span)
        if root_span >= 1 and id(root) not in seen:
            seen.add(id(root))
            cells.append(lines)
        offset += span
    return cells, below


def _grid_number(props: Any, tag: str, default: int, issues: IssueLog) -> int:
    """``w:gridBefore``/``w:gridSpan`` of a row's or cell's properties (python-docx's
    ``ST_DecimalNumber``), or ``default`` when absent or not a number."""
    element = props.find(W + tag) if props is not None else None
    if element is None:
        return default
    raw = element.get(W_VAL)
    value = decimal_number(raw)
    if value is None:
        issues.add("table_invalid", f"w:{tag} with w:val={raw!r} (not a number): {default} used", key=tag)
        return default
    return value


def _cell_lines(tc: Any, numbering: Numbering, styles: StyleTable, number: int,
                issues: IssueLog) -> list[Line]:
    """A cell's paragraphs as lines, in document order, the text of tables nested in it
    included (``nested_table``): python-docx's ``cell.paragraphs`` skips them, and a stem
    or the options of a question set in a table inside its row's cell were lost without
    a flag. A nested table is read row by row, cell by cell, into the cell (its lines
    join the cell's text, so the outer row stays one line, one question); its list labels
    stay in its text. Walked with an explicit stack of iterators — every element once,
    no recursion, so the depth is only what libxml2 parsed (at most 256 elements; a table
    nested 1,000 deep is refused by the parser with a one-line error)."""
    lines: list[Line] = []
    stack: list[Iterator[Any]] = [tc.iterchildren(W + "p", W + "tbl")]
    while stack:
        element = next(stack[-1], None)
        if element is None:
            stack.pop()
            continue
        if element.tag == W + "tbl":
            issues.add("nested_table", "table nested in a table cell: its text is read into the cell")
            stack.append(_nested_blocks(element))
            continue
        for line in _paragraph_line(element, numbering, styles, number, []):
            if len(stack) > 1 and line.label:
                line = Line(f"{line.label} {line.text}".strip(), line.source_line, line.marks)
            lines.append(line)
    return lines


def _nested_blocks(tbl: Any) -> Iterator[Any]:
    """The paragraphs and tables of a nested table's cells, row by row."""
    for tr in tbl.iterchildren(W + "tr"):
        for tc in tr.iterchildren(W + "tc"):
            yield from tc.iterchildren(W + "p", W + "tbl")


def _row_line(cells: list[list[Line]], number: int, cell: tuple[int, int]) -> Line | None:
    """A table row as one line, cells joined by tabs. Each cell's paragraphs went through
    the numbering like body paragraphs (a ``№`` column numbered by Word: the counter must
    advance in document order); the first cell's list label becomes the row's label.
    Emphasis marks are those every non-empty cell shares."""
    texts: list[str] = []
    label: str | None = None
    marks: list[frozenset[str]] = []
    for index, lines in enumerate(cells):
        parts = []
        for line in lines:
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


def _paragraph_lines(paragraph: Any, numbering: Numbering, styles: StyleTable,
                     number: int, pictures: PictureReader, media: DocxMedia | None = None) -> list[Line]:
    """The paragraph's lines (one per manual line break), then the text OCR read off its
    pictures (one line each). Each picture's bytes are kept for ``media`` (the corpus's
    media/ folder; they are the package part's, already in memory)."""
    images = _images(paragraph)
    lines = _paragraph_line(paragraph._p, numbering, styles, number, [ref for ref, _ in images])
    for ref, blob in images:
        if media is not None:
            media.add(ref, blob)
        text = pictures.picture(ref, blob).text
        lines.extend(Line(t, number, frozenset({Mark.IMAGE_TEXT})) for t in text.splitlines() if t.strip())
    return lines


def _paragraph_line(p: Any, numbering: Numbering, styles: StyleTable,
                    number: int, images: list[str]) -> list[Line]:
    """A paragraph (``w:p`` element) as lines: one per visual line when manual line breaks
    split it (``Câu 1`` / stem / ``A. …`` / ``Đáp án: B`` in one paragraph), each with the
    marks of its own runs (a highlight on one of four options in one paragraph marks that
    option). The list label and list belong to the first line."""
    runs = _text_runs(p)
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
    numpr = paragraph_numpr(p, styles)
    if numpr is not None and any(run_text.strip() for _, run_text in runs):
        label = numbering.label(*numpr)
        if label is not None:
            list_id, level = numbering.list_of(numpr[0]), numpr[1]
            first_marks.add(Mark.NUMBERED)
    style_bold = styles.bold(p)
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
    ``Run.bold`` builds a font proxy per call, the reader's main cost here; its ``b.val``
    also raised ``InvalidXmlError`` on ``w:b w:val="maybe"``, see
    :func:`~ingest.docx_numbering.on_off`)."""
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
        counts[0] += style_bold if b is None else on_off(b)
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
