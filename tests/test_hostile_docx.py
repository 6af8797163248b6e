"""Hostile and unlucky Word files (issue 12): each is built here, small, and must fail alone
with a one-line error or be read with an Issue saying what was worked around, in bounded
time and memory.

Every file is a few kB: a zip bomb is a highly compressible member (or a directory that
lies about one), an entity bomb a ten-line DTD. Nothing is timed; a watchdog turns a hang
(the failure these tests guard against) into a failure instead of a stuck suite.

    python3 tests/test_hostile_docx.py [N ...]

runs the scaling benchmark instead (not a test): ``read_docx`` on 2,000 and 20,000
generated questions, as numbered paragraphs, as a one-question-per-row table and as a table
with a vertically merged column.
"""
from __future__ import annotations

import io
import json
import os
import signal
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script (the benchmark)
    sys.path.insert(0, str(REPO))

from ingest.docx_reader import DocxError, read_docx  # noqa: E402
from ingest.document import Mark  # noqa: E402
from ingest.limits import DEFAULT_LIMITS, MB, Limits  # noqa: E402

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
WML = "application/vnd.openxmlformats-officedocument.wordprocessingml"
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SAMPLE = REPO / "samples" / "exam-dump.docx"


# --- building Word packages by hand ----------------------------------------------------

def xml(root: str, body: str, doctype: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
            f'<w:{root} xmlns:w="{W_NS}" xmlns:r="{R_NS}">{body}</w:{root}>')


def p(text: str, ppr: str = "", rpr: str = "") -> str:
    """A paragraph of one run."""
    ppr = f"<w:pPr>{ppr}</w:pPr>" if ppr else ""
    rpr = f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
    return f'<w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def tbl(rows: list[list[str]]) -> str:
    """A table; each cell given as its inner XML."""
    return "<w:tbl>" + "".join("<w:tr>" + "".join(f"<w:tc>{c}</w:tc>" for c in row) + "</w:tr>"
                               for row in rows) + "</w:tbl>"


def numbered(num_id: str = "1", ilvl: str = "0") -> str:
    return f'<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'


def numbering_xml(fmt: str = "decimal", start: str = "1", ilvl: str = 'w:ilvl="0"', num_extra: str = "") -> str:
    return xml("numbering", f'<w:abstractNum w:abstractNumId="0"><w:lvl {ilvl}><w:start w:val="{start}"/>'
                            f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'
                            f'<w:num w:numId="1"><w:abstractNumId w:val="0"/>{num_extra}</w:num>')


def style(style_id: str | None, inner: str = "", kind: str | None = "paragraph", extra: str = "") -> str:
    attrs = (f' w:type="{kind}"' if kind else "") + (f' w:styleId="{style_id}"' if style_id is not None else "")
    return f"<w:style{attrs}{extra}>{inner}</w:style>"


