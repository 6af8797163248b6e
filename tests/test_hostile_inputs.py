"""Hostile inputs (issue 12): each is generated here, small, and must cost bounded time and
memory, give a one-line error or an Issue flag, and leave the rest of its source read."""
from __future__ import annotations

import io
import json
import re
import multiprocessing
import signal
import struct
import time
import zlib

import pytest

from ingest.document import Picture, page_ref
from ingest.limits import DEFAULT_LIMITS, Limits

TEXT = "A normal page with enough letters to be read from its text layer."


# ------------------------------------------------------------------ helpers
def png_header(width: int, height: int) -> bytes:
    """A PNG whose header says ``width`` x ``height`` (8-bit grey) with a token IDAT:
    all a reader may look at before deciding the picture is too large."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


def png(width: int, height: int, colour: int = 255, text: str | None = None) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("L", (width, height), colour)
    if text:
        ImageDraw.Draw(image).text((20, 20), text, fill=0)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def image_page(pdf, picture: bytes, size=(612, 792)) -> None:
    """A scanned page: one picture over the whole page, no text layer."""
    page = pdf.new_page(width=size[0], height=size[1])
    page.insert_image(page.rect, stream=picture)


def text_page(pdf, text: str = TEXT) -> None:
    pdf.new_page().insert_text((72, 72), text, fontsize=11)


@pytest.fixture
def fake_ocr(monkeypatch):
    """OCR "on" without Tesseract: records which pages the reader asks for."""
    import ingest.pdf_reader as reader

    asked: list[int] = []

    def ocr_pages(data, indexes, lang, jobs=None, progress=None, max_pixels=DEFAULT_LIMITS.max_picture_pixels):
        asked.extend(indexes)
        return [Picture(page_ref(i + 1), f"OCR text of page {i + 1}", 90.0) for i in indexes]

    monkeypatch.setattr(reader, "check_languages", lambda lang: None)
    monkeypatch.setattr(reader, "ocr_pages", ocr_pages)
    return asked


@pytest.fixture
def default_guard():
    """Tests that change Pillow's guard put the project's default back."""
    yield
    from ingest.pictures import guard_decoder

    guard_decoder(DEFAULT_LIMITS.max_picture_pixels)


def read(data: bytes, **kwargs):
    from ingest.pdf_reader import read_pdf

    return read_pdf(data, "hostile.pdf", "0" * 64, **kwargs)


def flags(document) -> list[str]:
    return [issue.flag for issue in document.issues]


def one_line(document) -> None:
    for issue in document.issues:
        assert issue.message and "\n" not in issue.message, issue


# ------------------------------------------------------------------ 1. pictures
def test_picture_over_the_limit_is_refused_from_its_header(monkeypatch, default_guard):
    import ingest.pictures as pictures

    monkeypatch.setattr(pictures, "ocr_image", lambda *a, **k: pytest.fail("a too-large picture reached OCR"))
    reader = pictures.PictureReader("eng")  # the DOCX reader's call, limits by default
    started = time.perf_counter()
    picture = reader.picture("word/media/image1.png", png_header(8000, 8000))  # 64 megapixels
    assert time.perf_counter() - started < 1.0
    assert picture.note == "too_large" and picture.text == ""
    assert reader.read["word/media/image1.png"] is picture  # the reference is kept
    assert [issue.flag for issue in reader.issues] == ["picture_too_large"]
    assert "64.0 megapixels" in reader.issues[0].message and "\n" not in reader.issues[0].message


def test_pillow_guard_is_the_project_limit(default_guard):
    from PIL import Image

    from ingest.pictures import PictureReader

    PictureReader(None, limits=Limits(max_picture_pixels=1_000_000))
    with pytest.raises((Image.DecompressionBombError, Image.DecompressionBombWarning)):
        Image.open(io.BytesIO(png_header(1500, 1000)))  # 1.5 megapixels: over, not twice over
    PictureReader(None)
    assert Image.MAX_IMAGE_PIXELS == DEFAULT_LIMITS.max_picture_pixels
    Image.open(io.BytesIO(png_header(1500, 1000))).close()


def test_pdf_text_page_picture_over_the_limit_is_referenced_not_decoded(default_guard):
    import pymupdf

    pdf = pymupdf.open()
    page = pdf.new_page()
    page.insert_text((72, 72), TEXT, fontsize=11)
    page.insert_image(pymupdf.Rect(72, 100, 300, 328), stream=png(1200, 1200, 128))
    text_page(pdf, "The second page reads as ever, with all of its letters.")
    document = read(pdf.tobytes(), ocr_lang=None, limits=Limits(max_picture_pixels=1_000_000))
    lines = [line.text for line in document.pages[0].lines]
    assert lines == [TEXT, "[image: page 1 image 1]"]
    assert document.pictures["page 1 image 1"].note == "too_large"
    assert flags(document) == ["picture_too_large"] and document.issues[0].page == 1
    assert document.pages[1].lines[0].text.startswith("The second page")
    one_line(document)


def test_scanned_page_of_a_picture_over_the_limit_is_not_rendered(fake_ocr, default_guard):
    import pymupdf

    pdf = pymupdf.open()
    image_page(pdf, png(1200, 1200, 0))
    text_page(pdf)
    document = read(pdf.tobytes(), limits=Limits(max_picture_pixels=1_000_000))
    assert fake_ocr == []  # rendering would have decoded it
    assert document.pictures["page 1"].note == "too_large"
    assert flags(document) == ["picture_too_large"] and "1200 x 1200" in document.issues[0].message
    assert document.pages[1].lines[0].text == TEXT


def test_picture_sizes_are_bounded_from_the_file_bytes():
    from ingest.pdf_reader import _may_hold_oversized_images as may

    assert not may(b"<</Type/XObject/Subtype/Image/Width 6000/Height 6000>> <</Widths [500 600]>>", 40_000_000)
    assert may(b"<</Width 8000/Height 8000>>", 40_000_000)
    assert may(b"<</Width 12 0 R/Height 10>>", 40_000_000)  # a reference: checked page by page
    assert may(b"<</W#69dth 10/Height 10>>", 40_000_000)  # an escaped name: likewise


def test_huge_scanned_page_is_rendered_within_the_limit_or_not_at_all(fake_ocr):
    import pymupdf

    from ingest.ocr_pool import ocr_dpi, render_page

    pdf = pymupdf.open()
    image_page(pdf, png(100, 100, 0), size=(14400, 14400))  # 200 x 200 in: 3.6 Gpx at 300 dpi
    image_page(pdf, png(100, 100, 0), size=(2880, 2880))  # 40 x 40 in: 144 Mpx at 300 dpi
    text_page(pdf)
    document = read(pdf.tobytes())
    assert fake_ocr == [1]  # the 40-inch page only, at a lower resolution
    assert flags(document) == ["picture_too_large", "ocr_dpi_reduced"]
    assert [issue.page for issue in document.issues] == [1, 2]
    assert document.pictures["page 1"].note == "too_large"
    assert document.pages[2].lines[0].text == TEXT
    one_line(document)
    dpi = ocr_dpi(2880, 2880, DEFAULT_LIMITS.max_picture_pixels)
    assert 72 <= dpi < 300 and (40 * dpi) ** 2 <= DEFAULT_LIMITS.max_picture_pixels
    small = pymupdf.open()
    small.new_page(width=2880, height=2880)
    image = render_page(small, 0, max_pixels=1_000_000)
    assert image.width * image.height <= 1_000_000


# ------------------------------------------------------------------ 2. many pages, blank pages, OCR budget
def test_5000_blank_pages_build_in_seconds(fake_ocr):
    import pymupdf

    pdf = pymupdf.open()
    text_page(pdf)
    for _ in range(4999):
        pdf.new_page()
    data = pdf.tobytes()
    started = time.perf_counter()
    document = read(data)
    assert time.perf_counter() - started < 15
    assert fake_ocr == []  # no blank page went to OCR
    assert len(document.pages) == 5000 and document.pages[0].lines[0].text == TEXT
    assert document.issues == []
    capped = read(data, limits=Limits(max_pdf_pages=100))
    assert len(capped.pages) == 100 and flags(capped) == ["pages_capped"]
    assert "first 100 of 5000 pages" in capped.issues[0].message
    one_line(capped)


def test_blank_scanned_pages_cost_no_tesseract_run(monkeypatch):
    import pymupdf

    import ingest.ocr_pool as pool
    from ingest.tesseract import OcrText

    calls: list[int] = []

    def ocr_image(image, lang, psm):
        calls.append(image.width)
        return OcrText("read", 95.0, lang)

    monkeypatch.setattr(pool, "ocr_image", ocr_image)
    pdf = pymupdf.open()
    image_page(pdf, png(850, 1100))  # a white scan
    image_page(pdf, png(850, 1100, 250))  # a light grey one
    image_page(pdf, png(850, 1100, text="Question 1. Which service stores objects?"))
    results = pool.ocr_pages(pdf.tobytes(), [0, 1, 2], "eng", jobs=1)
    assert [r.note for r in results] == ["blank", "blank", None]
    assert len(calls) == 1 and results[2].text == "read"


def test_scanned_pages_past_the_ocr_budget_are_flagged(fake_ocr):
    import pymupdf

    pdf = pymupdf.open()
    text_page(pdf)
    for number in range(5):
        image_page(pdf, png(200, 200, text=f"scan {number}"))
    document = read(pdf.tobytes(), limits=Limits(max_ocr_pages=2))
    assert fake_ocr == [1, 2]
    assert flags(document) == ["ocr_pages_capped"]
    assert "OCR'd 2 of 5 scanned pages; pages 4-6 not read" in document.issues[0].message
    assert [document.pictures[page_ref(n)].note for n in (4, 5, 6)] == ["ocr_capped"] * 3
    assert document.pages[1].lines[0].text == "OCR text of page 2"
    one_line(document)


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="patches the workers by fork")
def test_ocr_workers_do_not_outlive_a_timeout(monkeypatch):
    import pymupdf

    import ingest.ocr_pool as pool
    from ingest.tesseract import OcrText

    def stuck(image, lang, psm):  # a page Tesseract would take minutes on
        time.sleep(60)
        return OcrText("", None, lang)

    monkeypatch.setattr(pool, "ocr_image", stuck)
    pdf = pymupdf.open()
    for number in range(6):
        pdf.new_page().insert_text((72, 72), f"scanned page {number}", fontsize=24)

    def timeout(signum, frame):
        raise TimeoutError("source took too long")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    started = time.perf_counter()
    try:
        with pytest.raises(TimeoutError):
            pool.ocr_pages(pdf.tobytes(), list(range(6)), "eng", jobs=2)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.perf_counter() - started < 10
    assert multiprocessing.active_children() == []


# ------------------------------------------------------------------ 3. YAML front matter
def alias_bomb(depth: int = 9, width: int = 9) -> str:
    names = "abcdefghijklmnopqrstuvwxyz"
    lines = [f"a: &a [{','.join(['x'] * width)}]"]
    for level in range(1, depth):
        lines.append(f"{names[level]}: &{names[level]} [{','.join(['*' + names[level - 1]] * width)}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("front_matter", [
    alias_bomb(),
    "title: x\n" + "tags:\n" + "- tag\n" * 20_000,  # over the size cap
    "date: 2024-02-30\n",  # the timestamp constructor raises ValueError
    "x: " + "[" * 5000 + "]" * 5000 + "\n",  # RecursionError deep in PyYAML
])
def test_hostile_front_matter_keeps_the_text_drops_the_metadata(front_matter):
    from ingest.text_reader import looks_like_markdown, parse_markdown

    text = f"---\n{front_matter}---\n# Heading\n\nThe body of the article.\n"
    assert looks_like_markdown(text)
    started = time.perf_counter()
    document = parse_markdown(text, "bomb.md", "0" * 64)
    assert time.perf_counter() - started < 2
    assert document.metadata == {}
    assert flags(document) == ["front_matter_invalid"]
    assert [line.text for line in document.pages[0].lines][:3] == ["# Heading", "", "The body of the article."]
    one_line(document)


def test_plain_front_matter_still_reads():
    from ingest.text_reader import parse_markdown

    document = parse_markdown("---\ntitle: Notes\ntags: [aws, ml]\n---\n# A\n", "a.md", "0" * 64)
    assert document.metadata == {"title": "Notes", "tags": ["aws", "ml"]} and document.issues == []
    assert document.title == "Notes"


# ------------------------------------------------------------------ 4. OCR text dumps
def dump(markers: list[tuple[str, str]], filler: int = 0) -> str:
    out = ["Some Course - Complete OCR Content", f"Total Pages: {len(markers)}"]
    for n, m in markers:
        out += ["=" * 100, f"PAGE {n} of {m} (Chunk 1)", "=" * 100, "",
                f"text under marker {n[:9]} of {m}"] + ["가나다 본문 " * 10] * filler
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("bad, expected, became", [
    (("0", "300"), None, "read as page 151"),
    (("12", "3"), None, "read as page 151"),
    (("150", "300"), None, "read as page 151"),  # repeated, with the number after it free
    (("152", "300"), 151, "kept in page 152"),  # the next page's, no number free: text joins it
    (("9" * 5000, "300"), None, "read as page 151"),  # int() refuses 5,000 digits
    (("40", "300"), None, "read as page 151"),  # going back
], ids=["page 0", "12 of 3", "repeated", "next repeated", "5000 digits", "going back"])
def test_one_malformed_page_marker_costs_its_number_not_the_file(bad, expected, became):
    from ingest.ocr_text import looks_like_ocr_dump, parse_ocr_dump

    markers = [(str(n), "300") for n in range(1, 301)]
    markers[150] = bad
    text = dump(markers, filler=50)  # a 1 MB dump
    assert len(text.encode()) > 1_000_000 and looks_like_ocr_dump(text)
    document = parse_ocr_dump(text, "dump.ocr.txt", "0" * 64)
    assert [page.number for page in document.pages] == [n for n in range(1, 301) if n != expected]
    assert document.declared_pages == 300
    kept = [line.text for page in document.pages for line in page.lines if line.text.startswith("text")]
    assert len(kept) == 300  # every page's text is still there, in order
    assert sum(len(page.lines) for page in document.pages) == 300 * 51
    assert flags(document) == ["page_header_invalid"] and became in document.issues[0].message
    assert document.issues[0].page in (151, 152)
    one_line(document)


def test_malformed_dump_builds(tmp_path):
    """End to end: a ``PAGE 0`` used to fail the corpus schema (pages start at 1)."""
    from qbank.extractors import Options
    from qbank.pipeline import process_source

    path = tmp_path / "dump.ocr.txt"
    path.write_text(dump([("1", "3"), ("0", "3"), ("3", "3")], filler=3), encoding="utf-8")
    result = process_source(path, Options(ocr_lang=None))
    assert result.error is None, result.error
    assert [issue["flag"] for issue in result.extraction.issues] == ["page_header_invalid"]


def test_dump_sniffer_and_parser_are_linear():
    from ingest.ocr_text import looks_like_ocr_dump, parse_ocr_dump

    started = time.perf_counter()
    assert not looks_like_ocr_dump("\n" * 200_000 + "PAGE 1 of 2\n")  # was quadratic
    huge = dump([("1", "2"), ("2", "2")]) + "y" * 5_000_000  # one 5 MB line
    assert looks_like_ocr_dump(huge)
    document = parse_ocr_dump(huge, "dump.ocr.txt", "0" * 64)
    assert [page.number for page in document.pages] == [1, 2] and not document.issues
    assert time.perf_counter() - started < 3


# ------------------------------------------------------------------ 5. encodings
def test_decode_text_replaces_and_counts_undecodable_bytes():
    from ingest.text_reader import decode_text

    assert decode_text("정답은 B입니다".encode()) == ("정답은 B입니다", None)
    assert decode_text(b"\xef\xbb\xbfwith BOM") == ("with BOM", None)
    text, issue = decode_text("PAGE 1 of 2\ncaf".encode() + b"\xe9 \xff\xfe and \xe4\xb8" + " 끝".encode())
    assert text == "PAGE 1 of 2\ncaf\ufffd \ufffd\ufffd and \ufffd\ufffd 끝"
    assert issue.flag == "encoding_repaired" and issue.message == "5 undecodable bytes replaced"
    assert issue.page is None
    text, issue = decode_text(b"\xef\xbb\xbfone \x80 byte")
    assert text == "one \ufffd byte" and issue.message == "1 undecodable byte replaced"
    started = time.perf_counter()
    text, issue = decode_text(b"ok \xff" * 300_000)  # many bad bytes: still one pass
    assert time.perf_counter() - started < 2 and issue.message.startswith("300000 ")


# ------------------------------------------------------------------ 6. matching questions
def test_matching_question_of_more_than_eight_rows():
    from extract.furniture import CleanPage
    from extract.guide_questions import build_question, classify_pages
    from extract.structure import PageStructure
    from ingest.document import Line

    services = ["Amazon S3", "Amazon EBS", "Amazon EFS", "Amazon FSx", "AWS Glue", "Amazon Athena",
                "Amazon Redshift", "Amazon Kinesis", "AWS Lambda", "Amazon SageMaker", "Amazon EMR",
                "Amazon DynamoDB"]
    needs = [f"요구 사항 {chr(0x3131 + i)} 처리" for i in range(len(services))]
    stem = "2번 문제 각 요구 사항에 가장 적합한 AWS 서비스를 연결하십시오"
    rows = ["기계 학습 요구 사항", "AWS 서비스"]
    for need, service in zip(needs, services):
        rows += [need, service]
    answer_rows = ["기계 학습 요구 사항", "AWS 서비스"]
    for need, service in zip(needs, reversed(services)):
        answer_rows += [need, service]
    explanation = "각 서비스의 쓰임새는 " + ", ".join(services) + " 설명과 같습니다."

    def page(number: int, first: str, lines: list[str]) -> CleanPage:
        return CleanPage(number, [Line(text, i + 1) for i, text in enumerate([first] + lines)])

    pages = [page(10, stem, rows), page(11, stem.replace("2번 문제", "2번 문제 정답"), answer_rows + [explanation])]
    structure = [PageStructure(p.number, 3, "Module 3", None, "knowledge-check", None) for p in pages]
    qpage, apage = classify_pages(pages, structure)
    question = build_question(qpage, apage)
    assert question.kind == "matching"
    assert [label for label, _ in question.options] == list("ABCDEFGHIJKL")
    assert question.options[8] == ("I", needs[8])
    assert len(question.answer) == 12 and question.answer[0] == "A=Amazon DynamoDB"
    many = page(10, stem, rows[:2] + [f"{kind} {i}" for i in range(30) for kind in ("need", "service")])
    capped = build_question(classify_pages([many], structure[:1])[0], None)
    assert len(capped.options) == 26 and "matching_rows_capped" in capped.flags


# ------------------------------------------------------------------ 7. bad and absurd PDF pages
def test_page_whose_text_extraction_raises_is_an_issue(monkeypatch):
    import pymupdf

    pdf = pymupdf.open()
    for number in range(3):
        text_page(pdf, f"{TEXT} Page {number + 1}.")
    data = pdf.tobytes()
    original = pymupdf.Page.get_text

    def get_text(self, *args, **kwargs):
        if self.number == 1:
            raise RuntimeError("MuPDF error: syntax error in content stream")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pymupdf.Page, "get_text", get_text)
    document = read(data, ocr_lang=None)
    assert [page.number for page in document.pages] == [1, 2, 3]
    assert document.pages[1].lines == [] and document.pages[2].lines[0].text.endswith("Page 3.")
    assert flags(document) == ["page_unreadable"] and document.issues[0].page == 2
    assert "RuntimeError" in document.issues[0].message
    one_line(document)


def spans_pdf(count: int, text: bytes = b"ab", scatter: bool = False, fills: int = 0) -> bytes:
    """A page of ``count`` one-point spans (on a grid, or scattered into thousands of
    blocks), optionally over ``fills`` small filled rectangles, then a normal page."""
    import random

    import pymupdf

    rng = random.Random(12)
    pdf = pymupdf.open()
    page = pdf.new_page()
    page.insert_text((10, 10), "x", fontname="helv", fontsize=1)  # the font resource
    parts = [b"0.9 0.9 0 rg %.1f %.1f 20 5 re f" % (rng.uniform(0, 600), rng.uniform(0, 780))
             for _ in range(fills)]
    parts.append(b"0 0 0 rg BT /helv 1 Tf")
    rows = count // 200 + 1
    for index in range(count):
        if scatter:
            x, y = rng.uniform(5, 600), rng.uniform(5, 780)
        else:
            x, y = 10 + index % 200 * 2.95, 10 + index // 200 * (770 / rows)
        parts.append(b"1 0 0 1 %.2f %.2f Tm (%s) Tj" % (x, y, text))
    parts.append(b"ET")
    pdf.update_stream(page.get_contents()[0], b"\n".join(parts))
    text_page(pdf)
    return pdf.tobytes(deflate=True)


def test_page_of_absurdly_many_spans_is_read_plainly_in_bounded_time():
    data = spans_pdf(60_000)
    started = time.perf_counter()
    document = read(data, ocr_lang=None)
    assert time.perf_counter() - started < 20
    assert flags(document) == ["page_too_complex"] and document.issues[0].page == 1
    assert len(document.pages[0].lines) > 1000
    assert document.pages[1].lines[0].text == TEXT
    one_line(document)


def test_page_of_thousands_of_blocks_and_fills_keeps_its_layout_in_bounded_time():
    data = spans_pdf(15_000, text=b"A. yes", scatter=True, fills=1_500)
    started = time.perf_counter()
    document = read(data, ocr_lang=None)
    assert time.perf_counter() - started < 20
    assert document.issues == [] and len(document.pages[0].lines) > 1000
    assert document.pages[1].lines[0].text == TEXT


def rawdict_block(pieces: int, one_row: bool) -> dict:
    """A rawdict block of ``pieces`` words each followed by a detached space line
    (LibreOffice's Korean text, multiplied): stacked lines or all on one baseline."""
    lines = []
    for index in range(pieces):
        x, y = (index * 30.0, 0.0) if one_row else (0.0, index * 12.0)
        chars = [{"c": c, "bbox": (x + k * 5, y, x + k * 5 + 5, y + 10)} for k, c in enumerate("단어")]
        space = {"c": " ", "bbox": (x + 10, y, x + 13, y + 10)}
        for line_chars, x0, x1 in ((chars, x, x + 10), ([space], x + 10, x + 13)):
            lines.append({"bbox": (x0, y, x1, y + 10), "spans": [
                {"size": 10.0, "flags": 0, "font": "f", "color": 0, "bbox": (x0, y, x1, y + 10),
                 "chars": line_chars}]})
    return {"type": 0, "bbox": (0, 0, 1, 1), "lines": lines}


@pytest.mark.parametrize("one_row", [False, True])
def test_detached_spaces_merge_is_not_quadratic(one_row):
    from ingest.pdf_spaces import merge_detached_spaces

    small = merge_detached_spaces({"blocks": [rawdict_block(3, one_row)]})
    texts = [span["text"] for line in small["blocks"][0]["lines"] for span in line["spans"]]
    assert texts == ["단어 "] * 3  # each space back at the end of its word
    started = time.perf_counter()
    large = merge_detached_spaces({"blocks": [rawdict_block(20_000, one_row)]})
    assert time.perf_counter() - started < 5  # 4,000 pieces took 7-12 s before
    assert len(large["blocks"][0]["lines"]) == 20_000


def _patterns(value, path=""):
    """Every string of a rule file that compiles as a pattern with a repetition in it."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not key.startswith("_"):
                yield from _patterns(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _patterns(item, f"{path}[{index}]")
    elif isinstance(value, str) and any(c in value for c in "*+"):
        try:
            yield path, re.compile(value)
        except re.error:
            pass


def test_rule_patterns_never_backtrack_for_long():
    """A scan's OCR gave an answer line of letters and commas between runs of spaces
    (``a  ,  b  ,  c  ,  ...``): the answer pattern's nested repetition took minutes on
    it, and the source its whole time budget. Every pattern of the rule files meets
    separators, spaces and labels repeated, ending where no match can."""
    from importlib import resources

    atoms = [" ", "  ", ",", ", ", "、", "/", "and", "a", "A", "1", "①", "-", ".", ":", "("]
    texts = [(a + b) * 15 + "\x01" for a in atoms for b in atoms]
    texts += ["A" + (b + a) * 15 + "\x01" for a in atoms for b in atoms]
    folder = resources.files("extract").joinpath("data")
    where = ["", ""]

    def hung(signum, frame):
        raise TimeoutError(f"{where[0]} {where[1]}: still matching after 30 s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)  # all of them take a few ms; the pattern above took minutes alone
    try:
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if not entry.name.endswith(".json"):
                continue
            for path, pattern in _patterns(json.loads(entry.read_text(encoding="utf-8"))):
                where[:] = [entry.name, path]
                for text in texts:
                    pattern.search(text)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
