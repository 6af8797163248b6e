"""Word (.docx) reader: body paragraphs and tables, in order, as lines with formatting.

python-docx parses the package; this module only decides what a reader of the page would
see: the auto-numbered label Word draws before a list item (:mod:`ingest.docx_numbering`),
whether a whole paragraph is bold, highlighted or coloured (answers are sometimes marked
only so), table rows as tab-separated lines, page breaks as page boundaries, and for each
picture a placeholder line followed by the text Tesseract reads off it.

Hostile and unlucky files (issue 12) fail alone with a one-line :class:`DocxError`, in
bounded time and memory, or are read with what could be read and an
:class:`~ingest.document.Issue` saying what was worked around:

* the zip package is checked before python-docx opens it (:func:`checked_package`): a
  member whose word/document.xml inflated to 16 GB was fully inflated before the XML
  parser failed; sizes, ratios and compression methods are judged from the directory,
  then every member is inflated once under a cap into a stored copy python-docx reads;
* an XML part declaring a DTD is refused (billion laughs, external entities);
* table cells are walked by this module, not python-docx's ``row.cells`` (a vertically
  merged column recursed once per row above — ``RecursionError`` past 1,000 rows and
  cubic time — and a ``w:gridSpan`` of 10^8 built a tuple of 10^8 cells); tables nested in
  cells are read with an explicit stack;
* numbering and styles are parsed defensively (:mod:`ingest.docx_numbering`).
"""
from __future__ import annotations

import io
import posixpath
import zipfile
from dataclasses import replace
from typing import Any, Callable, Iterator

from lxml import etree

from ingest.docx_numbering import IssueLog, Numbering, StyleTable, decimal_number, on_off, paragraph_numpr
from ingest.document import EMPHASIS, PARTIAL, Document, Line, Mark, Page
from ingest.limits import DEFAULT_LIMITS, MB, Limits
from ingest.pictures import PictureReader
from ingest.tesseract import DEFAULT_LANG

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_VAL = W + "val"
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
    issues = IssueLog()
    package = checked_package(data, limits, issues)
    try:
        document = docx.Document(package)
    except Exception as exc:  # python-docx raises several types on malformed XML
        raise DocxError(_malformed(exc)) from None
    pictures = PictureReader(ocr_lang, limits=limits)
    pages = _pages(document, pictures, issues)
    if not any(line.text.strip() for page in pages for line in page.lines):
        raise DocxError("Word document has no text")
    title = (document.core_properties.title or None) if document.core_properties else None
    return Document(name, sha256, "docx", pages, None, title, pictures.read,
                    issues=issues.items + pictures.issues)


def _malformed(exc: Exception) -> str:
    """python-docx's failure as one line: the exception type, and for XML the parser's
    reason (``Excessive depth in document: 256``, for a table nested 1,000 deep)."""
    message = f"malformed Word document ({type(exc).__name__}"
    if isinstance(exc, etree.XMLSyntaxError):
        message += f": {_one_line(str(exc))}"
    return message + ")"


def _one_line(text: str, width: int = 160) -> str:
    """``text`` made safe for a one-line message (a member name can hold a newline)."""
    text = " ".join(text.split()) if text.isprintable() else ascii(text)
    return text if len(text) <= width else text[:width - 1] + "…"


# --- the package -----------------------------------------------------------------------

#: Compression methods a DOCX member may use: OPC's ZIP profile (ECMA-376 Part 2, ZIP
#: appendix) allows stored and deflated only. zipfile bounds a deflated member's output by its
#: declared size on every read, but inflates a bzip2 or LZMA chunk whole, so such a member
#: (which no Word writer produces) could still blow up in one read.
ZIP_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
METHOD_NAMES = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA", 9: "deflate64", 98: "PPMd"}
#: Members inflating to less than this are not judged by their compression ratio: a small
#: run of repeated XML compresses beyond 200× and costs nothing.
RATIO_FLOOR = 1 * MB

CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
_W_NS = W[1:-1]
#: Parts the document reads without: one that is not well-formed XML (a truncated
#: styles.xml made python-docx refuse the whole package) is replaced by an empty root of
#: its kind and reported as ``part_invalid``.
STUBS = {
    _WML + "styles+xml": f'<w:styles xmlns:w="{_W_NS}"/>',
    _WML + "numbering+xml": f'<w:numbering xmlns:w="{_W_NS}"/>',
    _WML + "settings+xml": f'<w:settings xmlns:w="{_W_NS}"/>',
    _WML + "header+xml": f'<w:hdr xmlns:w="{_W_NS}"/>',
    _WML + "footer+xml": f'<w:ftr xmlns:w="{_W_NS}"/>',
    _WML + "comments+xml": f'<w:comments xmlns:w="{_W_NS}"/>',
    "application/vnd.openxmlformats-package.core-properties+xml":
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"/>',
}

