"""PDF input: text-layer and scanned samples, a Word dump printed to PDF, a guide-like PDF
made from real guide pages, and broken files."""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest

from conftest import assert_bad_file_fails_alone

from extract.exam_questions import extract_exam_questions
from ingest import IngestError, read_document, tesseract
from qbank.extractors import Options
from qbank.pipeline import build

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
TEXT_PDF = SAMPLES / "sample-questions.pdf"
SCANNED_PDF = SAMPLES / "scanned-questions.pdf"
EXPECTED = json.loads((REPO / "tests" / "data" / "sample-pdfs.expected.json").read_text(encoding="utf-8"))


def _generator():
    spec = importlib.util.spec_from_file_location("make_sample_pdfs", REPO / "scripts" / "make_sample_pdfs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "questions.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf-out")
    report = build([str(TEXT_PDF), str(SCANNED_PDF)], out, progress=False,
                   options=Options(jobs=2))
    assert not report.failed, [r.error for r in report.failed]
    manifest = json.loads((out / "manifest.json").read_text())
    return _records(out), {s["path"].rsplit("/", 1)[-1]: s for s in manifest["sources"]}


def test_every_sample_pdf_answer_is_right(built):
    records, _ = built
    got: dict[str, dict[str, list[str]]] = {}
    for record in records:
        got.setdefault(record["source"]["path"].rsplit("/", 1)[-1], {})[str(record["number"])] = record["answer"]
    assert got == EXPECTED


def test_text_layer_pdf_reads_answers_section_and_headings(built):
    records, sources = built
    text = {r["number"]: r for r in records if r["source"]["path"].endswith("sample-questions.pdf")}
    assert text[1]["explanation"].startswith("Amazon S3 is object storage")
    assert text[2]["kind"] == "multi" and [o["label"] for o in text[2]["options"]] == list("ABCDE")
    assert text[1]["stem"].startswith("A team stores 5 TB") and "\u00a0" not in text[1]["stem"]
    assert "ocr" not in sources["sample-questions.pdf"]  # a text layer needs no OCR
    document = read_document(TEXT_PDF)
    title = document.pages[0].lines[0]
    assert "heading" in title.marks and "bold" in title.marks and title.text.startswith("AWS Certified")


def test_scanned_pdf_is_ocred_page_by_page_with_confidence(built):
    records, sources = built
    ocr = sources["scanned-questions.pdf"]["ocr"]
    assert ocr["pages"] == [1, 2] and ocr["unread_pages"] == []
    assert ocr["mean_confidence"] > tesseract.LOW_CONFIDENCE
    scanned = {r["number"]: r for r in records if r["source"]["path"].endswith("scanned-questions.pdf")}
    assert scanned[1]["lang"] == "ko" and "시계열 데이터" in scanned[1]["stem"]
    assert scanned[3]["answer"] == ["B", "C"]  # "8, C" in the OCR'd answers, 8 being B
    assert scanned[2]["explanation"].startswith("Kinesis Data Firehose")


def test_tesseract_command_fallback_reads_the_same_answers(monkeypatch):
    """Where tesserocr has no wheel (macOS) the ``tesseract`` command runs instead."""
    monkeypatch.setattr(tesseract, "_api", lambda lang: None)
    document = read_document(SCANNED_PDF, jobs=1)
    got = {str(q.number): q.answer for q in extract_exam_questions(document)}
    assert got == EXPECTED["scanned-questions.pdf"]
    assert all(p.confidence and p.confidence > tesseract.LOW_CONFIDENCE for p in document.pictures.values())


@pytest.mark.skipif(importlib.util.find_spec("tesserocr") is None, reason="tesserocr not installed")
def test_ocr_runs_in_process_with_models_loaded_once():
    api = tesseract._api(tesseract.DEFAULT_LANG)
    assert api is not None and tesseract._api(tesseract.DEFAULT_LANG) is api


def test_ocr_jobs_do_not_change_the_result():
    one = read_document(SCANNED_PDF, jobs=1)
    two = read_document(SCANNED_PDF, jobs=2)
    assert [page.text for page in one.pages] == [page.text for page in two.pages]
    assert one.pictures == two.pictures


def _picture_of(text: str) -> bytes:
    """PNG of ``text`` in large type (a page drawn by MuPDF, rendered)."""
    sheet = pymupdf.open()
    sheet.new_page(width=420, height=90).insert_text((20, 60), text, fontsize=36)
    return sheet[0].get_pixmap(dpi=150).tobytes("png")


def test_a_scans_picture_is_not_extracted_only_to_find_it_is_a_scan(monkeypatch, tmp_path):
    """Whether a page with pictures is a scan is decided from its text alone: a full
    layout re-encodes every picture as PNG (69 ms for a scanned page), and a scan's page
    is rendered for OCR anyway. A text page's pictures are still extracted and read in
    place, and the scan is still OCR'd."""
    pdf = pymupdf.open()
    page = pdf.new_page()
    page.insert_text((72, 72), "Which service stores objects? Look at the exhibit below.", fontsize=11)
    page.insert_image(pymupdf.Rect(72, 100, 492, 190), stream=_picture_of("EXHIBIT 42"))
    pdf.new_page().insert_image(pymupdf.Rect(0, 0, 595, 150), stream=_picture_of("Amazon S3 bucket"))
    asked = []
    get_text = pymupdf.Page.get_text

    def spy(self, *args, **kwargs):
        asked.append((self.number, kwargs.get("flags")))
        return get_text(self, *args, **kwargs)

    pdf.save(tmp_path / "exhibit.pdf")
    monkeypatch.setattr(pymupdf.Page, "get_text", spy)
    document = read_document(tmp_path / "exhibit.pdf", jobs=1)
    first, scan = ([line.text for line in page.lines] for page in document.pages)
    assert "[image: page 1 image 1]" in first and any("42" in text for text in first)
    assert any("bucket" in text for text in scan)
    assert any(number == 0 and flags is None for number, flags in asked)  # pictures and all
    scan_flags = [flags for number, flags in asked if number == 1]
    assert scan_flags and all(flags is not None and not flags & pymupdf.TEXT_PRESERVE_IMAGES for flags in scan_flags)


def test_pymupdf_is_imported_without_its_layout_model():
    """PyMuPDF 2 imports its layout and Markdown packages with itself, which load an ONNX
    model (0.26 s of every worker's start); qbank never asks for either. Code that wants
    the analyser can still import it afterwards."""
    code = ("import sys; from ingest.pdf_lib import load_pymupdf; m = load_pymupdf(); "
            "print(sorted({'onnxruntime', 'pymupdf.layout', 'pymupdf4llm'} & set(sys.modules)), "
            "m._get_layout is None)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout.split("\n")[0] == "[] True"
    if importlib.util.find_spec("pymupdf.layout") is not None:
        later = code + "; import pymupdf.layout; print(m._get_layout is not None)"
        done = subprocess.run([sys.executable, "-c", later], capture_output=True, text=True, cwd=REPO, check=True)
        assert done.stdout.split() == ["[]", "True", "True"]


def test_generator_is_deterministic(tmp_path):
    gen = _generator()
    gen.OUT = tmp_path
    gen.REPO = tmp_path
    (tmp_path / "tests" / "data").mkdir(parents=True)
    gen.main()
    assert (tmp_path / "sample-questions.pdf").read_bytes() == TEXT_PDF.read_bytes()
    assert (tmp_path / "scanned-questions.pdf").read_bytes() == SCANNED_PDF.read_bytes()


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice missing: run scripts/install-system-deps.sh")
def test_exam_dump_printed_to_pdf_gives_the_docx_questions(tmp_path):
    docx = SAMPLES / "exam-dump.docx"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
                   check=True, capture_output=True, timeout=180)
    from_pdf = {q.number: q for q in extract_exam_questions(read_document(tmp_path / "exam-dump.pdf"))}
    from_docx = {q.number: q for q in extract_exam_questions(read_document(docx))}

    def comparable(q):  # picture references name a page in a PDF, a package part in DOCX
        stem = "\n".join(line for line in q.stem.splitlines() if not line.startswith("[image: "))
        # a PDF does not tell an option's second paragraph from a wrapped line: compare
        # option text by words
        options = [(label, " ".join(text.split())) for label, text in q.options]
        return stem, options, q.answer, q.answer_signals, q.flags, q.translations.keys()
    assert {n: comparable(q) for n, q in from_pdf.items()} == {n: comparable(q) for n, q in from_docx.items()}


def test_guide_pages_as_pdf_give_modules_and_knowledge_checks(tmp_path):
    """Real guide pages (the excerpt cut from ../shared/data) laid out as a text-layer
    PDF: the course-book extraction finds the same modules, questions and answers."""
    guide = read_document(SAMPLES / "guide-excerpt.ocr.txt")
    pdf = pymupdf.open()
    font = pymupdf.Font(fontfile=str(_generator().NANUM))
    for page in guide.pages:  # one printed line per dump line, on a page wide enough for it
        width = 60 + max((font.text_length(line.text, fontsize=8) for line in page.lines), default=0)
        target = pdf.new_page(width=width, height=30 + 11 * max(len(page.lines), 1))
        target.insert_font(fontname="nanum", fontfile=str(_generator().NANUM))
        for index, line in enumerate(page.lines):
            target.insert_text((20, 24 + 11 * index), line.text, fontname="nanum", fontsize=8)
    path = tmp_path / "guide.pdf"
    pdf.save(path)
    build([str(path)], tmp_path / "from-pdf", progress=False, options=Options(ocr_correction=False))
    build([str(SAMPLES / "guide-excerpt.ocr.txt")], tmp_path / "from-text", progress=False,
          options=Options(ocr_correction=False))
    from_pdf = [(r["module"], r["number"], r["answer"], r["kind"]) for r in _records(tmp_path / "from-pdf")]
    from_text = [(r["module"], r["number"], r["answer"], r["kind"]) for r in _records(tmp_path / "from-text")]
    assert from_pdf == from_text and {m for m, *_ in from_pdf} == {1, 3}
    knowledge = (tmp_path / "from-pdf" / "knowledge.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(knowledge) >= 20


def _zero_page_pdf() -> bytes:
    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    xref = len(body)
    return body + (b"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000056 00000 n \n"
                   b"trailer<</Size 3/Root 1 0 R>>\nstartxref\n" + str(xref).encode() + b"\n%%EOF\n")


def _encrypted_pdf() -> bytes:
    doc = pymupdf.open(TEXT_PDF)
    return doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")


@pytest.mark.parametrize("name, make, message", [
    ("locked.pdf", _encrypted_pdf, "password-protected"),
    ("truncated.pdf", lambda: TEXT_PDF.read_bytes()[:3000], "PDF"),
    ("garbage.pdf", lambda: b"%PDF-1.7\n" + bytes(range(256)) * 20, "PDF"),
    ("nopages.pdf", _zero_page_pdf, "no pages"),
])
def test_bad_pdf_is_one_line_error_and_batch_goes_on(tmp_path, name, make, message):
    assert_bad_file_fails_alone(tmp_path, name, make(), message, TEXT_PDF, len(EXPECTED["sample-questions.pdf"]))


def test_without_tesseract_scans_say_what_to_install_and_text_pdfs_still_read(monkeypatch, tmp_path):
    monkeypatch.setattr(tesseract.shutil, "which", lambda name: None)  # no tesseract on PATH
    tesseract.installation.cache_clear()
    with pytest.raises(IngestError) as error:
        read_document(SCANNED_PDF, "scan.pdf", jobs=1)
    tesseract.installation.cache_clear()
    assert "apt-get install tesseract-ocr" in str(error.value) and "\n" not in str(error.value)
    assert len(extract_exam_questions(read_document(TEXT_PDF))) == 3


def test_missing_ocr_language_is_named(tmp_path):
    missing = "zzz" if "zzz" not in tesseract.installed_languages() else "zzy"
    with pytest.raises(IngestError) as error:
        read_document(SCANNED_PDF, "scan.pdf", ocr_lang=f"kor+{missing}", jobs=1)
    assert f"tesseract-ocr-{missing}" in str(error.value) and "\n" not in str(error.value)


def test_cli_refuses_bad_jobs_and_lang(tmp_path):
    from qbank.cli import main

    assert main(["build", str(TEXT_PDF), "--out", str(tmp_path / "a"), "--jobs", "0", "-q"]) == 2
    assert main(["build", str(TEXT_PDF), "--out", str(tmp_path / "b"), "--lang", "kor eng", "-q"]) == 2
    assert main(["build", str(TEXT_PDF), "--out", str(tmp_path / "c"), "--jobs", "1", "-q"]) == 0
