"""Format detection by content and dispatch to the right reader.

Detection looks at bytes, never at the file name: a ``.txt`` that is really a PDF is read
as a PDF, and a dump renamed ``.md`` is still a dump. Each sniffer is a row of
:data:`SNIFFERS`; adding a format is adding a row.
"""
from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ingest.document import Document
from ingest.limits import DEFAULT_LIMITS, Limits
from ingest.tesseract import DEFAULT_LANG
from ingest.ocr_text import looks_like_ocr_dump, parse_ocr_dump
from ingest.text_reader import decode_text, looks_like_markdown, looks_like_text, parse_markdown, parse_plain_text



#: A text input with more undecodable bytes than this share of its characters is in
#: another encoding (a cp949 Korean file), not UTF-8 with a stray byte: refused, not repaired.
MAX_REPAIRED_SHARE = 0.01
#: ... unless there are only this many (a few stray bytes in a short note).
MAX_REPAIRED = 64


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
                 jobs: int | None, progress: Callable[[int], Any] | None, limits: Limits,
                 ocr: Callable[..., Any] | None = None) -> Document:
    # the binary readers (python-docx, PyMuPDF, the OCR pool) are imported when a file
    # needs them: a build served from its cache reads no file, and skips their 35 ms
    from ingest.docx_reader import DocxError, read_docx
    from ingest.pdf_reader import PdfError, read_pdf

    if kind == "docx":
        try:
            return read_docx(data, name, sha, ocr_lang, limits=limits)
        except DocxError as exc:
            raise IngestError(f"{name}: {exc}") from None
    if kind == "pdf":
        try:
            return read_pdf(data, name, sha, ocr_lang, jobs, progress, limits=limits, ocr=ocr)
        except PdfError as exc:
            raise IngestError(f"{name}: {exc}") from None
    raise IngestError(f"{name}: {_ole_message(data)}")


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words (for "not a regular file (FIFO)")."""
    for test, kind in ((stat.S_ISDIR, "folder"), (stat.S_ISFIFO, "FIFO"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return kind
    return "special file"


def read_regular_file(path: Path, name: str, limits: Limits) -> bytes:
    """The bytes of ``path`` if it is a regular file (symlinks followed) within the size
    limit. FIFOs, devices and sockets are refused on ``os.stat`` before anything opens
    them (a FIFO would block, ``/dev/zero`` never end); the file is then opened
    non-blocking and checked again, so one swapped in meanwhile is refused too."""
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise IngestError(f"{name}: is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise IngestError(f"{name}: not a regular file ({file_kind(st.st_mode)})")
        if st.st_size > limits.max_input_bytes:
            raise IngestError(f"{name}: file is too large ({st.st_size} bytes > {limits.max_input_bytes}; "
                              "raise --max-input-mb to read it)")
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
        with open(os.open(path, flags), "rb") as handle:
            st = os.fstat(handle.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise IngestError(f"{name}: not a regular file ({file_kind(st.st_mode)})")
            # st_size first (one read of exactly that size), then whatever the file grew by
            chunks = [handle.read(min(st.st_size, limits.max_input_bytes + 1))]
            total = len(chunks[0])
            while total <= limits.max_input_bytes:
                chunk = handle.read(min(1 << 20, limits.max_input_bytes + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
            data = b"".join(chunks) if len(chunks) > 1 else chunks[0]
    except OSError as exc:
        raise IngestError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if len(data) > limits.max_input_bytes:
        raise IngestError(f"{name}: file is too large (more than {limits.max_input_bytes} bytes; "
                          "raise --max-input-mb to read it)")
    return data


def read_document(path: Path, display_path: str | None = None,
                  ocr_lang: str | None = DEFAULT_LANG, jobs: int | None = None,
                  progress: Callable[[int], Any] | None = None,
                  limits: Limits = DEFAULT_LIMITS, ocr: Callable[..., Any] | None = None) -> Document:
    """Read ``path`` into a :class:`Document`, or raise :class:`IngestError` naming it.

    ``ocr_lang`` is Tesseract's language setting for pictures and scanned pages;
    ``None`` reads no picture (text already in the file is still read). ``jobs`` OCR
    processes read scanned PDF pages (``None``: one per core); ``progress(n)`` hears of
    pages done. ``ocr`` stands in for :func:`ingest.ocr_pool.ocr_pages` (same arguments):
    a batch build hands a large scan's pages to other workers (:mod:`qbank.batch`)."""
    name = display_path or str(path)
    data = read_regular_file(path, name, limits)
    if not data.strip():
        raise IngestError(f"{name}: file is empty")
    sha = hashlib.sha256(data).hexdigest()
    binary = _binary_kind(data[:8])
    if binary:
        return _read_binary(binary, data, name, sha, ocr_lang, jobs, progress, limits, ocr)
    text, repaired = decode_text(data)
    if repaired is not None and text.count("\ufffd") > max(MAX_REPAIRED, MAX_REPAIRED_SHARE * len(text)):
        raise IngestError(f"{name}: not UTF-8 text ({repaired.message}; save it as UTF-8)")
    if "\x00" in text:
        raise IngestError(f"{name}: binary data, not a text file")
    for _fmt, sniff, parse in TEXT_SNIFFERS:
        if sniff(text):
            doc = parse(text, name, sha, limits)
            if not doc.pages:
                raise IngestError(f"{name}: no pages found")
            if repaired is not None:
                doc.issues.insert(0, repaired)
            return doc
    raise IngestError(f"{name}: no text to read (fewer than 20 letters)")
