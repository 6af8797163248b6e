"""The neutral document model every reader produces and every extractor consumes."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Line:
    """One line of text with where it came from (1-based line number in the source file,
    or paragraph number in a Word body) and what its formatting said: ``marks`` holds
    ``bold``/``highlight`` when the whole line is so formatted, ``numbered`` when its
    label came from Word auto-numbering, ``image`` when it stands for a picture,
    ``image_text`` when OCR read it off the picture just before it."""

    text: str
    source_line: int
    marks: frozenset[str] = frozenset()


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
