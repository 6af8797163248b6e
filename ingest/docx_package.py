"""The Word package checked before python-docx opens it (hostile files, issue 12).

A member whose word/document.xml inflated to 16 GB was fully inflated before the XML
parser failed: sizes, ratios and compression methods are judged from the zip directory,
then every member is inflated once under a cap into a stored copy python-docx reads; an
XML part declaring a DTD is refused (billion laughs, external entities); a part the
document can read without (styles, numbering, ...) that is not well-formed is replaced
by an empty one and reported.
"""
from __future__ import annotations

import io
import posixpath
import zipfile
from typing import Callable

from lxml import etree

from ingest.docx_numbering import IssueLog
from ingest.limits import MB, Limits

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class DocxError(ValueError):
    """The bytes are not a readable Word document (message without the file name)."""


def _one_line(text: str, width: int = 160) -> str:
    """``text`` made safe for a one-line message (a member name can hold a newline)."""
    text = " ".join(text.split()) if text.isprintable() else ascii(text)
    return text if len(text) <= width else text[:width - 1] + "…"


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
