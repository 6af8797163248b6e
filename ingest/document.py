"""The neutral document model every reader produces and every extractor consumes."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Mark(str, Enum):
    """The closed vocabulary of what a reader saw on a line (readers and extractors agree
    by type). A ``str`` enum, so ``"bold" in line.marks`` still reads as it always did.

    Whole-line formatting (``BOLD``, ``HIGHLIGHT``, ``COLOR``) means every visible run of
    the line carries it; the ``PART_`` marks mean some runs do and others do not (a dump
    that bolds only the answer's key words). ``FURNITURE`` marks a page header, footer or
    page number learned from repetition: kept in the document, ignored by extractors."""

    BOLD = "bold"
    HIGHLIGHT = "highlight"
    COLOR = "color"
    PART_BOLD = "part_bold"
    PART_HIGHLIGHT = "part_highlight"
    PART_COLOR = "part_color"
    HEADING = "heading"
    TABLE = "table"
    NUMBERED = "numbered"
    IMAGE = "image"
    IMAGE_TEXT = "image_text"
    OCR = "ocr"
    FURNITURE = "furniture"

    def __str__(self) -> str:
        return self.value


#: Marks of emphasis an answer can be singled out by, and their partial counterparts.
EMPHASIS = (Mark.BOLD, Mark.HIGHLIGHT, Mark.COLOR)
PARTIAL = {Mark.BOLD: Mark.PART_BOLD, Mark.HIGHLIGHT: Mark.PART_HIGHLIGHT, Mark.COLOR: Mark.PART_COLOR}


@dataclass(frozen=True)
class Line:
    """One line of text with where it came from (1-based line number in the source file,
    or paragraph number in a Word body) and what its formatting said (``marks``, a set
    of :class:`Mark`).

    ``label`` is the list label Word draws before an auto-numbered or bulleted paragraph
    (``A.``, ``3)``, ``•``): it lives in numbering.xml, not in the text, so it is a field
    here and never glued into ``text``; ``list_id``/``level`` say which list and level it
    belongs to (options of one question share a list). ``cell`` is (table, row) for a
    table row, whose cells are ``text`` split on tabs. A Word paragraph with manual line
    breaks gives one Line per visual line, all with the paragraph's ``source_line``."""

    text: str
    source_line: int
    marks: frozenset[str] = frozenset()
    label: str | None = None
    list_id: str | None = None
    level: int | None = None
    cell: tuple[int, int] | None = None


#: The closed vocabulary of :class:`Issue` flags, with what each means.
ISSUE_FLAGS = {
    "encoding_repaired": "bytes that were not UTF-8 replaced (the message says how many)",
    "front_matter_invalid": "YAML front matter refused (aliases, too large, malformed); text kept",
    "page_header_invalid": "an OCR dump's page header malformed or out of order; its text kept",
    "pages_capped": "pages past --max-pdf-pages not read",
    "ocr_pages_capped": "scanned pages past --max-ocr-pages not OCR'd",
    "page_unreadable": "a PDF page whose text could not be read",
    "picture_too_large": "a picture past --max-picture-mpx referenced, not decoded",
    "style_cycle": "Word styles based on each other in a cycle: the walk stopped",
    "style_invalid": "a Word style without type, id or with bad values: ignored",
    "numbering_invalid": "Word numbering with bad attributes: default level or no label",
    "nested_table": "a table inside a table cell: its text read into the cell",
    "table_invalid": "a table with bad spans or merges: read cell by cell",
    "part_invalid": "a package part (styles, numbering, ...) not well-formed: read as empty",
    "text_capped": "a text input past --max-input-mb cut there",
    "page_too_complex": "a PDF page with too many text blocks or spans for the layout rules: read in stream order",
    "ocr_dpi_reduced": "a huge scanned page rendered below 300 dpi to stay within --max-picture-mpx",
}


@dataclass(frozen=True)
class Issue:
    """Something a reader met in a source and worked around, as data (never a lost
    source for one bad spot): which component, a flag from :data:`ISSUE_FLAGS`, a
    one-line message, and the page when there is one. Builds list them per source in the
    manifest."""

    component: str
    flag: str
    message: str
    page: int | None = None

    def as_dict(self) -> dict:
        return {"component": self.component, "flag": self.flag, "message": self.message,
                "page": self.page}


@dataclass(frozen=True)
class Picture:
    """A picture inside a source (``word/media/image2.png``, ``page 3``) and the text OCR
    read off it. ``note`` says why there is no text when there is none (OCR switched off,
    Tesseract missing, too small to hold text)."""

    ref: str
    text: str = ""
    confidence: float | None = None
    note: str | None = None

    @property
    def low_confidence(self) -> bool:
        """Tesseract was unsure of this text (mean word confidence below the threshold)."""
        from ingest.tesseract import LOW_CONFIDENCE

        return self.confidence is not None and self.confidence < LOW_CONFIDENCE


def page_ref(number: int) -> str:
    """The :class:`Picture` reference of a whole page read by OCR (a scanned PDF page)."""
    return f"page {number}"


@dataclass
class Page:
    """A page of a source: its 1-based number as printed by the source and its lines."""

    number: int
    lines: list[Line] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass
class Document:
    """A whole input file, read but not interpreted.

    ``path`` is the path as the user gave it (kept relative so corpora stay portable),
    ``format`` one of the corpus formats (``ocr-text``, ``pdf``, ``docx``, ``markdown``, ``text``).
    ``declared_pages`` is the page count the source announces (``PAGE N of M``), if any.
    """

    path: str
    sha256: str
    format: str
    pages: list[Page]
    declared_pages: int | None = None
    title: str | None = None
    pictures: dict[str, Picture] = field(default_factory=dict)
    #: what the file says about itself (Markdown front matter: title, author, date, tags)
    metadata: dict = field(default_factory=dict)
    #: what the reader worked around (see :class:`Issue`)
    issues: list[Issue] = field(default_factory=list)
    #: the bytes of its pictures, on demand (:class:`ingest.media.MediaSource`; None when
    #: the format has no pictures): never part of the records, which name files in media/
    media: Any = field(default=None, repr=False, compare=False)
