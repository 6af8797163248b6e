"""Format detection by content and dispatch to the right reader.

Detection looks at bytes, never at the file name: a ``.txt`` that is really a PDF is read
as a PDF, and a dump renamed ``.md`` is still a dump. Each sniffer is a row of
:data:`SNIFFERS`; adding a format is adding a row.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ingest.document import Document
from ingest.limits import DEFAULT_LIMITS, Limits
from ingest.docx_reader import DocxError, read_docx
from ingest.pdf_reader import PdfError, read_pdf
from ingest.tesseract import DEFAULT_LANG
from ingest.ocr_text import looks_like_ocr_dump, parse_ocr_dump
from ingest.text_reader import looks_like_markdown, looks_like_text, parse_markdown, parse_plain_text



class IngestError(Exception):
    """A file could not be read. The message is one line and names the file."""


def _binary_kind(head: bytes) -> str | None:
    """Name a binary container from its magic bytes (only to say what it is)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"  # legacy .doc / encrypted OOXML
    return None


#: Text formats, tried in order: (format name, sniffer, parser).
TEXT_SNIFFERS: list[tuple[str, Callable[[str], bool], Callable[[str, str, str], Document]]] = [
    ("ocr-text", looks_like_ocr_dump, parse_ocr_dump),
    ("markdown", looks_like_markdown, parse_markdown),
    ("text", looks_like_text, parse_plain_text),
]

def _ole_message(data: bytes) -> str:
    """An OLE compound file is either an encrypted OOXML package or a legacy binary file."""
    if "EncryptedPackage".encode("utf-16-le") in data:
        return "password-protected (encrypted) Office file: remove the password and save again"
    return "legacy binary Word/Office file (.doc): save it as .docx"


def _read_binary(kind: str, data: bytes, name: str, sha: str, ocr_lang: str | None,
                 jobs: int | None, progress: Callable[[int], Any] | None, limits: Limits) -> Document:
    if kind == "docx":
        try:
            return read_docx(data, name, sha, ocr_lang, limits=limits)
        except DocxError as exc:
            raise IngestError(f"{name}: {exc}") from None
    if kind == "pdf":
        try:
            return read_pdf(data, name, sha, ocr_lang, jobs, progress, limits=limits)
        except PdfError as exc:
            raise IngestError(f"{name}: {exc}") from None
    raise IngestError(f"{name}: {_ole_message(data)}")


def read_document(path: Path, display_path: str | None = None,
                  ocr_lang: str | None = DEFAULT_LANG, jobs: int | None = None,
                  progress: Callable[[int], Any] | None = None,
                  limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read ``path`` into a :class:`Document`, or raise :class:`IngestError` naming it.

    ``ocr_lang`` is Tesseract's language setting for pictures and scanned pages;
    ``None`` reads no picture (text already in the file is still read). ``jobs`` OCR
    processes read scanned PDF pages (``None``: one per core); ``progress(n)`` hears of
    pages done."""
    name = display_path or str(path)
    try:
        size = path.stat().st_size
        if size > limits.max_input_bytes:
            raise IngestError(f"{name}: file is too large ({size} bytes > {limits.max_input_bytes}; "
                              "raise --max-input-mb to read it)")
        data = path.read_bytes()
    except IsADirectoryError:
        raise IngestError(f"{name}: is a directory") from None
    except OSError as exc:
        raise IngestError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if not data.strip():
        raise IngestError(f"{name}: file is empty")
    sha = hashlib.sha256(data).hexdigest()
    binary = _binary_kind(data[:8])
    if binary:
        return _read_binary(binary, data, name, sha, ocr_lang, jobs, progress, limits)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise IngestError(f"{name}: not UTF-8 text (bad byte at offset {exc.start})") from None
    if "\x00" in text:
        raise IngestError(f"{name}: binary data, not a text file")
    for _fmt, sniff, parse in TEXT_SNIFFERS:
        if sniff(text):
            doc = parse(text, name, sha)
            if not doc.pages:
                raise IngestError(f"{name}: no pages found")
            return doc
    raise IngestError(f"{name}: no text to read (fewer than 20 letters)")