#: The parser of this module's own checks: no entity is expanded, no DTD or network
#: resource loaded, libxml2's size and depth limits kept (python-docx's parser is set the
#: same way for entities; :func:`_doctype` makes the refusal not depend on that).
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _mb(size: int) -> str:
    return f"{size / MB:.0f} MB" if size >= 10 * MB else f"{size / MB:.2g} MB"


def _bomb(name: str, limits: Limits) -> DocxError:
    return DocxError(f"{_one_line(name)} inflates beyond {_mb(limits.max_member_bytes)} (zip bomb?): "
                     "raise --max-inflated-mb to read it")


def checked_package(data: bytes, limits: Limits, issues: IssueLog) -> io.BytesIO:
    """The package python-docx may open: a stored (uncompressed) copy of ``data`` whose
    every member was inflated here once, under the limits, and whose XML parts declare no
    DTD. Raises :class:`DocxError` otherwise.

    Why a copy: python-docx inflates each part whole (``ZipFile.read``), so a zip bomb
    (word/document.xml, styles.xml, numbering.xml or any media member inflating to GBs)
    cost 6-16 GB before the XML parser failed. The directory's declared sizes are judged
    first (:func:`_check_directory`), before one byte is inflated; then each member is
    streamed with ``read(cap + 1)`` so a header lying about its size (declared 100 kB,
    inflating to 64 MB) cannot inflate past what it declared — the data then fails its
    CRC and is reported as corrupt. The stored copy costs a memory copy instead of a
    second inflate, and python-docx sees only bytes that were checked."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception:  # BadZipFile, and struct/Value/Overflow errors on forged directories
        raise DocxError("corrupt zip container (not a readable .docx)") from None
    with archive:
        if "word/document.xml" not in {info.filename for info in infos}:
            raise DocxError("zip file without a Word document (word/document.xml missing)")
        _check_directory(infos, len(data), limits)
        members = {info.filename: info for info in infos if not info.is_dir()}  # last wins, as ZipFile.read
        if "[Content_Types].xml" not in members:
            raise DocxError("zip file without [Content_Types].xml (not an Office package)")
        content_types = _inflate(archive, members["[Content_Types].xml"], limits)
        _refuse_dtd("[Content_Types].xml", content_types)
        type_of = _content_type_map(content_types)
        xml_types = _xml_part_types()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
            for name, info in members.items():
                blob = content_types if name == "[Content_Types].xml" else _inflate(archive, info, limits)
                content_type = type_of(name)
                if name.lower().endswith(".rels") or name == "word/document.xml" or content_type in xml_types:
                    _refuse_dtd(name, blob)
                    if content_type in STUBS:
                        blob = _well_formed_or_stub(name, blob, STUBS[content_type], issues)
                copy.writestr(zipfile.ZipInfo(name), blob)
    out.seek(0)
    return out


def _check_directory(infos: list[zipfile.ZipInfo], size: int, limits: Limits) -> None:
    """Judge every member from the zip directory alone, before inflating anything: its
    compression method, its declared size (``limits.max_member_bytes``), its declared
    inflation ratio (``limits.max_member_ratio``: XML deflates 10-50×, a bomb ~1000×),
    all members together (``limits.max_input_bytes``, what one input may hold in memory:
    a hundred members each under the cap are still a bomb), and overlap (members whose
    compressed sizes add up to more than the file share their data — the "better zip
    bomb" that inflates one kernel through thousands of entries)."""
    total = compressed = 0
    for info in infos:
        name = _one_line(info.filename)
        if info.compress_type not in ZIP_METHODS:
            method = METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
            raise DocxError(f"{name} uses {method} compression, which no Word writer uses "
                            "(a DOCX member is stored or deflated): not read")
        if info.flag_bits & 0x1:
            raise DocxError(f"{name} is an encrypted zip member (not a Word package): not read")
        if info.file_size > limits.max_member_bytes:
            raise _bomb(info.filename, limits)
        if info.file_size > RATIO_FLOOR and info.file_size > limits.max_member_ratio * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise DocxError(f"{name} inflates {ratio}× its compressed size (over {limits.max_member_ratio}×: "
                            "zip bomb?): not read")
        total += info.file_size
        compressed += info.compress_size
    if total > limits.max_input_bytes:
        raise DocxError(f"zip members inflate to {_mb(total)} together, beyond {_mb(limits.max_input_bytes)} "
                        "(zip bomb?): raise --max-input-mb to read it")
    if compressed > size:
        raise DocxError("zip members overlap (their compressed sizes add up to more than the file: "
                        "zip bomb?): not read")


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> bytes:
    """A member's bytes, inflating at most what its header declared (and never past the
    cap): zipfile stops a member at its declared size, and asking for no more than that
    keeps one decompress call from producing more either."""
    cap = min(info.file_size, limits.max_member_bytes)
    try:
        with archive.open(info) as stream:
            blob = stream.read(cap + 1)
    except zipfile.BadZipFile as exc:  # bad CRC: the data is not what the header says
        raise DocxError(f"corrupt zip member {_one_line(info.filename)} ({_one_line(str(exc))})") from None
    except Exception as exc:  # zlib.error, EOFError on truncated data
        raise DocxError(f"corrupt zip member {_one_line(info.filename)} ({type(exc).__name__})") from None
    if len(blob) > cap:
        raise _bomb(info.filename, limits)
    return blob


def _content_type_map(blob: bytes) -> Callable[[str], str | None]:
    """``member name → content type`` as python-docx resolves it (an Override by part
    name, else a Default by extension, both case-insensitive)."""
    try:
        root = etree.fromstring(blob, _SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise DocxError(f"malformed Word document ([Content_Types].xml: {_one_line(str(exc))})") from None
    defaults = {(el.get("Extension") or "").lower(): el.get("ContentType") for el in root.iter(CT_NS + "Default")}
    overrides = {(el.get("PartName") or "").lower(): el.get("ContentType") for el in root.iter(CT_NS + "Override")}

    def type_of(name: str) -> str | None:
        partname = "/" + name.lower()
        if partname in overrides:
            return overrides[partname]
        return defaults.get(posixpath.splitext(partname)[1][1:])

    return type_of


def _xml_part_types() -> set[str]:
    """Content types python-docx parses as XML (its part registry: the main document,
    styles, numbering, settings, headers, footers, comments, core properties). Pictures
    are never parsed, so an SVG picture with Inkscape's ``<!DOCTYPE svg ...>`` is no
    reason to refuse a document."""
    from docx.opc.part import PartFactory

    return set(PartFactory.part_type_for)


def _doctype(blob: bytes) -> str | None:
    """The ``<!DOCTYPE ...>`` an XML part declares, or None. Read by lxml itself (so UTF-16
    or an odd prolog cannot hide it), parsing in growing chunks only until the root
    element starts: the DTD's entities are declared but not expanded here. A chunk can
    reach past the root into an entity bomb, whose error the parser raises only after
    queueing the root's start event, so the events are read after an error too."""
    parser = etree.XMLPullParser(events=("start",), resolve_entities=False, no_network=True, load_dtd=False)
    start, size = 0, 4096
    while True:
        chunk = blob[start:start + size]
        failed = False
        try:
            parser.feed(chunk) if chunk else parser.close()
        except etree.XMLSyntaxError:
            failed = True
        for _, element in parser.read_events():
            info = element.getroottree().docinfo
            return info.doctype or ("<!DOCTYPE>" if info.internalDTD is not None else None)
        if failed or not chunk:
            return None  # not XML, or broken before its root: python-docx's parse will say so
        start, size = start + size, size * 4


def _refuse_dtd(name: str, blob: bytes) -> None:
    """Refuse an XML part that declares a DTD. Word never writes one, OPC tells package
    readers to treat one as an error (ECMA-376 Part 2, "XML Usage", rule M1.18, against
    exactly this), and a DTD is what the billion-laughs entity bomb and external entities
    (``file:///etc/passwd``, a URL) need.
    python-docx's parser already leaves entities unexpanded and libxml2 caps entity
    amplification; refusing here makes the outcome not depend on either."""
    doctype = _doctype(blob)
    if doctype is not None:
        raise DocxError(f"{_one_line(name)} declares a DTD ({_one_line(doctype, 80)}), which Word never "
                        "writes (entity expansion or external entities?): not read")


def _well_formed_or_stub(name: str, blob: bytes, stub: str, issues: IssueLog) -> bytes:
    try:
        etree.fromstring(blob, _SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        issues.add("part_invalid", f"{_one_line(name)} is not well-formed XML ({_one_line(str(exc), 100)}): "
                   "read without it")
        return stub.encode()
    return blob


# --- the body --------------------------------------------------------------------------

def _pages(document: Any, pictures: PictureReader, issues: IssueLog) -> list[Page]:
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
        pages[-1].lines.extend(_paragraph_lines(block, numbering, styles, counter, pictures))
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
                     number: int, pictures: PictureReader) -> list[Line]:
    """The paragraph's lines (one per manual line break), then the text OCR read off its
    pictures (one line each)."""
    images = _images(paragraph)
    lines = _paragraph_line(paragraph._p, numbering, styles, number, [ref for ref, _ in images])
    for ref, blob in images:
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