def make_docx(body: str = "", styles: str | None = None, numbering: str | None = None,
              document: str | None = None, extra: tuple = (), method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A minimal Word package: content types, relationships, the document, and styles,
    numbering and ``extra`` (name, bytes or text) members when given."""
    overrides = [("/word/document.xml", f"{WML}.document.main+xml")]
    rels = []
    parts = {"word/document.xml": document if document is not None else xml("document", f"<w:body>{body}</w:body>")}
    if styles is not None:
        overrides.append(("/word/styles.xml", f"{WML}.styles+xml"))
        rels.append(("rId1", f"{RT}/styles", "styles.xml"))
        parts["word/styles.xml"] = styles
    if numbering is not None:
        overrides.append(("/word/numbering.xml", f"{WML}.numbering+xml"))
        rels.append(("rId2", f"{RT}/numbering", "numbering.xml"))
        parts["word/numbering.xml"] = numbering
    content_types = (f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{CT_NS}">'
                     '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                     '<Default Extension="xml" ContentType="application/xml"/>'
                     '<Default Extension="png" ContentType="image/png"/>'
                     '<Default Extension="svg" ContentType="image/svg+xml"/>'
                     + "".join(f'<Override PartName="{n}" ContentType="{t}"/>' for n, t in overrides) + "</Types>")
    root_rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS_NS}">'
                 f'<Relationship Id="rId1" Type="{RT}/officeDocument" Target="word/document.xml"/></Relationships>')
    document_rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS_NS}">'
                     + "".join(f'<Relationship Id="{i}" Type="{t}" Target="{g}"/>' for i, t, g in rels)
                     + "</Relationships>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as package:
        package.writestr("[Content_Types].xml", content_types)
        package.writestr("_rels/.rels", root_rels)
        package.writestr("word/_rels/document.xml.rels", document_rels)
        for name, content in [*parts.items(), *extra]:
            package.writestr(name, content)
    return buffer.getvalue()


BASE = make_docx(p("A question?") + p("Answer: A"), styles=xml("styles", style("Normal")),
                 numbering=numbering_xml())


def with_streamed_member(data: bytes, member: str, megabytes: int) -> bytes:
    """``data`` with ``member`` replaced by the start of an XML document and then
    ``megabytes`` MB of spaces, streamed (the test never holds the inflated bytes)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for info in source.infolist():
            if info.filename != member:
                package.writestr(info, source.read(info))
        with package.open(member, "w", force_zip64=True) as stream:
            stream.write(f'<?xml version="1.0"?><w:document xmlns:w="{W_NS}"><w:body>'.encode())
            block = b" " * MB
            for _ in range(megabytes):
                stream.write(block)
    return buffer.getvalue()


def _central_entries(data: bytes):
    """(offset, length, name) of each central directory entry, and the end record's offset."""
    end = data.rindex(b"PK\x05\x06")
    size, offset = struct.unpack("<II", data[end + 12:end + 20])
    entries, at = [], offset
    while at < offset + size:
        name_len, extra_len, comment_len = struct.unpack("<HHH", data[at + 28:at + 34])
        length = 46 + name_len + extra_len + comment_len
        entries.append((at, length, data[at + 46:at + 46 + name_len].decode()))
        at += length
    return entries, end


def with_declared_size(data: bytes, member: str, size: int) -> bytes:
    """``data`` with the directory claiming ``member`` inflates to ``size`` bytes (the
    data itself unchanged): a bomb's declared size, or a header that lies."""
    entries, _ = _central_entries(data)
    at = next(at for at, _, name in entries if name == member)
    patched = bytearray(data)
    patched[at + 24:at + 28] = struct.pack("<I", size)
    return bytes(patched)


def with_overlapping_entry(data: bytes, member: str, alias: str) -> bytes:
    """``data`` with a second directory entry, named ``alias``, pointing at ``member``'s
    data (the overlapped-entries zip bomb: one kernel inflated through many names)."""
    entries, end = _central_entries(data)
    at, length, _ = next(e for e in entries if e[2] == member)
    assert len(alias) == len(member)
    entry = data[at:at + 46] + alias.encode() + data[at + 46 + len(member):at + length]
    disk, disk_cd, n_disk, n_total, size, offset, comment = struct.unpack("<HHHHIIH", data[end + 4:end + 22])
    record = b"PK\x05\x06" + struct.pack("<HHHHIIH", disk, disk_cd, n_disk + 1, n_total + 1, size + len(entry),
                                         offset, 0)
    return data[:offset + size] + entry + record


# --- helpers ---------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def watchdog():
    """A hang fails the test instead of stalling the suite (not a timing assertion: the
    inputs take milliseconds; before issue 12 several of them never finished)."""
    def expire(*_):
        raise TimeoutError("read did not finish (hang?)")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def read(data: bytes, limits: Limits = DEFAULT_LIMITS):
    return read_docx(data, "hostile.docx", "0" * 64, ocr_lang=None, limits=limits)


def error_of(data: bytes, limits: Limits = DEFAULT_LIMITS) -> str:
    """The reader's error for ``data``: a DocxError (never another exception) in one line."""
    with pytest.raises(DocxError) as caught:
        read(data, limits)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def peak_python_memory(action) -> int:
    """Peak bytes Python allocated while ``action()`` ran (inflated zip data and labels
    are Python bytes/str, so a bomb shows here)."""
    tracemalloc.start()
    try:
        action()
    except DocxError:
        pass
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def lines_of(document):
    return [line for page in document.pages for line in page.lines]


def flags(document) -> list[str]:
    return [issue.flag for issue in document.issues]


def good_questions() -> int:
    return len(json.loads((REPO / "tests" / "data" / "exam-dump.expected.json").read_text())["answers"])


# --- 1. zip bombs ------------------------------------------------------------------------

@pytest.mark.parametrize("member", ["word/document.xml", "word/styles.xml", "word/numbering.xml",
                                    "word/_rels/document.xml.rels"])
def test_member_declared_to_inflate_to_gigabytes_is_refused_before_inflating(member):
    bomb = with_declared_size(BASE, member, 0xFFFFFFF0)  # "4 GB"
    message = error_of(bomb)
    assert message == f"{member} inflates beyond 256 MB (zip bomb?): raise --max-inflated-mb to read it"
    assert peak_python_memory(lambda: read(bomb)) < 4 * MB


def test_real_bomb_is_refused_by_its_declared_size_and_the_limit_is_the_limit():
    bomb = with_streamed_member(BASE, "word/document.xml", 24)  # 24 MB of spaces in 24 kB
    assert len(bomb) < 64_000
    strict = Limits(max_member_bytes=16 * MB, max_member_ratio=100_000)
    assert "word/document.xml inflates beyond 16 MB (zip bomb?)" in error_of(bomb, strict)
    assert peak_python_memory(lambda: read(bomb, strict)) < 4 * MB
    roomy = Limits(max_member_bytes=32 * MB, max_member_ratio=100_000)
    assert "malformed Word document" in error_of(bomb, roomy)  # read, then found unfinished


@pytest.mark.parametrize("member", ["word/styles.xml", "word/media/image1.png"])
def test_member_inflating_a_thousandfold_is_refused_by_ratio(member):
    bomb = with_streamed_member(make_docx(p("text"), styles=xml("styles", ""),
                                          extra=(("word/media/image1.png", b"\x89PNG"),)), member, 8)
    message = error_of(bomb)
    assert message.startswith(f"{member} inflates ") and "× its compressed size (over 200×: zip bomb?)" in message
    assert peak_python_memory(lambda: read(bomb)) < 4 * MB


def test_zip_bomb_fails_alone_with_a_one_line_error_naming_the_file(tmp_path):
    from conftest import assert_bad_file_fails_alone

    bomb = with_declared_size(BASE, "word/document.xml", 0xFFFFFFF0)
    assert_bad_file_fails_alone(tmp_path, "bomb.docx", bomb, "inflates beyond 256 MB (zip bomb?)",
                                SAMPLE, good_questions())


def test_header_lying_about_its_size_cannot_inflate_past_what_it_declared():
    # 64 MB of data whose directory entry says 100 kB: zipfile stops at the declared size,
    # the reader asks for no more, and the truncated data fails its CRC
    liar = with_declared_size(with_streamed_member(BASE, "word/document.xml", 64), "word/document.xml", 100_000)
    message = error_of(liar)
    assert message.startswith("corrupt zip member word/document.xml (Bad CRC-32")
    assert peak_python_memory(lambda: read(liar)) < 4 * MB


def test_compression_word_never_writes_is_refused():
    message = error_of(make_docx(p("text"), method=zipfile.ZIP_BZIP2))
    assert "uses bzip2 compression, which no Word writer uses" in message


def test_members_together_beyond_the_input_limit_are_refused():
    pictures = tuple((f"word/media/image{i}.png", os.urandom(400_000)) for i in range(3))
    message = error_of(make_docx(p("text"), extra=pictures), Limits(max_input_bytes=1 * MB))
    assert message.startswith("zip members inflate to ") and "together, beyond 1 MB (zip bomb?)" in message


def test_overlapping_members_are_refused():
    data = make_docx(p("text"), extra=(("word/media/a.png", os.urandom(200_000)),))
    message = error_of(with_overlapping_entry(data, "word/media/a.png", "word/media/b.png"))
    assert message.startswith("zip members overlap")


def test_member_name_with_a_newline_still_gives_one_line():
    data = make_docx(p("text"), extra=(("word/media/evil\nname.png", b"x"),))
    assert "\\n" in error_of(with_declared_size(data, "word/media/evil\nname.png", 0xFFFFFFF0))


# --- 2. XML entities -------------------------------------------------------------------

LAUGHS = '<!ENTITY l0 "lollollollollollollollollollol">' + "".join(
    f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
EXTERNAL = '<!ENTITY x SYSTEM "file:///etc/passwd">'


def with_dtd(part: str, dtd: str, reference: str) -> bytes:
    """A package whose ``part`` declares ``dtd`` and uses ``reference`` in its content."""
    if part == "document":
        body = f"<w:body>{p('before ' + reference + ' after')}</w:body>"
        return make_docx(document=xml("document", body, f"<!DOCTYPE w:document [{dtd}]>"))
    if part == "styles":
        styles = xml("styles", style("Normal", f'<w:name w:val="{reference}"/>'), f"<!DOCTYPE w:styles [{dtd}]>")
        return make_docx(p("text"), styles=styles)
    numbering = xml("numbering", f'<w:num w:numId="1"><w:abstractNumId w:val="{reference}"/></w:num>',
                    f"<!DOCTYPE w:numbering [{dtd}]>")
    return make_docx(p("text"), numbering=numbering)


PARTS = ["document", "styles", "numbering"]


@pytest.mark.parametrize("part", PARTS)
def test_billion_laughs_is_refused(part):
    message = error_of(with_dtd(part, LAUGHS, "&l9;"))
    assert message.startswith(f"word/{part}.xml declares a DTD (<!DOCTYPE {part}>), which Word never writes")


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("dtd, reference", [
    (EXTERNAL, "&x;"),                                              # external general entity
    ('<!ENTITY % x SYSTEM "file:///etc/passwd"> %x;', ""),          # external parameter entity
    ('<!ENTITY x SYSTEM "http://127.0.0.1:9/secret">', "&x;"),      # network
], ids=["file", "parameter", "network"])
def test_external_entities_are_refused_and_never_read(part, dtd, reference):
    message = error_of(with_dtd(part, dtd, reference))
    assert "declares a DTD" in message and "root:" not in message


def test_doctype_in_utf16_is_seen():
    document = xml("document", f"<w:body>{p('a &x; b')}</w:body>", f"<!DOCTYPE w:document [{EXTERNAL}]>")
    utf16 = document.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert "word/document.xml declares a DTD" in error_of(make_docx(document=utf16))


def test_doctype_where_python_docx_never_parses_is_no_reason_to_refuse():
    # Inkscape writes a DOCTYPE into SVGs; custom XML parts are not parsed either
    svg = '<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "svg11.dtd"><svg/>'
    data = make_docx(p("text"), extra=(("word/media/image1.svg", svg),
                                       ("customXml/item1.xml", f"<!DOCTYPE r [{EXTERNAL}]><r>&x;</r>")))
    assert [line.text for line in lines_of(read(data))] == ["text"]


def test_python_docx_parser_itself_neither_expands_nor_loads_entities():
    """The second layer (were a DTD ever let through): python-docx's parser leaves entities
    unexpanded, loads nothing, and libxml2 refuses the amplification."""
    from docx.oxml.parser import parse_xml
    from lxml import etree

    laughs = xml("document", f"<w:body>{p('a&l9;b')}</w:body>", f"<!DOCTYPE w:document [{LAUGHS}]>")
    with pytest.raises(etree.XMLSyntaxError):
        parse_xml(laughs.encode())
    external = xml("document", f"<w:body>{p('a&x;b')}</w:body>", f"<!DOCTYPE w:document [{EXTERNAL}]>")
    (t,) = parse_xml(external.encode()).iter(f"{{{W_NS}}}t")
    assert t.text == "a" and [type(c) for c in t] == [etree._Entity] and t[0].text == "&x;"  # left a reference
    assert b"root:" not in etree.tostring(t)


def test_entity_bombs_stay_in_bounded_memory_even_past_the_dtd_check(tmp_path):
    """In a fresh process (its peak RSS is its own): the billion laughs in each part, read
    with the DTD refusal and with it switched off (python-docx's parser alone)."""
    for part in PARTS:
        (tmp_path / f"{part}.docx").write_bytes(with_dtd(part, LAUGHS, "&l9;"))
    script = """
import json, resource, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import ingest.docx_package as package
import ingest.docx_reader as reader
results = {}
for refuse in (True, False):
    if not refuse:
        package._refuse_dtd = lambda name, blob: None
    for path in sorted(Path(sys.argv[2]).glob("*.docx")):
        try:
            reader.read_docx(path.read_bytes(), path.name, "0", ocr_lang=None)
            results[f"{path.stem} {refuse}"] = "read"
        except reader.DocxError as exc:
            results[f"{path.stem} {refuse}"] = str(exc)
try:  # the peak of this process's own memory (ru_maxrss also counts the forked parent's)
    peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
except OSError:
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"results": results, "rss_mb": peak_kb / 1024}))
"""
    done = subprocess.run([sys.executable, "-c", script, str(REPO), str(tmp_path)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    results = report["results"]
    for part in PARTS:
        assert "declares a DTD" in results[f"{part} True"]
    assert "Maximum entity amplification" in results["document False"]        # one-line error
    for part in ("styles", "numbering"):                                       # read without it
        assert results[f"{part} False"] == "read"
    assert report["rss_mb"] < 300  # python, lxml and python-docx alone take ~60 MB


# --- 3. and 5. styles ------------------------------------------------------------------

def test_based_on_cycles_end_the_walk_with_an_issue():
    styles = xml("styles", style("A", '<w:basedOn w:val="B"/>') + style("B", '<w:basedOn w:val="A"/><w:rPr><w:b/></w:rPr>')
                 + style("C", '<w:basedOn w:val="C"/>'))
    document = read(make_docx(p("in A", '<w:pStyle w:val="A"/>') + p("in B", '<w:pStyle w:val="B"/>')
                              + p("in C", '<w:pStyle w:val="C"/>'), styles=styles))
    lines = lines_of(document)
    assert [line.text for line in lines] == ["in A", "in B", "in C"]
    assert Mark.BOLD in lines[0].marks and Mark.BOLD in lines[1].marks and Mark.BOLD not in lines[2].marks
    cycles = sorted(issue.message for issue in document.issues if issue.flag == "style_cycle")
    assert len(cycles) == 2 and "A → B → A" in cycles[0] and "C → C" in cycles[1]
    assert all(issue.component == "docx_reader" for issue in document.issues)


def test_numbering_inherited_through_a_cycle_is_found_once():
    styles = xml("styles", style("List", '<w:basedOn w:val="Base"/>')
                 + style("Base", f'<w:basedOn w:val="List"/><w:pPr>{numbered()}</w:pPr>'))
    document = read(make_docx(p("one", '<w:pStyle w:val="List"/>') + p("two", '<w:pStyle w:val="List"/>'),
                              styles=styles, numbering=numbering_xml()))
    assert [line.label for line in lines_of(document)] == ["1.", "2."]


def test_very_long_based_on_chain_is_cut():
    chain = "".join(style(f"S{i}", f'<w:basedOn w:val="S{i + 1}"/>') for i in range(2000))
    document = read(make_docx("".join(p(f"p{i}", f'<w:pStyle w:val="S{i}"/>') for i in range(0, 2000, 7)),
                              styles=xml("styles", chain)))
    assert len(lines_of(document)) == len(range(0, 2000, 7))
    assert "style_invalid" in flags(document)


def test_malformed_style_pieces_degrade_instead_of_dropping_the_source():
    styles = xml("styles",
                 style(None, '<w:rPr><w:b/></w:rPr>')                              # no styleId
                 + style("Untyped", '<w:rPr><w:b/></w:rPr>', kind=None)             # no w:type: paragraph
                 + style("NoBase", '<w:basedOn/>')                                 # basedOn without val
                 + style("Quote", '<w:basedOn w:val="a&quot;b"/>')                 # breaks get_by_id's XPath
                 + style("Odd", extra=' w:default="maybe"'))                       # not an ST_OnOff
    body = (p("untyped", '<w:pStyle w:val="Untyped"/>') + p("no base", '<w:pStyle w:val="NoBase"/>')
            + p("quote", '<w:pStyle w:val="Quote"/>') + p("no style val", "<w:pStyle/>")
            + p("odd bold", rpr='<w:b w:val="maybe"/>'))
    document = read(make_docx(body, styles=styles))
    lines = lines_of(document)
    assert [line.text for line in lines] == ["untyped", "no base", "quote", "no style val", "odd bold"]
    assert Mark.BOLD in lines[0].marks and Mark.BOLD in lines[4].marks
    assert flags(document) == ["style_invalid"]


@pytest.mark.parametrize("part", ["styles", "numbering"])
def test_part_that_is_not_well_formed_is_read_without(part):
    broken = "<w:styles><w:style" if part == "styles" else f'<w:numbering xmlns:w="{W_NS}"><w:num'
    data = make_docx(p("item", numbered()) + p("more"), **{part: broken})
    document = read(data)
    assert [line.text for line in lines_of(document)] == ["item", "more"]
    assert flags(document) == ["part_invalid"] and f"word/{part}.xml" in document.issues[0].message


def test_document_without_styles_part_reads():
    assert [line.text for line in lines_of(read(make_docx(p("plain"))))] == ["plain"]


# --- 4. numbering ----------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["upperRoman", "lowerRoman", "upperLetter", "lowerLetter"])
def test_huge_start_writes_decimal_instead_of_hanging_or_allocating(fmt):
    data = make_docx("".join(p(f"item {i}", numbered()) for i in range(3)),
                     numbering=numbering_xml(fmt, "1000000000"))
    document = read(data)
    assert [line.label for line in lines_of(document)] == ["1000000000.", "1000000001.", "1000000002."]
    assert flags(document) == ["numbering_invalid"] and fmt in document.issues[0].message
    assert peak_python_memory(lambda: read(data)) < 8 * MB  # a letter label was 38 MB


@pytest.mark.parametrize("fmt, start, labels", [
    ("upperRoman", "3998", ["MMMCMXCVIII.", "MMMCMXCIX.", "4000."]),
    ("upperLetter", "103", ["YYYY.", "ZZZZ.", "105."]),
])
def test_formats_are_written_up_to_their_cap(fmt, start, labels):
    data = make_docx("".join(p(f"item {i}", numbered()) for i in range(3)), numbering=numbering_xml(fmt, start))
    assert [line.label for line in lines_of(read(data))] == labels


@pytest.mark.parametrize("paragraph, numbering, label, says", [
    (numbered(), numbering_xml(start="one"), "1.", "w:start='one'"),
    ('<w:numPr><w:ilvl/><w:numId w:val="1"/></w:numPr>', numbering_xml(), "1.", "w:ilvl with w:val=None"),
    ('<w:numPr><w:ilvl w:val="first"/><w:numId w:val="1"/></w:numPr>', numbering_xml(), "1.", "w:val='first'"),
    ('<w:numPr><w:ilvl w:val="0"/><w:numId/></w:numPr>', numbering_xml(), None, "w:numId with w:val=None"),
    ('<w:numPr><w:ilvl w:val="0"/><w:numId w:val="one"/></w:numPr>', numbering_xml(), None, "w:val='one'"),
    (numbered(), numbering_xml(num_extra='<w:lvlOverride><w:startOverride w:val="5"/></w:lvlOverride>'),
     "1.", "w:lvlOverride with w:ilvl=None"),
    (numbered(), numbering_xml(num_extra='<w:lvlOverride w:ilvl="0"><w:startOverride w:val="x"/></w:lvlOverride>'),
     "1.", "w:startOverride='x'"),
    (numbered(), numbering_xml(ilvl='w:ilvl="x"'), None, "w:lvl with w:ilvl='x'"),
    (numbered(ilvl="4000000"), numbering_xml(ilvl='w:ilvl="4000000"'), None, "w:ilvl='4000000'"),
], ids=["start", "ilvl-no-val", "ilvl-word", "numId-no-val", "numId-word", "override-no-ilvl",
        "override-start", "lvl-ilvl", "lvl-out-of-range"])
def test_invalid_numbering_falls_back_and_the_rest_still_reads(paragraph, numbering, label, says):
    good = '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="2"/></w:numPr>'
    numbering = numbering.replace("</w:numbering>", '<w:abstractNum w:abstractNumId="9"><w:lvl w:ilvl="0">'
                                  '<w:numFmt w:val="upperLetter"/><w:lvlText w:val="%1)"/></w:lvl></w:abstractNum>'
                                  '<w:num w:numId="2"><w:abstractNumId w:val="9"/></w:num></w:numbering>')
    document = read(make_docx(p("odd", paragraph) + p("fine", good) + p("fine too", good), numbering=numbering))
    lines = lines_of(document)
    assert [(line.text, line.label) for line in lines] == [("odd", label), ("fine", "A)"), ("fine too", "B)")]
    assert flags(document) == ["numbering_invalid"] and says in document.issues[0].message


def test_huge_level_text_is_cut():
    numbering = numbering_xml().replace('<w:lvlText w:val="%1."/>', f'<w:lvlText w:val="{"%1" * 50_000}"/>')
    data = make_docx("".join(p(f"item {i}", numbered()) for i in range(200)), numbering=numbering)
    document = read(data)
    labels = [line.label for line in lines_of(document)]
    assert len(labels) == 200 and labels[0] == "1" * 128 and len(labels[-1]) == 3 * 128
    assert flags(document) == ["numbering_invalid"] and "w:lvlText of 100000 characters" in document.issues[0].message


def test_same_numbering_fault_everywhere_is_one_issue():
    body = "".join(p(f"q{i}", '<w:numPr><w:ilvl w:val="0"/><w:numId/></w:numPr>') for i in range(500))
    document = read(make_docx(body, numbering=numbering_xml()))
    assert len(lines_of(document)) == 500 and flags(document) == ["numbering_invalid"]


def test_invalid_numbering_in_a_style_leaves_it_unnumbered():
    styles = xml("styles", style("L", '<w:pPr><w:numPr><w:numId w:val="?"/></w:numPr></w:pPr>'))
    document = read(make_docx(p("item", '<w:pStyle w:val="L"/>'), styles=styles, numbering=numbering_xml()))
    assert [line.label for line in lines_of(document)] == [None] and flags(document) == ["numbering_invalid"]


# --- 6. tables -------------------------------------------------------------------------

def test_nested_table_text_is_read_into_its_cell_in_order():
    options = tbl([[p("A. Paris"), p("B. London")], [p("C. Rome"), p("D. Oslo")]])
    body = tbl([[p("1"), p("Capital of France?") + options + p("(pick one)"), p("A")],
                [p("2"), p("Largest ocean?") + tbl([[p("Pacific")]]), p("Pacific")]])
    document = read(make_docx(body))
    assert [line.text for line in lines_of(document)] == [
        "1\tCapital of France? A. Paris B. London C. Rome D. Oslo (pick one)\tA",
        "2\tLargest ocean? Pacific\tPacific"]
    assert flags(document) == ["nested_table"]


def test_nested_list_labels_stay_in_the_nested_text():
    nested = tbl([[p("first", numbered()), p("second", numbered())]])
    document = read(make_docx(tbl([[p("Q") + nested, p("x")]]), numbering=numbering_xml("upperLetter")))
    (line,) = lines_of(document)
    assert line.text == "Q A. first B. second\tx" and line.label is None


@pytest.mark.parametrize("depth", [10, 80])
def test_deeply_nested_tables_are_read_without_recursion(depth):
    content = p("core")
    for level in range(depth):
        content = tbl([[p(f"L{level}") + content]])
    document = read(make_docx(content))
    (line,) = lines_of(document)
    assert line.text.split() == [f"L{level}" for level in reversed(range(depth))] + ["core"]
    assert flags(document) == ["nested_table"]


def test_table_nested_a_thousand_deep_is_a_one_line_error():
    content = p("core")
    for _ in range(1000):
        content = tbl([[content]])
    assert error_of(make_docx(content)).startswith("malformed Word document (XMLSyntaxError: Excessive depth")


VMERGE = "<w:tcPr><w:vMerge/></w:tcPr>"
RESTART = '<w:tcPr><w:vMerge w:val="restart"/></w:tcPr>'


def test_long_vertically_merged_column_reads_in_one_pass():
    # python-docx's row.cells recursed once per row above: RecursionError past ~1,000 rows
    rows = [[RESTART + p("Chapter 1"), p("q0")]] + [[VMERGE + p(""), p(f"q{i}")] for i in range(1, 3000)]
    lines = lines_of(read(make_docx(tbl(rows))))
    assert len(lines) == 3000 and all(line.text == f"Chapter 1\tq{i}" for i, line in enumerate(lines))


def test_odd_table_layouts_read():
    rows = [[VMERGE + p("merge with nothing above"), p("b")],
            ['<w:tcPr><w:gridSpan w:val="100000000"/></w:tcPr>' + p("wide"), p("c")],
            ['<w:tcPr><w:gridSpan w:val="x"/></w:tcPr>' + p("odd span"), p("d")]]
    document = read(make_docx(tbl(rows)))
    assert [line.text for line in lines_of(document)] == ["merge with nothing above\tb", "wide\tc", "odd span\td"]
    assert flags(document) == ["table_invalid"]


def test_cells_are_those_python_docx_yields_for_ordinary_merges():
    from docx import Document as WordDocument

    grid = '<w:tcPr><w:gridSpan w:val="2"/></w:tcPr>'
    rows = [[RESTART + p("r0c0"), grid + p("r0c12"), p("r0c3")],
            [VMERGE + p(""), p("r1c1"), RESTART + p("r1c2"), p("r1c3")],
            [VMERGE + p(""), p("r2c1"), VMERGE + p(""), p("r2c3")],
            [p("r3c0"), grid + p("r3c12"), p("r3c3")]]
    data = make_docx(tbl(rows))
    table = WordDocument(io.BytesIO(data)).tables[0]
    expected = []
    for row in table.rows:
        seen, texts = set(), []
        for cell in row.cells:
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                texts.append(cell.text)
        expected.append("\t".join(texts))
    assert [line.text for line in lines_of(read(data))] == expected


# --- 7. scale (the benchmark below; here only that the generator reads right) ----------

def question_docx(n: int, kind: str = "paragraphs") -> bytes:
    """``n`` generated questions: Word-numbered stems and options (each options list its
    own ``w:num`` restarting at A, as Word writes them), a one-question-per-row table, or
    a table whose first column is one vertical merge."""
    if kind == "paragraphs":
        body = []
        for i in range(n):
            body.append(p(f"Question {i}: which service stores objects durably?", numbered("1")))
            for k, option in enumerate(["Amazon S3", "Amazon EBS", "Amazon EFS", f"Amazon RDS {i}"]):
                body.append(p(option, numbered(str(i + 2)), "<w:b/>" if k == 0 else ""))
            body.append(p("Answer: A"))
        lists = "".join(f'<w:num w:numId="{i + 2}"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0">'
                        '<w:startOverride w:val="1"/></w:lvlOverride></w:num>' for i in range(n))
        numbering = numbering_xml().replace(
            "</w:numbering>", '<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
            f'<w:numFmt w:val="upperLetter"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>{lists}</w:numbering>')
        return make_docx("".join(body), styles=xml("styles", style("Normal", extra=' w:default="1"')),
                         numbering=numbering)
    if kind == "table":
        return make_docx(tbl([[p(str(i + 1)), p(f"Question {i}: which service?"), p("S3"), p("EBS"), p("EFS"),
                               p(f"RDS {i}"), p("A")] for i in range(n)]))
    return make_docx(tbl([[(RESTART + p("Chapter 1")) if i == 0 else VMERGE + p(""), p(f"Question {i}?"), p("A")]
                          for i in range(n)]))


@pytest.mark.parametrize("kind", ["paragraphs", "table", "merged"])
def test_generated_questions_read(kind):
    lines = lines_of(read(question_docx(50, kind)))
    if kind == "paragraphs":
        assert len(lines) == 300 and [line.label for line in lines[:6]] == ["1.", "A.", "B.", "C.", "D.", None]
        assert lines[-6].label == "50." and lines[-2].label == "D."
    else:
        assert len(lines) == 50


def benchmark(sizes: list[int]) -> None:
    """``read_docx`` time per size and kind (best of 2), and the ratio to the smallest:
    linear scaling reads as a ratio equal to the size ratio."""
    import time

    for kind in ("paragraphs", "table", "merged"):
        first = None
        for n in sizes:
            data = question_docx(n, kind)
            times = []
            for _ in range(2):
                start = time.perf_counter()
                document = read(data)
                times.append(time.perf_counter() - start)
            best = min(times)
            first = first or (n, best)
            print(f"{kind:10} {n:6d} questions  {len(data) / 1e6:5.2f} MB  {len(lines_of(document)):7d} lines  "
                  f"{best:7.3f} s  {best / n * 1000:6.3f} ms/question  ×{best / first[1]:5.1f} for ×{n / first[0]:g}")


if __name__ == "__main__":
    benchmark([int(a) for a in sys.argv[1:]] or [2000, 20000])
